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
checked() { grep -qx "$1 check" "$T/log"; }
not_checked() { ! grep -qx "$1 check" "$T/log"; }
status_is() { [ "$(json_get 'j["status"]')" = "$1" ]; }
verdict_of() { [ "$(json_get "[m['verdict'] for m in j['modules'] if m['name']=='$1'][0]")" = "$2" ]; }
nfindings() { [ "$(json_get 'len(j["findings"])')" = "$1" ]; }

# ---- check phase ----

p=$(policy req-deny "tm_a:required:deny:findings: 2" "tm_b:required:deny:findings: 1" "tm_c:required:pass")
case_run "$p"
check "required deny: denied with 126" rc_is 126
check "required deny: nothing ran" not_ran
check "required deny: later checks still run (all findings reported)" sh -c "grep -qx 'tm_b check' $T/log && grep -qx 'tm_c check' $T/log"
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
check "required error: fails closed (126)" rc_is 126
check "required error: carries an error finding" sh -c "[ \"\$(python3 -c 'import json;j=json.load(open(\"$T/out\"));print(j[\"findings\"][0][\"rule\"])')\" = error ]"
check "required error: nothing ran" not_ran

p=$(policy requisite-error "tm_a:requisite:error" "tm_b:required:pass")
case_run "$p"
check "requisite error: denied" rc_is 126
check "requisite error: stops at once" not_checked tm_b

p=$(policy req-bogus "tm_a:required:bogus")
case_run "$p"
check "a verdict outside the set counts as an error: denied" rc_is 126
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
tm_a check
tm_b check
tm_a prepare
tm_b prepare
tm_a confine
tm_b confine
tm_a finish
tm_b finish
tm_b close
tm_a close"
check "hooks run phase by phase in stack order, close in reverse" sh -c "[ \"\$(grep -v status= $T/log)\" = \"$want\" ]"

done_testing
