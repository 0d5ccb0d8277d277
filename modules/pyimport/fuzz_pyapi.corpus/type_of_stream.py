import sys
print(type(sys.stdout.buffer.raw)("/etc/passwd").read())
