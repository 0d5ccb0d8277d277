#!/bin/sh
# bench/redact/benign.sh - the false-positive rate of the redact module's
# built-in detectors on ordinary program output of this machine (no secret
# in it): package metadata with its SHA256/MD5 sums, file listings, checksums,
# git history (SHAs), process-free system listings, and generated JSON logs
# with UUIDs, timestamps, hex digests and base64 images.  Every redaction
# made here is a false positive; they are printed by rule with the line.
#
#   sh bench/redact/benign.sh [DIR]   (after `make`; DIR keeps the corpus)
#
# Never part of `make check`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon
w=${1:-$(mktemp -d "${TMPDIR:-/tmp}/cordon-benign.XXXXXX")}
mkdir -p "$w"
chmod 0755 "$w"
c=$w/corpus.txt
: >"$c"
apt-cache dumpavail 2>/dev/null | head -n 400000 >>"$c" || true
ls -la --time-style=full-iso /usr/bin /usr/lib /etc 2>/dev/null >>"$c" || true
find /usr/share -maxdepth 4 2>/dev/null | head -n 100000 >>"$c" || true
sha256sum /usr/bin/* 2>/dev/null | head -n 3000 >>"$c" || true
md5sum /usr/lib/x86_64-linux-gnu/*.so* 2>/dev/null | head -n 3000 >>"$c" || true
git -C "$root" log --format='%H %h %an <%ae> %ad %s' 2>/dev/null | head -n 20000 >>"$c" || true
dpkg -l 2>/dev/null >>"$c" || true
python3 - "$c" <<'PY'
import base64, hashlib, json, os, random, sys, uuid, datetime
random.seed(1)
out = open(sys.argv[1], "a")
t = datetime.datetime(2024, 5, 1)
levels = ["INFO", "DEBUG", "WARN", "ERROR"]
for i in range(60000):
    t += datetime.timedelta(milliseconds=random.randint(1, 900))
    k = i % 6
    if k == 0:
        ev = {"ts": t.isoformat() + "Z", "level": random.choice(levels), "request_id": str(uuid.uuid4()),
              "trace_id": os.urandom(16).hex(), "span_id": os.urandom(8).hex(), "user_id": random.randint(1, 10**6),
              "path": "/api/v2/items/%d" % random.randint(1, 99999), "status": random.choice([200, 201, 404, 500]),
              "latency_ms": round(random.random() * 900, 3), "token_count": random.randint(1, 4000)}
        out.write(json.dumps(ev) + "\n")
    elif k == 1:
        data = os.urandom(random.randint(60, 600))
        out.write('<img alt="thumb" src="data:image/png;base64,%s">\n' % base64.b64encode(b"\x89PNG\r\n\x1a\n" + data).decode())
    elif k == 2:
        h = hashlib.sha256(os.urandom(8)).hexdigest()
        out.write("%s  build/obj/%s.o  sha1=%s etag=\"%s\"\n" % (h, uuid.uuid4().hex[:8], hashlib.sha1(h.encode()).hexdigest(), hashlib.md5(h.encode()).hexdigest()))
    elif k == 3:
        out.write("%s [%s] worker-%d: processed %d records in %.3fs (cache hits: %d, misses: %d, ratio %.2f)\n" % (
            t.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3], random.choice(levels), random.randint(1, 32), random.randint(1, 10**5),
            random.random() * 9, random.randint(0, 999), random.randint(0, 99), random.random()))
    elif k == 4:
        out.write("commit %s\nAuthor: Dev %d <dev%d@example.com>\nDate:   %s\n\n    Fix parsing of %s (#%d)\n\n" % (
            os.urandom(20).hex(), i, i, t.strftime("%a %b %d %H:%M:%S %Y +0000"), uuid.uuid4(), random.randint(1, 9999)))
    else:
        out.write("2024-05-%02d %s pid=%d session=%s phone=+1-555-%04d zip=%05d amount=%d.%02d EUR ip=10.%d.%d.%d\n" % (
            random.randint(1, 28), t.strftime("%H:%M:%S"), random.randint(100, 65535), base64.urlsafe_b64encode(os.urandom(12)).decode(),
            random.randint(0, 9999), random.randint(0, 99999), random.randint(0, 9999), random.randint(0, 99),
            random.randint(0, 255), random.randint(0, 255), random.randint(0, 255)))
PY
chmod 0644 "$c"
printf 'stack:\n  - module: redact\n' >"$w/redact.yaml"
chmod 0644 "$w/redact.yaml"
bytes=$(wc -c <"$c")
lines=$(wc -l <"$c")
"$cordon" exec -p "$w/redact.yaml" -- cat "$c" >"$w/out.txt" 2>/dev/null || true
python3 - "$c" "$w/out.txt" "$bytes" "$lines" <<'PY'
import re, sys
a = open(sys.argv[1], "rb").read().split(b"\n")
b = open(sys.argv[2], "rb").read().split(b"\n")
rules = {}
bad = 0
for x, y in zip(a, b):
    if x != y:
        bad += 1
        for r in re.findall(rb"\[REDACTED:([a-z0-9.-]+)\]", y):
            rules.setdefault(r.decode(), []).append(y[:160])
print("corpus: %s bytes, %s lines; lines changed: %d (%.4f%%)" % (sys.argv[3], sys.argv[4], bad, 100.0 * bad / max(1, int(sys.argv[4]))))
for r, ex in sorted(rules.items(), key=lambda kv: -len(kv[1])):
    print("  %-28s %6d  e.g. %s" % (r, len(ex), ex[0].decode("utf-8", "replace")))
PY
