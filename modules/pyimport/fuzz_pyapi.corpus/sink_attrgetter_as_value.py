import operator, functools
g = functools.partial(operator.attrgetter, "real")
print(g()(1))
