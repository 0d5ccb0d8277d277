# class: __init_subclass__ and __set_name__ hooks run on definition
import random
class D:
    def __set_name__(self, owner, name):
        print("ESCAPED", random._os.listdir("/etc"))
class B:
    def __init_subclass__(cls):
        cls.d = 1
class S(B):
    d = D()
