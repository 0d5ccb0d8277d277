#!/bin/sh
# bench/scan/run.sh - pattern_scan's python rules over the Python standard
# library's .py files, against Python's `re` running the same rules over the
# same files, in one run (bench/scan/compare.py does the timing).
#
#   sh bench/scan/run.sh
#
# Environment:
#   BENCH_CORPUS  directory scanned for *.py  (default /usr/lib/python3.11)
#   BENCH_RUNS    timed runs of each scanner; the median is reported (default 3)
#   BENCH_RULES   rule file (default policies.d/rules/python.yaml)
#
# Exit status: 0 done and the match counts agree; 1 they differ or a scan
# failed; 2 a required tool is missing.  Never part of `make check`.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon
python=/usr/bin/python3

if [ ! -x "$python" ]; then
	echo "bench/scan: $python not found; install the Debian package python3" >&2
	exit 2
fi
if ! "$python" -c 'import yaml' 2>/dev/null; then
	echo "bench/scan: Python's yaml module is missing; install the Debian package python3-yaml" >&2
	exit 2
fi
if [ ! -x "$cordon" ] || [ ! -e "$root/build/lib/cordon/modules/cordon_pattern_scan.so" ]; then
	echo "bench/scan: cordon is not built; run 'make' first" >&2
	exit 1
fi
exec "$python" "$here/compare.py" --cordon "$cordon" \
	--rules "${BENCH_RULES:-$root/policies.d/rules/python.yaml}" \
	--corpus "${BENCH_CORPUS:-/usr/lib/python3.11}" --runs "${BENCH_RUNS:-3}"
