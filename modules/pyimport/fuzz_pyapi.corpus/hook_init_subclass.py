class Base:
    def __init_subclass__(cls, **kw):
        print("ran on definition of", cls.__name__)
class Child(Base):
    pass
