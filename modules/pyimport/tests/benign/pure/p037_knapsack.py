from functools import lru_cache
from typing import Sequence, Tuple

ITEMS: Sequence[Tuple[str, int, int]] = (
    ("map", 9, 150), ("compass", 13, 35), ("water", 153, 200), ("sandwich", 50, 160),
    ("glucose", 15, 60), ("tin", 68, 45), ("banana", 27, 60), ("apple", 39, 40),
    ("cheese", 23, 30), ("beer", 52, 10), ("suntan cream", 11, 70), ("camera", 32, 30),
)


def knapsack(items, capacity):
    @lru_cache(maxsize=None)
    def best(i, cap):
        if i == len(items):
            return 0, ()
        name, weight, value = items[i]
        skip = best(i + 1, cap)
        if weight > cap:
            return skip
        v, chosen = best(i + 1, cap - weight)
        take = (v + value, (name,) + chosen)
        return max(skip, take)

    return best(0, capacity)


value, chosen = knapsack(ITEMS, 400)
weight = sum(w for n, w, _ in ITEMS if n in chosen)
print(f"value {value}, weight {weight}")
print("take:", ", ".join(chosen))
