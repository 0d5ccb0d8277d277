import json
import os
import re
from collections import defaultdict

DOC_DIR = "/data/docs"
index = defaultdict(set)
titles = {}
for fname in sorted(os.listdir(DOC_DIR)):
    if not fname.endswith(".txt"):
        continue
    with open(os.path.join(DOC_DIR, fname), encoding="utf-8") as fh:
        text = fh.read()
    titles[fname] = text.splitlines()[0] if text else fname
    for word in set(re.findall(r"[a-z]{3,}", text.lower())):
        index[word].add(fname)


def search(query):
    terms = re.findall(r"[a-z]{3,}", query.lower())
    if not terms:
        return []
    hits = set.intersection(*(index.get(t, set()) for t in terms))
    return sorted(hits)


for q in ["python sandbox", "data analysis", "security"]:
    print(q, "->", [titles[h] for h in search(q)])
with open("/output/index.json", "w") as fh:
    json.dump({w: sorted(docs) for w, docs in index.items()}, fh)
