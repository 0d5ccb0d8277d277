#!/bin/sh
# modules/pattern_scan/tests/pattern_scan.t - the pattern_scan module through
# `cordon check`, `cordon check --json` and `cordon run`: findings with
# rule, severity, line and column; comments blanked; threshold, disable,
# inline rules, rule-set names and paths; every policy error exits 125 and
# names file:line:column; binary, invalid UTF-8 and huge sources never
# crash; a match-limit failure never passes.
. "$(dirname "$0")/../../../tests/lib.sh"

RULES="$CORDON_SRCDIR/policies.d/rules"

policy() { # policy NAME: write stdin as $T/NAME.yaml
	write_policy "$T/$1.yaml"
}

policy py <<EOF
interpreter: [/usr/bin/python3, -I, -B]
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml]}
EOF

printf 'import os\nx = 1  # os.system("comment")\n\303\251 = os.system("ls")\n' >"$T/sys.py"
run check -p "$T/py.yaml" "$T/sys.py"
check "os.system: denied (126)" rc_is 126
check "compiler-style line: file:line:column, severity, message, module/rule" \
	out_has "$T/sys.py:3:5: critical: os.system / os.popen run a shell command (matched \"os.system\") [pattern_scan/py-os-system]"
check "the commented-out call does not fire (one finding only)" \
	[ "$(grep -c py-os-system "$T/out")" -eq 1 ]

run check --json -p "$T/py.yaml" "$T/sys.py"
check "--json: denied" json_is 'j[0]["verdict"]' deny
check "--json: rule id" json_is 'j[0]["findings"][0]["rule"]' py-os-system
check "--json: line 3" json_is 'j[0]["findings"][0]["line"]' 3
check "--json: column 5 (columns count characters: é is one)" json_is 'j[0]["findings"][0]["column"]' 5
check "--json: severity" json_is 'j[0]["findings"][0]["severity"]' critical

# The bypasses that defeat naive scanners.
printf "m = __import__('o'+'s')\nm.system('id')\n" >"$T/imp.py"
run check --json -p "$T/py.yaml" "$T/imp.py"
check "__import__('o'+'s'): denied" json_is 'j[0]["verdict"]' deny
check "__import__('o'+'s'): py-dunder-import at 1:5" \
	json_is '[(f["rule"], f["line"], f["column"]) for f in j[0]["findings"] if f["rule"] == "py-dunder-import"]' \
	"[('py-dunder-import', 1, 5)]"
printf "import os\ngetattr(os, 'sys'+'tem')('id')\n" >"$T/ga.py"
run check --json -p "$T/py.yaml" "$T/ga.py"
check "getattr(os, 'sys'+'tem'): py-getattr-computed" \
	json_is '"py-getattr-computed" in [f["rule"] for f in j[0]["findings"]]' True
printf 'import os\nos . \\\n    system("id")\n' >"$T/cont.py"
run check --json -p "$T/py.yaml" "$T/cont.py"
check "os . <continuation> system: py-os-system at 2:1" \
	json_is '[(f["line"], f["column"]) for f in j[0]["findings"] if f["rule"] == "py-os-system"]' "[(2, 1)]"
printf '# os.system("x")\nprint("# eval(x) is fine in a comment")  # eval(x)\n' >"$T/com.py"
run check --json -p "$T/py.yaml" "$T/com.py"
check "comments do not fire; string contents do" \
	json_is '[f["rule"] for f in j[0]["findings"]]' "['py-eval']"
printf 'x = 1\r# comment\ros.system("id")\r' >"$T/cr.py"
run check --json -p "$T/py.yaml" "$T/cr.py"
check "a comment ends at a lone CR (as the interpreter reads it): fires at 3:1" \
	json_is '[(f["rule"], f["line"], f["column"]) for f in j[0]["findings"]]' "[('py-os-system', 3, 1)]"

# skip_comments: false scans comments too.
policy nocom <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml], skip_comments: false}
EOF
run check --json -p "$T/nocom.yaml" "$T/com.py"
check "skip_comments: false: the comment fires" \
	json_is 'sorted(set(f["rule"] for f in j[0]["findings"]))' "['py-eval', 'py-os-system']"

# Threshold: findings below it are reported but do not deny.
printf 'import os\nprint(os.environ["HOME"])\n' >"$T/env.py"
policy crit <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml], threshold: critical}
EOF
run check --json -p "$T/crit.yaml" "$T/env.py"
check "threshold critical: a medium finding passes" json_is 'j[0]["verdict"]' pass
check "threshold critical: the medium finding is still reported" \
	json_is '[f["rule"] for f in j[0]["findings"]]' "['py-os-environ']"
run check -p "$T/crit.yaml" "$T/env.py"
check "threshold critical: exit 0" rc_is 0
run check -p "$T/crit.yaml" "$T/sys.py"
check "threshold critical: a critical finding denies" rc_is 126
run check -p "$T/py.yaml" "$T/env.py"
check "default threshold (low): the medium finding denies" rc_is 126

# disable
policy dis <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml], disable: [py-os-environ]}
EOF
run check --json -p "$T/dis.yaml" "$T/env.py"
check "disable: the rule is gone, the source passes" json_is '(j[0]["verdict"], j[0]["findings"])' "('pass', [])"

# Inline rules, with and without message; a bare rule-set name.
policy inline <<'EOF'
stack:
  - module: pattern_scan
    with:
      rules:
        - python
        - id: no-sleep
          pattern: '\btime\s*\.\s*sleep\b'
          severity: low
          description: sleeping wastes the time limit
          languages: [python]
        - {id: no-print, pattern: '\bprint\b', severity: info, description: prints, message: do not print, languages: [python, javascript]}
      threshold: low
EOF
printf 'import time\ntime.sleep(1)\nprint(1)\n' >"$T/sleep.py"
run check --json -p "$T/inline.yaml" "$T/sleep.py"
check "inline rule: fires with its description and the matched text" \
	json_is '[f["message"] for f in j[0]["findings"] if f["rule"] == "no-sleep"]' \
	"['sleeping wastes the time limit (matched \"time.sleep\")']"
check "inline rule: message replaces the description" \
	json_is '[f["message"] for f in j[0]["findings"] if f["rule"] == "no-print"]' "['do not print (matched \"print\")']"
check "inline rules: low denies at threshold low" json_is 'j[0]["verdict"]' deny
run check --json -p "$T/inline.yaml" "$T/sys.py"
check "a bare name (python) loads the shipped rule set" \
	json_is '"py-os-system" in [f["rule"] for f in j[0]["findings"]]' True

# A rule file given by a path relative to the policy.
mkdir -p "$T/sub/r"
policy sub/p <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [r/mine.yaml]}
EOF
write_policy "$T/sub/r/mine.yaml" <<'EOF'
rules:
  - {id: mine, pattern: 'secret', severity: high, description: mentions a secret, languages: [python, shell]}
EOF
printf 'echo secret\n' >"$T/s.sh"
run check --json -p "$T/sub/p.yaml" "$T/s.sh"
check "a rule file relative to the policy; shell source by extension" \
	json_is '[(f["rule"], f["line"], f["column"]) for f in j[0]["findings"]]' "[('mine', 1, 6)]"

# Languages: a rule applies only to its languages; no rule: ignore.
printf 'eval("x")\n' >"$T/e.js"
run check --json -p "$T/py.yaml" "$T/e.js"
check "python rules over a .js file: ignored" json_is '(j[0]["verdict"], j[0]["findings"])' "('pass', [])"
policy all <<EOF
stack:
  - module: pattern_scan
    with:
      rules: [$RULES/python.yaml, $RULES/javascript.yaml, $RULES/shell.yaml, $RULES/java.yaml]
      unknown_language: deny
EOF
run check --json -p "$T/all.yaml" "$T/e.js"
check "javascript rules fire on a .js file" json_is '[f["rule"] for f in j[0]["findings"]]' "['js-eval']"
printf 'curl -fsSL https://example.org/i.sh | sh\n' >"$T/i.sh"
run check --json -p "$T/all.yaml" "$T/i.sh"
check "shell rules fire on a .sh file" \
	json_is 'sorted(f["rule"] for f in j[0]["findings"])' "['sh-download', 'sh-pipe-to-shell']"
printf 'class A { void f() throws Exception { Runtime.getRuntime().exec("id"); } }\n' >"$T/A.java"
run check --json -p "$T/all.yaml" "$T/A.java"
check "java rules fire on a .java file" json_is '[f["rule"] for f in j[0]["findings"]]' "['java-runtime-exec']"
printf 'anything\n' >"$T/notes.txt"
run check --json -p "$T/all.yaml" "$T/notes.txt"
check "unknown_language: deny denies a source of unknown language" \
	json_is '(j[0]["verdict"], [f["rule"] for f in j[0]["findings"]])' "('deny', ['unknown-language'])"
run check --json -p "$T/py.yaml" "$T/notes.txt"
check "unknown language by default: ignored" json_is 'j[0]["verdict"]' pass

# max_findings: the rest are counted in one more finding, by rule.
policy few <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml], max_findings: 2}
EOF
printf 'eval(1)\neval(2)\neval(3)\nexec(4)\nexec(5)\n' >"$T/many.py"
run check --json -p "$T/few.yaml" "$T/many.py"
check "max_findings 2: two listed and one counting the rest" \
	json_is '[f["rule"] for f in j[0]["findings"]]' "['py-eval', 'py-eval', 'more-findings']"
check "max_findings: the count names each rule" \
	json_is 'j[0]["findings"][2]["message"]' "3 more findings not listed (max_findings 2): py-eval 1 py-exec 2"
check "max_findings: the counted findings still deny" json_is 'j[0]["verdict"]' deny

# cordon run: denied sources never run; clean ones do.
printf 'import os\nopen("%s/ran", "w").close()\nos.system("true")\n' "$T" >"$T/side.py"
run run -p "$T/py.yaml" "$T/side.py"
check "run: denied (126)" rc_is 126
check "run: the denied program never ran" [ ! -e "$T/ran" ]
check "run: findings on stderr" err_has "py-os-system"
printf 'print(sum(range(10)))\n' >"$T/ok.py"
run run -p "$T/py.yaml" "$T/ok.py"
check "run: a clean source runs" out_is 45
run run --json -p "$T/py.yaml" "$T/side.py"
check "run --json: status denied with the finding" \
	json_is '(j["status"], "py-os-system" in [f["rule"] for f in j["findings"]])' "('denied', True)"

# A match-limit failure fails closed.
policy limit <<'EOF'
stack:
  - module: pattern_scan
    with:
      match_limit: 1000
      rules:
        - {id: slow, pattern: '(\w+\s?)+$', severity: info, description: backtracks, languages: [python]}
EOF
python3 -c "print('a' * 40 + '!')" >"$T/slow.py"
run check --json -p "$T/limit.yaml" "$T/slow.py"
# The module could not decide: an error (125), never a pass, and not a
# denial either (nothing was decided about the source).
check "match limit: never a pass (verdict error)" json_is 'j[0]["verdict"]' error
check "match limit: the error names the rule and the limit" \
	json_is '"match limit" in j[0]["error"] and "slow" in j[0]["error"]' True
run check -p "$T/limit.yaml" "$T/slow.py"
check "match limit: exit 125" rc_is 125

# Bad input: never a crash.
head -c 300000 /dev/urandom >"$T/bin.py"
run check --json -p "$T/all.yaml" "$T/bin.py"
check "binary garbage: a verdict, no crash" sh -c "[ $rc -eq 0 ] || [ $rc -eq 126 ]"
check "binary garbage: the JSON parses" json_is 'j[0]["verdict"] in ("pass", "deny")' True
printf '\377\376 x = "\303(" ; eval("\377\200\001") \355\240\200\n' >"$T/bad-utf8.py"
run check --json -p "$T/py.yaml" "$T/bad-utf8.py"
check "invalid UTF-8: found at its column (bytes that are not UTF-8 count as one)" \
	json_is '[(f["rule"], f["line"], f["column"]) for f in j[0]["findings"]]' "[('py-eval', 1, 15)]"
check "invalid UTF-8: the matched text is sanitised" \
	json_is 'j[0]["findings"][0]["message"]' 'eval runs a string as code (called or referenced) (matched "eval")'
python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    for i in range(400000):
        f.write('x_%d = [i * 2 for i in range(10)]  # a comment\n' % i)
    f.write('exec(x)\n')
" "$T/huge.py"
run check --json -p "$T/py.yaml" "$T/huge.py"
check "a 19 MB source: the finding on its last line" \
	json_is '[(f["rule"], f["line"]) for f in j[0]["findings"]]' "[('py-exec', 400001)]"
printf 'x = """never closed\nos.system("id")  # still found\n' >"$T/unterm.py"
run check --json -p "$T/py.yaml" "$T/unterm.py"
check "an unterminated string: scanned as it is, still found" \
	json_is '"py-os-system" in [f["rule"] for f in j[0]["findings"]]' True
: >"$T/empty.py"
run check --json -p "$T/py.yaml" "$T/empty.py"
check "an empty source passes" json_is 'j[0]["verdict"]' pass

# ---- one pass for all rules (the prefilter) ----
# The same sources under the same rules with the prefilter on (default)
# and off (every rule over the whole source): byte-identical results.
# Sources: every rule's examples per language, long files made of them
# (mixed line ends, past the automaton's stream cuts and the 1 KiB line
# checkpoints), and 80 files of the Python standard library where present
# (tests/unit_engine compares the engines over all of it).
for pf in on off; do
	v=true
	[ "$pf" = off ] && v=false
	policy "pf-$pf" <<EOF
stack:
  - module: pattern_scan
    with:
      rules: [$RULES/python.yaml, $RULES/javascript.yaml, $RULES/shell.yaml, $RULES/java.yaml]
      threshold: info
      max_findings: 10000
      prefilter: $v
EOF
done
mkdir "$T/corpus"
python3 - "$RULES" "$T/corpus" <<'EOF'
import os, random, sys, yaml
rules, out = sys.argv[1], sys.argv[2]
rnd = random.Random(14)
for lang, ext in (('python', 'py'), ('javascript', 'js'), ('shell', 'sh'), ('java', 'java')):
    ex = []
    for r in yaml.safe_load(open(os.path.join(rules, lang + '.yaml')))['rules']:
        ex += r['examples']['match'] + r['examples']['no_match']
    open(os.path.join(out, 'examples.' + ext), 'w').write('\n'.join(ex) + '\n')
    for k in range(3):
        parts = []
        while sum(map(len, parts)) < 70000:
            e = rnd.choice(ex)
            parts.append(e[rnd.randrange(len(e)):] if rnd.random() < 0.2 else e)
            parts.append(rnd.choice(['\n', '\r\n', '\r', ' ', '', '(', "'", '.', '\t', '\\\n', '\u00e9']))
        open(os.path.join(out, 'long%d.%s' % (k, ext)), 'w').write(''.join(parts))
EOF
set -- "$T"/corpus/*
n_std=0
for f in /usr/lib/python3*/*.py; do
	[ -f "$f" ] && [ "$n_std" -lt 80 ] || continue
	set -- "$@" "$f"
	n_std=$((n_std + 1))
done
run check --json -p "$T/pf-on.yaml" "$@"
cp "$T/out" "$T/pf-on.json"
rc_on=$rc
run check --json -p "$T/pf-off.yaml" "$@"
check "prefilter on and off: byte-identical results over $# sources ($n_std from the Python library)" \
	sh -c "[ $rc_on -eq 126 ] && [ $rc -eq 126 ] && cmp -s '$T/pf-on.json' '$T/out'"
check "... and the sources do have findings" \
	python3 -c 'import json,sys; sys.exit(0 if sum(len(r["findings"]) for r in json.load(open(sys.argv[1]))) > 500 else 1)' \
	"$T/pf-on.json"

# Lines and columns far into a source: every match of an inline rule,
# against an independent count (lines end at LF, CRLF or a lone CR;
# columns count the bytes that are not UTF-8 continuation bytes).
policy every <<'EOF'
stack:
  - module: pattern_scan
    with:
      rules: [{id: ev, pattern: 'eval', severity: info, description: d, languages: [python]}]
      skip_comments: false
      max_findings: 10000
EOF
python3 - "$T/lines.py" "$T/lines.want" <<'EOF'
import random, re, sys
rnd = random.Random(7)
pieces = [b'eval', b'x', b' ', b'\n', b'\r\n', b'\r', b'\xc3\xa9', b'\xe2\x82\xac', b'\x80', b'\xff', b'\t', b'ev']
src = b''.join(rnd.choice(pieces) for _ in range(30000))
open(sys.argv[1], 'wb').write(src)
want, line, col, i = [], 1, 1, 0
for m in re.finditer(b'eval', src):
    for i in range(i, m.start()):
        b = src[i]
        if b == 10 or (b == 13 and src[i + 1:i + 2] != b'\n'):
            line, col = line + 1, 1
        elif b != 13 and (b & 0xC0) != 0x80:
            col += 1
    i = m.start()
    want.append((line, col))
open(sys.argv[2], 'w').write(repr(want))
EOF
run check --json -p "$T/every.yaml" "$T/lines.py"
check "line and column of $(python3 -c 'import sys; print(len(eval(open(sys.argv[1]).read())))' "$T/lines.want") matches in a 60 KB source with mixed line ends" \
	json_is '[(f["line"], f["column"]) for f in j[0]["findings"]] == eval(open("'"$T/lines.want"'").read())' True

# What the engine did, in cordon -v: a rule without a literal is named
# with the reason; a source without the rules' literals costs no match
# attempt at all.
policy nolit <<EOF
stack:
  - module: pattern_scan
    with:
      rules:
        - $RULES/python.yaml
        - {id: nolit, pattern: '[a-z]+[^a-z\\s]', severity: info, description: d, languages: [python]}
EOF
printf 'x = [1, 2]\n' >"$T/plain.py"
run -v check -p "$T/nolit.yaml" "$T/plain.py"
check "-v: a rule with no usable literal is scanned whole, and says why" \
	err_has "rule 'nolit' (python) is scanned whole: no literal every match must contain"
check "-v: a source with none of the rules' literals: no PCRE2 call for them" \
	err_has "plain.py: 36 rules: 1 scanned whole, the rest at 0 literal hits (1 PCRE2 calls in all)"
policy e-prefilter <<EOF
stack:
  - module: pattern_scan
    with: {prefilter: sometimes, rules: [$RULES/python.yaml]}
EOF

# ---- policy errors: exit 125 with file:line:column and what was expected ----
bad() { # bad NAME EXPECTED-TEXT: the policy $T/NAME.yaml is refused
	run check -p "$T/$1.yaml" "$T/ok.py"
	if [ "$rc" -eq 125 ] && err_has "$2"; then
		ok "policy error ($1): $2"
	else
		not_ok "policy error ($1): $2"
		diag_run
	fi
}

policy e-regex <<'EOF'
stack:
  - module: pattern_scan
    with:
      rules:
        - {id: broken, pattern: 'ab(c', severity: high, description: d, languages: [python]}
EOF
bad e-regex "e-regex.yaml:5:33: pattern_scan: rule 'broken': invalid pattern at offset 4: missing closing parenthesis"
write_policy "$T/badrules.yaml" <<'EOF'
rules:
  - id: fine
    pattern: 'x'
    severity: low
    description: d
    languages: [python]
  - id: bad-class
    pattern: '[z-a]'
    severity: low
    description: d
    languages: [python]
EOF
policy e-regex-file <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$T/badrules.yaml]}
EOF
bad e-regex-file "badrules.yaml:8:14: pattern_scan: rule 'bad-class': invalid pattern at offset 3: range out of order in character class"
policy e-sev <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [{id: a, pattern: x, severity: urgent, description: d, languages: [python]}]}
EOF
bad e-sev "e-sev.yaml:3:50: pattern_scan: severity: expected info, low, medium, high or critical, found 'urgent'"
policy e-missing <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [./nope.yaml]}
EOF
bad e-missing "e-missing.yaml:3:20: pattern_scan: rules: cannot read rule file $T/./nope.yaml: no such file"
policy e-name <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [cobol]}
EOF
bad e-name "e-name.yaml:3:20: pattern_scan: rules: no rule set 'cobol' (looked for $T/rules/cobol.yaml"
policy e-dup <<'EOF'
stack:
  - module: pattern_scan
    with:
      rules:
        - {id: twice, pattern: x, severity: low, description: d, languages: [python]}
        - {id: twice, pattern: y, severity: low, description: d, languages: [python]}
EOF
bad e-dup "e-dup.yaml:6:16: pattern_scan: duplicate rule id 'twice' (first defined at $T/e-dup.yaml:5:11)"
policy e-dup-sets <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml, $RULES/python.yaml]}
EOF
bad e-dup-sets "duplicate rule id 'py-os-system' (first defined at"
policy e-disable <<EOF
stack:
  - module: pattern_scan
    with: {rules: [python], disable: [py-os-system, py-nonesuch]}
EOF
bad e-disable "e-disable.yaml:3:53: pattern_scan: disable: no rule with id 'py-nonesuch' among the loaded rules"
policy e-threshold <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml], threshold: severe}
EOF
bad e-threshold "pattern_scan: threshold: expected one of info, low, medium, high, critical, found 'severe'"
policy e-thr-type <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml], threshold: [high]}
EOF
bad e-thr-type "threshold"
policy e-norules <<'EOF'
stack:
  - module: pattern_scan
    with: {threshold: high}
EOF
bad e-norules "rules"
policy e-empty <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: []}
EOF
bad e-empty "rules: expected at least one rule set or rule"
policy e-item <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [[python]]}
EOF
bad e-item "rules: expected a rule-set name, a path or an inline rule, found a sequence"
policy e-key <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [{id: a, pattern: x, severity: low, description: d, languages: [python], colour: red}]}
EOF
bad e-key "unknown key 'colour'"
policy e-lang <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [{id: a, pattern: x, severity: low, description: d, languages: [cobol]}]}
EOF
bad e-lang "languages: expected python, javascript, shell or java, found 'cobol'"
policy e-nolang <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [{id: a, pattern: x, severity: low, description: d}]}
EOF
bad e-nolang "rule 'a': missing key 'languages'"
policy e-nopat <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [{id: a, severity: low, description: d, languages: [python]}]}
EOF
bad e-nopat "rule: missing key 'pattern'"
policy e-pattype <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [{id: a, pattern: [x], severity: low, description: d, languages: [python]}]}
EOF
bad e-pattype "pattern: expected a string, found a sequence"
policy e-id <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [{id: 'a b', pattern: x, severity: low, description: d, languages: [python]}]}
EOF
bad e-id "id: expected letters, digits, '-', '_' or '.' (at most 64), found 'a b'"
policy e-max <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml], max_findings: 0}
EOF
bad e-max "max_findings"
policy e-unk <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml], unknown_language: maybe}
EOF
bad e-unk "pattern_scan: unknown_language: expected one of ignore, deny, found 'maybe'"
policy e-examples <<'EOF'
stack:
  - module: pattern_scan
    with: {rules: [{id: a, pattern: x, severity: low, description: d, languages: [python], examples: {match: x}}]}
EOF
bad e-examples "examples: expected a sequence of strings, found a scalar"
write_policy "$T/notmap.yaml" <<'EOF'
- id: a
EOF
policy e-notmap <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$T/notmap.yaml]}
EOF
bad e-notmap "notmap.yaml:1:1: pattern_scan: rule file: expected a mapping with 'rules:', found a sequence"
write_policy "$T/writable.yaml" <<'EOF'
rules: []
EOF
chmod 0666 "$T/writable.yaml"
policy e-trust <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$T/writable.yaml]}
EOF
bad e-trust "writable"
write_policy "$T/badyaml.yaml" <<'EOF'
rules: [ {id: a
EOF
policy e-yaml <<EOF
stack:
  - module: pattern_scan
    with: {rules: [$T/badyaml.yaml]}
EOF
bad e-yaml "badyaml.yaml"
bad e-prefilter "e-prefilter.yaml:3:23: pattern_scan: prefilter: expected true or false, found 'sometimes'"

# `cordon exec` without --source checks nothing: the scanners stay unbuilt
# (module ABI 1.7, checks_expected); every pattern is still compiled, so a
# bad one still stops the run; with --source they are built and scan it.
policy ex <<EOF
isolation: none
stack:
  - module: pattern_scan
    with: {rules: [$RULES/python.yaml]}
EOF
run -v exec -p "$T/ex.yaml" -- /bin/echo launched
check "exec without --source: runs" rc_is 0
check "exec without --source: the scanners are left unbuilt" err_has "no source will be checked: the scanners are left unbuilt"
check "exec without --source: the program's output" out_has launched
run -v exec -p "$T/ex.yaml" --source "$T/sys.py" -- /bin/cat "$T/sys.py"
check "exec --source: the source is scanned and denied (126)" rc_is 126
check "exec --source: the scanners were built at load (no 'left unbuilt')" sh -c '! grep -q "left unbuilt" "$1"' sh "$T/err"
run -v check -p "$T/ex.yaml" "$T/sys.py"
check "check: built at load, denied" sh -c '[ "$1" -eq 126 ] && ! grep -q "left unbuilt" "$2"' sh "$rc" "$T/err"
policy ex-bad <<EOF
isolation: none
stack:
  - module: pattern_scan
    with:
      rules:
        - {id: bad, pattern: 'a(b', severity: low, description: d, languages: [python]}
EOF
run exec -p "$T/ex-bad.yaml" -- /bin/echo launched
check "exec without --source: a bad pattern is still a policy error (125)" rc_is 125
check "exec without --source: the error names the rule" err_has "rule 'bad': invalid pattern"
check "exec without --source: nothing ran" sh -c '! grep -q launched "$1"' sh "$T/out"

done_testing
