match x:
    case (a) if a: pass
