import enum, functools
print(functools.partial(lambda m: m, enum)().bltns.eval("22"))
#
# Class: banned builtins reached however they are spelled.
