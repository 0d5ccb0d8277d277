match x:
    case __builtins__:
        pass
