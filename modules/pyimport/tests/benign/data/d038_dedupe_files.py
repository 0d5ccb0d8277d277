import hashlib
import os
from collections import defaultdict

ROOT = os.environ.get("SCAN_DIR", "/data")


def file_hash(path, chunk=1 << 16):
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


by_size = defaultdict(list)
for dirpath, dirnames, filenames in os.walk(ROOT):
    dirnames.sort()
    for name in filenames:
        p = os.path.join(dirpath, name)
        by_size[os.path.getsize(p)].append(p)

dupes = defaultdict(list)
for size, paths in by_size.items():
    if len(paths) > 1:
        for p in paths:
            dupes[file_hash(p)].append(p)

groups = [sorted(v) for v in dupes.values() if len(v) > 1]
for g in groups:
    print("duplicates:", *g, sep="\n  ")
print(f"{len(groups)} duplicate groups")
