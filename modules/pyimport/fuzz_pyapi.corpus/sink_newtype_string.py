import typing
print(typing.NewType("UserId", "int"))
