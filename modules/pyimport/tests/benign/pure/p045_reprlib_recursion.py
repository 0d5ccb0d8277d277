import reprlib
import sys


class Tree:
    def __init__(self, value, children=()):
        self.value = value
        self.children = list(children)

    def depth(self):
        return 1 + max((c.depth() for c in self.children), default=0)

    def size(self):
        return 1 + sum(c.size() for c in self.children)

    @reprlib.recursive_repr()
    def __repr__(self):
        return f"Tree({self.value!r}, {self.children!r})"


def build(depth, fanout):
    if depth == 0:
        return Tree(0)
    return Tree(depth, [build(depth - 1, fanout) for _ in range(fanout)])


t = build(4, 3)
print("depth", t.depth(), "size", t.size())
print(reprlib.repr(list(range(100))))
print(reprlib.repr("x" * 200))
print("max int on this platform:", sys.maxsize)
