match (1, 2):
    case (1, 2): pass
