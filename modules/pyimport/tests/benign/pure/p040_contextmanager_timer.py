from contextlib import contextmanager, suppress
import time


@contextmanager
def stopwatch(label):
    start = time.monotonic()
    try:
        yield
    finally:
        print(f"{label}: {(time.monotonic() - start) * 1000:.1f} ms")


class Indenter:
    def __init__(self):
        self.level = 0

    def __enter__(self):
        self.level += 1
        return self

    def __exit__(self, exc_type, exc, tb):
        self.level -= 1
        return False

    def print(self, text):
        print("    " * self.level + text)


with stopwatch("sum of squares"):
    total = sum(i * i for i in range(200_000))
print(total)

with Indenter() as ind:
    ind.print("level one")
    with ind:
        ind.print("level two")
    ind.print("back to one")

with suppress(ZeroDivisionError):
    print(1 / 0)
print("suppressed the error")
