import typing
s = "in" + "t"
Alias = list[s]
def f(x: Alias):
    pass
print(typing.get_type_hints(f))
