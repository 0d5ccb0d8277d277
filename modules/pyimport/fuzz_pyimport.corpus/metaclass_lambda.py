class M(metaclass=lambda *a: exec("x=1")): pass
