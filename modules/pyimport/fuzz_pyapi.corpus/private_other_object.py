import string
f = string.Formatter()
print(f._vformat("{0}", ("x",), {}, set(), 2))
