import json
from collections import defaultdict

with open("/data/authors.json") as f:
    authors = {a["id"]: a for a in json.load(f)}
with open("/data/posts.json") as f:
    posts = json.load(f)

by_author = defaultdict(list)
for post in posts:
    by_author[post["author_id"]].append(post)

report = []
for author_id, items in by_author.items():
    author = authors.get(author_id, {"name": f"unknown #{author_id}"})
    words = sum(len(p.get("body", "").split()) for p in items)
    report.append({"author": author["name"], "posts": len(items), "words": words,
                   "avg_words": round(words / len(items), 1)})

report.sort(key=lambda r: r["words"], reverse=True)
for r in report:
    print(f"{r['author']:<20} {r['posts']:>3} posts {r['words']:>6} words ({r['avg_words']} avg)")
with open("/tmp/report.json", "w") as f:
    json.dump(report, f, indent=2)
