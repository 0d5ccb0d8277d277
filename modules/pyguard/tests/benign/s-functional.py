import functools, itertools, heapq, bisect, fractions, decimal, copy
@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
@functools.singledispatch
def show(x):
    return "obj"
@show.register
def _(x: int):
    return "int"
def deco(f):
    @functools.wraps(f)
    def inner(*a):
        return f(*a)
    return inner
@deco
def sq(x):
    return x * x
print(fib(50), show(1), show("s"), sq(4), sq.__name__, list(itertools.accumulate([1, 2, 3])))
print(heapq.nsmallest(2, [5, 1, 3]), bisect.bisect([1, 3, 5], 4), fractions.Fraction(3, 6), decimal.Decimal("1.10") * 3)
print(copy.deepcopy({"a": [1, {"b": 2}]}), functools.partial(pow, 2)(10), functools.reduce(lambda a, b: a * b, range(1, 6)))
print("OK functional")
