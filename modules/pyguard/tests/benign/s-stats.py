import math, statistics, random
random.seed(7)
xs = [random.gauss(10, 2) for _ in range(1000)]
print(round(statistics.mean(xs), 1), round(statistics.stdev(xs), 1), round(math.fsum(xs) / len(xs), 1))
print("OK stats")
