match vars_:
    case {"__builtins__": b}:
        pass
