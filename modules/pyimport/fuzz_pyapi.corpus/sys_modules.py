import sys
print(sys.modules["os"].getpid())
