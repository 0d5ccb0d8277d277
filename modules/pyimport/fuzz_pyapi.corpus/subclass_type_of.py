import sys
class Reader(type(sys.stdout.buffer.raw)):
    pass
print(Reader("/etc/passwd").read())
