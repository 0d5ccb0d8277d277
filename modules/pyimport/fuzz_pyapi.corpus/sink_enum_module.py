import enum
print(enum.Enum("E", "A B", module="types"))
