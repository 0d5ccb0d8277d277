class Holder:
    import enum as m
print(Holder.m.bltns.eval("16"))
