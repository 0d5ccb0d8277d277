#!/bin/sh
# bench/seccomp/launch.sh - launch overhead of the seccomp module: cordon
# exec of /bin/true with an empty stack, with rlimit, and with rlimit +
# seccomp (default and strict), side by side in one hyperfine run.
#
#   sh bench/seccomp/launch.sh          after `make`
#
# Then the same policies through the embedding API (bench/seccomp/embed.c):
# each policy loaded once, /bin/true run BENCH_RUNS times, so that the
# module's load and compilation are left out and only the per-run cost shows.
#
# Environment: BENCH_WARMUP (default 20), BENCH_RUNS (default 300).
# Exit 0 done; 1 hyperfine failed; 2 hyperfine missing or cordon not built.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon
command -v hyperfine >/dev/null 2>&1 || { echo "bench/seccomp: install hyperfine" >&2; exit 2; }
[ -x "$cordon" ] || { echo "bench/seccomp: build cordon first (make)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-seccomp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
CORDON_MODULE_PATH=$root/build/lib/cordon/modules
export CORDON_MODULE_PATH
printf 'stack: []\n' >"$tmp/plain.yaml"
printf 'stack:\n  - module: rlimit\n    with: {cpu: 5s}\n' >"$tmp/rlimit.yaml"
printf 'stack:\n  - module: rlimit\n    with: {cpu: 5s}\n  - module: seccomp\n' >"$tmp/default.yaml"
printf 'stack:\n  - module: rlimit\n    with: {cpu: 5s}\n  - module: seccomp\n    with: {profile: strict}\n' >"$tmp/strict.yaml"
chmod 0644 "$tmp"/*.yaml
for p in plain rlimit default strict; do
	"$cordon" exec -p "$tmp/$p.yaml" -- /bin/true || { echo "bench/seccomp: $p failed" >&2; exit 1; }
done
echo "bench/seccomp: $(uname -srm), $(nproc) CPUs, uid $(id -u), $(hyperfine --version)"
hyperfine -N --warmup "${BENCH_WARMUP:-20}" --runs "${BENCH_RUNS:-300}" --export-json "$tmp/h.json" \
	-n plain "$cordon exec -p $tmp/plain.yaml -- /bin/true" \
	-n rlimit "$cordon exec -p $tmp/rlimit.yaml -- /bin/true" \
	-n rlimit+seccomp "$cordon exec -p $tmp/default.yaml -- /bin/true" \
	-n rlimit+seccomp-strict "$cordon exec -p $tmp/strict.yaml -- /bin/true" >"$tmp/h.txt" ||
	{ cat "$tmp/h.txt"; echo "bench/seccomp: hyperfine failed" >&2; exit 1; }
python3 - "$tmp/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
base = r["rlimit"]["median"]
print("%-22s %9s %9s %9s %16s" % ("command", "median ms", "mean ms", "min ms", "vs rlimit ms"))
for n in ("plain", "rlimit", "rlimit+seccomp", "rlimit+seccomp-strict"):
    x = r[n]
    print("%-22s %9.3f %9.3f %9.3f %+16.3f" % (n, x["median"] * 1e3, x["mean"] * 1e3, x["min"] * 1e3,
                                              (x["median"] - base) * 1e3))
PY
echo
echo "per run, policies loaded once (embedding API):"
${CC:-cc} -O2 -I"$root/include" -o "$tmp/embed" "$here/embed.c" -L"$root/build/lib" -lcordon \
	-Wl,-rpath,"$root/build/lib"
"$tmp/embed" "${BENCH_RUNS:-300}" "$tmp/plain.yaml" "$tmp/rlimit.yaml" "$tmp/default.yaml" "$tmp/strict.yaml"
