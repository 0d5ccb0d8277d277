from typing import Generic, TypeVar, Iterator
T = TypeVar("T")
class Stack(Generic[T]):
    def __init__(self) -> None:
        self._items: list = []
        self.__secret = 1
    def push(self, x: T) -> None:
        self._items.append(x)
    def __iter__(self) -> Iterator[T]:
        return iter(self._items)
    def __repr__(self):
        return f"{type(self).__name__}({self._items!r}, {self.__secret})"
class Meta(type):
    def __new__(m, name, bases, ns):
        ns["tag"] = name.lower()
        return super().__new__(m, name, bases, ns)
class Tagged(metaclass=Meta):
    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
class Sub(Tagged):
    pass
s = Stack[int]()
s.push(1)
print(s, list(s), Sub.tag, (1).__class__.__name__, isinstance(s, Stack), Stack.__mro__[1].__name__)
match {"k": [1, 2]}:
    case {"k": [a, b]}:
        print("matched", a, b)
print("OK classes")
