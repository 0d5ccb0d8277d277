#!/bin/sh
# modules/pyimport/tests/nfkc.t - identifiers are normalised exactly as
# CPython does: every XID_Continue character after a letter, every
# XID_Start character alone, and thousands of random identifiers mixing
# combining marks (reordering, composition, Hangul) are NFKC-normalised by
# cordon (seen through non_ascii: deny, whose findings name the normalised
# identifier) and compared with unicodedata.normalize('NFKC') of each
# Python version the tables were generated from that is installed here
# (identifier classes differ by version: 3.11 has Unicode 14.0, 3.12 15.0,
# 3.13 15.1).
. "$(dirname "$0")/../../../tests/lib.sh"

PY=/usr/bin/python3
if ! [ -x "$PY" ]; then
	skip "needs /usr/bin/python3 to read the results"
	done_testing
	exit
fi

# Each version's interpreter, found as reference.t finds it; its Unicode
# version must be the one unidata.c holds for it.
for minor in 11 12 13; do
	v=3.$minor
	eval "REFPY=\${CORDON_REF_PYTHON3$minor:-}"
	if [ -z "$REFPY" ]; then
		if [ "$minor" = 11 ]; then REFPY=$PY; else REFPY=$(command -v "python$v" || true); fi
	fi
	case $minor in 11) uv=14.0.0 ;; 12) uv=15.0.0 ;; 13) uv=15.1.0 ;; esac
	if [ -z "$REFPY" ] || [ "$("$REFPY" -c 'import sys, unicodedata; print("%d.%d" % sys.version_info[:2], unicodedata.unidata_version)' 2>/dev/null)" != "$v $uv" ]; then
		skip "no Python $v interpreter with Unicode $uv (python$v on PATH or CORDON_REF_PYTHON3$minor) to compare identifiers with"
		continue
	fi
	write_policy "$T/na$v.yaml" <<EOF2
stack:
  - module: pyimport
    with: {non_ascii: deny, python: "$v"}
EOF2
	rm -rf "$T/id"
	mkdir "$T/id"
	"$REFPY" - "$T/id" <<'EOF2'
import json, os, random, sys, unicodedata
out = sys.argv[1]
random.seed(20261123)
cont = [c for c in range(0x80, 0x110000) if ("a" + chr(c)).isidentifier()]
start = [c for c in cont if chr(c).isidentifier()]
comb = [c for c in cont if unicodedata.combining(chr(c))]
idents = ["x" + chr(c) for c in cont] + [chr(c) for c in start]
for _ in range(20000):
    s = chr(random.choice(start)) if random.random() < 0.5 else "a"
    s += "".join(chr(random.choice(comb if random.random() < 0.6 else cont)) for _ in range(random.randint(1, 5)))
    idents.append(s)
expected = []
for k in range(0, len(idents), 4000):
    chunk = idents[k:k + 4000]
    with open(os.path.join(out, "n%03d.py" % (k // 4000)), "w", encoding="utf-8") as fh:
        fh.write("".join("%s = 1\n" % s for s in chunk))
    expected.append([unicodedata.normalize("NFKC", s) for s in chunk])
json.dump(expected, open(os.path.join(out, "expected.json"), "w"))
EOF2

	"$CORDON" check -p "$T/na$v.yaml" --json "$T"/id/n*.py >"$T/out" 2>"$T/err"
	rc=$?
	check "$v: every identifier file is denied (non_ascii: deny)" [ "$rc" -eq 126 ]
	"$PY" - "$T/out" "$T/id/expected.json" >"$T/cmp" <<'EOF2'
import json, re, sys
got = json.load(open(sys.argv[1]))
exp = json.load(open(sys.argv[2]))
bad = total = 0
for f, e in zip(sorted(got, key=lambda r: r["file"]), exp):
    names = {}
    for x in f["findings"]:
        m = re.search(r"identifier '(.*)' is not ASCII", x["message"])
        if x["rule"] == "non-ascii-identifier" and m:
            names[x["line"]] = m.group(1)
    for line, want in enumerate(e, 1):
        total += 1
        if names.get(line) != want:
            bad += 1
            if bad <= 10:
                print("# %s line %d: cordon %r, CPython %r" % (f["file"], line, names.get(line), want))
print("%d %d" % (total, bad))
EOF2
	res=$(tail -1 "$T/cmp")
	total=${res%% *} bad=${res##* }
	case "$total$bad" in *[!0-9]* | "") total=0 bad=1 ;; esac
	check "$v: NFKC of $total identifiers agrees with unicodedata $uv ($bad differ)" test "$bad" -eq 0 -a "$total" -gt 200000
	grep '^#' "$T/cmp" | head -10
done

done_testing
