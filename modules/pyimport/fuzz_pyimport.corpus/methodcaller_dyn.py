import operator
operator.methodcaller(name)(f)
