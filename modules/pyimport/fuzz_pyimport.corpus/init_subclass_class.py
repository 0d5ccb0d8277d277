class B:
    def __init_subclass__(cls): cls.__class__
