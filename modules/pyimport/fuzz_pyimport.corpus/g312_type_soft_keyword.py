type = 1
print(type(x), type)
type[x] = 2
type.x = 3
