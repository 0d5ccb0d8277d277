class Meta(type):
    pass
ns = {"__init_subclass__": classmethod(lambda cls: print("hook ran"))}
Base = Meta("Base", (), ns)
class Child(Base):
    pass
