#!/bin/sh
# modules/pyimport/tests/reference.t - pyimport agrees with CPython.  The
# reference checker (tests/reference/pyimport_ref.py) computes the same
# findings over CPython's own ast; both run over every .py file of the
# Python standard library on this machine, over a grammar corpus and over
# snippets of valid and invalid code, in denylist and allowlist mode, for
# each Python version pyimport parses whose interpreter is installed, and
# must agree file by file on (rule, name, line, column), and on the parse
# verdict of files that do not parse.  Any file left out is printed with
# its reason.
. "$(dirname "$0")/../../../tests/lib.sh"

PY=/usr/bin/python3
REF="$CORDON_SRCDIR/tests/reference"

if ! [ -x "$PY" ]; then
	skip "the reference needs /usr/bin/python3 to compare the results"
	done_testing
	exit
fi

DENY=os,subprocess,socket,ctypes,os.path,json.tool
ALLOW=math,statistics,json,re,datetime,collections,itertools,functools,fractions,decimal,heapq,bisect,random,string,textwrap,dataclasses,typing,enum,copy,pprint,csv,__future__

yaml_list() { echo "[$1]" | sed 's/,/, /g'; }

# Files excluded from the comparison, with the reason (path<TAB>reason).
# None so far: both checkers read every file of the standard library alike.
: >"$T/exclude"

mkdir "$T/snip"
"$PY" "$REF/split_snippets.py" "$REF/corpus/snippets.txt" "$T/snip" >/dev/null
"$PY" "$REF/split_snippets.py" "$CORDON_SRCDIR/modules/pyimport/tests/grammar.txt" "$T/snip" >/dev/null
ls "$REF"/corpus/*.py "$T"/snip/*.py >"$T/corpus.list"

compare() { # NAME LIST POLICY REFARGS...
	_name=$1 _list=$2 _pol=$3
	shift 3
	# shellcheck disable=SC2046
	"$CORDON" check -p "$_pol" --json $(cat "$_list") >"$T/got.json" 2>"$T/err"
	_rc=$?
	"$REFPY" "$REF/pyimport_ref.py" "$@" $(cat "$_list") >"$T/ref.json" 2>"$T/referr"
	if [ "$_rc" -ne 0 ] && [ "$_rc" -ne 126 ]; then
		not_ok "$_name: cordon check exited $_rc"
		head -20 "$T/err" | sed 's/^/# /'
		return
	fi
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/err"; then
		not_ok "$_name: a sanitizer reported an error"
		head -40 "$T/err" | sed 's/^/# /'
		return
	fi
	if "$PY" "$REF/compare.py" "$T/got.json" "$T/ref.json" "$T/exclude" >"$T/cmp" 2>&1; then
		ok "$_name: $(tail -1 "$T/cmp" | sed 's/^# //')"
	else
		not_ok "$_name: cordon and CPython's ast disagree"
		head -60 "$T/cmp" | sed 's/^/# /'
		head -20 "$T/referr" | sed 's/^/# reference: /'
	fi
}

# The reference interpreter of each version pyimport parses: 3.11 is
# /usr/bin/python3 where it is 3.11; any version may be named by
# CORDON_REF_PYTHON3NN (and its standard library, when the interpreter's
# own is not a directory here, by CORDON_REF_STDLIB3NN), else python3.NN
# on PATH.
for minor in 11 12 13; do
	v=3.$minor
	eval "REFPY=\${CORDON_REF_PYTHON3$minor:-}"
	eval "STDLIB=\${CORDON_REF_STDLIB3$minor:-}"
	if [ -z "$REFPY" ]; then
		if [ "$minor" = 11 ]; then
			REFPY=$PY
		else
			REFPY=$(command -v "python$v" || true)
		fi
	fi
	if [ -z "$REFPY" ] || [ "$("$REFPY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" != "$v" ]; then
		skip "no Python $v interpreter (python$v on PATH or CORDON_REF_PYTHON3$minor) to compare the $v grammar with: grammar.t checks it against written expectations only"
		continue
	fi
	if [ -z "$STDLIB" ]; then
		STDLIB=$("$REFPY" -c 'import os; print(os.path.dirname(os.__file__))' 2>/dev/null)
	fi
	write_policy "$T/deny$v.yaml" <<EOF2
stack:
  - module: pyimport
    with: {mode: denylist, deny: $(yaml_list $DENY), python: "$v"}
EOF2
	write_policy "$T/allow$v.yaml" <<EOF2
stack:
  - module: pyimport
    with: {mode: allowlist, allow: $(yaml_list $ALLOW), deny: [json.tool], python: "$v"}
EOF2
	if [ -n "$STDLIB" ] && [ -d "$STDLIB" ]; then
		find "$STDLIB" -name '*.py' -type f | sort >"$T/stdlib.list"
	else
		: >"$T/stdlib.list"
	fi
	nstd=$(wc -l <"$T/stdlib.list")
	diag "Python $v: $REFPY; standard library: $nstd files under ${STDLIB:-(none)}"
	if [ "$nstd" -gt 0 ]; then
		compare "$v stdlib, denylist" "$T/stdlib.list" "$T/deny$v.yaml" --mode denylist --deny "$DENY"
		compare "$v stdlib, allowlist" "$T/stdlib.list" "$T/allow$v.yaml" --mode allowlist --allow "$ALLOW" --deny json.tool
	else
		skip "no standard library of Python $v here"
	fi
	compare "$v grammar corpus and snippets, denylist" "$T/corpus.list" "$T/deny$v.yaml" --mode denylist --deny "$DENY"
	compare "$v grammar corpus and snippets, allowlist" "$T/corpus.list" "$T/allow$v.yaml" --mode allowlist --allow "$ALLOW" --deny json.tool
done

# The corpus must hold both kinds: files that parse and files that do not.
write_policy "$T/deny.yaml" <<EOF2
stack:
  - module: pyimport
    with: {mode: denylist, deny: $(yaml_list $DENY), python: "3.11"}
EOF2
"$CORDON" check -p "$T/deny.yaml" --json $(cat "$T/corpus.list") >"$T/out" 2>/dev/null
check "snippets include code CPython refuses" \
	[ "$(json_get 'sum(1 for f in j if any(x["rule"]=="syntax-error" for x in f["findings"]))')" -gt 100 ]
check "and code it accepts" \
	[ "$(json_get 'sum(1 for f in j if not any(x["rule"]=="syntax-error" for x in f["findings"]))')" -gt 100 ]

done_testing
