import enum
print({"m": enum}["m"].bltns.eval("10"))
