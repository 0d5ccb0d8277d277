import abc
ns = {"hook": 1}
print(abc.ABCMeta("X", (), ns))
