import enum
print(enum.EnumType)
print(type(enum.Enum))
E = enum.EnumType
print(E)
#
# Class: class machinery that runs on definition or on matching.
