import bisect
import random

random.seed(42)
scores = sorted(random.randint(0, 100) for _ in range(50))
BREAKPOINTS = [60, 70, 80, 90]
GRADES = "FDCBA"


def grade(score: int) -> str:
    return GRADES[bisect.bisect(BREAKPOINTS, score)]


def count_in_range(sorted_values, lo, hi):
    return bisect.bisect_right(sorted_values, hi) - bisect.bisect_left(sorted_values, lo)


print("scores:", scores[:10], "...")
print("grades:", "".join(grade(s) for s in scores[:10]))
print("between 70 and 89:", count_in_range(scores, 70, 89))
insort_demo = []
for v in [5, 1, 4, 2, 3]:
    bisect.insort(insort_demo, v)
print(insort_demo)
