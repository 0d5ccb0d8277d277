from pathlib import Path
from datetime import datetime
import hashlib

root = Path("/data")
rows = []
for p in sorted(root.rglob("*")):
    if not p.is_file():
        continue
    stat = p.stat()
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:12]
    rows.append((str(p.relative_to(root)), stat.st_size, datetime.fromtimestamp(stat.st_mtime), digest))

total = sum(r[1] for r in rows)
for name, size, mtime, digest in rows:
    print(f"{size:>10,}  {mtime:%Y-%m-%d %H:%M}  {digest}  {name}")
print(f"{len(rows)} files, {total:,} bytes")

report = Path("/output/inventory.tsv")
report.parent.mkdir(parents=True, exist_ok=True)
with report.open("w") as fh:
    for r in rows:
        fh.write("\t".join(map(str, r)) + "\n")
