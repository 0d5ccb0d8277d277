import collections
fields = " ".join(["a", "b"])
print(collections.namedtuple("P", fields))
