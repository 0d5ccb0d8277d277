from functools import cached_property, total_ordering
import math


@total_ordering
class Version:
    __slots__ = ("major", "minor", "patch")

    def __init__(self, text: str):
        self.major, self.minor, self.patch = (int(p) for p in text.split("."))

    def _key(self):
        return (self.major, self.minor, self.patch)

    def __eq__(self, other):
        return self._key() == other._key()

    def __lt__(self, other):
        return self._key() < other._key()

    def __repr__(self):
        return f"Version('{self.major}.{self.minor}.{self.patch}')"


class Dataset:
    def __init__(self, values):
        self.values = list(values)

    @cached_property
    def mean(self):
        print("(computing mean)")
        return sum(self.values) / len(self.values)

    @cached_property
    def variance(self):
        return sum((v - self.mean) ** 2 for v in self.values) / len(self.values)

    @property
    def std(self):
        return math.sqrt(self.variance)


versions = [Version(v) for v in ["1.10.0", "1.2.3", "2.0.0", "1.2.10"]]
print(sorted(versions), max(versions))
ds = Dataset([2, 4, 4, 4, 5, 5, 7, 9])
print(ds.mean, ds.mean, ds.std)
