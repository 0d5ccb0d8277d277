# class: an allowed module hands over os as an attribute (random._os)
import random
print("ESCAPED", random._os.system("id"))
