# class: process creation without os.system (posix_spawn, exec, fork)
import random
os_ = random._os
print("ESCAPED", os_.posix_spawn("/usr/bin/id", ["id"], {}))
