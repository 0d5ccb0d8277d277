#!/bin/sh
# bench/redact/run.sh - throughput and memory of the redact module against a
# Python `re.sub` redactor with the same detectors (pyredact.py), over the
# same generated program-output stream (gen.py: log lines, JSON, a secret of
# some kind on one line in forty), in one run.
#
#   sh bench/redact/run.sh [MB]      (default 32; after `make`)
#
# Measured (wall-clock and CPU seconds, GNU time):
#   python   python3 pyredact.py IN OUT            (whole input in memory, one re.sub)
#   cordon   cordon exec -p P -- cat IN >/dev/null (the real path: supervisor,
#            pipes, the filter hook; best of BENCH_RUNS)
#   nofilter the same with a policy without redact (what the pipes cost)
#   engine   driver.c: the module's engine alone, the input read into memory
#            first, then fed in 64 KiB chunks; CPU time of the feeding
#   base     (BENCH_BASE=REV) the same driver over the engine sources of git
#            revision REV (modules/redact and include as they were there):
#            before and after in one run
#   x8       cordon exec over 8 copies of IN (8 x MB) to show flat memory
# and checks that no planted secret survives in cordon's output.
#
# Environment: BENCH_RUNS (default 3), BENCH_KEEP=DIR keeps the files,
# BENCH_BASE=REV adds the base row.
# Exit status: 0 done; 1 a run failed or a secret survived; 2 a tool is missing.
# Never part of `make check`.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon
mb=${1:-32}
runs=${BENCH_RUNS:-3}

missing() {
	echo "bench/redact: '$1' not found; install the Debian package '$2'" >&2
	exit 2
}
command -v python3 >/dev/null 2>&1 || missing python3 python3
[ -x /usr/bin/time ] || missing /usr/bin/time time
command -v cc >/dev/null 2>&1 || missing cc gcc
pkg-config --exists libpcre2-8 2>/dev/null || missing libpcre2-8 libpcre2-dev
if [ ! -x "$cordon" ]; then
	echo "bench/redact: $cordon is not built; run 'make' first" >&2
	exit 1
fi

w=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-redact.XXXXXX")
if [ -n "${BENCH_KEEP:-}" ]; then
	trap 'mkdir -p "$BENCH_KEEP" && cp -r "$w"/. "$BENCH_KEEP"/; rm -rf "$w"' EXIT
else
	trap 'rm -rf "$w"' EXIT
fi
chmod 0755 "$w"
printf 'stack:\n  - module: redact\n' >"$w/redact.yaml"
printf 'stack: []\n' >"$w/none.yaml"
chmod 0644 "$w/redact.yaml" "$w/none.yaml"

echo "generating $mb MB ..." >&2
python3 "$here/gen.py" $((mb * 1048576)) "$w/in.txt" "$w/planted.txt"
bytes=$(wc -c <"$w/in.txt")

# timed NAME CMD...: run with GNU time; sets t_wall, t_cpu, t_rss (KiB)
timed() {
	name=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$w/$name.time" "$@" || { echo "bench/redact: $name failed" >&2; exit 1; }
	read -r t_wall u s t_rss <"$w/$name.time"
	t_cpu=$(python3 -c "print(round($u + $s, 2))")
}
# best NAME CMD...: best wall-clock of $runs runs
best() {
	name=$1
	shift
	b_wall=; b_cpu=; b_rss=
	i=0
	while [ $i -lt "$runs" ]; do
		timed "$name" "$@"
		if [ -z "$b_wall" ] || python3 -c "import sys; sys.exit(0 if $t_wall < $b_wall else 1)"; then
			b_wall=$t_wall b_cpu=$t_cpu
		fi
		[ -z "$b_rss" ] || [ "$t_rss" -gt "$b_rss" ] && b_rss=$t_rss
		i=$((i + 1))
	done
}

echo "python re.sub ..." >&2
timed python python3 "$here/pyredact.py" "$w/in.txt" "$w/py.out"
py_wall=$t_wall py_cpu=$t_cpu py_rss=$t_rss

echo "cordon exec ..." >&2
best cordon sh -c '"$1" exec -p "$2" -- cat "$3" >/dev/null' sh "$cordon" "$w/redact.yaml" "$w/in.txt"
c_wall=$b_wall c_cpu=$b_cpu c_rss=$b_rss
best nofilter sh -c '"$1" exec -p "$2" -- cat "$3" >/dev/null' sh "$cordon" "$w/none.yaml" "$w/in.txt"
n_wall=$b_wall n_cpu=$b_cpu

echo "engine alone ..." >&2
cc -O2 -I"$root/modules/redact" -I"$root/include" $(pkg-config --cflags libpcre2-8) -o "$w/driver" "$here/driver.c" \
	"$root/modules/redact/engine.c" "$root/modules/redact/detect.c" "$root/modules/redact/rules.c" $(pkg-config --libs libpcre2-8)
# engine_cpu DRIVER: best CPU seconds of $runs runs into e_best
engine_cpu() {
	e_drv=$1
	e_best=
	i=0
	while [ $i -lt "$runs" ]; do
		set -- $("$e_drv" "$w/in.txt")
		if [ -z "$e_best" ] || python3 -c "import sys; sys.exit(0 if $4 < $e_best else 1)"; then e_best=$4; fi
		i=$((i + 1))
	done
}
engine_cpu "$w/driver"
e_cpu=$e_best
base_cpu=
if [ -n "${BENCH_BASE:-}" ]; then
	echo "engine at $BENCH_BASE ..." >&2
	mkdir "$w/base"
	git -C "$root" archive "$BENCH_BASE" modules/redact include | tar -x -C "$w/base" ||
		{ echo "bench/redact: cannot read revision $BENCH_BASE" >&2; exit 1; }
	cc -O2 -I"$w/base/modules/redact" -I"$w/base/include" $(pkg-config --cflags libpcre2-8) -o "$w/driver-base" \
		"$here/driver.c" "$w/base/modules/redact/engine.c" "$w/base/modules/redact/detect.c" \
		"$w/base/modules/redact/rules.c" $(pkg-config --libs libpcre2-8)
	engine_cpu "$w/driver-base"
	base_cpu=$e_best
fi

echo "cordon exec over 8 copies ..." >&2
best x8 sh -c '"$1" exec -p "$2" -- sh -c "for i in 1 2 3 4 5 6 7 8; do cat \"\$0\"; done" "$3" >/dev/null' \
	sh "$cordon" "$w/redact.yaml" "$w/in.txt"
x_wall=$b_wall x_rss=$b_rss

# correctness: nothing planted survives
"$cordon" exec -p "$w/redact.yaml" -- cat "$w/in.txt" >"$w/cordon.out"
left_c=$(grep -cF -f "$w/planted.txt" "$w/cordon.out" || true)
left_p=$(grep -cF -f "$w/planted.txt" "$w/py.out" || true)
red_c=$(grep -o 'REDACTED:' "$w/cordon.out" | wc -l)
red_p=$(grep -o 'REDACTED:' "$w/py.out" | wc -l)

python3 - "$bytes" "$py_wall" "$py_cpu" "$py_rss" "$c_wall" "$c_cpu" "$c_rss" "$n_wall" "$n_cpu" "$e_cpu" "$x_wall" "$x_rss" \
	"$left_c" "$left_p" "$red_c" "$red_p" "$mb" "$runs" "${BENCH_BASE:-}" "$base_cpu" <<'PY'
import sys
(b, pw, pc, pr, cw, cc, cr, nw, nc, ec, xw, xr, lc, lp, rc, rp, mb, runs, base, bc) = sys.argv[1:]
b = int(b); MB = b / 1048576
f = float
def rate(sec, size=MB):
    return size / f(sec) if f(sec) > 0 else float("inf")
print(f"input: {MB:.1f} MB generated program output; best of {runs} runs for cordon")
print(f"{'':28} {'wall s':>8} {'cpu s':>8} {'MB/s wall':>10} {'MB/s cpu':>9} {'peak RSS':>10}")
print(f"{'python re.sub (pyredact.py)':28} {f(pw):8.2f} {f(pc):8.2f} {rate(pw):10.1f} {rate(pc):9.1f} {int(pr)/1024:8.1f} MB")
print(f"{'cordon exec, redact':28} {f(cw):8.2f} {f(cc):8.2f} {rate(cw):10.1f} {rate(cc):9.1f} {int(cr)/1024:8.1f} MB")
print(f"{'cordon exec, no filter':28} {f(nw):8.2f} {f(nc):8.2f} {rate(nw):10.1f} {rate(nc):9.1f}")
print(f"{'redact engine alone':28} {'':8} {f(ec):8.2f} {'':10} {rate(ec):9.1f}")
if base:
    print(f"{'engine at ' + base[:18]:28} {'':8} {f(bc):8.2f} {'':10} {rate(bc):9.1f}")
print(f"{'cordon exec, redact, 8 x':28} {f(xw):8.2f} {'':8} {rate(xw, 8 * MB):10.1f} {'':9} {int(xr)/1024:8.1f} MB")
print(f"ratio cordon/python: {f(pw)/f(cw):.1f}x wall-clock, {f(pc)/f(cc):.1f}x CPU; engine alone {f(pc)/f(ec):.1f}x CPU")
print(f"peak RSS of cordon: {int(cr)/1024:.1f} MB at {MB:.0f} MB, {int(xr)/1024:.1f} MB at {8*MB:.0f} MB")
print(f"redactions: cordon {rc}, python {rp}; planted secrets left: cordon {lc}, python {lp}")
sys.exit(1 if int(lc) else 0)
PY
