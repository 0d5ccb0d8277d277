import enum
print((m := enum).bltns.eval("5 + 5"))
