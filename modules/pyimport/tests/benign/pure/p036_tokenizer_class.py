import re
from typing import Iterator, NamedTuple


class Token(NamedTuple):
    kind: str
    value: str
    line: int
    column: int


class Lexer:
    SPEC = [
        ("NUMBER", r"\d+(?:\.\d*)?"),
        ("ASSIGN", r":="),
        ("END", r";"),
        ("ID", r"[A-Za-z_]\w*"),
        ("OP", r"[+\-*/()]"),
        ("NEWLINE", r"\n"),
        ("SKIP", r"[ \t]+"),
        ("MISMATCH", r"."),
    ]
    KEYWORDS = {"if", "then", "else", "end", "while", "do"}

    def __init__(self, text: str):
        self.text = text
        self.__regex = re.compile("|".join(f"(?P<{name}>{pat})" for name, pat in self.SPEC))

    def tokens(self) -> Iterator[Token]:
        line, line_start = 1, 0
        for mo in self.__regex.finditer(self.text):
            kind, value = mo.lastgroup, mo.group()
            col = mo.start() - line_start
            if kind == "NUMBER":
                value = float(value) if "." in value else int(value)
            elif kind == "ID" and value in self.KEYWORDS:
                kind = value.upper()
            elif kind == "NEWLINE":
                line_start, line = mo.end(), line + 1
                continue
            elif kind == "SKIP":
                continue
            elif kind == "MISMATCH":
                raise RuntimeError(f"{value!r} unexpected on line {line}")
            yield Token(kind, value, line, col)


src = """total := 0;
while x do total := total + x * 2.5; x := x - 1; end
"""
for tok in Lexer(src).tokens():
    print(tok)
