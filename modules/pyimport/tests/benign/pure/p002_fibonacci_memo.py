from functools import lru_cache
import time


@lru_cache(maxsize=None)
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def fib_iter(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


start = time.perf_counter()
values = [fib(i) for i in range(90)]
elapsed = time.perf_counter() - start
assert values[-1] == fib_iter(89)
print("fib(89) =", values[-1])
print("cache info:", fib.cache_info())
print(f"computed in {elapsed * 1000:.2f} ms")
