import functools, typing
@functools.wraps(typing.get_type_hints, assigned=("__name__",), updated=())
def w(x: "sys"):
    pass
print(typing.get_type_hints(w))
