import string
from itertools import cycle

ALPHA = string.ascii_uppercase


def caesar(text: str, shift: int) -> str:
    table = str.maketrans(ALPHA + ALPHA.lower(), ALPHA[shift:] + ALPHA[:shift] + (ALPHA[shift:] + ALPHA[:shift]).lower())
    return text.translate(table)


def vigenere(text: str, key: str, decrypt: bool = False) -> str:
    out = []
    shifts = cycle(ALPHA.index(k) for k in key.upper())
    for ch in text:
        if ch.upper() in ALPHA:
            s = next(shifts)
            base = ord("A") if ch.isupper() else ord("a")
            s = -s if decrypt else s
            out.append(chr((ord(ch) - base + s) % 26 + base))
        else:
            out.append(ch)
    return "".join(out)


msg = "Attack at Dawn!"
c = caesar(msg, 3)
print(c, "->", caesar(c, -3 % 26))
v = vigenere(msg, "LEMON")
print(v, "->", vigenere(v, "LEMON", decrypt=True))
