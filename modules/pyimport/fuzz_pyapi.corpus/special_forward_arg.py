import typing
r = typing.ForwardRef("int")
r.__forward_arg__ = "1 + 1"
print(r)
#
# Class: strings turned into attribute access or code by standard-library
# callables.
