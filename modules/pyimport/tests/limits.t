#!/bin/sh
# modules/pyimport/tests/limits.t - limits that deny no ordinary data, as
# CPython's: 200 nested brackets of any kind (the tokenizer's limit, a
# data literal 200 deep passes), 100 indentation levels, 150 nested
# f-strings (3.12 and later), operator chains at least as deep as 3.11
# compiles (about 2990); 8 MB of the densest valid code parses within the
# stated memory bound; and no input shape takes more than linear time (the
# CPU time of 4x the input is compared with that of 1x: a ratio with a
# generous bound, not a speed test; bench/pyimport/linear.sh counts
# instructions instead).
. "$(dirname "$0")/../../../tests/lib.sh"

PY=/usr/bin/python3
if ! [ -x "$PY" ]; then
	skip "needs /usr/bin/python3 to write the inputs"
	done_testing
	exit
fi
for v in 3.11 3.13; do
	write_policy "$T/p$v.yaml" <<EOF2
stack:
  - module: pyimport
    with: {python: "$v"}
EOF2
done

# verdict FILE VERSION: pass, deny:RULE... (the rules of the findings)
verdict() {
	"$CORDON" check -p "$T/p$2.yaml" --json "$1" >"$T/v.json" 2>/dev/null
	"$PY" -c 'import json,sys; f=json.load(open(sys.argv[1]))[0]["findings"]; print("deny:" + ",".join(sorted({x["rule"] for x in f})) if f else "pass")' "$T/v.json"
}
# cpython FILE: pass or deny, by /usr/bin/python3's compile() (3.11 here)
cpython() {
	"$PY" -c 'import sys
try:
    compile(open(sys.argv[1], "rb").read(), "x", "exec")
    print("pass")
except (SyntaxError, RecursionError, MemoryError):
    print("deny")' "$1"
}
py311=$("$PY" -c 'import sys; print(sys.version_info[:2] == (3, 11))')

gen() { # NAME N: write $T/s.py with the shape NAME at size N
	"$PY" "$CORDON_SRCDIR/modules/pyimport/tests/shapes.py" "$1" "$2" "$T/s.py"
}

# at the limit and one past it: (shape, version, largest accepted, rule beyond)
while read -r shape v n rule; do
	gen "$shape" "$n"
	got=$(verdict "$T/s.py" "$v")
	check "$shape $n deep passes under $v" [ "$got" = pass ]
	[ "$got" = pass ] || diag "got $got"
	if [ "$v" = 3.11 ] && [ "$py311" = True ]; then
		check "as CPython 3.11 compiles it" [ "$(cpython "$T/s.py")" = pass ]
	fi
	gen "$shape" $((n + 1))
	got=$(verdict "$T/s.py" "$v")
	check "$shape $((n + 1)) deep is $rule under $v" [ "$got" = "deny:$rule" ]
	[ "$got" = "deny:$rule" ] || diag "got $got"
	if [ "$v" = 3.11 ] && [ "$py311" = True ] && [ "$rule" = syntax-error ]; then
		check "as CPython 3.11 refuses it" [ "$(cpython "$T/s.py")" = deny ]
	fi
done <<'EOF2'
list 3.11 200 syntax-error
dict 3.11 200 syntax-error
tuple 3.11 200 syntax-error
call 3.11 200 syntax-error
subscript 3.11 200 syntax-error
json 3.11 200 syntax-error
blocks 3.11 99 syntax-error
fstrings 3.13 149 syntax-error
EOF2
# operator chains: at least what 3.11 compiles (2985 or so), too-deep past 3000
for shape in unary not lambda ifelse power; do
	gen "$shape" 2980
	got=$(verdict "$T/s.py" 3.11)
	check "$shape 2980 deep passes (CPython 3.11 compiles up to about 2985)" [ "$got" = pass ]
	gen "$shape" 3001
	got=$(verdict "$T/s.py" 3.11)
	check "$shape 3001 deep is too-deep" [ "$got" = deny:too-deep ]
done

# 8 MB of the densest valid code parses (never "out of memory"); the
# peak memory stays under the bound the README states (1 GiB) where it can
# be measured (not under ASan, whose shadow memory adds to it).
"$PY" - "$T" <<'EOF2'
import sys
t, m = sys.argv[1], 8 * 1024 * 1024 - 64
open(t + "/d_expr.py", "w").write("1\n" * (m // 2))
open(t + "/d_list.py", "w").write("x = [" + "1," * ((m - 10) // 2) + "1]\n")
chain = "(" + "+".join(["1"] * 1000) + "),"
open(t + "/d_chain.py", "w").write("x = [" + chain * ((m - 10) // len(chain)) + "1]\n")
EOF2
for f in d_expr d_list d_chain; do
	if [ -x /usr/bin/time ] && [ "${SANITIZE:-0}" != 1 ]; then
		/usr/bin/time -f %M -o "$T/rss" "$CORDON" check -p "$T/p3.11.yaml" "$T/$f.py" >"$T/out" 2>"$T/err"
		rc=$?
		kb=$(tail -1 "$T/rss")
		check "8 MB of $f passes" rc_is 0
		check "8 MB of $f peaks at $((kb / 1024)) MB, under 1 GiB" [ "$kb" -lt 1048576 ]
	else
		run check -p "$T/p3.11.yaml" "$T/$f.py"
		check "8 MB of $f passes" rc_is 0
		skip "peak memory of $f: no /usr/bin/time, or under ASan"
	fi
done

# Linear time: the worst shapes found, at 1x and 4x; the least CPU time of
# three runs each.  Linear is 4; anything quadratic is 16.  The 1x input is
# doubled from 256 KiB until its check takes 15 ms (at most 1 MiB), so
# that the fixed costs' noise (an ASan build, a loaded machine) does not
# decide the ratio.
"$PY" - "$T" "$CORDON" "$CORDON_SRCDIR/modules/pyimport/tests/shapes.py" >"$T/lin" <<'EOF2'
import resource, subprocess, sys
t, cordon, shapes = sys.argv[1:4]
K = 256 * 1024
def cpu(path, pol):
    best = None
    for _ in range(3):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([cordon, "check", "-p", pol, path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        c = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        best = c if best is None else min(best, c)
    return best
open(t + "/empty.py", "w").write("\n")
base = cpu(t + "/empty.py", t + "/p3.11.yaml")
names = subprocess.run([sys.executable, shapes, "--linear"], stdout=subprocess.PIPE, text=True).stdout.split()
def timed(name, n, pol):
    path = "%s/lin_%s_%d.py" % (t, name, n)
    subprocess.run([sys.executable, shapes, name, str(n), path], check=True)
    return max(cpu(path, pol) - base, 0.002)
for name in names:
    pol = t + ("/p3.13.yaml" if name.endswith("_313") else "/p3.11.yaml")
    # the 1x input grows until its check takes 15 ms beyond the fixed
    # costs (at most 1 MiB): a ratio of a few milliseconds is noise
    n = K
    t1 = timed(name, n, pol)
    while t1 < 0.015 and n < 1024 * 1024:
        n *= 2
        t1 = timed(name, n, pol)
    t4 = timed(name, 4 * n, pol)
    print("%s %.4f %.4f %.2f %d" % (name, t1, t4, t4 / t1, n // 1024))
EOF2
while read -r name t1 t4 ratio kib; do
	# quadratic is a ratio past 10 that also costs 150 ms more than
	# linear would: a few milliseconds of noise on a small 1x time is not
	check "linear: $name, 4x the input ($kib KiB, then 4x) takes ${ratio}x the CPU time ($t1 s, $t4 s)" \
		"$PY" -c "import sys; r, a, b = map(float, sys.argv[1:]); sys.exit(not (r < 10 or b - 4 * a < 0.15))" \
		"$ratio" "$t1" "$t4"
done <"$T/lin"

done_testing
