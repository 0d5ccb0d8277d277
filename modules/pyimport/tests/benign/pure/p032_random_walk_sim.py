import random
import statistics
from collections import Counter


def walk(steps: int, rng: random.Random) -> int:
    pos = 0
    for _ in range(steps):
        pos += rng.choice((-1, 1))
    return pos


def simulate(trials: int = 2000, steps: int = 100, seed: int = 1):
    rng = random.Random(seed)
    finals = [walk(steps, rng) for _ in range(trials)]
    return finals


finals = simulate()
print("mean final position:", round(statistics.mean(finals), 3))
print("stdev:", round(statistics.pstdev(finals), 3), "(theory: 10.0)")
hist = Counter(abs(f) // 5 * 5 for f in finals)
for bucket in sorted(hist):
    print(f"|x| in [{bucket:2d},{bucket + 4:2d}]: {'#' * (hist[bucket] // 20)}")
