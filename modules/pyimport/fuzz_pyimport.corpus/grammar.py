# A valid module exercising the Python 3.11 grammar (tests/reference/corpus).
from __future__ import annotations
import math, json as j
from collections import (OrderedDict as OD,
                         defaultdict,)
from . import sibling
from ..pkg.mod import name as alias

x: int = 1
y: "list[int]"
(z): int = 3
a.b: int
a[0]: int = 2
a, *b = c = [1, 2, 3]
[d, (e, f)] = g = 1, (2, 3)
h = i = yield_ = None
x += 1; x -= 1; x *= 2; x @= m; x /= 2; x //= 2; x %= 3; x **= 2; x >>= 1; x <<= 1; x &= 1; x ^= 1; x |= 1
del a[0], a.b, (c), [d]
assert x, "message"
pass
w = 0x1F + 0o17 + 0b1010 + 1_000_000 + 1.5e-3 + 1E+10 + .5 + 5. + 3j + 1_0.0_1e1_0J + 0_0
s = 'a' "b" '''c''' """d""" r'\d' R"\w" u'u' U"U"
bs = b'x' B"y" br'z' Rb'w' rB"v"
t = f'{x}' F"{y!r}" fr'{z}\n' Rf"{w:>{10}}" f'''{x
 + 1}''' f"{x=}" f"{x = !s:^20}" f'{"nested" + f"{y!a}"}' f'{{literal}}' f'{x:{"fmt"}}'
u = f'{3.14:.{2}f}' f'{lambda_:>10}' f'{(lambda q: q)(1)}' f'{x if y else z}' f'{[k for k in r]}' f'{ {"a": 1}["a"] }'
v = f'{x!r}' f"{'a' 'b'}" f'{x:%Y-%m-%d}' f'{x,y}' f'{(yield)}' if False else 0
cont = 1 + \
    2
implicit = (1,
            2,
    3)
lst = [i for i in range(10) if i % 2 if i > 2]
st = {i async for i in aiter() if await i} if False else {1, 2, *rest}
dc = {k: v for k, v in items for _ in k}
gen = (i * j for i in r for j in s)
dct = {**a, 'b': 1, **{'c': 2}}
cmp = 1 < x <= 2 != 3 == 4 >= 5 > 6 is not None is None in [] not in ()
lo = not x and y or z
cond = a if b else c if d else e
lam = lambda: 0
lam2 = lambda a, /, b=1, *c, d, e=2, **f: (a, b, c, d, e, f)
lam3 = lambda *, k: k
walrus = [y := 5, (z := y ** 2)]
if (n := len(a)) > 10: pass
while (chunk := read()):
    break
else:
    continue_ = 1
sl = a[1:2, ::3, 4:, :5, ...][*b][x:=1]
call = f(1, *a, k=2, *b, **c, **d)
call2 = f(x for x in y)
call3 = f(a)(b)[c].d(**{'e': 1})
un = -x + +y - ~z ** -w
bits = a | b ^ c & d << 2 >> 1
mat = a @ b
aw = [await x for x in y] if False else 0
star_expr = *a, *b
print(*a, sep='')
e = ...
@decorator
@decorator.attr(arg)
@(lambda f: f)
@x[0]
def func(a: int, /, b: str = "x", *args: *Ts, c, d: float = 1.0, **kwargs: dict) -> "ret":
    """doc"""
    global gl, gm
    def inner():
        nonlocal a
        return
    yield a
    yield from b
    x = yield
    return a, b
async def afunc():
    async with a as b, c:
        pass
    async for i in x:
        await i
    else:
        pass
    return [i async for i in x]
class C(Base, metaclass=Meta, **kw):
    attr: int = 0
    def method(self) -> None: ...
class D: pass
class E(): x = 1; y = 2
with open(f) as g, h() as (i, j), k:
    pass
with (a as b, c as d,):
    pass
with (a, b):
    pass
with (yield_):
    pass
with (a), (b) as c:
    pass
try:
    pass
except ValueError:
    pass
except (TypeError, KeyError) as err:
    raise
except:
    raise Exception("x") from None
else:
    pass
finally:
    pass
try:
    pass
except* ValueError as eg:
    pass
except* (TypeError,):
    pass
try:
    pass
finally:
    pass
for i, (j, k) in enumerate(x):
    continue
for [a, *b] in c: pass
for x.y, z[0] in w: pass
if a:
    pass
elif b:
    pass
elif c: pass
else:
    pass
match command.split():
    case [action]:
        pass
    case [action, obj]:
        pass
    case Point(x=0, y=0) | Point(x=1):
        pass
    case {"x": xv, "y": yv, **rest}:
        pass
    case [1, 2, *others] if others:
        pass
    case (1 | 2 | 3) as num:
        pass
    case -1 | 1.5 | 2+3j | -4-5j | "str" "cat" | b"bytes" | None | True | False:
        pass
    case Color.RED | mod.Color.GREEN:
        pass
    case str() | bytes(x) | C(1, 2, k=3):
        pass
    case (a, b, *_):
        pass
    case ():
        pass
    case []:
        pass
    case {}:
        pass
    case {1: _, "k": [a, b], None: {}, -1: (c,)}:
        pass
    case _:
        pass
match x, y:
    case a, b: pass
match = 1
match.attr = 2
match[0] = 3
match(x)
case = 4
_ = 5
type = 6
print(match, case, _, type)
ünïcödé = 1
ｆｕｌｌ = 2
ℌ = 3
def f(): return 1;
if x: pass; pass
x = 1 if y else 2; z = 3
lambda_ = lambda x=(lambda: 1): x
numbers = [1if x else 2, 0b1or 2, 0o7if 1 else 2, 1or 2, 1and 3] if 0 else []
