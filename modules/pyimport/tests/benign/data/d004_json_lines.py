import json
import sys
from collections import Counter
from datetime import datetime

INPUT = "/data/events.jsonl"


def read_events(path):
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path}:{lineno}: skipped ({exc.msg})", file=sys.stderr)


events = list(read_events(INPUT))
types = Counter(e.get("type", "unknown") for e in events)
per_hour = Counter(datetime.fromisoformat(e["ts"]).hour for e in events if "ts" in e)
print(f"{len(events)} events")
for t, n in types.most_common():
    print(f"  {t:<12} {n}")
busiest = max(per_hour, key=per_hour.get) if per_hour else None
print("busiest hour:", busiest)
with open("/output/event_types.json", "w") as out:
    json.dump(dict(types), out)
