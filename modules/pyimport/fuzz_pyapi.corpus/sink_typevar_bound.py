import typing
b = "in" + "t"
T = typing.TypeVar("T", bound=b)
print(T)
