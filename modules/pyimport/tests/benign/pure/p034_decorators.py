import functools
import time


def timed(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            wrapper.calls += 1
            wrapper.total += time.perf_counter() - start
    wrapper.calls = 0
    wrapper.total = 0.0
    return wrapper


def retry(times=3, exceptions=(ValueError,)):
    def deco(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            last = None
            for attempt in range(1, times + 1):
                try:
                    return func(*args, **kwargs)
                except exceptions as exc:
                    last = exc
                    print(f"{func.__name__}: attempt {attempt} failed: {exc}")
            raise last
        return inner
    return deco


state = {"n": 0}


@retry(times=4)
@timed
def flaky():
    """Fails twice, then succeeds."""
    state["n"] += 1
    if state["n"] < 3:
        raise ValueError("not yet")
    return "ok"


print(flaky(), flaky.__name__, flaky.__doc__)
print("wrapped calls:", flaky.__wrapped__.calls if hasattr(flaky, "__wrapped__") else "?")
