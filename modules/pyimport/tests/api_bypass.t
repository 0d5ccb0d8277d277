#!/bin/sh
# modules/pyimport/tests/api_bypass.t - bypasses of allowlist mode as a
# module list (api_bypass.txt): modules handed over by allowed modules'
# attributes and by modules used as values, banned builtins reached as
# attributes, subscripts and format fields, partly allowed modules (os.path,
# io, sys), private machinery (also through name mangling and decoy
# classes), standard-library sinks that turn strings into attribute access
# or code, class hooks, annotations that typing evaluates.  Each runs to
# completion under the isolation alone (it is working code), each is
# DENIED by the shipped strict policy with a pyimport finding of the
# expected rule, and the module-list checker (the same allow list without
# API data) lets most of them through: the rules close classes the module
# list left open.
. "$(dirname "$0")/../../../tests/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
chmod 755 "$T"
mkdir "$T/by"
chmod 755 "$T/by"
"$PY" "$CORDON_SRCDIR/tests/reference/split_snippets.py" "$CORDON_SRCDIR/modules/pyimport/tests/api_bypass.txt" \
	"$T/by" >"$T/list"
chmod 644 "$T"/by/*.py

# The same allow list as policies.d/strict.yaml, as modules, without API data.
write_policy "$T/modlist.yaml" <<'EOF2'
stack:
  - module: pyimport
    control: requisite
    with:
      mode: allowlist
      allow: [math, cmath, statistics, json, re, datetime, time, calendar, collections, itertools,
              functools, operator, fractions, decimal, numbers, heapq, bisect, random, string,
              textwrap, difflib, unicodedata, dataclasses, typing, enum, abc, contextlib, copy,
              pprint, reprlib, csv, graphlib, array, struct, keyword, colorsys, io, os.path, sys]
EOF2

n=0 through=0 runs=0
while read -r name rule; do
	n=$((n + 1))
	run check -p strict "$T/by/$name.py"
	if rc_is 126 && grep -q "\[pyimport/$rule\]" "$T/out"; then
		ok "$name: denied by strict ($rule)"
	else
		not_ok "$name: expected strict to deny it with pyimport/$rule"
		diag_run
	fi
	run check -p "$T/modlist.yaml" "$T/by/$name.py"
	rc_is 0 && through=$((through + 1))
done <"$T/list"
diag "$through of $n pass the module list without API data"
check "the corpus holds the bypass classes" [ "$n" -ge 100 ]
check "most of them pass the module list (they are bypasses of it)" [ "$through" -ge 60 ]

# They are working code: under the isolation alone (no static check) a
# sample from each class runs to completion.
if [ -x /usr/bin/python3 ]; then
	for name in handover_enum_bltns_eval handover_json_codecs value_class_attribute builtin_subscript \
		prefix_module_os type_of_stream private_enum_create sink_type_three_args hook_init_subclass \
		annot_singledispatch; do
		run run -p isolation "$T/by/$name.py"
		check "$name runs under the isolation alone" rc_is 0
	done
else
	skip_n 10 "no /usr/bin/python3 to run the bypasses"
fi

done_testing
