from collections import namedtuple
import math

Point = namedtuple("Point", ["x", "y"])
Segment = namedtuple("Segment", "start end")


def length(seg: Segment) -> float:
    return math.dist(seg.start, seg.end)


def convex_hull(points):
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


pts = [Point(x, y) for x, y in [(0, 0), (2, 1), (1, 3), (4, 4), (3, 1), (0, 4), (2, 2)]]
hull = convex_hull(pts)
print("hull:", [p._asdict() for p in hull])
perimeter = sum(length(Segment(a, b)) for a, b in zip(hull, hull[1:] + hull[:1]))
print(f"perimeter: {perimeter:.3f}")
moved = pts[0]._replace(x=10)
print(moved, Point._fields, Point._make([5, 6]))
