# class: replacing the process (os.execv)
import random
random._os.execv("/usr/bin/id", ["id"])
print("ESCAPED")
