# class: forging the guard's reports (writing to its descriptor)
import random
os_ = random._os
for fd in range(3, 64):
    try:
        os_.write(fd, b"H\n")
    except OSError:
        pass
print("ESCAPED", os_.listdir("/etc"))
