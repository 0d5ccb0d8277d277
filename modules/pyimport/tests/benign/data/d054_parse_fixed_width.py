"""Parse a fixed-width report exported by a legacy system."""
from dataclasses import dataclass
from datetime import datetime

LAYOUT = [("account", 0, 10), ("date", 10, 20), ("kind", 20, 24), ("amount", 24, 36), ("memo", 36, None)]


@dataclass
class Entry:
    account: str
    date: datetime
    kind: str
    amount: float
    memo: str


def parse_line(line: str) -> Entry:
    f = {name: line[start:end].strip() for name, start, end in LAYOUT}
    return Entry(f["account"], datetime.strptime(f["date"], "%Y%m%d"), f["kind"], float(f["amount"]), f["memo"])


entries = []
with open("/data/ledger.txt") as fh:
    for n, line in enumerate(fh, 1):
        if line.startswith("#") or not line.strip():
            continue
        try:
            entries.append(parse_line(line.rstrip("\n")))
        except ValueError as exc:
            print(f"line {n}: {exc}")

balance = {}
for e in entries:
    sign = -1 if e.kind == "DR" else 1
    balance[e.account] = balance.get(e.account, 0) + sign * e.amount
for acct, bal in sorted(balance.items()):
    print(f"{acct:<10} {bal:>12.2f}")
