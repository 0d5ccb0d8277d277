import sys
import math
from collections import Counter

values = [float(x) for x in sys.stdin.read().split() if x.strip()]
if not values:
    values = [math.sin(i / 3) * 10 for i in range(200)]
lo, hi = min(values), max(values)
bins = 12
width = (hi - lo) / bins or 1
counts = Counter(min(int((v - lo) / width), bins - 1) for v in values)
scale = 50 / max(counts.values())
for b in range(bins):
    left = lo + b * width
    print(f"{left:8.2f} | {'█' * round(counts.get(b, 0) * scale)} {counts.get(b, 0)}")
