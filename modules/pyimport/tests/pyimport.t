#!/bin/sh
# modules/pyimport/tests/pyimport.t - the pyimport module through `cordon
# check` and `cordon run`: arguments and their errors, compiler-style
# findings, dotted-name semantics of allow and deny lists, severities and
# threshold, other languages ignored, and bad input (binary garbage, huge
# and deeply nested sources, unterminated strings, invalid UTF-8): always a
# finding or a clear error, never a crash, never a pass.
. "$(dirname "$0")/../../../tests/lib.sh"

pol() { # FILE WITH-MAPPING
	write_policy "$1" <<EOF2
interpreter: [/usr/bin/python3, -I, -B]
stack:
  - module: pyimport
    with: $2
EOF2
}

pol "$T/deny.yaml" '{deny: [os, subprocess, xml.dom]}'
printf 'import json\nx = json.dumps([1])\nprint(x)\n' >"$T/ok.py"
run check -p "$T/deny.yaml" "$T/ok.py"
check "clean source passes" rc_is 0
check "and prints nothing" [ ! -s "$T/out" ]

printf 'import json\nimport os\n' >"$T/os.py"
run check -p "$T/deny.yaml" "$T/os.py"
check "denied import: exit 126" rc_is 126
check "printed like a compiler: file:line:column: severity: message [module/rule]" \
	out_has "$T/os.py:2:8: high: import of 'os' is not allowed [pyimport/import-denied]"

run check -p "$T/deny.yaml" --json "$T/os.py"
check "json: rule, line, column (CPython col_offset + 1)" \
	json_is '[(f["rule"], f["line"], f["column"], f["severity"]) for f in j[0]["findings"]]' "[('import-denied', 2, 8, 'high')]"

printf 'import os.path\nimport xml.dom.minidom\nimport xml.sax\nfrom xml import dom\nfrom xml.dom import minidom\nimport osx\n' >"$T/dotted.py"
run check -p "$T/deny.yaml" --json "$T/dotted.py"
check "denying a denies a.b, a.b.c and from a.b import c; not ax or a's parent" \
	json_is '[(f["line"], f["message"].split("\x27")[1]) for f in j[0]["findings"]]' \
	"[(1, 'os.path'), (2, 'xml.dom.minidom'), (4, 'xml.dom'), (5, 'xml.dom')]"

pol "$T/allow.yaml" '{mode: allowlist, allow: [math, xml.dom], deny: [xml.dom.pulldom]}'
printf 'import math\nimport xml.dom.minidom\nimport xml\nimport xml.dom.pulldom\nfrom math import pi\nfrom xml import dom\nfrom __future__ import annotations\nimport mathx\n' >"$T/al.py"
run check -p "$T/allow.yaml" --json "$T/al.py"
check "allowlist: a allows a.b; deny refines it; __future__ always allowed" \
	json_is '[(f["line"], f["message"].split("\x27")[1]) for f in j[0]["findings"]]' \
	"[(3, 'xml'), (4, 'xml.dom.pulldom'), (6, 'xml'), (8, 'mathx')]"

# severity and threshold
pol "$T/sev.yaml" '{threshold: high, severity: {import-star: low, banned-builtin: critical, escape-attribute: "off"}}'
printf 'from math import *\n' >"$T/star.py"
run check -p "$T/sev.yaml" "$T/star.py"
check "a finding below the threshold is reported but does not deny" rc_is 0
check "reported with its configured severity" out_has "low: import * from 'math' [pyimport/import-star]"
printf 'x = ().__class__\n' >"$T/esc.py"
run check -p "$T/sev.yaml" "$T/esc.py"
check "a rule turned off reports nothing" rc_is 0
printf 'eval("1")\n' >"$T/ev.py"
run check -p "$T/sev.yaml" "$T/ev.py"
check "at or above the threshold denies" rc_is 126
check "with the configured severity" out_has "critical: builtin 'eval' is not allowed"

# non_ascii
pol "$T/na.yaml" '{non_ascii: deny}'
printf 'caf\303\251 = 1\n' >"$T/na.py"
run check -p "$T/na.yaml" "$T/na.py"
check "non_ascii: deny denies non-ASCII identifiers" rc_is 126
check "naming the identifier" out_has "identifier 'café' is not ASCII"
run check -p "$T/deny.yaml" "$T/na.py"
check "non_ascii: normalize (default) lets a harmless one pass" rc_is 0

# argument errors name the policy line
pol "$T/bad1.yaml" '{mode: graylist}'
run check -p "$T/bad1.yaml" "$T/ok.py"
check "unknown mode: policy error (125)" rc_is 125
check "naming mode and the file" err_has "bad1.yaml"
pol "$T/bad2.yaml" '{mode: allowlist}'
run check -p "$T/bad2.yaml" "$T/ok.py"
check "allowlist without allow: policy error" rc_is 125
pol "$T/bad3.yaml" '{severity: {no-such-rule: high}}'
run check -p "$T/bad3.yaml" "$T/ok.py"
check "unknown rule id: policy error" rc_is 125
check "listing the rules" err_has "unknown rule 'no-such-rule'"
pol "$T/bad4.yaml" '{severity: {syntax-error: "off"}}'
run check -p "$T/bad4.yaml" "$T/ok.py"
check "syntax-error cannot be turned off (fail closed)" rc_is 125
pol "$T/bad5.yaml" '{deny: ["os..path"]}'
run check -p "$T/bad5.yaml" "$T/ok.py"
check "a malformed module name is a policy error" rc_is 125
pol "$T/bad6.yaml" '{allow: [math]}'
run check -p "$T/bad6.yaml" "$T/ok.py"
check "allow without mode allowlist is a policy error" rc_is 125
pol "$T/bad7.yaml" '{threshold: "off"}'
run check -p "$T/bad7.yaml" "$T/ok.py"
check "threshold off is a policy error" rc_is 125
pol "$T/bad8.yaml" '{max_depth: 5}'
run check -p "$T/bad8.yaml" "$T/ok.py"
check "max_depth out of bounds is a policy error" rc_is 125

# other languages are not pyimport's business
printf 'eval("1")\n' >"$T/x.js"
run check -p "$T/deny.yaml" --json "$T/x.js"
check "a JavaScript source is ignored" json_is 'j[0]["verdict"]' "pass"

# cordon run: a denied source never runs
printf 'import os\nprint("ran")\n' >"$T/run.py"
run run -p "$T/deny.yaml" "$T/run.py"
check "run: denied source exits 126" rc_is 126
check "and never ran" sh -c "! grep -q ran '$T/out'"
if [ -x /usr/bin/python3 ]; then
	run run -p "$T/deny.yaml" "$T/ok.py"
	check "run: clean source runs" rc_is 0
	check "and prints" out_has "[1]"
fi

# ---- bad input: a finding or a clear error, never a crash, never a pass
bad() { # DESCRIPTION FILE RULE
	run check -p "$T/deny.yaml" "$2"
	if rc_is 126 && grep -q "\[pyimport/$3\]" "$T/out"; then
		ok "$1: denied ($3)"
	else
		not_ok "$1: expected a denial with $3"
		diag_run
	fi
}
head -c 65536 /dev/urandom >"$T/garbage.py"
bad "binary garbage" "$T/garbage.py" syntax-error
printf 'x = "abc\n' >"$T/unterm.py"
bad "unterminated string" "$T/unterm.py" syntax-error
printf 'x = """abc\n\n' >"$T/unterm3.py"
bad "unterminated triple-quoted string" "$T/unterm3.py" syntax-error
printf 'x = f"{a\n' >"$T/untermf.py"
bad "unterminated f-string field" "$T/untermf.py" syntax-error
printf 'x = "\303("\n' >"$T/utf8.py"
bad "invalid UTF-8" "$T/utf8.py" syntax-error
printf 'x = "\355\240\200"\n' >"$T/surrogate.py"
bad "UTF-8-encoded surrogate" "$T/surrogate.py" syntax-error
printf 'x = "\300\200"\n' >"$T/overlong.py"
bad "overlong UTF-8" "$T/overlong.py" syntax-error
printf 'x = 1\000\n' >"$T/nul.py"
bad "NUL byte" "$T/nul.py" syntax-error
python3 -c 'print("x = " + "(" * 100000 + ")" * 100000)' >"$T/parens.py"
bad "100000 nested parentheses" "$T/parens.py" syntax-error
python3 -c 'print("x = " + "[" * 150 + "]" * 150 + "\ny = " + "-" * 100000 + "1")' >"$T/unary.py"
bad "100000 unary minus signs" "$T/unary.py" too-deep
python3 -c 'print("x = " + "not " * 100000 + "1")' >"$T/nots.py"
bad "100000 nots" "$T/nots.py" too-deep
python3 -c 'print("x = " + "lambda: " * 100000 + "1")' >"$T/lambdas.py"
bad "100000 nested lambdas" "$T/lambdas.py" too-deep
python3 -c 'print("x = " + "f\"{" * 5 + "1" + "}\"" * 5)' >"$T/fnest.py"
bad "nested f-strings" "$T/fnest.py" syntax-error
python3 -c 'print("x = 1 " + "+ 1 " * 200000)' >"$T/chain.py"
bad "200000-term sum (a deep left-leaning tree)" "$T/chain.py" too-deep
python3 -c '
import sys
for d in range(1, 60):
    sys.stdout.write(" " * (d - 1) + "if x:\n")
sys.stdout.write(" " * 60 + "pass\n")' >"$T/indent.py"
run check -p "$T/deny.yaml" "$T/indent.py"
check "59 nested blocks parse" rc_is 0
python3 -c '
import sys
for d in range(1, 120):
    sys.stdout.write(" " * (d - 1) + "if x:\n")
sys.stdout.write(" " * 120 + "pass\n")' >"$T/indent2.py"
bad "119 nested blocks (CPython: too many levels of indentation)" "$T/indent2.py" syntax-error
python3 -c 'print("x = 1\n" * 1500000)' >"$T/huge.py"
bad "a 9 MB source (max_bytes 8M)" "$T/huge.py" too-large
pol "$T/big.yaml" '{max_bytes: 16M}'
run check -p "$T/big.yaml" "$T/huge.py"
check "a larger max_bytes lets it through" rc_is 0
python3 -c 'print("x = [" + "1," * 1000000 + "]")' >"$T/wide.py"
run check -p "$T/deny.yaml" "$T/wide.py"
check "a 2 MB list literal parses" rc_is 0
printf '\\' >"$T/bs.py"
bad "a lone backslash" "$T/bs.py" syntax-error
printf '' >"$T/empty.py"
run check -p "$T/deny.yaml" "$T/empty.py"
check "an empty source passes" rc_is 0

done_testing
