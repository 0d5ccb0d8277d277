"""Shunting-yard evaluation of arithmetic expressions (no eval)."""
import operator
import re

OPS = {
    "+": (1, operator.add),
    "-": (1, operator.sub),
    "*": (2, operator.mul),
    "/": (2, operator.truediv),
    "^": (3, operator.pow),
}
TOKEN = re.compile(r"\s*(?:(\d+\.?\d*)|(.))")


def tokenize(expr):
    for number, op in TOKEN.findall(expr):
        if number:
            yield float(number)
        elif op.strip():
            yield op


def to_rpn(tokens):
    out, stack = [], []
    for tok in tokens:
        if isinstance(tok, float):
            out.append(tok)
        elif tok in OPS:
            while stack and stack[-1] in OPS and (
                OPS[stack[-1]][0] > OPS[tok][0] or (OPS[stack[-1]][0] == OPS[tok][0] and tok != "^")
            ):
                out.append(stack.pop())
            stack.append(tok)
        elif tok == "(":
            stack.append(tok)
        elif tok == ")":
            while stack[-1] != "(":
                out.append(stack.pop())
            stack.pop()
    return out + stack[::-1]


def evaluate(rpn):
    st = []
    for tok in rpn:
        if isinstance(tok, float):
            st.append(tok)
        else:
            b, a = st.pop(), st.pop()
            st.append(OPS[tok][1](a, b))
    return st[0]


for expr in ["1 + 2 * 3", "(1 + 2) * 3", "2 ^ 3 ^ 2", "10 / 4 - 1"]:
    print(f"{expr:<14} = {evaluate(to_rpn(tokenize(expr)))}")
