import enum
match enum.Enum:
    case object(exec=e):
        print(e)
