#!/bin/sh
# tests/tighten.t - adjusting a policy without copying it, and per call.
#
# `override: true` merges an entry's `with:` keys (and control) into the
# entry of the same module that an include put in the stack; `policy show`
# prints every argument with the file:line it came from; relative includes
# resolve through the policy search path.  --limit, --no-network,
# --deny-import and --pattern tighten the loaded policy for one call, are
# refused naming the policy's value when they would loosen it, and every
# result lists them under "tightened".
. "$(dirname "$0")/lib.sh"

echo 'print("hello")' >"$T/ok.py"
printf 'import json\nprint(json.dumps({"a": 1}))\n' >"$T/json.py"
mkdir -p "$T/elsewhere"

# pol FILE LINES...: write a policy file, one argument a line.
pol() {
	_f=$1
	shift
	printf '%s\n' "$@" >"$_f"
	chmod 0644 "$_f"
}

# ---- override: true ----

pol "$T/mine.yaml" "name: mine" "include: [production]" "stack:" \
	"  - module: rlimit" "    override: true" "    with: {memory: 128M, wall: 5s}" \
	"  - module: pattern_scan" "    override: true" "    control: requisite"
run policy show "$T/mine.yaml"
check "override: the policy loads (0)" rc_is 0
check "override: the merged value, with the overriding file:line" \
	grep -q "^      memory: 128M  # $T/mine.yaml:6\$" "$T/out"
check "override: an included value kept, with the preset's file:line" \
	grep -q "^      cpu: 5s  # .*/production.yaml:[0-9]*\$" "$T/out"
check "override: the entry keeps its place (rlimit after pattern_scan, once)" \
	sh -c "[ \$(grep -c 'module: rlimit' '$T/out') -eq 1 ] && grep -n 'module:' '$T/out' | head -2 | tail -1 | grep -q rlimit"
check "override: control replaced" sh -c "grep -A1 'module: pattern_scan' '$T/out' | grep -q 'control: requisite'"
run run -p "$T/mine.yaml" --json "$T/ok.py"
check "override: the adjusted preset runs a script (0)" rc_is 0

pol "$T/nobase.yaml" "include: [production]" "stack:" \
	"  - module: landlock" "    override: true" "    with: {network: none}"
run run -p "$T/nobase.yaml" "$T/ok.py"
check "override of a module the stack lacks: 125 at its file:line" \
	sh -c "[ $rc -eq 125 ] && grep -q \"$T/nobase.yaml:3:5: override: no stack entry of module 'landlock'\" '$T/err'"

pol "$T/dup.yaml" "include: [production]" "stack:" "  - module: rlimit" "    with: {memory: 128M}"
run run -p "$T/dup.yaml" "$T/ok.py"
check "a second entry without override: the error says how to override" \
	sh -c "[ $rc -eq 125 ] && grep -q \"add 'override: true'\" '$T/err'"

pol "$T/badval.yaml" "include: [production]" "stack:" \
	"  - module: rlimit" "    override: true" "    with: {memory: lots}"
run run -p "$T/badval.yaml" "$T/ok.py"
check "an overriding value is validated where it is written" \
	sh -c "[ $rc -eq 125 ] && grep -q '$T/badval.yaml:5:[0-9]*: .*memory' '$T/err'"

pol "$T/badflag.yaml" "include: [production]" "stack:" "  - module: rlimit" "    override: maybe"
run run -p "$T/badflag.yaml" "$T/ok.py"
check "override: maybe is an error naming true or false" \
	sh -c "[ $rc -eq 125 ] && grep -q \"$T/badflag.yaml:4:[0-9]*: override: expected true or false, found 'maybe'\" '$T/err'"

pol "$T/badwith.yaml" "include: [production]" "stack:" \
	"  - module: rlimit" "    override: true" "    with: [memory]"
run run -p "$T/badwith.yaml" "$T/ok.py"
check "override: a with that is not a mapping is an error" \
	sh -c "[ $rc -eq 125 ] && grep -q 'badwith.yaml:5:[0-9]*: with: expected a mapping' '$T/err'"

# A policy outside policies.d includes a base piece by its relative path.
pol "$T/elsewhere/pieces.yaml" "name: pieces" "include: [base/python.yaml, base/isolation.yaml]"
run policy show "$T/elsewhere/pieces.yaml"
check "include base/... from any directory resolves through the search path" \
	sh -c "[ $rc -eq 0 ] && grep -q 'module: namespaces' '$T/out'"
pol "$T/elsewhere/missing.yaml" "include: [base/nothing-here.yaml]"
run policy show "$T/elsewhere/missing.yaml"
check "an include found nowhere: 125 naming the path beside the including file" \
	sh -c "[ $rc -eq 125 ] && grep -q \"missing.yaml:1:[0-9]*: include: .*elsewhere/base/nothing-here.yaml\" '$T/err'"

# ---- per-call settings ----

run run -p default --json "$T/ok.py"
check "no per-call settings: tightened is []" jtrue 'j["tightened"] == []'

run run -p default --json --limit memory=128M --limit wall=2s "$T/ok.py"
check "--limit below the policy's: runs (0)" rc_is 0
check "--limit: the result lists the settings" jtrue 'j["tightened"] == ["limit:memory=128M", "limit:wall=2s"]'

run run -p default --limit memory=4G "$T/ok.py"
check "--limit above the policy's: 125, naming the policy's value and file:line" \
	sh -c "[ $rc -eq 125 ] && grep -q \"would loosen policy 'default' (memory: 512M at .*default.yaml:[0-9]*)\" '$T/err'"
check "--limit above: nothing ran" sh -c "! grep -q hello '$T/out'"

run run -p default --limit output_dir=1G "$T/ok.py"
check "--limit of a key the policy leaves to its default: above it refused" \
	sh -c "[ $rc -eq 125 ] && grep -q 'output_dir is not set there: 64M by default' '$T/err'"
run run -p default --json --limit output_dir=1M "$T/ok.py"
check "--limit of a key left to its default: below it accepted" rc_is 0

run run -p default --limit cpu=unlimited "$T/ok.py"
check "--limit NAME=unlimited: refused" sh -c "[ $rc -eq 125 ] && grep -q 'cannot be unlimited' '$T/err'"
run run -p default --limit bogus=1 "$T/ok.py"
check "--limit of an unknown key: 125 listing the limits" \
	sh -c "[ $rc -eq 125 ] && grep -q \"'bogus' is not a limit (expected one of cpu, memory\" '$T/err'"
run run -p default --limit memory=lots "$T/ok.py"
check "--limit with a bad value: 125" sh -c "[ $rc -eq 125 ] && grep -q \"'lots' is not a size\" '$T/err'"
run run -p default --limit memory "$T/ok.py"
check "--limit without =: 125 naming the form" sh -c "[ $rc -eq 125 ] && grep -q 'expected limit:NAME=VALUE' '$T/err'"

# The time limit really is the smaller one.
run exec -p default --json --limit wall=1s -- sleep 5
check "--limit wall=1s holds (timeout, limit wall)" jtrue 'j["status"] == "timeout" and j["limit"] == "wall"'

run run -p default --json --deny-import json "$T/json.py"
check "--deny-import: an allowed import is denied (126)" rc_is 126
check "--deny-import: the finding and the setting are in the result" \
	jtrue 'any(f["rule"] == "import-denied" for f in j["findings"]) and j["tightened"] == ["deny-import:json"]'
check "--deny-import: the incident record lists the setting" \
	sh -c "tail -n1 '$T'/logs/*.jsonl | grep -q '\"tightened\":\[\"deny-import:json\"\]'"
run run -p default --deny-import 'os;x' "$T/ok.py"
check "--deny-import of what is not a module name: 125" \
	sh -c "[ $rc -eq 125 ] && grep -q 'is not a Python module name' '$T/err'"

run run -p default --json --pattern 'json\.dumps' "$T/json.py"
check "--pattern: a match denies (126) whatever the threshold" rc_is 126
check "--pattern: the finding is the per-call rule" jtrue 'j["findings"][0]["rule"] == "per-call-1"'
run run -p default --pattern '(' "$T/json.py"
check "--pattern that is not a regular expression: 125 naming per-call:1" \
	sh -c "[ $rc -eq 125 ] && grep -q 'per-call:1' '$T/err'"
run check -p default --json --pattern 'json\.dumps' "$T/json.py"
check "check --pattern: deny, and the setting recorded" \
	jtrue 'j[0]["verdict"] == "deny" and j[0]["tightened"] == ["pattern:json\\.dumps"]'

# --no-network: minimal shares the host's network namespace; per call, not.
hostnet=$(readlink /proc/self/ns/net)
run exec -p minimal -- readlink /proc/self/ns/net
check "minimal: the host's network namespace" out_is "$hostnet"
run exec -p minimal --no-network -- readlink /proc/self/ns/net
check "--no-network: a network namespace of its own" sh -c "[ $rc -eq 0 ] && [ \"\$(cat '$T/out')\" != '$hostnet' ] && [ -s '$T/out' ]"
run policy show --no-network minimal
check "policy show --no-network: network none, from per-call:1" grep -q 'network: "none"  # per-call:1' "$T/out"

pol "$T/bare.yaml" "isolation: none" "interpreter: [/usr/bin/python3]" "stack:" \
	"  - module: rlimit" "    with: {cpu: 2s}"
run run -p "$T/bare.yaml" --no-network "$T/ok.py"
check "--no-network with no isolation module: 125, nothing ran" \
	sh -c "[ $rc -eq 125 ] && grep -q 'no module with a network setting' '$T/err' && ! grep -q hello '$T/out'"
run run -p "$T/bare.yaml" --deny-import json "$T/ok.py"
check "--deny-import with no pyimport: 125" sh -c "[ $rc -eq 125 ] && grep -q 'no pyimport entry' '$T/err'"
run run -p "$T/bare.yaml" --pattern x "$T/ok.py"
check "--pattern with no pattern_scan: 125" sh -c "[ $rc -eq 125 ] && grep -q 'no pattern_scan entry' '$T/err'"
run run -p "$T/bare.yaml" --json --limit cpu=1s "$T/ok.py"
check "--limit on a policy of its own: runs" sh -c "[ $rc -eq 0 ] && grep -q hello '$T/out'"

run policy --limit memory=1M lint "$T/bare.yaml"
check "policy lint --limit: a usage error" sh -c "[ $rc -eq 125 ] && grep -q 'are for policy show' '$T/err'"
run modules --limit memory=1M
check "modules --limit: a usage error" rc_is 125

done_testing
