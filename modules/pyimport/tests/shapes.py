#!/usr/bin/python3
"""modules/pyimport/tests/shapes.py - inputs for pyimport's limits and
linear-time checks (limits.t, bench/pyimport/linear.sh).

    shapes.py NAME N OUT     write the shape NAME at size N to OUT
    shapes.py --linear       list the shapes checked for linear time

Nesting shapes take N as the depth; the linear-time shapes take N as the
size in bytes (about), and are the worst found for each part of the
tokenizer, parser and checks.
"""
import json
import sys


def rep(unit, n):
    """unit repeated to about n bytes"""
    return (unit * (n // len(unit) + 1))[:n - n % len(unit)]


def nest(k):
    """JSON data k brackets deep: lists and objects in turn"""
    if k == 0:
        return "leaf"
    return [nest(k - 1), 1, 2.5, None] if k % 2 else {"key": nest(k - 1), "n": k}


NESTING = {
    "list": lambda n: "x = " + "[" * n + "]" * n,
    "dict": lambda n: "x = " + '{"a": ' * n + "1" + "}" * n,
    "tuple": lambda n: "x = " + "(" * n + "1," + ")" * n,
    "call": lambda n: "x = " + "f(" * n + ")" * n,
    "subscript": lambda n: "x = " + "a[" * n + "1" + "]" * n,
    "json": lambda n: "data = " + json.dumps(nest(n)),
    "unary": lambda n: "x = " + "-" * n + "1",
    "not": lambda n: "x = " + "not " * n + "1",
    "lambda": lambda n: "x = " + "lambda: " * n + "1",
    "ifelse": lambda n: "x = " + "1 if 1 else " * n + "1",
    "power": lambda n: "x = " + "2 ** " * n + "1",
    "blocks": lambda n: "".join(" " * i + "if 1:\n" for i in range(n)) + " " * n + "pass",
    "fstrings": lambda n: "x = " + 'f"{' * n + "1" + '}"' * n,
}

LINEAR = {
    # a run of combining marks in one identifier (NFKC's canonical ordering)
    "marks": lambda n: "x" + "\u0301\u0316" * (n // 4) + " = 1",
    "long_name": lambda n: "x" * n + " = 1",
    "brackets_200": lambda n: rep("[" * 199 + "]" * 199 + "\n", n),
    "unary_2900": lambda n: rep("-" * 2900 + "1\n", n),
    "string_concat": lambda n: "x = (" + rep("'ab' ", n) + ")",
    "fstring_spec_311": lambda n: rep("f'{a:{b}{c}>{d!r}}'\n", n),
    "fstrings_nested_313": lambda n: rep('f"{' * 140 + "1" + '}"' * 140 + "\n", n),
    "with_paren": lambda n: rep("with (a as b, c as d):\n    pass\n", n),
    "match_line": lambda n: "match (" + rep("a, ", n) + "):\n    case _: pass",
    "dedent_ladder": lambda n: rep("".join(" " * i + "if 1:\n" for i in range(90)) + " " * 90 + "pass\n", n),
    "comment": lambda n: "#" + "x" * n,
    "error_at_end": lambda n: rep("x = [1, 2, 3]\n", n) + "x = (",
    "one_statement": lambda n: "x = [" + rep("(1+2)*-3, ", n) + "]",
    "deep_blocks": lambda n: rep("".join(" " * i + "if 1:\n" for i in range(98)) + " " * 98 + "x = 1\n", n),
}


def main(argv):
    if argv == ["--linear"]:
        print("\n".join(LINEAR))
        return 0
    name, n, out = argv[0], int(argv[1]), argv[2]
    g = NESTING.get(name) or LINEAR[name]
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(g(n) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
