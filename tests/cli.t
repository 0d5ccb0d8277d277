#!/bin/sh
# tests/cli.t - the cordon command line (DESIGN.md "Command line"): help and
# version, usage errors, policy lookup, `check` like a compiler, `policy
# list|show|lint`, `modules`, and the default policy running a real script.
. "$(dirname "$0")/lib.sh"

run --help
check "--help: exit 0" rc_is 0
check "--help: shows the commands" out_has "cordon exec"
run --version
check "--version: names the module ABI" sh -c "grep -q '^cordon [0-9.]* (module ABI 1\\.[0-9][0-9]*)' '$T/out'"
run
check "no command: usage error 125" rc_is 125
run frobnicate
check "unknown command: 125" rc_is 125
check "unknown command: says what was expected" err_has "unknown command 'frobnicate' (expected run, exec, check, policy, modules, log, selftest, mcp, serve, stop, resume or ps)"
run run --bogus x.py
check "unknown option: 125" rc_is 125
check "unknown option: named" err_has "unknown option '--bogus'"
run run
check "run without SOURCE: 125 with a hint" sh -c "[ $rc -eq 125 ] && grep -q 'expected a SOURCE' '$T/err'"
run exec
check "exec without COMMAND: 125" rc_is 125
run run --source x.py y.py
check "--source is for exec only" err_has "--source is for exec"
run run a.py b.py
check "run takes one SOURCE" err_has "unexpected argument 'b.py'"

# ---- policy lookup ----
mkdir -p "$T/pd" "$T/pd2"
chmod 0755 "$T/pd" "$T/pd2"
write_policy "$T/pd/mine.yaml" <<'EOF2'
description: a test policy
env: {MARK: from-pd}
stack: []
EOF2
write_policy "$T/pd2/mine.yaml" <<'EOF2'
env: {MARK: from-pd2}
stack: []
EOF2
run exec -p mine --policy-dir "$T/pd" -- sh -c 'echo $MARK'
check "--policy-dir after the command finds NAME" out_is from-pd
run --policy-dir "$T/pd" exec -p mine -- sh -c 'echo $MARK'
check "--policy-dir before the command finds NAME" out_is from-pd
CORDON_POLICY_DIR="$T/pd2" "$CORDON" exec -p mine -- sh -c 'echo $MARK' >"$T/out" 2>"$T/err"
check "\$CORDON_POLICY_DIR finds NAME" out_is from-pd2
CORDON_POLICY_DIR="$T/pd2" "$CORDON" --policy-dir "$T/pd" exec -p mine -- sh -c 'echo $MARK' >"$T/out" 2>"$T/err"
check "--policy-dir is searched before \$CORDON_POLICY_DIR" out_is from-pd
run exec -p "$T/pd2/mine.yaml" -- sh -c 'echo $MARK'
check "-p PATH loads that file" out_is from-pd2
run exec -p nosuchpolicy --policy-dir "$T/pd" -- true
check "a missing policy NAME: 125" rc_is 125
check "a missing policy NAME: lists where it looked" err_has "policy 'nosuchpolicy' not found (searched: $T/pd/nosuchpolicy.yaml"
run exec -p "../evil" -- true
check "a NAME with a slash is a path, not a name search" err_has "../evil"

# ---- the policy name ----
run policy show "$T/pd/mine.yaml"
check "policy show: 0" rc_is 0
check "policy show: the name defaults to the file stem" out_has "name: mine"
check "policy show: env resolved" out_has 'MARK: "from-pd"'

# ---- includes and show ----
write_policy "$T/pd/base.yaml" <<'EOF2'
interpreter: [/bin/sh]
env: {A: base, B: base}
stack:
  - module: tm_a
    with: {verdict: pass}
EOF2
write_policy "$T/pd/top.yaml" <<'EOF2'
name: top
env: {B: top}
include: [base]
stack:
  - module: tm_b
    control: optional
  - include: tail
EOF2
write_policy "$T/pd/tail.yaml" <<'EOF2'
env: {A: tail}
stack:
  - module: tm_c
EOF2
run --policy-dir "$T/pd" policy show top
check "policy show NAME: 0" rc_is 0
check "policy show: modules of includes spliced in place (a, b, c)" sh -c "[ \"\$(grep -- '- module:' '$T/out' | tr -d ' ')\" = '-module:tm_a
-module:tm_b
-module:tm_c' ]"
check "policy show: each entry says where it was written" out_has "$T/pd/base.yaml:4:5"
check "policy show: the including file's env wins" out_has 'B: "top"'
check "policy show: a later include's env overrides an earlier one's" out_has 'A: "tail"'
check "policy show: the included interpreter is used" out_has "interpreter: [/bin/sh]"

# ---- policy list and lint ----
run --policy-dir "$T/pd" policy list
check "policy list: 0" rc_is 0
check "policy list: lists the policies of --policy-dir" sh -c "grep -q '^base ' '$T/out' && grep -q '^mine ' '$T/out' && grep -q '^top ' '$T/out'"
check "policy list: includes the shipped default" sh -c "grep -q '^default ' '$T/out'"
write_policy "$T/bad.yaml" <<'EOF2'
stack:
  - modul: tm_a
EOF2
run policy lint "$T/pd/mine.yaml" "$T/bad.yaml"
check "policy lint: 125 when one file is bad" rc_is 125
check "policy lint: the good one is ok" out_has "$T/pd/mine.yaml: ok (policy 'mine')"
check "policy lint: the bad one names file:line:column" err_has "$T/bad.yaml:2:5: unknown key 'modul'"
run policy lint "$T/pd/mine.yaml"
check "policy lint: 0 when all are good" rc_is 0
run policy frob
check "policy: an unknown subcommand is a usage error" rc_is 125

# ---- modules ----
run modules
check "modules: 0" rc_is 0
check "modules: lists rlimit with its ABI" sh -c "grep -q '^rlimit  *ABI 1\\.[0-9]' '$T/out'"
check "modules: lists the test modules on CORDON_MODULE_PATH" sh -c "grep -q '^tm_a ' '$T/out'"
check "modules: a broken module is listed with why" sh -c "grep -q 'badabi' '$T/out' && grep -q 'ABI 2.3' '$T/out'"
run modules rlimit
check "modules NAME: its argument table, with types, bounds and help" \
	sh -c "grep -q '^rlimit (ABI 1\.[0-9]*) ' '$T/out' && grep -Eq '^ +processes +integer +processes of the user .*\[1\.\.1000000\]' '$T/out' && grep -Eq '^ +wall +duration +wall-clock time' '$T/out'"
run modules tm_req
check "modules NAME: a required argument says so" sh -c "grep -Eq '^ +[a-z_]+ +[a-z]+, required ' '$T/out'"
run modules nosuchmodule
check "modules NAME of a missing module: 125, says where it looked" eval 'rc_is 125 && err_has "not found"'
run modules a b
check "modules with two names: usage error (125)" rc_is 125

# ---- check: findings printed in source order, not rule order ----
write_policy "$T/order.yaml" <<'EOF2'
stack:
  - module: pattern_scan
    with:
      rules:
        - {id: zz-late, pattern: 'second', severity: low, description: d, languages: [python]}
        - {id: aa-early, pattern: 'first', severity: low, description: d, languages: [python]}
EOF2
printf 'x = "second"\ny = "first"\nz = "second"\n' >"$T/order.py"
run check -p "$T/order.yaml" "$T/order.py"
check "check: text findings in line order (1, 2, 3), whatever the rule order" \
	sh -c '[ "$(cut -d: -f2 "$1" | tr "\n" " ")" = "1 2 3 " ]' sh "$T/out"

# ---- check ----
write_policy "$T/chk.yaml" <<EOF2
stack:
  - module: tm_a
    with: {verdict: deny, findings: 2}
EOF2
write_policy "$T/pass.yaml" <<'EOF2'
stack:
  - module: tm_a
EOF2
printf 'a\nb\n' >"$T/one.py"
printf 'c\n' >"$T/two.py"
run check -p "$T/chk.yaml" "$T/one.py" "$T/two.py"
check "check: 126 when denied" rc_is 126
check "check: findings printed like a compiler" out_has "$T/one.py:1:1: medium: finding 1 of tm_a (4 bytes) [tm_a/t-finding]"
check "check: every file is checked" out_has "$T/two.py:2:1: medium: finding 2 of tm_a (2 bytes) [tm_a/t-finding]"
run check -p "$T/pass.yaml" "$T/one.py"
check "check: 0 when every file passes" rc_is 0
check "check: prints nothing when it passes" out_is ""
run check -p "$T/pass.yaml" "$T/one.py" "$T/missing.py"
check "check: an unreadable file is an error (125)" rc_is 125
check "check: the error names the file" err_has "$T/missing.py: cannot read the source"
run check -p "$T/chk.yaml" --json "$T/one.py" "$T/two.py"
check "check --json: an array of one object per file" json_is '[o["file"].split("/")[-1] for o in j]' "['one.py', 'two.py']"
check "check --json: verdict and findings per file" json_is '[o["verdict"] for o in j]+[len(o["findings"]) for o in j]' "['deny', 'deny', 2, 2]"
printf 'x\n' | "$CORDON" check -p "$T/chk.yaml" - >"$T/out" 2>"$T/err"
check "check -: reads stdin, named <stdin>" out_has "<stdin>:1:1: medium"

# ---- run: the default policy with a real untrusted script ----
if [ -x /usr/bin/python3 ]; then
	cat >"$T/hello.py" <<'EOF2'
import os, sys
print("hello", sum(range(10)))
print("argv", sys.argv[0])
print("env", sorted(k for k in os.environ if k != "LC_CTYPE"))
EOF2
	SECRET_TOKEN=leak run run "$T/hello.py"
	check "run: the default policy runs a Python script (exit 0)" rc_is 0
	check "run: its output passes through" out_has "hello 45"
	check "run: the script runs from the sealed memfd" out_has "argv /proc/self/fd/3"
	check "run: only the policy's environment" out_has "env ['HOME', 'LANG', 'PATH']"
	run run --json "$T/hello.py"
	check "run --json: status ok" json_is 'j["status"]' ok
	check "run --json: the policy is default" json_is 'j["policy"]' default
	printf 'print(6*7)\n' | "$CORDON" run - >"$T/out" 2>"$T/err"
	check "run -: the source from stdin" out_is 42
else
	skip "python3 is not installed: default policy run"
fi

# The source size limit (64 MiB), for a file (copied in the kernel) and for
# a pipe (read and written).
write_policy "$T/nocheck.yaml" <<'EOF2'
stack:
  - module: rlimit
EOF2
truncate -s 67108865 "$T/huge.py"
run check -p "$T/nocheck.yaml" "$T/huge.py"
check "a source file over 64 MiB is refused (125), naming the limit" \
	sh -c "[ $rc = 125 ] && grep -q 'larger than 67108864 bytes' '$T/err'"
truncate -s 67108864 "$T/max.py"
run check -p "$T/nocheck.yaml" "$T/max.py"
check "a source file of exactly 64 MiB is taken" rc_is 0
run_huge_pipe() { head -c 67108865 /dev/zero | "$CORDON" check -p "$T/nocheck.yaml" - >"$T/out" 2>"$T/err"; rc=$?; }
run_huge_pipe
check "a source over 64 MiB on a pipe is refused (125)" \
	sh -c "[ $rc = 125 ] && grep -q 'larger than 67108864 bytes' '$T/err'"
rm -f "$T/huge.py" "$T/max.py"
printf 'print("same bytes")\n' >"$T/small.py"
run exec -p "$T/nocheck.yaml" --source "$T/small.py" -- cat "$T/small.py"
check "exec --source: the program reads the sealed copy of a file" out_is 'print("same bytes")'

done_testing
