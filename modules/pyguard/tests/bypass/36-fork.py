# class: os.fork
import random
pid = random._os.fork()
print("ESCAPED", pid)
