import enum
E = enum.Enum._create_("E", ["A", "B"])
print(list(E))
