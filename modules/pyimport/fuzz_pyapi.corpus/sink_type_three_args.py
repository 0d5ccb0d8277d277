ns = {"__init_subclass__": classmethod(lambda cls: print("hook ran"))}
Base = type("Base", (), ns)
class Child(Base):
    pass
