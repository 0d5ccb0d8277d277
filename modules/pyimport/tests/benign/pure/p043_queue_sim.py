"""M/M/1 queue simulation with the standard library only."""
import random
import statistics
from collections import deque


def simulate(arrival_rate, service_rate, customers, seed=0):
    rng = random.Random(seed)
    t = 0.0
    queue = deque()
    server_free_at = 0.0
    waits = []
    for _ in range(customers):
        t += rng.expovariate(arrival_rate)
        queue.append(t)
        while queue and queue[0] <= t:
            arrived = queue.popleft()
            start = max(arrived, server_free_at)
            waits.append(start - arrived)
            server_free_at = start + rng.expovariate(service_rate)
    return waits


for rho in (0.5, 0.8, 0.9):
    waits = simulate(arrival_rate=rho, service_rate=1.0, customers=20000, seed=3)
    theory = rho / (1 - rho)
    print(f"rho={rho}: mean wait {statistics.mean(waits):6.3f} (theory {theory:6.3f})")
