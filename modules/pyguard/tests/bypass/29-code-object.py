# class: code objects of functions (__code__) changed by hand
def f(): return 1
def g(): return open("/etc/passwd").read()
f.__code__ = g.__code__
print("ESCAPED", f())
