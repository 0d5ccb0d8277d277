#!/bin/sh
# tests/control-flags.t - the control flags' truth table (DESIGN.md "Control
# flags"), over test modules whose verdicts each case sets.  Every case
# asserts the outcome, which modules' hooks ran, and that nothing ran when the
# run was denied or failed to confine.
. "$(dirname "$0")/lib.sh"

echo 'print("x")' >"$T/src.py"

# policy NAME ENTRIES: a stack of test modules; each entry is
# "module:control:verdict[:extra yaml]".
policy() {
	_f="$T/$1.yaml"
	shift
	{
		echo "stack:"
		for _e in "$@"; do
			_m=${_e%%:*}
			_r=${_e#*:}
			_c=${_r%%:*}
			_r=${_r#*:}
			_v=${_r%%:*}
			_x=""
			case $_r in *:*) _x=", ${_r#*:}" ;; esac
			echo "  - module: $_m"
			echo "    control: $_c"
			echo "    with: {verdict: $_v, log: $T/log$_x}"
		done
	} >"$_f"
	chmod 0644 "$_f"
	echo "$_f"
}

# case_run NAME: run `exec --source` with the policy, logging hook calls.
case_run() {
	: >"$T/log"
	rm -f "$T/ran"
	run exec -p "$1" --json --source "$T/src.py" -- sh -c "touch $T/ran"
}

ran() { [ -e "$T/ran" ]; }
not_ran() { [ ! -e "$T/ran" ]; }
# Check hooks run in the confined checker, which cannot write the log:
# testmod says "trace: NAME check" in the result's warnings instead.
checked() { json_get '"\n".join(j["warnings"])' | grep -q "^$1: trace: $1 check\$"; }
not_checked() { ! checked "$1"; }
status_is() { [ "$(json_get 'j["status"]')" = "$1" ]; }
verdict_of() { [ "$(json_get "[m['verdict'] for m in j['modules'] if m['name']=='$1'][0]")" = "$2" ]; }
nfindings() { [ "$(json_get 'len(j["findings"])')" = "$1" ]; }

# ---- check phase ----

p=$(policy req-deny "tm_a:required:deny:findings: 2" "tm_b:required:deny:findings: 1" "tm_c:required:pass")
case_run "$p"
check "required deny: denied with 126" rc_is 126
check "required deny: nothing ran" not_ran
check "required deny: later checks still run (all findings reported)" eval "checked tm_b && checked tm_c"
check "required deny: findings of both denials are reported (3)" nfindings 3
check "required deny: status denied, exit_code null" sh -c '[ "$(python3 -c "import json;j=json.load(open(\"'"$T"'/out\"));print(j[\"status\"],j[\"exit_code\"])")" = "denied None" ]'

p=$(policy requisite-deny "tm_a:requisite:deny:findings: 1" "tm_b:required:pass")
case_run "$p"
check "requisite deny: denied" rc_is 126
check "requisite deny: stops at once (next check not run)" not_checked tm_b
check "requisite deny: the module after it is reported not-run" verdict_of tm_b not-run
check "requisite deny: nothing ran" not_ran

p=$(policy requisite-pass "tm_a:requisite:pass" "tm_b:required:pass")
case_run "$p"
check "requisite pass: the run goes on" ran
check "requisite pass: next check runs" checked tm_b

p=$(policy suff-first "tm_a:sufficient:pass" "tm_b:required:deny")
case_run "$p"
check "sufficient pass first: the check phase ends as passed" rc_is 0
check "sufficient pass first: the program ran" ran
check "sufficient pass first: the later required check is not run" not_checked tm_b

p=$(policy suff-after-fail "tm_a:required:deny:findings: 1" "tm_b:sufficient:pass" "tm_c:required:pass")
case_run "$p"
check "sufficient pass after a required failure: still denied" rc_is 126
check "sufficient pass after a required failure: later checks run" checked tm_c
check "sufficient pass after a required failure: nothing ran" not_ran

p=$(policy suff-deny "tm_a:sufficient:deny:findings: 1" "tm_b:required:pass")
case_run "$p"
check "sufficient deny: does not decide, the run goes on" ran
check "sufficient deny: its verdict is still reported" verdict_of tm_a deny

p=$(policy suff-error "tm_a:sufficient:error" "tm_b:required:pass")
case_run "$p"
check "sufficient error: does not decide" ran

p=$(policy opt-deny "tm_a:optional:deny:findings: 1" "tm_b:required:pass")
case_run "$p"
check "optional deny: never decides, the program ran" ran
check "optional deny: reported as deny in modules" verdict_of tm_a deny
check "optional deny: its finding is still reported" nfindings 1

p=$(policy opt-error "tm_a:optional:error")
case_run "$p"
check "optional error: the program ran" ran
check "optional error: reported as a warning" sh -c "grep -q 'could not check' $T/out"

p=$(policy req-error "tm_a:required:error" "tm_b:required:pass")
case_run "$p"
# A module that could not decide is not a denial: an error (125), at once.
check "required error: fails closed as an error (125), not a denial" rc_is 125
check "required error: status error, naming the module and why" \
	jtrue 'j["status"] == "error" and j["error"].startswith("tm_a could not check") and "erring as asked" in j["error"]'
check "required error: stops at once (the next check is not run)" not_checked tm_b
check "required error: nothing ran" not_ran

p=$(policy requisite-error "tm_a:requisite:error" "tm_b:required:pass")
case_run "$p"
check "requisite error: an error (125)" rc_is 125
check "requisite error: stops at once" not_checked tm_b

p=$(policy req-bogus "tm_a:required:bogus")
case_run "$p"
check "a verdict outside the set counts as an error (125)" rc_is 125
check "a verdict outside the set: nothing ran" not_ran

p=$(policy req-ignore "tm_a:required:ignore" "tm_b:requisite:ignore")
case_run "$p"
check "all ignore: nothing objected, the program ran" ran

p=$(policy deny-nofinding "tm_a:required:deny")
case_run "$p"
check "a denial without findings still carries one" nfindings 1
check "that finding names the module" sh -c "[ \"\$(python3 -c 'import json;j=json.load(open(\"$T/out\"));print(j[\"findings\"][0][\"module\"])')\" = tm_a ]"

: >"$T/log"
run exec -p "$T/req-deny.yaml" --json -- sh -c "touch $T/ran"
check "exec without --source: nothing to check, the program ran" ran
check "exec without --source: check modules are reported skipped" verdict_of tm_a skipped
check "exec without --source: no check hook was called" not_checked tm_a

# ---- prepare, confine, filter, finish ----

p=$(policy prep-fail "tm_a:required:pass:prepare: fail" "tm_b:required:pass")
case_run "$p"
check "required prepare failure: 125" rc_is 125
check "required prepare failure: nothing ran" not_ran
check "required prepare failure: the error names the module" sh -c "grep -q 'tm_a: prepare failed' $T/out"

p=$(policy prep-opt "tm_a:optional:pass:prepare: fail")
case_run "$p"
check "optional prepare failure: the program ran" ran
check "optional prepare failure: a warning says so" sh -c "grep -q 'prepare failed' $T/out"

for c in required requisite sufficient; do
	p=$(policy "conf-$c" "tm_a:$c:pass:confine: fail")
	case_run "$p"
	check "$c confine failure: 125" rc_is 125
	check "$c confine failure: nothing ran" not_ran
done
check "a confine failure names the module and the step" sh -c "grep -q 'tm_a: confine failed, nothing was run: tm_confine' $T/out"

p=$(policy conf-opt "tm_a:optional:pass:confine: fail")
case_run "$p"
check "optional confine failure: the program ran" ran
check "optional confine failure: a warning says so" sh -c "grep -q 'confine failed (optional' $T/out"

p=$(policy fin-fail "tm_a:required:pass:finish: fail")
case_run "$p"
check "required finish failure: the run is an error (125)" rc_is 125
p=$(policy fin-opt "tm_a:optional:pass:finish: fail")
case_run "$p"
check "optional finish failure: only a warning (0)" rc_is 0

p=$(policy filters "tm_a:required:pass:filter: upper" "tm_b:required:pass:filter: tag")
run exec -p "$p" -- sh -c 'echo abc'
check "filters chain in stack order (upper, then tag at eof)" out_is "ABC
[eof]"

# ---- the order of phases ----
p=$(policy order "tm_a:required:pass" "tm_b:required:pass")
: >"$T/log"
run exec -p "$p" --source "$T/src.py" -- true
want="tm_a open
tm_b open
tm_a prepare
tm_b prepare
tm_a confine
tm_b confine
tm_a finish
tm_b finish
tm_b close
tm_a close"
check "hooks run phase by phase in stack order, close in reverse" sh -c "[ \"\$(grep -v status= $T/log)\" = \"$want\" ]"
: >"$T/log"
run exec -p "$p" -- true
check "cordon exec without --source (it exits without freeing the policy): the close hooks still run, in reverse" \
	sh -c "[ \"\$(grep close $T/log)\" = \"tm_b close
tm_a close\" ]"
run exec -p "$p" --json --source "$T/src.py" -- true
check "check hooks run in stack order (in the checker, between open and prepare)" \
	json_is '[w for w in j["warnings"] if ": trace: " in w]' "['tm_a: trace: tm_a check', 'tm_b: trace: tm_b check']"


# ---- audit mode: `mode: audit` and --audit ----
# A policy file with `mode: audit` on its first line.
audit_policy() {
	_f=$(policy "$@")
	{ echo "mode: audit"; cat "$_f"; } >"$_f.tmp" && mv "$_f.tmp" "$_f"
	chmod 0644 "$_f"
	echo "$_f"
}
warned() { json_get '"\n".join(j["warnings"])' | grep -qF -- "$1"; }

p=$(audit_policy aud-req "tm_a:requisite:deny:findings: 2" "tm_c:sufficient:pass" "tm_b:required:deny:findings: 1")
case_run "$p"
check "audit: a requisite and two required denials: the program runs (0)" rc_is 0
check "audit: the program ran" ran
check "audit: status ok, mode audit" jtrue 'j["status"] == "ok" and j["mode"] == "audit"'
check "audit: every module is checked, also after requisite and sufficient" eval "checked tm_c && checked tm_b"
check "audit: every finding is kept (2 + 1)" nfindings 3
check "audit: the modules keep their verdicts (deny)" verdict_of tm_a deny
both_warned() { warned "audit: tm_a (requisite) would have denied" && warned "audit: tm_b (required) would have denied"; }
check "audit: a warning names each module that would have denied" both_warned
check "audit: modules see the mode (run_audit)" sh -c "grep -qx 'tm_a audit' $T/log"

p=$(audit_policy aud-err "tm_a:required:error")
case_run "$p"
check "audit: a module error still fails closed (125, nothing ran)" sh -c "[ $rc = 125 ] && [ ! -e $T/ran ]"

p=$(policy aud-cli "tm_a:requisite:deny:findings: 1")
: >"$T/log"
rm -f "$T/ran"
run exec --audit -p "$p" --json --source "$T/src.py" -- sh -c "touch $T/ran"
check "--audit on an enforcing policy: the denial is reported, the program runs" sh -c "[ $rc = 0 ] && [ -e $T/ran ]"
check "--audit: the result says mode audit" jtrue 'j["mode"] == "audit"'
case_run "$p"
check "without --audit the same policy denies (126)" rc_is 126
check "without --audit: mode enforce" jtrue 'j["mode"] == "enforce"'
check "without --audit modules see enforce" sh -c "! grep -qx 'tm_a audit' $T/log"
run check --audit -p "$p" "$T/src.py"
check "--audit is refused by check (usage error, 125)" sh -c "[ $rc = 125 ] && grep -q 'for run and exec' $T/err"
p=$(audit_policy aud-check "tm_a:requisite:deny:findings: 1")
run check -p "$p" "$T/src.py"
check "check with a 'mode: audit' policy still reports the denial (126)" rc_is 126
run policy show "$p"
check "policy show prints the mode" sh -c "grep -qx 'mode: audit' $T/out"

printf 'mode: learn\nstack: []\n' >"$T/badmode.yaml"
run policy lint "$T/badmode.yaml"
check "mode: an unknown value is a policy error naming file:line" sh -c "[ $rc = 125 ] && grep -q 'badmode.yaml:1:7: mode: expected enforce or audit' $T/err"
printf 'mode: audit\nstack: []\n' >"$T/piece.yaml"
printf 'include: piece.yaml\nstack: []\n' >"$T/incmode.yaml"
chmod 0644 "$T/piece.yaml" "$T/incmode.yaml" "$T/badmode.yaml"
run policy lint "$T/incmode.yaml"
check "mode: in an included file is an error" sh -c "[ $rc = 125 ] && grep -q 'only the top-level policy file sets the mode' $T/err"

done_testing
