import re
import sys

FACTORS = {
    ("km", "mi"): 0.621371, ("mi", "km"): 1.609344,
    ("kg", "lb"): 2.204623, ("lb", "kg"): 0.453592,
    ("l", "gal"): 0.264172, ("gal", "l"): 3.785412,
}
PATTERN = re.compile(r"^\s*([-+]?\d*\.?\d+)\s*([a-z]+)\s+(?:to|in)\s+([a-z]+)\s*$", re.I)


def convert(query: str) -> str:
    m = PATTERN.match(query)
    if not m:
        return f"cannot parse {query!r}"
    value, src, dst = float(m[1]), m[2].lower(), m[3].lower()
    if src == "c" and dst == "f":
        return f"{value * 9 / 5 + 32:.2f} f"
    if src == "f" and dst == "c":
        return f"{(value - 32) * 5 / 9:.2f} c"
    factor = FACTORS.get((src, dst))
    return f"{value * factor:.3f} {dst}" if factor else f"unknown conversion {src} -> {dst}"


queries = sys.argv[1:] or ["10 km to mi", "72 f in c", "3.5 kg to lb", "2 gal to l", "5 parsecs to km"]
for q in queries:
    print(f"{q:<20} => {convert(q)}")
