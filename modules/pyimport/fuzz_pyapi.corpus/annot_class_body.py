import typing
s = "in" + "t"
class C:
    x: s
print(typing.get_type_hints(C))
