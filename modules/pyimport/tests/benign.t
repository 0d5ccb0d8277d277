#!/bin/sh
# modules/pyimport/tests/benign.t - precision on real code: the benign
# corpus (benign/pure: pure computation with the usual standard-library
# helpers; benign/data: data work, text processing, parsing and plotting
# with files read from an input path, the environment, numpy, pandas and
# matplotlib, plots and reports written to /output and /tmp) through
# `cordon check -p POLICY` for each shipped policy.  default, production
# and data_science (and every other policy but strict) deny none of it;
# strict denies none of the pure-computation subset.  Each policy's
# denials over the whole corpus are printed (the README's table).
. "$(dirname "$0")/../../../tests/lib.sh"

DIR="$CORDON_SRCDIR/modules/pyimport/tests/benign"
ls "$DIR"/pure/*.py >"$T/pure"
ls "$DIR"/data/*.py >"$T/data"
cat "$T/pure" "$T/data" >"$T/all"
npure=$(wc -l <"$T/pure")
nall=$(wc -l <"$T/all")
check "the corpus holds at least 100 scripts ($nall, $npure of them pure computation)" [ "$nall" -ge 100 ]

denied() { # POLICY LIST -> number of sources denied, each printed as a diagnostic
	# shellcheck disable=SC2046
	"$CORDON" check -p "$1" --json $(cat "$2") >"$T/res.json" 2>"$T/err"
	_rc=$?
	if [ "$_rc" -ne 0 ] && [ "$_rc" -ne 126 ]; then
		echo "error"
		return
	fi
	python3 - "$T/res.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
bad = [f for f in j if f["verdict"] != "pass"]
for f in bad:
    rules = sorted({"%s/%s" % (x["module"], x["rule"]) for x in f["findings"]})
    sys.stderr.write("# denied: %s %s\n" % (f["file"].rsplit("/", 2)[-2:], rules))
print(len(bad))
PY
}

for p in default production data_science development minimal educational isolation; do
	d=$(denied "$p" "$T/all" 2>"$T/why")
	if [ "$d" = 0 ]; then
		ok "$p: 0 of $nall benign scripts denied"
	else
		not_ok "$p: $d of $nall benign scripts denied"
		sed 's/^/# /' "$T/why" "$T/err" | head -20
	fi
done

d=$(denied strict "$T/pure" 2>"$T/why")
if [ "$d" = 0 ]; then
	ok "strict: 0 of $npure pure-computation scripts denied"
else
	not_ok "strict: $d of $npure pure-computation scripts denied"
	sed 's/^/# /' "$T/why" | head -20
fi
d=$(denied strict "$T/data" 2>"$T/why")
diag "strict over the rest (files, environment, numpy/pandas/matplotlib: outside its scope): $d of $((nall - npure)) denied"
check "strict denies those for reading files or importing what it does not allow" \
	sh -c "! grep -v 'import-denied\|banned-builtin' '$T/why' | grep -q denied"

# The pure scripts run under strict: a sample, through the whole sandbox.
if [ -x /usr/bin/python3 ]; then
	for s in p005_matrix p012_singledispatch p021_namedtuple_points p023_typing_protocol p033_cached_property; do
		run run -p strict "$DIR/pure/$s.py"
		check "strict runs $s" rc_is 0
	done
else
	skip_n 5 "no /usr/bin/python3"
fi

done_testing
