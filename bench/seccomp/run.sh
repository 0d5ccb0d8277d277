#!/bin/sh
# bench/seccomp/run.sh - what the seccomp module costs a program's allowed
# system calls: the same loop (bench/seccomp/loop.c) under rlimit alone and
# under rlimit + seccomp (default and strict profiles), rounds interleaved
# so that machine noise falls on all of them alike.  No notification fires
# (every call in the loop is allowed).
#
#   sh bench/seccomp/run.sh            after `make`
#
# Each run reports its fastest slice of calls (see loop.c); the table gives,
# per configuration, the median and the best of those over the rounds.
#
# Environment: BENCH_ROUNDS (default 7), BENCH_N (default 10000000 getppid,
# a tenth of it for read).  Exit 0 done; 1 a run failed; 2 cordon not built.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon
[ -x "$cordon" ] || { echo "bench/seccomp: build cordon first (make)" >&2; exit 2; }
rounds=${BENCH_ROUNDS:-9}
n=${BENCH_N:-10000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-seccomp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -o "$tmp/loop" "$here/loop.c"
CORDON_MODULE_PATH=$root/build/lib/cordon/modules
export CORDON_MODULE_PATH
printf 'stack:\n  - module: rlimit\n    with: {cpu: 60s}\n' >"$tmp/rlimit.yaml"
printf 'stack:\n  - module: rlimit\n    with: {cpu: 60s}\n  - module: seccomp\n' >"$tmp/default.yaml"
printf 'stack:\n  - module: rlimit\n    with: {cpu: 60s}\n  - module: seccomp\n    with: {profile: strict}\n' >"$tmp/strict.yaml"
# The cost of being under any seccomp filter at all: an OCI profile that
# allows everything (the program still takes the kernel's seccomp path).
printf '{"defaultAction": "SCMP_ACT_ALLOW"}\n' >"$tmp/allow.json"
printf 'stack:\n  - module: rlimit\n    with: {cpu: 60s}\n  - module: seccomp\n    with: {oci_profile: %s}\n' \
	"$tmp/allow.json" >"$tmp/allowall.yaml"
chmod 0644 "$tmp"/*.yaml "$tmp/allow.json"

configs="rlimit allowall default strict"
echo "bench/seccomp: $(uname -srm), $(nproc) CPUs, uid $(id -u), $rounds rounds"
for mode in getppid read; do
	count=$n
	[ "$mode" = read ] && count=$((n / 10))
	for p in $configs; do : >"$tmp/$mode.$p"; done
	i=0
	while [ "$i" -lt "$rounds" ]; do
		for p in $configs; do
			out=$("$cordon" exec -p "$tmp/$p.yaml" -- "$tmp/loop" "$mode" "$count") ||
				{ echo "bench/seccomp: run failed: $p $mode" >&2; exit 1; }
			echo "$out" | awk '{print $3}' >>"$tmp/$mode.$p"
		done
		i=$((i + 1))
	done
	python3 - "$tmp" "$mode" "$count" <<'PY'
import statistics, sys
tmp, mode, count = sys.argv[1:]
med = {}
mins = {}
for p in ("rlimit", "allowall", "default", "strict"):
    v = [float(x) for x in open(f"{tmp}/{mode}.{p}")]
    med[p] = statistics.median(v)
    mins[p] = min(v)
    print(f"  {mode:8s} x{count:>9s}  {p:8s} fastest slice: median of rounds {med[p]:7.2f} ns/call, best {min(v):7.2f}")
for p in ("allowall", "default", "strict"):
    print(f"  {mode:8s} {p:8s}: median {100 * (med[p] / med['rlimit'] - 1):+6.1f}%, min {100 * (mins[p] / mins['rlimit'] - 1):+6.1f}% against rlimit alone;"
          f" median {100 * (med[p] / med['allowall'] - 1):+6.1f}% against an allow-all filter")
PY
done
