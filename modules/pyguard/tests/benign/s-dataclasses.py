from dataclasses import dataclass, field, asdict, replace
from typing import List, Optional, NamedTuple, TypedDict, get_type_hints
import enum, collections

@dataclass(frozen=True, order=True)
class Point:
    x: float
    y: float = 0.0
    tags: tuple = ()

@dataclass
class Bag:
    items: List[int] = field(default_factory=list)
    name: Optional[str] = None

class Pair(NamedTuple):
    a: int
    b: "int"

class Movie(TypedDict):
    title: str
    year: int

class Color(enum.Enum):
    RED = 1
    GREEN = 2

Shade = enum.Enum("Shade", "LIGHT DARK")
P3 = collections.namedtuple("P3", "x y z", defaults=[0])
b = Bag()
b.items.append(3)
print(Point(1, 2), sorted([Point(2), Point(1)]), asdict(b), replace(Point(1), y=5))
print(Pair(1, 2), get_type_hints(Pair), Color.RED, Shade.DARK, P3(1, 2), Movie(title="x", year=1))
print("OK dataclasses")
