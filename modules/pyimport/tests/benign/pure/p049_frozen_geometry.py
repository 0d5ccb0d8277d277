import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Vec:
    x: float
    y: float
    length: float = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "length", math.hypot(self.x, self.y))

    def __add__(self, other: "Vec") -> "Vec":
        return Vec(self.x + other.x, self.y + other.y)

    def scaled(self, k: float) -> "Vec":
        return type(self)(self.x * k, self.y * k)


class Shape:
    def __init__(self, name):
        self.name = name


class Polygon(Shape):
    def __init__(self, name, *points):
        Shape.__init__(self, name)
        self.points = [Vec(*p) for p in points]

    def perimeter(self):
        pts = self.points + self.points[:1]
        return sum((b + a.scaled(-1)).length for a, b in zip(pts, pts[1:]))


square = Polygon("square", (0, 0), (2, 0), (2, 2), (0, 2))
print(square.name, square.perimeter())
print(Vec(3, 4), Vec(3, 4).length, Vec(1, 1) + Vec(2, 2))
