import enum
class Holder:
    m = enum
print(Holder.m.bltns.eval("15"))
