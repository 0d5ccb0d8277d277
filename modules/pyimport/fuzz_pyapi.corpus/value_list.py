import enum
mods = [enum]
print(mods[0].bltns.eval("9"))
