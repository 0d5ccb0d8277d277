match sys_:
    case object(modules=m):
        pass
