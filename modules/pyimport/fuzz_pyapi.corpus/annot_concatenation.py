import typing
def f(x: "in" + "t"):
    pass
print(typing.get_type_hints(f))
