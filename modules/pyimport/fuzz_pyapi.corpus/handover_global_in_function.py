import enum
def f():
    global B
    B = enum
f()
print(B.bltns.eval("8"))
#
# Class: a module used as a value leaves the checker's sight.
