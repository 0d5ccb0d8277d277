# class: a symbolic link from a writable directory to a denied file
import random
random._os.symlink("/etc/passwd", "/tmp/h")
print("ESCAPED", open("/tmp/h").read())
