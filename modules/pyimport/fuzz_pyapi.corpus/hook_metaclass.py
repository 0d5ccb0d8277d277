class Meta(type):
    pass
class C(metaclass=Meta):
    pass
