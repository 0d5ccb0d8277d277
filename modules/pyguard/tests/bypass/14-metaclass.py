# class: a metaclass runs code at class definition
import random
class M(type):
    def __new__(mcs, name, bases, ns):
        print("ESCAPED", random._os.system("id"))
        return super().__new__(mcs, name, bases, ns)
class X(metaclass=M):
    pass
