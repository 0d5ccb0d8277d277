import typing
print(typing.ForwardRef("1 +" + " 1"))
