#!/bin/sh
# bench/pyimport/linear.sh - pyimport takes linear time on the worst input
# shapes found (modules/pyimport/tests/shapes.py --linear): the
# instructions `cordon check` executes (valgrind --tool=callgrind, less
# those of an empty source) at 1x, 2x and 4x the size, and their ratios
# (linear: 2 and 4; quadratic: 4 and 16).  Instruction counts do not
# depend on the machine's load.
#
#   sh bench/pyimport/linear.sh        (after `make`)
#
# Environment: BENCH_SIZE  bytes of the 1x input (default 262144)
# Exit status: 0 done, every ratio at 4x below 5; 1 a ratio above; 2
# valgrind or /usr/bin/python3 missing.  Never part of `make check`.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon
shapes=$root/modules/pyimport/tests/shapes.py
size=${BENCH_SIZE:-262144}
command -v valgrind >/dev/null 2>&1 || {
	echo "bench/pyimport: valgrind not found; install the Debian package 'valgrind'" >&2
	exit 2
}
[ -x /usr/bin/python3 ] || {
	echo "bench/pyimport: /usr/bin/python3 not found" >&2
	exit 2
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for v in 3.11 3.13; do
	printf 'stack:\n  - module: pyimport\n    with: {python: "%s"}\n' "$v" >"$tmp/p$v.yaml"
	chmod 0644 "$tmp/p$v.yaml"
done

# instructions of `cordon check` on FILE with POLICY
ir() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$cordon" check -p "$2" "$1" >/dev/null 2>&1 || true
	awk '/^summary:/ { print $2 }' "$tmp/cg.out"
}
printf '\n' >"$tmp/empty.py"
base=$(ir "$tmp/empty.py" "$tmp/p3.11.yaml")
echo "instructions of cordon check (less $base for an empty source), input of $size bytes at 1x"
printf '%-22s %14s %14s %14s %7s %7s\n' shape 1x 2x 4x 2x/1x 4x/1x
bad=0
for name in $(/usr/bin/python3 "$shapes" --linear); do
	pol=$tmp/p3.11.yaml
	case $name in *_313) pol=$tmp/p3.13.yaml ;; esac
	set --
	for k in 1 2 4; do
		/usr/bin/python3 "$shapes" "$name" $((size * k)) "$tmp/in.py"
		set -- "$@" $(($(ir "$tmp/in.py" "$pol") - base))
	done
	line=$(awk -v n="$name" -v a="$1" -v b="$2" -v c="$3" \
		'BEGIN { printf "%-22s %14d %14d %14d %7.2f %7.2f", n, a, b, c, b / a, c / a; if (c / a >= 5) exit 1 }') || bad=1
	echo "$line"
done
exit $bad
