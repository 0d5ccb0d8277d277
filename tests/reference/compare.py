#!/usr/bin/python3
"""tests/reference/compare.py - compare `cordon check --json` with the
reference checker's output, file by file.

    compare.py CORDON.json REFERENCE.json [EXCLUDE_FILE]

Findings are compared as multisets of (rule, name, line, column); a file that does
not parse must be refused by both (syntax-error or too-deep: the messages
and positions of the two parsers' errors differ).  EXCLUDE_FILE lists
"path<TAB>reason" lines for files left out; each is printed with its reason.
Exit status 0 when everything agrees, 1 otherwise.
"""
import collections
import json
import re
import sys

QUOTED = re.compile(r"'([^']*)'")
UNPARSED = {"syntax-error", "too-deep"}


def key_cordon(f):
    m = QUOTED.search(f.get("message", ""))
    return (f["rule"], m.group(1) if m else "", f.get("line", 0), f.get("column", 0))


def key_ref(f):
    return (f["rule"], f["name"], f["line"], f["column"])


def main(argv):
    with open(argv[0]) as fh:
        got = {r["file"]: r for r in json.load(fh)}
    with open(argv[1]) as fh:
        ref = {r["file"]: r for r in json.load(fh)}
    excluded = {}
    if len(argv) > 2:
        with open(argv[2]) as fh:
            for line in fh:
                line = line.rstrip("\n")
                if line and not line.startswith("#"):
                    path, _, reason = line.partition("\t")
                    excluded[path] = reason
    bad = 0
    compared = 0
    total = collections.Counter()
    for path in sorted(set(got) | set(ref)):
        if path in excluded:
            print("# excluded %s: %s" % (path, excluded[path]))
            continue
        if path not in got or path not in ref:
            print("missing in %s: %s" % ("cordon" if path not in got else "reference", path))
            bad += 1
            continue
        compared += 1
        g = [key_cordon(f) for f in got[path]["findings"]]
        r = [key_ref(f) for f in ref[path]["findings"]]
        g_unparsed = any(k[0] in UNPARSED for k in g)
        r_unparsed = any(k[0] in UNPARSED for k in r)
        if g_unparsed or r_unparsed:
            if g_unparsed != r_unparsed:
                print("%s: parse verdicts differ: cordon %s, reference %s" % (path, g, r))
                bad += 1
            else:
                total["syntax-error"] += 1
            continue
        gc, rc = collections.Counter(g), collections.Counter(r)
        if gc != rc:
            bad += 1
            print("%s: findings differ" % path)
            for k in sorted((gc - rc).elements()):
                print("  only cordon:    %s %s line %s column %s" % k)
            for k in sorted((rc - gc).elements()):
                print("  only reference: %s %s line %s column %s" % k)
        verdict_g = got[path]["verdict"]
        if verdict_g != ref[path]["verdict"] and not (gc != rc):
            bad += 1
            print("%s: verdicts differ: cordon %s, reference %s" % (path, got[path]["verdict"], ref[path]["verdict"]))
        for k in g:
            total[k[0]] += 1
    print("# %d files compared, %d differ, %d excluded; findings by rule: %s" % (
        compared, bad, len(excluded), ", ".join("%s=%d" % kv for kv in sorted(total.items()))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
