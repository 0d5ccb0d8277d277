import enum
a, b = enum, 1
print(a.bltns.eval("21"))
