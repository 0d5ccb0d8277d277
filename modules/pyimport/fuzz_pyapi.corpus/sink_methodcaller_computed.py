import operator
print(operator.methodcaller("up" + "per")("x"))
