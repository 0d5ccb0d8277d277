from random import _inst
print(_inst.random())
