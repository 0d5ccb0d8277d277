make = type
ns = {"a": 1}
Base = make("Base", (), ns)
print(Base)
