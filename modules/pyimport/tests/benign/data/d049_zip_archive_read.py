import csv
import io
import zipfile

with zipfile.ZipFile("/data/export.zip") as zf:
    names = [n for n in zf.namelist() if n.endswith(".csv")]
    print("archive contains:", names)
    totals = {}
    for name in names:
        with zf.open(name) as raw:
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))
            totals[name] = sum(float(r.get("amount", 0) or 0) for r in reader)
for name, total in sorted(totals.items()):
    print(f"{name:<30} {total:12,.2f}")
