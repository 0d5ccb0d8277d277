import sys
from collections import deque


def moving_average(values, n):
    window, total = deque(), 0.0
    for v in values:
        window.append(v)
        total += v
        if len(window) > n:
            total -= window.popleft()
        yield total / len(window)


n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
path = sys.argv[2] if len(sys.argv) > 2 else "/data/prices.txt"
with open(path) as fh:
    prices = [float(line) for line in fh if line.strip()]
for price, avg in zip(prices, moving_average(prices, n)):
    marker = "^" if price > avg else "v" if price < avg else "="
    print(f"{price:10.2f} {avg:10.2f} {marker}")
