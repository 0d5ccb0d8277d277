#!/bin/sh
# tests/checker.t - check hooks run in a confined checker process
# (core/checker.c): a crash or a forbidden system call there is an error
# naming the module and the source (125), never cordon's death, a denial or
# a pass; the checker holds no descriptor of cordon's, runs without
# privileges and with no_new_privs; a failed checker is replaced for the
# next source.  Runs as root and as uid 65534.
. "$(dirname "$0")/lib.sh"

echo 'print("x")' >"$T/a.py"
echo 'print("y")' >"$T/b.py"
TM="$CORDON_TESTBIN/modules/cordon_tm_a.so"
pol() { # NAME VERDICT
	write_policy "$T/$1.yaml" <<EOF
stack:
  - module: $TM
    with: {verdict: $2}
  - module: $CORDON_TESTBIN/modules/cordon_tm_b.so
    with: {verdict: pass}
EOF
}

pol crash crash
rm -f "$T/ran"
run exec -p "$T/crash.yaml" --json --source "$T/a.py" -- touch "$T/ran"
check "a check module that crashes: 125, not cordon's death" rc_is 125
check "... the error names the module, the source and the signal" \
	jtrue 'j["status"] == "error" and j["error"].startswith("tm_a crashed on " ) and "a.py (SIGSEGV)" in j["error"]'
check "... nothing ran" test ! -e "$T/ran"
check "... the crashed module's verdict is error, the next one's not-run" \
	json_is '[m["verdict"] for m in j["modules"]]' "['error', 'not-run']"

pol sys syscall
run exec -p "$T/sys.yaml" --json --source "$T/a.py" -- true
check "a check hook that opens a file: killed by the checker's filter, an error (125)" \
	eval 'rc_is 125 && jtrue "\"SIGSYS, a system call the checker does not allow\" in j[\"error\"]"'

pol who whoami
run exec -p "$T/who.yaml" --json --source "$T/a.py" -- true
who=$(json_get '[f["message"] for f in j["findings"] if f["rule"] == "whoami"][0]')
if is_root; then
	check "as root the checker runs as uid 65534, gid 65534" sh -c 'case "$1" in "uid=65534 gid=65534 "*) exit 0;; esac; exit 1' sh "$who"
else
	check "the checker runs as the invoking user (no privileges to drop)" \
		sh -c 'case "$1" in "uid=$2 gid=$3 "*) exit 0;; esac; exit 1' sh "$who" "$(id -u)" "$(id -g)"
fi
check "the checker holds only 0, 1, 2 and its socket (no log, no caller descriptor)" \
	sh -c 'case "$1" in *" fds=0xf") exit 0;; esac; exit 1' sh "$who"
# A descriptor of the caller's is not there either.
exec 7<"$T/a.py"
run exec -p "$T/who.yaml" --json --source "$T/a.py" -- true
exec 7<&-
check "a caller's open descriptor (7) does not reach the checker" \
	jtrue 'any(f["rule"] == "whoami" and f["message"].endswith(" fds=0xf") for f in j["findings"])'

# cordon check: one checker for the batch; a crash ends that source's
# check as an error and the next source gets a new checker.
write_policy "$T/mixed.yaml" <<EOF
stack:
  - module: pattern_scan
    with: {rules: [python], threshold: high}
EOF
printf 'import os\nos.system("id")\n' >"$T/bad.py"
run check --json -p "$T/mixed.yaml" "$T/a.py" "$T/bad.py" "$T/b.py"
check "check of three files: pass, deny, pass in one checker" \
	json_is '[x["verdict"] for x in j]' "['pass', 'deny', 'pass']"
run check --json -p "$T/crash.yaml" "$T/a.py" "$T/b.py"
check "check: a crash is an error for each file, cordon goes on (125)" rc_is 125
check "check: both files' verdicts are error" json_is '[x["verdict"] for x in j]' "['error', 'error']"
check "check: each error names the file it crashed on" \
	json_is '["crashed on" in x["error"] and x["file"] in x["error"] for x in j]' "[True, True]"
check "check: not a denial (no 126, no deny verdict)" json_is '"deny" in [x["verdict"] for x in j]' False

# A module error is an error (125), a denial only when a module denies.
pol err error
run exec -p "$T/err.yaml" --source "$T/a.py" -- true
check "a module's error verdict: 125 with the reason, not 126" eval 'rc_is 125 && err_has "tm_a could not check"'

done_testing
