# class: a banned builtin reached as an attribute of a namespace
b = __builtins__
ev = b.__dict__["ev" + "al"] if hasattr(b, "__dict__") else b["ev" + "al"]
print("ESCAPED", ev("open('/etc/passwd').read()"))
