import re
from collections import Counter
from datetime import datetime

LOG = """\
2024-05-01 12:00:01 INFO  [auth] user=alice action=login ip=10.0.0.5
2024-05-01 12:00:07 WARN  [auth] user=bob action=login_failed ip=10.0.0.9
2024-05-01 12:01:13 INFO  [api] user=alice action=get path=/items/42 ms=31
2024-05-01 12:01:15 ERROR [api] user=carol action=post path=/items ms=1204
2024-05-01 12:02:00 INFO  [api] user=bob action=get path=/items/7 ms=18
2024-05-01 12:02:30 WARN  [auth] user=bob action=login_failed ip=10.0.0.9
"""

LINE = re.compile(
    r"(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s+(?P<level>[A-Z]+)\s+\[(?P<comp>\w+)\]\s+(?P<rest>.*)"
)
KV = re.compile(r"(\w+)=(\S+)")

levels = Counter()
slow = []
failed_by_ip = Counter()
for line in LOG.splitlines():
    m = LINE.match(line)
    if not m:
        continue
    fields = dict(KV.findall(m["rest"]))
    levels[m["level"]] += 1
    ts = datetime.strptime(m["ts"], "%Y-%m-%d %H:%M:%S")
    if int(fields.get("ms", 0)) > 1000:
        slow.append((ts.time(), fields["path"]))
    if fields.get("action") == "login_failed":
        failed_by_ip[fields["ip"]] += 1

print(dict(levels))
print("slow requests:", slow)
print("suspicious ips:", [ip for ip, n in failed_by_ip.items() if n > 1])
