#!/bin/sh
# modules/pyimport/tests/grammar.t - the grammar follows the policy's
# Python version: every snippet of grammar.txt (type statements, type
# parameters and their defaults, PEP 701 f-strings, and the 3.11 forms
# next to them) is checked under python: "3.11", "3.12" and "3.13" and
# must give the findings written in its header, whatever interpreter is
# installed (reference.t compares the same snippets with CPython's ast
# where a 3.12 or 3.13 interpreter is there).  Also: how the version is
# declared or detected, and the message naming a construct that the
# interpreter's version does not have.
. "$(dirname "$0")/../../../tests/lib.sh"

PY=/usr/bin/python3
if ! [ -x "$PY" ]; then
	skip "needs /usr/bin/python3 to split the snippets and read the results"
	done_testing
	exit
fi
mkdir "$T/g"
"$PY" "$CORDON_SRCDIR/tests/reference/split_snippets.py" "$CORDON_SRCDIR/modules/pyimport/tests/grammar.txt" \
	"$T/g" >"$T/heads"
for v in 3.11 3.12 3.13; do
	write_policy "$T/p$v.yaml" <<EOF2
stack:
  - module: pyimport
    with: {python: "$v", deny: [os]}
EOF2
	# shellcheck disable=SC2046
	"$CORDON" check -p "$T/p$v.yaml" --json $(sed "s|^\([^ ]*\).*|$T/g/\1.py|" "$T/heads") >"$T/out$v.json" 2>"$T/err$v"
done
"$PY" - "$T" >"$T/res" <<'EOF2'
import json, re, sys
t = sys.argv[1]
got = {}
for v in ("11", "12", "13"):
    for f in json.load(open("%s/out3.%s.json" % (t, v))):
        name = f["file"].rsplit("/", 1)[1][:-3]
        keys = []
        for x in f["findings"]:
            if x["rule"] in ("syntax-error", "too-deep"):
                keys = ["syntax"]
                break
            m = re.search(r"'([^']*)'", x["message"])
            keys.append("%s/%s" % (x["rule"], m.group(1) if m else ""))
        got[(name, v)] = "+".join(sorted(keys)) or "pass"
for line in open(t + "/heads"):
    name, *exp = line.split()
    want = {}
    for e in exp:
        vers, _, res = e.partition("=")
        lo, _, hi = vers.partition("-")
        for v in range(int(lo), int(hi or lo) + 1):
            want[str(v)] = "+".join(sorted(res.split("+"))) if res not in ("pass", "syntax") else res
    for v in ("11", "12", "13"):
        g = got.get((name, v), "missing")
        w = want.get(v, "unspecified")
        print("%s %s 3.%s: %s%s" % ("ok" if g == w else "bad", name, v, g, "" if g == w else " (want %s)" % w))
EOF2
n=$(grep -c '^ok ' "$T/res")
bad=$(grep -c '^bad ' "$T/res")
check "$n snippet x version results as written in grammar.txt ($bad differ)" [ "$bad" -eq 0 -a "$n" -gt 150 ]
grep '^bad ' "$T/res" | head -20 | sed 's/^/# /'

# The message names the construct and both versions.
printf 'type X = int\n' >"$T/alias.py"
run check -p "$T/p3.11.yaml" "$T/alias.py"
check "a type statement under 3.11 is refused" rc_is 126
check "naming the construct and both versions" \
	out_has "the type statement (PEP 695): syntax of Python 3.12, and the policy's interpreter is Python 3.11"
printf 'def f[T = int](): pass\n' >"$T/default.py"
run check -p "$T/p3.12.yaml" "$T/default.py"
check "a type parameter default under 3.12 names PEP 696 and 3.13" \
	out_has "type parameter defaults (PEP 696): syntax of Python 3.13, and the policy's interpreter is Python 3.12"
printf 'x = f"{"a"}"\n' >"$T/fs.py"
run check -p "$T/p3.11.yaml" "$T/fs.py"
check "a PEP 701 f-string under 3.11 names PEP 701 and both versions" \
	out_has "f-string syntax of Python 3.12 (PEP 701"
check "at the f-string" out_has "fs.py:1:5:"

# How the version is given.
pol() { # FILE WITH
	write_policy "$1" <<EOF2
stack:
  - module: pyimport
    with: $2
EOF2
}
pol "$T/bad1.yaml" '{python: "2.7"}'
run check -p "$T/bad1.yaml" "$T/alias.py"
check "python: 2.7 is a policy error" rc_is 125
check "naming the versions pyimport parses" err_has "pyimport parses the grammar of Python 3.11 to 3.13 only"
pol "$T/bad2.yaml" '{python: "three"}'
run check -p "$T/bad2.yaml" "$T/alias.py"
check "python: three is a policy error" rc_is 125
check "saying what is expected" err_has "is not a version such as \"3.12\" or an interpreter's path"
pol "$T/bad3.yaml" '{python: "3.14"}'
run check -p "$T/bad3.yaml" "$T/alias.py"
check "a version newer than the grammar known is a policy error" err_has "(declare python: \"3.13\""
pol "$T/bad4.yaml" "{python: $T/nonexistent}"
run check -p "$T/bad4.yaml" "$T/alias.py"
check "an interpreter that does not exist is a policy error" err_has "cannot tell the version of $T/nonexistent"

# An interpreter asked by running it (its name says nothing): a script
# that prints a version, and one that never answers.
mkdir "$T/bin"
printf '#!/bin/sh\necho 3.12\n' >"$T/bin/interp"
chmod 755 "$T/bin/interp"
pol "$T/ask.yaml" "{python: $T/bin/interp}"
run check -p "$T/ask.yaml" "$T/alias.py"
check "an interpreter that says 3.12 gives the 3.12 grammar" rc_is 0
printf '#!/bin/sh\necho 3.11\n' >"$T/bin/interp"
run check -p "$T/ask.yaml" "$T/alias.py"
check "one that says 3.11 gives the 3.11 grammar" rc_is 126
ln -s interp "$T/bin/python3.13"
printf '#!/bin/sh\nexit 1\n' >"$T/bin/interp"
pol "$T/named.yaml" "{python: $T/bin/python3.13}"
run check -p "$T/named.yaml" "$T/default.py"
check "a path that resolves to a name python3.N is that version, without running it" rc_is 0
printf '#!/bin/sh\nexec sleep 60\n' >"$T/bin/slow"
chmod 755 "$T/bin/slow"
pol "$T/slow.yaml" "{python: $T/bin/slow}"
start=$(date +%s)
run check -p "$T/slow.yaml" "$T/alias.py"
check "an interpreter that does not answer is a policy error" err_has "did not answer within 5 seconds"
check "within seconds" [ $(($(date +%s) - start)) -lt 30 ]
sys=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case $sys in
3.11 | 3.12 | 3.13)
	printf 'stack:\n  - module: pyimport\n' >"$T/default.yaml"
	run check -p "$T/default.yaml" "$T/alias.py"
	if [ "$sys" = 3.11 ]; then
		check "without python:, /usr/bin/python3's version ($sys) decides" rc_is 126
	else
		check "without python:, /usr/bin/python3's version ($sys) decides" rc_is 0
	fi
	;;
*) skip "/usr/bin/python3 is $sys, which pyimport does not parse" ;;
esac

done_testing
