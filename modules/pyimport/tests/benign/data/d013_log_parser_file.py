import re
import gzip
import os
from collections import Counter, defaultdict

LOG_DIR = "/data/logs"
PATTERN = re.compile(r'(?P<ip>\S+) \S+ \S+ \[(?P<ts>[^\]]+)\] "(?P<method>\w+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) (?P<size>\d+|-)')


def open_log(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


status = Counter()
bytes_by_path = defaultdict(int)
for name in sorted(os.listdir(LOG_DIR)):
    if not name.startswith("access"):
        continue
    with open_log(os.path.join(LOG_DIR, name)) as fh:
        for line in fh:
            m = PATTERN.match(line)
            if not m:
                continue
            status[m["status"]] += 1
            if m["size"] != "-":
                bytes_by_path[m["path"]] += int(m["size"])

print("status codes:", dict(status))
for path, size in sorted(bytes_by_path.items(), key=lambda kv: -kv[1])[:10]:
    print(f"{size / 1024:10.1f} KiB  {path}")
