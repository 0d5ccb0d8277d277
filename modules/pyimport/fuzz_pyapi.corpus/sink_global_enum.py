import enum
@enum.global_enum
class Color(enum.IntEnum):
    RED = 1
print(Color)
