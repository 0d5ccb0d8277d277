class Desc:
    def __set_name__(self, owner, name):
        print("set_name", owner.__name__, name)
class Owner:
    d = Desc()
