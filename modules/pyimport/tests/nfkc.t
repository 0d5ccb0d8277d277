#!/bin/sh
# modules/pyimport/tests/nfkc.t - identifiers are normalised exactly as
# CPython does: every XID_Continue character after a letter, every
# XID_Start character alone, and thousands of random identifiers mixing
# combining marks (reordering, composition, Hangul) are NFKC-normalised by
# cordon (seen through non_ascii: deny, whose findings name the normalised
# identifier) and compared with unicodedata.normalize('NFKC') of the
# /usr/bin/python3 the tables were generated from.
. "$(dirname "$0")/../../../tests/lib.sh"

PY=/usr/bin/python3
if ! [ -x "$PY" ] || ! "$PY" -c 'import sys, unicodedata; sys.exit(unicodedata.unidata_version != "14.0.0")' 2>/dev/null; then
	skip "needs /usr/bin/python3 with Unicode 14.0.0 (the version unidata.c was generated from)"
	done_testing
	exit
fi

write_policy "$T/na.yaml" <<'EOF2'
stack:
  - module: pyimport
    with: {non_ascii: deny}
EOF2

mkdir "$T/id"
"$PY" - "$T/id" <<'EOF2'
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

"$CORDON" check -p "$T/na.yaml" --json "$T"/id/n*.py >"$T/out" 2>"$T/err"
rc=$?
check "every identifier file is denied (non_ascii: deny)" [ "$rc" -eq 126 ]
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
set -- $(tail -1 "$T/cmp")
check "NFKC of $1 identifiers agrees with unicodedata ($2 differ)" test "${2:-1}" -eq 0 -a "${1:-0}" -gt 200000
grep '^#' "$T/cmp" | head -10

done_testing
