import enum, operator
print(operator.attrgetter("bltns")(enum).eval("19"))
