match frame:
    case object(f_back=b):
        pass
