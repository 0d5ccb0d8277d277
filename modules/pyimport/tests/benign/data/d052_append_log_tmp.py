import time
from datetime import datetime, timezone

LOG = "/tmp/run.log"


def log(msg):
    with open(LOG, "a", encoding="utf-8") as fh:
        fh.write(f"{datetime.now(timezone.utc).isoformat()} {msg}\n")


log("start")
total = 0
for i in range(5):
    total += i ** 2
    log(f"step {i} total={total}")
    time.sleep(0.01)
log("done")
with open(LOG) as fh:
    lines = fh.readlines()
print(f"{len(lines)} log lines; last: {lines[-1].strip()}")
