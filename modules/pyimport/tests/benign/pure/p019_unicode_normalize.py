import unicodedata

samples = ["Café", "Cafe\u0301", "ﬁancé", "Ｔｏｋｙｏ", "naïve résumé", "Straße"]


def fold(s: str) -> str:
    """Compatibility-normalise, strip accents and case-fold."""
    nfkd = unicodedata.normalize("NFKD", s)
    stripped = "".join(ch for ch in nfkd if not unicodedata.combining(ch))
    return stripped.casefold()


for s in samples:
    names = [unicodedata.name(ch, "?") for ch in s[:2]]
    print(f"{s!r:>18} -> {fold(s)!r:<16} {names}")

print(fold("Café") == fold("Cafe\u0301"))
print(unicodedata.category("A"), unicodedata.category("1"), unicodedata.category(" "))
