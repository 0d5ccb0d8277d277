"""Summarise a CSV of transactions given on the command line (or data/transactions.csv)."""
import csv
import json
import os
import sys
from collections import defaultdict

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join("data", "transactions.csv")
out_dir = os.environ.get("OUTPUT_DIR", "/output")

totals = defaultdict(float)
counts = defaultdict(int)
with open(path, newline="", encoding="utf-8") as fh:
    for row in csv.DictReader(fh):
        try:
            amount = float(row["amount"])
        except (KeyError, ValueError):
            continue
        totals[row.get("category", "other")] += amount
        counts[row.get("category", "other")] += 1

summary = {cat: {"total": round(t, 2), "count": counts[cat]} for cat, t in sorted(totals.items())}
print(json.dumps(summary, indent=2))

os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, "summary.json"), "w") as fh:
    json.dump(summary, fh, indent=2)
print("wrote", os.path.join(out_dir, "summary.json"))
