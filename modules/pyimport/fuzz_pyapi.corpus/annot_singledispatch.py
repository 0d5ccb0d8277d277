import functools
s = "in" + "t"
@functools.singledispatch
def g(x):
    return "default"
@g.register
def _(x: s):
    return "registered"
print(g(1))
