import typing
def f(x: "__builtins__"):
    pass
print(typing.get_type_hints(f))
