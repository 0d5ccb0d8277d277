#!/bin/sh
# modules/pyimport/tests/api.t - allowlist mode with API data (`api:`) and
# the `isolation` argument: policy errors name file:line:column; names
# outside a module's public API, private names (the code's own on self,
# name mangling applied), module values, sinks with literal and computed
# arguments, class hooks, type expressions; what ordinary code keeps
# (self._x, other._key() in __eq__, type(self)(...), literal namedtuple,
# singledispatch, forward references); open() and x.__class__ in denylist
# mode under an isolation that contains the program.
. "$(dirname "$0")/../../../tests/lib.sh"

RULES="$CORDON_SRCDIR/policies.d/rules"
pol() { # NAME WITH-MAPPING
	write_policy "$T/$1.yaml" <<EOF2
stack:
  - module: pyimport
    with: $2
EOF2
}
src() { # NAME: stdin to $T/NAME.py
	cat >"$T/$1.py"
}
findings() { # POLICY FILE -> "rule line" per finding, sorted
	"$CORDON" check -p "$T/$1.yaml" --json "$T/$2.py" 2>/dev/null |
		python3 -c 'import json,sys; print(" ".join(sorted("%s:%d" % (f["rule"], f["line"]) for f in json.load(sys.stdin)[0]["findings"])))'
}

ALLOW='[math, json, re, collections, functools, operator, dataclasses, typing, enum, random, string, difflib, io.StringIO, os.path, sys.stdout]'
pol api "{mode: allowlist, api: \"3.11\", allow: $ALLOW}"
pol path "{mode: allowlist, api: $RULES/python-api-3.11.yaml, allow: [math]}"

# ---- policy errors ----
pol e_mode '{api: "3.11"}'
run check -p "$T/e_mode.yaml" /dev/null
check "api without allowlist: 125" rc_is 125
check "... names the line and says why" err_has "e_mode.yaml:3:"
check "... api: only meaningful with mode: allowlist" err_has "api: only meaningful with mode: allowlist"
pol e_ver '{mode: allowlist, api: "3.x", allow: [math]}'
run check -p "$T/e_ver.yaml" /dev/null
check "api: 3.x is no version: 125" eval 'rc_is 125 && err_has "expected a Python version"'
pol e_none '{mode: allowlist, api: "9.99", allow: [math]}'
run check -p "$T/e_none.yaml" /dev/null
check "api: a version without data: 125, says where it looked" eval 'rc_is 125 && err_has "no API data for Python 9.99"'
pol e_mod '{mode: allowlist, api: "3.11", allow: [math, no_such_module]}'
run check -p "$T/e_mod.yaml" /dev/null
check "an allowed module without data: 125" eval 'rc_is 125 && err_has "no_such_module"'
pol e_attr '{mode: allowlist, api: "3.11", allow: [io.no_such_name]}'
run check -p "$T/e_attr.yaml" /dev/null
check "an allowed name that is not public: 125" eval 'rc_is 125 && err_has "io.no_such_name"'
printf 'python: "3.11"\nmodules: {}\nextra: 1\n' >"$T/bad-data.yaml"
chmod 644 "$T/bad-data.yaml"
pol e_data "{mode: allowlist, api: $T/bad-data.yaml, allow: [math]}"
run check -p "$T/e_data.yaml" /dev/null
check "API data with an unknown key: 125 naming the data file" eval 'rc_is 125 && err_has "bad-data.yaml:3"'
pol e_iso '{isolation: sometimes}'
run check -p "$T/e_iso.yaml" /dev/null
check "isolation: sometimes: 125" eval 'rc_is 125 && err_has "pyimport: isolation: expected one of auto, none, contained, found '\''sometimes'\''"'
pol e_sev '{severity: {no-such-rule: low}}'
run check -p "$T/e_sev.yaml" /dev/null
check "severity: the error lists the new rules" err_has "private-name, module-value, sink, class-hook, type-expression"
printf 'import math\nprint(math.tau)\n' >"$T/tau.py"
run check -p "$T/path.yaml" "$T/tau.py"
check "api: a path to the data file" rc_is 0
# Hand-written data whose name lists are not sorted: sorted at load (the
# generated data is, and is taken as it is).
cat >"$T/unsorted-data.yaml" <<'EOF2'
python: "3.11"
modules:
  math:
    api: [tau, sqrt, pi, e]
    modules: {}
module_attributes: []
private_attributes: [_z, _a]
metaclasses: [abc.ABCMeta]
EOF2
chmod 644 "$T/unsorted-data.yaml"
pol unsorted "{mode: allowlist, api: $T/unsorted-data.yaml, allow: [math]}"
printf 'import math\nprint(math.tau, math.e, math.pi, math.sqrt(2))\n' >"$T/unsorted_ok.py"
run check -p "$T/unsorted.yaml" "$T/unsorted_ok.py"
check "API data with unsorted lists: every listed name is found" rc_is 0
printf 'import math\nprint(math.floor(2.5))\n' >"$T/unsorted_no.py"
run check -p "$T/unsorted.yaml" "$T/unsorted_no.py"
check "... and a name it does not list is refused" eval 'rc_is 126 && out_has "math.floor"'

# ---- the public API of allowed modules ----
src names <<'PY'
import math, json, random, os.path, io, sys
print(math.sqrt(2), json.dumps([1]), os.path.join("a", "b"), io.StringIO("x").read())
sys.stdout.write("x\n")
print(math.no_such_function)
print(random._inst, json.decoder.scanstring, json.codecs)
print(io.BytesIO, sys.modules, os.getcwd())
math.pi = 3
PY
check "public names pass; private, outside __all__, module-valued, unlisted names and stores are findings" \
	[ "$(findings api names)" = "api-denied:4 api-denied:5 api-denied:6 api-denied:6 api-denied:6 api-denied:7 dynamic-import:6 module-attribute:5 private-name:5" ]
src fromimp <<'PY'
from io import StringIO
from json import JSONDecoder, codecs
from dataclasses import field, make_dataclass
from random import _inst
PY
check "from-imports: public names pass; a module, a private name do not" \
	[ "$(findings api fromimp)" = "module-attribute:2 private-name:4" ]

# ---- what ordinary code keeps ----
src ordinary <<'PY'
from __future__ import annotations
import collections, dataclasses, enum, functools, operator, typing

class Version:
    def __init__(self, s: str) -> None:
        self._parts = tuple(int(p) for p in s.split("."))
        self.__secret = 1

    def _key(self) -> tuple:
        return self._parts + (self.__secret,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({'.'.join(map(str, self._parts))})"

    def bump(self) -> Version:
        return type(self)("1.2.3")

class Color(enum.Enum):
    RED = 1

Point = collections.namedtuple("Point", "x y")
P3 = typing.NamedTuple("P3", [("x", int), ("y", int), ("z", int)])
Row = dataclasses.make_dataclass("Row", [("a", int), "b"])
Shade = enum.Enum("Shade", "LIGHT DARK")
T = typing.TypeVar("T", bound="Version")
by_x = operator.attrgetter("x")

@dataclasses.dataclass
class Node(typing.Generic[T]):
    value: T
    children: list[Node[T]] = dataclasses.field(default_factory=list)
    __match_args__ = ("value",)

@functools.singledispatch
def show(x: object) -> str:
    return "?"

@show.register
def _(x: int) -> str:
    return "int"

def deco(f):
    @functools.wraps(f)
    def w(*a, **k):
        return f(*a, **k)
    return w

print(Point(1, 2)._asdict(), Version("1.2") == Version("1.2"), typing.get_type_hints(Node))
PY
check "ordinary typed code passes" [ "$(findings api ordinary)" = "" ]

# ---- private names, mangling, decoys ----
src private <<'PY'
import random, difflib
class R(random.Random):
    def a(self):
        return self._randbelow(3)
class Decoy:
    def _cache(self):
        return 1
def f(other):
    return other._cache
class S(difflib.SequenceMatcher):
    def b(self):
        return self.__chain_b
PY
check "inherited privates, stdlib-used private names and mangled names are findings" \
	[ "$(findings api private)" = "private-name:12 private-name:4 private-name:9" ]

# ---- sinks ----
src sinks <<'PY'
import collections, dataclasses, enum, functools, operator, typing
name = "x"
operator.attrgetter(name)
collections.namedtuple("P", name)
dataclasses.make_dataclass(name, ["a"])
enum.Enum("E", name)
typing.NamedTuple("N", [("a", name)])
functools.wraps(print, assigned=(name,))
type("X", (), {name: 1})
g = operator.methodcaller
PY
check "sinks with computed arguments are findings (an alias is followed; check.c reports getattr-likes used as values)" \
	[ "$(findings api sinks)" = "getattr-dynamic:10 getattr-dynamic:3 sink:3 sink:4 sink:5 sink:6 sink:7 sink:8 sink:9" ]

# ---- class hooks and type expressions ----
src hooks <<'PY'
import typing
class A:
    def __init_subclass__(cls): pass
    __module__ = "types"
class B(metaclass=type): pass
def __getattr__(name): return name
s = "int"
def f(x: s, y: "__import__('os')", z: "in" + "t"): pass
PY
check "class hooks and non-static annotations are findings (a name bound to a checked string is one)" \
	[ "$(findings api hooks)" = "class-hook:3 class-hook:4 class-hook:5 class-hook:6 sink:5 type-expression:8 type-expression:8" ]

# ---- isolation: open() and x.__class__ in denylist mode ----
src iso <<'PY'
with open("data.csv") as f:
    print(f.read(), (1).__class__, type(1).__name__)
print(().__class__.__bases__)
PY
pol none '{isolation: none}'
pol contained '{isolation: contained}'
check "isolation none: open and __class__ are findings (as without isolation)" \
	[ "$(findings none iso)" = "banned-builtin:1 escape-attribute:2 escape-attribute:3 escape-attribute:3" ]
check "isolation contained: open and reading __class__ pass; __bases__ stays an escape" \
	[ "$(findings contained iso)" = "escape-attribute:3" ]
write_policy "$T/ns.yaml" <<'EOF2'
stack:
  - module: pyimport
  - module: namespaces
    with: {network: none}
EOF2
run check -p "$T/ns.yaml" --json "$T/iso.py"
check "isolation auto: the namespaces module in the policy contains the program" \
	json_is '[f["rule"] for f in j[0]["findings"]]' "['escape-attribute']"
src sd <<'PY'
import functools
s = "in" + "t"
@functools.singledispatch
def g(x): return 0
@g.register
def _(x: s): return 1
@g.register
def _(x: str): return 2
PY
check "isolation contained: singledispatch passes, a computed annotation does not" \
	[ "$(findings contained sd)" = "type-expression:6" ]
check "isolation none: singledispatch is string-eval (as before)" \
	[ "$(findings none sd)" = "string-eval:3" ]

# ---- hostile shapes: deep chains, long alias chains in any order ----
python3 -c "print('import math\nx = math' + '.a' * 200000)" >"$T/deep.py"
run check -p "$T/api.yaml" "$T/deep.py"
check "a 200 000-attribute chain: too-deep, not a crash" eval 'rc_is 126 && out_has "[pyimport/too-deep]"'
python3 -c "
print('import enum')
for i in range(2, 201):
    print('def f%d():\n    global a%d\n    a%d = a%d' % (i, i, i, i - 1))
print('a1 = enum')
print('print(a200.bltns)')" >"$T/chain.py"
run check -p "$T/api.yaml" "$T/chain.py"
check "an alias chain of 200 written against the order of the source is followed to its end" \
	out_has "'enum.bltns' is module 'builtins', which is not allowed [pyimport/module-attribute]"

done_testing
