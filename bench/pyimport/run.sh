#!/bin/sh
# bench/pyimport/run.sh - `cordon check` with pyimport over the Python
# standard library against the reference checker (the same rules over
# CPython's ast, tests/reference/pyimport_ref.py), timed in one hyperfine
# run; peak memory of each from /usr/bin/time -v.  Both outputs are also
# compared, so the figures are for the same findings.
#
#   sh bench/pyimport/run.sh        (after `make`)
#
# Environment:
#   BENCH_RUNS    timed runs per command (default 5)
#   BENCH_STDLIB  directory of .py files (default /usr/lib/python3.11)
#
# Exit status: 0 done; 1 a command failed or the outputs differ; 2 a
# required tool (hyperfine, /usr/bin/time, /usr/bin/python3) is missing.
# Never part of `make check`.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon
ref=$root/tests/reference/pyimport_ref.py
py=/usr/bin/python3
stdlib=${BENCH_STDLIB:-/usr/lib/python3.11}
runs=${BENCH_RUNS:-5}

missing() { # tool package
	echo "bench/pyimport: '$1' not found; install the Debian package '$2' (apt-get install $2)" >&2
	exit 2
}
command -v hyperfine >/dev/null 2>&1 || missing hyperfine hyperfine
[ -x /usr/bin/time ] || missing /usr/bin/time time
[ -x "$py" ] || missing "$py" python3
if [ ! -x "$cordon" ]; then
	echo "bench/pyimport: $cordon is not built; run 'make' first" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
find "$stdlib" -name '*.py' -type f | sort >"$tmp/files"
nfiles=$(wc -l <"$tmp/files")
bytes=$(xargs cat <"$tmp/files" | wc -c)
deny=os,subprocess,socket,ctypes
cat >"$tmp/policy.yaml" <<EOF2
stack:
  - module: pyimport
    with: {mode: denylist, deny: [os, subprocess, socket, ctypes]}
EOF2
chmod 0644 "$tmp/policy.yaml"
# The file list goes in by argument: both commands read the same files.
printf '%s' "$cordon check -p $tmp/policy.yaml --json" >"$tmp/c.cmd"
printf '%s' "$py $ref --mode denylist --deny $deny" >"$tmp/r.cmd"
args=$(tr '\n' ' ' <"$tmp/files")
ccmd="$(cat "$tmp/c.cmd") $args"
rcmd="$(cat "$tmp/r.cmd") $args"

# pre-flight: same findings
sh -c "$ccmd" >"$tmp/c.json" || [ $? -eq 126 ] || { echo "bench/pyimport: cordon check failed" >&2; exit 1; }
sh -c "$rcmd" >"$tmp/r.json" 2>/dev/null || { echo "bench/pyimport: the reference failed" >&2; exit 1; }
if ! "$py" "$root/tests/reference/compare.py" "$tmp/c.json" "$tmp/r.json" >"$tmp/cmp"; then
	echo "bench/pyimport: outputs differ:" >&2
	head -20 "$tmp/cmp" >&2
	exit 1
fi
tail -1 "$tmp/cmp"

hyperfine -N --style none --warmup 1 --runs "$runs" -i --export-json "$tmp/h.json" \
	-n "cordon check (pyimport)" "$ccmd" -n "reference (CPython ast)" "$rcmd" >/dev/null

peak() { # command -> max RSS in KiB
	sh -c "/usr/bin/time -f '%M' $1" 2>&1 >/dev/null | tail -1
}
cpeak=$(peak "$ccmd")
rpeak=$(peak "$rcmd")

"$py" - "$tmp/h.json" "$nfiles" "$bytes" "$cpeak" "$rpeak" <<'EOF2'
import json, sys
h = json.load(open(sys.argv[1]))["results"]
n, b, cp, rp = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print("%d files, %.1f MB" % (n, b / 1e6))
print("%-26s %10s %10s %10s %10s %12s" % ("", "mean s", "cpu s", "files/s", "MB/s", "peak RSS MB"))
for r, peak in zip(h, (cp, rp)):
    t = r["mean"]
    print("%-26s %10.3f %10.3f %10.0f %10.1f %12.1f" % (r["command"], t, r["user"] + r["system"], n / t,
                                                      b / 1e6 / t, peak / 1024))
cpu = lambda r: r["user"] + r["system"]
print("throughput ratio: %.1fx wall, %.1fx cpu; peak memory ratio: %.2f" % (
    h[1]["mean"] / h[0]["mean"], cpu(h[1]) / cpu(h[0]), cp / rp))
EOF2
