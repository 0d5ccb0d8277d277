# class: monkeypatching what a guard might rely on (builtins, os.path, sys.modules)
import random, typing
b = __builtins__
os_ = random._os
os_.path.normpath = lambda p: "/tmp/x"
os_.getcwd = lambda: "/tmp"
b.len = lambda x: 0
typing.sys.modules["posix"] = None
print("ESCAPED", open("/etc/passwd").read())
