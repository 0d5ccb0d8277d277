import dataclasses
print(dataclasses.make_dataclass("X", ["a"], namespace={"__module__": "types"}))
