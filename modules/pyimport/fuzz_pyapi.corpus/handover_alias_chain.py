import enum as en
x = en
y = x
print(y.bltns.eval("4 + 4"))
