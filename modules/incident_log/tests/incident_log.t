#!/bin/sh
# modules/incident_log/tests/incident_log.t - the incident log through the
# real cordon: a record for each kind of incident, the fields' formats, the
# chain under 40 concurrent runs, kill -9 of cordon mid-run, tampering found
# by `cordon log verify` at the right line, unopenable paths as policy
# errors, the default path, and the syslog line.
. "$(dirname "$0")/../../../tests/lib.sh"

LOG="$T/log.jsonl"
MODDIR="$(cd "$(dirname "$CORDON")/../lib/cordon/modules" 2>/dev/null && pwd)"
echo 'print("hello")' >"$T/ok.py"

# policy FILE WITH [STACK ENTRIES BEFORE incident_log]: a policy ending in incident_log.
policy() {
	_f=$1
	_w=$2
	shift 2
	{
		echo "interpreter: [/usr/bin/python3, -I, -B]"
		echo "stack:"
		for _e in "$@"; do printf '%s\n' "$_e"; done
		echo "  - module: incident_log"
		echo "    with: {$_w}"
	} >"$_f"
	chmod 0644 "$_f"
}

# rec EXPR [N]: a Python expression over record N (default: the last) of $LOG as r.
rec() {
	python3 -c 'import json,sys
lines=open(sys.argv[1]).read().split("\n")[:-1]
r=json.loads(lines[int(sys.argv[3])-1 if len(sys.argv)>3 else -1])
print(eval(sys.argv[2]))' "$LOG" "$@"
}
rec_is() { [ "$(rec "$1")" = "$2" ]; }
lines_are() { [ "$(wc -l <"$1" | tr -d ' ')" = "$2" ]; }
verify_ok() {
	"$CORDON" log verify "$1" >"$T/vout" 2>"$T/verr"
	[ $? -eq 0 ] && grep -q "^OK: $2 record" "$T/vout"
}
# verify_says FILE TEXT: verify exits 1 and prints TEXT.
verify_says() {
	"$CORDON" log verify "$1" >"$T/vout" 2>"$T/verr"
	_v=$?
	[ $_v -eq 1 ] && grep -qF -- "$2" "$T/vout" || {
		diag "verify exit $_v: $(cat "$T/vout" "$T/verr")"
		false
	}
}

# ---- denied, with findings; the record's fields ----

policy "$T/deny.yaml" "path: $LOG" "  - module: tm_a" "    with: {verdict: deny, findings: 2}"
run run -p "$T/deny.yaml" "$T/ok.py"
check "denied run: 126" rc_is 126
check "denied: one record" lines_are "$LOG" 1
check "denied: kinds [denied]" rec_is 'r["kinds"]' "['denied']"
check "denied: status denied, exit 126, exit_code and signal null" \
	rec_is '(r["status"], r["exit"], r["exit_code"], r["signal"])' "('denied', 126, None, None)"
check "denied: mode enforce" rec_is 'r["mode"]' "enforce"

# Audit mode: the same denial runs, and is still recorded (kind audit);
# its own log, so the counts below stay those of $LOG.
MAINLOG=$LOG
LOG="$T/audit.jsonl"
policy "$T/audit-deny.yaml" "path: $LOG" "  - module: tm_a" "    with: {verdict: deny, findings: 2}"
run run --audit -p "$T/audit-deny.yaml" "$T/ok.py"
check "audit: the program ran (0)" rc_is 0
check "audit: a record" lines_are "$LOG" 1
check "audit: kinds [audit], mode audit, status ok, both findings" \
	rec_is '(r["kinds"], r["mode"], r["status"], len(r["findings"]))' "(['audit'], 'audit', 'ok', 2)"
policy "$T/audit-clean.yaml" "path: $LOG"
run run --audit -p "$T/audit-clean.yaml" "$T/ok.py"
check "audit without findings: no record" lines_are "$LOG" 1
LOG=$MAINLOG
check "denied: both findings, with module, rule, severity, line" \
	rec_is '[(f["module"], f["rule"], f["severity"], f["line"]) for f in r["findings"]]' \
	"[('tm_a', 't-finding', 'medium', 1), ('tm_a', 't-finding', 'medium', 2)]"
check "time: RFC 3339 with milliseconds and an offset" \
	rec_is 'bool(__import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", r["time"]))' True
check "time: within a minute of now" \
	rec_is 'abs(__import__("datetime").datetime.fromisoformat(r["time"]).timestamp() - __import__("time").time()) < 60' True
check "uid and user are the invoking user's" rec_is '(r["uid"], r["user"])' "($(id -u), '$(id -un)')"
check "host is the host name" rec_is 'r["host"] == __import__("socket").gethostname()' True
check "policy is the policy's name" rec_is 'r["policy"]' deny
check "sha256 is that of the code" rec_is 'r["sha256"]' "$(sha256sum "$T/ok.py" | cut -d' ' -f1)"
check "code_bytes is its size" rec_is 'r["code_bytes"]' "$(wc -c <"$T/ok.py" | tr -d ' ')"
check "cordon_version is the running cordon's" rec_is 'r["cordon_version"]' "$("$CORDON" --version | cut -d' ' -f2)"
check "usage: wall_ms, cpu_ms, max_rss_kb" rec_is 'sorted(r["usage"])' "['cpu_ms', 'max_rss_kb', 'wall_ms']"
check "the first record's prev is 64 zeros" rec_is 'r["prev"]' "$(printf '0%.0s' $(seq 64))"
check "the pid is cordon's (a number)" rec_is 'type(r["pid"]).__name__' int
check "the log is mode 0600" sh -c "[ \"\$(stat -c %a '$LOG')\" = 600 ]"
check "verify: OK: 1 record" verify_ok "$LOG" 1

# ---- no incident: no record, unless all_runs ----

policy "$T/quiet.yaml" "path: $LOG"
run run -p "$T/quiet.yaml" "$T/ok.py"
check "an ok run: exit 0" rc_is 0
check "an ok run is no incident: no record" lines_are "$LOG" 1
run exec -p "$T/quiet.yaml" -- sh -c 'exit 3'
check "a failed run (exit 3) is no incident either" lines_are "$LOG" 1

policy "$T/all.yaml" "path: $LOG, all_runs: true, fsync: false"
run run -p "$T/all.yaml" "$T/ok.py"
check "all_runs: an ok run is recorded" lines_are "$LOG" 2
check "all_runs: kinds [], status ok, exit_code 0" rec_is '(r["kinds"], r["status"], r["exit_code"])' "([], 'ok', 0)"
run exec -p "$T/all.yaml" -- true
check "exec without --source: sha256 and code_bytes null" rec_is '(r["sha256"], r["code_bytes"])' "(None, None)"
check "the second record links to the first" verify_ok "$LOG" 3

# ---- limits, signals, confinement failure ----

policy "$T/wall.yaml" "path: $LOG" "  - module: rlimit" "    with: {wall: 1s}"
run exec -p "$T/wall.yaml" -- sleep 30
check "wall limit: 124" rc_is 124
check "wall limit: kinds [limit], limit wall, status timeout" \
	rec_is '(r["kinds"], r["limit"], r["status"], r["exit"])' "(['limit'], 'wall', 'timeout', 124)"

policy "$T/out.yaml" "path: $LOG" "  - module: rlimit" "    with: {output: 1K, wall: 60s}"
run exec -p "$T/out.yaml" -- sh -c 'while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done'
check "output limit: kinds [limit], limit output" rec_is '(r["kinds"], r["limit"])' "(['limit'], 'output')"

policy "$T/cpu.yaml" "path: $LOG" "  - module: rlimit" "    with: {cpu: 1s, wall: 60s}"
run exec -p "$T/cpu.yaml" -- sh -c 'while :; do :; done'
check "cpu limit: kinds [limit] (not signal), limit cpu, signal 9" \
	rec_is '(r["kinds"], r["limit"], r["signal"])' "(['limit'], 'cpu', 9)"

echo 'import os; os.kill(os.getpid(), 9)' >"$T/kill.py"
run run -p "$T/quiet.yaml" "$T/kill.py"
check "killed by signal 9: 137" rc_is 137
check "killed: kinds [signal], signal 9, status killed, limit null" \
	rec_is '(r["kinds"], r["signal"], r["status"], r["limit"])' "(['signal'], 9, 'killed', None)"
check "killed: sha256 of the script" rec_is 'r["sha256"]' "$(sha256sum "$T/kill.py" | cut -d' ' -f1)"

policy "$T/conf.yaml" "path: $LOG" "  - module: tm_a" "    with: {confine: fail}"
run exec -p "$T/conf.yaml" -- touch "$T/ran"
check "confinement failure: 125, nothing ran" sh -c "[ $rc -eq 125 ] && [ ! -e '$T/ran' ]"
check "confinement failure: kinds include error, status error" \
	rec_is '("error" in r["kinds"], r["status"], r["exit"])' "(True, 'error', 125)"
check "confinement failure: the error is in the record" rec_is '"failing as asked" in r["error"]' True

policy "$T/opt.yaml" "path: $LOG" "  - module: tm_a" "    control: optional" "    with: {confine: fail}"
run exec -p "$T/opt.yaml" -- true
check "an optional module that failed: the run went on (0)" rc_is 0
check "an optional module that failed: kinds [module_error], its warning recorded" \
	rec_is '(r["kinds"], r["status"], any("confine failed" in w for w in r["warnings"]))' "(['module_error'], 'ok', True)"

# ---- a record that cannot be written makes the run an error ----

: >"$T/held.jsonl"
chmod 0600 "$T/held.jsonl"
# One process holds the lock (so that killing it lets go) and says when.
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1])
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(120)' "$T/held.jsonl" "$T/held" >/dev/null 2>&1 &
hpid=$!
n=0
while [ ! -e "$T/held" ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
policy "$T/held.yaml" "path: $T/held.jsonl, lock_timeout: 200ms" "  - module: tm_a" "    with: {verdict: deny}"
run run -p "$T/held.yaml" "$T/ok.py"
kill $hpid
wait $hpid 2>/dev/null
check "log locked by someone else past lock_timeout: 125, saying so" \
	sh -c "[ $rc -eq 125 ] && grep -q 'held.jsonl: the log stayed locked' '$T/err'"
check "and nothing was written" sh -c "[ ! -s '$T/held.jsonl' ]"

# ---- seccomp: findings of the module named seccomp (a stand-in built here) ----

if command -v cc >/dev/null 2>&1; then
	mkdir -p "$T/mods"
	cat >"$T/mods/fake.c" <<'EOF2'
#include <cordon/module.h>
static int fin(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	(void)state;
	if (info->signal == 31)
		cordon_finding(ctx, "syscall-blocked", CORDON_SEV_HIGH, 0, 0, "blocked a system call");
	return 0;
}
CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION, .size = sizeof(struct cordon_module), .name = "seccomp",
	.description = "stand-in reporting SIGSYS as seccomp does", .finish = fin,
};
EOF2
	if cc -shared -fPIC -fvisibility=hidden -I"$CORDON_SRCDIR/include" -o "$T/mods/cordon_seccomp.so" \
		"$T/mods/fake.c" 2>"$T/cc.err"; then
		chmod 0755 "$T/mods/cordon_seccomp.so"
		policy "$T/sc.yaml" "path: $LOG" "  - module: $T/mods/cordon_seccomp.so"
		run exec -p "$T/sc.yaml" -- sh -c 'kill -SYS $$'
		check "seccomp finding (added by a finish hook before incident_log): kinds [signal, seccomp]" \
			rec_is 'r["kinds"]' "['signal', 'seccomp']"
		check "seccomp: the finding is in the record" \
			rec_is '[(f["module"], f["rule"]) for f in r["findings"]]' "[('seccomp', 'syscall-blocked')]"
	else
		not_ok "compile the seccomp stand-in"
		diag "$(cat "$T/cc.err")"
	fi
else
	skip "seccomp stand-in: no C compiler"
fi

# ---- redactions (the redact module, when it is built) ----

if [ -n "$MODDIR" ] && [ -e "$MODDIR/cordon_redact.so" ]; then
	policy "$T/red.yaml" "path: $LOG" "  - module: redact"
	run exec -p "$T/red.yaml" --json -- sh -c 'echo "key AKIAZ3MJWQ7X5RTPLK4N and ghp_Abcdefghijklmnopqrstuvwxyz0123456789"'
	check "redactions: kinds [redaction], counts from the result" \
		rec_is '("redaction" in r["kinds"], sum(x["count"] for x in r["redactions"]) > 0, r["redactions"][0]["module"])' \
		"(True, True, 'redact')"
else
	skip "redactions: cordon_redact.so is not built"
fi

check "after every kind: the log verifies" sh -c "\"$CORDON\" log verify '$LOG' | grep -q '^OK: '"

# ---- the log descriptor does not reach the program ----

run exec -p "$T/all.yaml" -- sh -c 'ls -l /proc/$$/fd'
check "the program does not inherit the log's descriptor" sh -c "! grep -q 'log.jsonl' '$T/out'"

# ---- size bound ----

policy "$T/big.yaml" "path: $T/big.jsonl, max_record: 4K" "  - module: tm_a" "    with: {verdict: deny, findings: 100}"
run run -p "$T/big.yaml" "$T/ok.py"
check "max_record 4K: the record fits with its newline" sh -c "[ \$(wc -c <'$T/big.jsonl') -le 4096 ]"
check "max_record: findings dropped from the end, counted" sh -c \
	"LOG='$T/big.jsonl'; python3 -c 'import json;r=json.loads(open(\"$T/big.jsonl\").readline());assert 0<len(r[\"findings\"])<100 and len(r[\"findings\"])+r[\"findings_dropped\"]==100'"
check "max_record: still a valid chain" verify_ok "$T/big.jsonl" 1

# ---- 40 concurrent runs append to one log ----

CLOG="$T/conc.jsonl"
policy "$T/cdeny.yaml" "path: $CLOG" "  - module: tm_a" "    with: {verdict: deny, findings: 3}"
policy "$T/crun.yaml" "path: $CLOG, all_runs: true"
i=0
while [ $i -lt 40 ]; do
	if [ $((i % 2)) -eq 0 ]; then
		"$CORDON" run -p "$T/cdeny.yaml" "$T/ok.py" >/dev/null 2>&1 &
	else
		"$CORDON" exec -p "$T/crun.yaml" -- sh -c "echo $i" >/dev/null 2>&1 &
	fi
	i=$((i + 1))
done
wait
check "40 concurrent runs: 40 lines" lines_are "$CLOG" 40
check "40 concurrent runs: the chain verifies" verify_ok "$CLOG" 40
check "40 concurrent runs: 40 different cordon processes" sh -c \
	"[ \$(python3 -c 'import json,sys;print(len({json.loads(l)[\"pid\"] for l in open(sys.argv[1])}))' '$CLOG') = 40 ]"

# ---- kill -9 of cordon mid-run ----

KLOG="$T/kill.jsonl"
policy "$T/k.yaml" "path: $KLOG, all_runs: true"
"$CORDON" exec -p "$T/k.yaml" -- true >/dev/null 2>&1
"$CORDON" exec -p "$T/k.yaml" -- sh -c "touch '$T/started'; exec sleep 60" >/dev/null 2>&1 &
kpid=$!
n=0
while [ ! -e "$T/started" ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
kill -9 $kpid
wait $kpid 2>/dev/null
check "kill -9 mid-run: the log still verifies (1 record)" verify_ok "$KLOG" 1
"$CORDON" exec -p "$T/k.yaml" -- true >/dev/null 2>&1
check "kill -9 mid-run: the next run appends and the chain holds" verify_ok "$KLOG" 2

# ---- tampering ----

TLOG="$T/tamper.jsonl"
policy "$T/t.yaml" "path: $TLOG" "  - module: tm_a" "    with: {verdict: deny, findings: 1}"
for k in 1 2 3 4 5 6; do "$CORDON" run -p "$T/t.yaml" "$T/ok.py" >/dev/null 2>&1; done
check "six records verify" verify_ok "$TLOG" 6
check "verify prints the last record's hash" sh -c \
	"grep -q \"last sha256 \$(tail -n 1 '$TLOG' | tr -d '\\n' | sha256sum | cut -d' ' -f1)\" '$T/vout'"

# edit LINE PYTHON-EXPR-OVER-s: write $T/x.jsonl with line LINE replaced.
edit() {
	python3 -c 'import sys
ls=open(sys.argv[1]).read().split("\n")
i=int(sys.argv[2])-1; s=ls[i]; ls[i]=eval(sys.argv[3])
open(sys.argv[4],"w").write("\n".join(ls))' "$TLOG" "$1" "$2" "$T/x.jsonl"
}
edit 3 's.replace("\"pid\":", "\"pid\":1", 1)'
check "a byte added in line 3 (still JSON): found at line 4" verify_says "$T/x.jsonl" "x.jsonl:4: prev does not match line 3 (record removed or altered)"
edit 3 's.replace("finding 1", "finding 2", 1)'
check "a byte changed in line 3: found at line 4" verify_says "$T/x.jsonl" "x.jsonl:4: prev does not match line 3"
edit 3 '"x" + s[1:]'
check "line 3 no longer JSON: found at line 3" verify_says "$T/x.jsonl" "x.jsonl:3: not valid JSON"
sed '3d' "$TLOG" >"$T/x.jsonl"
check "line 3 deleted: found at line 3" verify_says "$T/x.jsonl" "x.jsonl:3: prev does not match line 2 (record removed or altered)"
sed -n '2p' "$TLOG" >"$T/l2"
sed '2d' "$TLOG" | sed "2r $T/l2" >"$T/x.jsonl"
check "lines 2 and 3 swapped: found at line 2" verify_says "$T/x.jsonl" "x.jsonl:2: prev does not match line 1"
sed '1d' "$TLOG" >"$T/x.jsonl"
check "line 1 deleted: found at line 1" verify_says "$T/x.jsonl" "x.jsonl:1: prev is not the start of a log"
sed '4{p}' "$TLOG" >"$T/x.jsonl"
check "line 4 duplicated: found at line 5" verify_says "$T/x.jsonl" "x.jsonl:5: prev does not match line 4"
edit 2 's.replace("\"prev\":\"", "\"prev\":\"x", 1)'
check "a prev that is not a sha256: found at line 2" verify_says "$T/x.jsonl" "x.jsonl:2: not a record"
{ head -n 2 "$TLOG"; echo; tail -n +3 "$TLOG"; } >"$T/x.jsonl"
check "an empty line inserted: found at line 3" verify_says "$T/x.jsonl" "x.jsonl:3: empty line"

# A torn last record (a writer killed inside its write, which Linux cuts
# short between pages on a fatal signal): verify reports it on stderr, does
# not count it and still passes; the next append cuts it off (with a
# warning in that run's result) and links to the last whole record.
cp "$TLOG" "$T/torn.jsonl"
truncate -s -7 "$T/torn.jsonl"
"$CORDON" log verify "$T/torn.jsonl" >"$T/vout" 2>"$T/verr"
check "a torn last record: verify passes (exit 0) over the 5 whole records" \
	sh -c '[ $1 -eq 0 ] && grep -q "^OK: 5 records (last sha256 [0-9a-f]*) and a torn last record" "$2"' sh $? "$T/vout"
check "... and says on stderr where the torn record is and why it is not counted" \
	grep -qF "torn.jsonl:6: a torn last record (" "$T/verr"
policy "$T/torn.yaml" "path: $T/torn.jsonl" "  - module: tm_a" "    with: {verdict: deny}"
run run --json -p "$T/torn.yaml" "$T/ok.py"
check "the next run cuts the torn record off, with a warning in its result" \
	jtrue 'any("cut off a torn last record (" in w for w in j["warnings"])'
check "after the cut: 6 whole records, the chain verifies" verify_ok "$T/torn.jsonl" 6
check "nothing is left of the torn record" lines_are "$T/torn.jsonl" 6
check "the new record links to line 5, the last whole one" sh -c \
	"[ \"\$(sed -n 5p '$T/torn.jsonl' | tr -d '\\n' | sha256sum | cut -d' ' -f1)\" = \"\$(tail -n 1 '$T/torn.jsonl' | python3 -c 'import json,sys;print(json.load(sys.stdin)[\"prev\"])')\" ]"

# ---- cordon log: usage ----

run log
check "log without a subcommand: 125" rc_is 125
run log verify
check "log verify without FILE: 125" rc_is 125
run log verify a b
check "log verify with two FILEs: 125" rc_is 125
run log frob x
check "log with an unknown subcommand: 125" rc_is 125
run log verify "$T/nonexistent.jsonl"
check "log verify of a missing file: 125, says why" sh -c "[ $rc -eq 125 ] && grep -q 'No such file' '$T/err'"
run log verify "$T"
check "log verify of a directory: 125" rc_is 125
: >"$T/empty.jsonl"
check "an empty log: OK: 0 records" verify_ok "$T/empty.jsonl" 0
run log --help
check "log --help: exit 0, usage" sh -c "[ $rc -eq 0 ] && grep -q 'cordon log verify FILE' '$T/out'"
run --help
check "cordon --help mentions log verify" out_has "cordon log verify FILE"

# ---- a path that cannot be opened is a policy error ----

# path_error YAML-PATH-VALUE TEXT: run and lint fail with 125, naming the path node's file:line and TEXT.
path_error() {
	policy "$T/bad.yaml" "path: $1" "  - module: tm_a" "    with: {verdict: pass}"
	_line=$(grep -n 'path:' "$T/bad.yaml" | cut -d: -f1)
	rm -f "$T/ran"
	run exec -p "$T/bad.yaml" -- touch "$T/ran"
	[ "$rc" -eq 125 ] && [ ! -e "$T/ran" ] && err_has "$T/bad.yaml:$_line:" && err_has "$2" && {
		run policy lint "$T/bad.yaml"
		[ "$rc" -eq 125 ] && err_has "$2"
	}
}
check "missing directory: 125 with file:line and strerror" path_error "$T/nodir/log.jsonl" "No such file or directory"
check "a directory: 125" path_error "$T" "Is a directory"
ln -s "$LOG" "$T/symlink.jsonl"
check "a symbolic link: 125" path_error "$T/symlink.jsonl" "symbolic link"
: >"$T/ww.jsonl"
chmod 0666 "$T/ww.jsonl"
check "a world-writable log: 125" path_error "$T/ww.jsonl" "world-writable"
if is_root; then
	: >"$T/theirs.jsonl"
	chown 65534 "$T/theirs.jsonl"
	check "as root, a log owned by another user: 125" path_error "$T/theirs.jsonl" "owned by uid 65534"
else
	mkdir "$T/ro"
	chmod 0500 "$T/ro"
	check "a directory the user cannot write: 125" path_error "$T/ro/log.jsonl" "Permission denied"
fi
policy "$T/badfac.yaml" "path: $LOG, syslog: true, facility: kernel"
run policy lint "$T/badfac.yaml"
check "an unknown facility: 125 naming it" sh -c "[ $rc -eq 125 ] && grep -q 'badfac.yaml:4:.*facility: expected' '$T/err'"
policy "$T/badsz.yaml" "path: $LOG, max_record: 100"
run policy lint "$T/badsz.yaml"
check "max_record below 4K: 125" rc_is 125

# A relative path is taken from the policy file's directory.
mkdir -p "$T/pdir"
policy "$T/pdir/rel.yaml" "path: rel.jsonl" "  - module: tm_a" "    with: {verdict: deny}"
run run -p "$T/pdir/rel.yaml" "$T/ok.py"
check "a relative path: next to the policy file" lines_are "$T/pdir/rel.jsonl" 1

# ---- the default path ----

policy "$T/def.yaml" "all_runs: true"
if is_root; then
	# In a mount namespace with a fresh /var/log, so the host's is untouched.
	if env -u LOGS_DIRECTORY unshare -m sh -c "mount -t tmpfs tmpfs /var/log && \"$CORDON\" exec -p '$T/def.yaml' -- true &&
		stat -c '%a %s' /var/log/cordon /var/log/cordon/incidents.jsonl >'$T/def.out'" 2>"$T/def.err"; then
		check "root: /var/log/cordon/incidents.jsonl, directory 0700, file 0600" \
			sh -c "[ \"\$(head -n1 '$T/def.out' | cut -d' ' -f1)\" = 700 ] && [ \"\$(tail -n1 '$T/def.out' | cut -d' ' -f1)\" = 600 ]"
	else
		skip "root default path: no mount namespace ($(head -n1 "$T/def.err"))"
	fi
else
	env -u LOGS_DIRECTORY XDG_STATE_HOME="$T/state" "$CORDON" exec -p "$T/def.yaml" -- true >/dev/null 2>&1
	check "default path: \$XDG_STATE_HOME/cordon/incidents.jsonl" lines_are "$T/state/cordon/incidents.jsonl" 1
	check "default path: the directory is created 0700" sh -c "[ \"\$(stat -c %a '$T/state/cordon')\" = 700 ]"
	mkdir "$T/home"
	env -u LOGS_DIRECTORY -u XDG_STATE_HOME HOME="$T/home" "$CORDON" exec -p "$T/def.yaml" -- true >/dev/null 2>&1
	check "default path without XDG_STATE_HOME: ~/.local/state/cordon/incidents.jsonl" \
		lines_are "$T/home/.local/state/cordon/incidents.jsonl" 1
fi

# ---- syslog ----

# A syslog socket of our own at /dev/log, in a mount namespace (root only).
cat >"$T/syslogd.py" <<'EOF2'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
open(sys.argv[2] + ".ready", "w").close()
s.settimeout(30)
with open(sys.argv[2], "wb") as f:
    f.write(s.recv(65536) + b"\n")
EOF2
SLOG="$T/sys.jsonl"
policy "$T/sys.yaml" "path: $SLOG, syslog: true, facility: local3" "  - module: tm_a" "    with: {verdict: deny}"
if is_root && unshare -m true 2>/dev/null; then
	unshare -m sh -c "
		touch '$T/null' && mount --bind /dev/null '$T/null' && mount -t tmpfs tmpfs /dev &&
		touch /dev/null && mount --bind '$T/null' /dev/null || exit 99
		python3 '$T/syslogd.py' /dev/log '$T/syslog.out' & sp=\$!
		n=0; while [ ! -e '$T/syslog.out.ready' ] && [ \$n -lt 100 ]; do sleep 0.1; n=\$((n+1)); done
		\"$CORDON\" run -p '$T/sys.yaml' '$T/ok.py' >/dev/null 2>&1
		wait \$sp" 2>"$T/sys.err"
	src=$?
	if [ $src -eq 99 ]; then
		skip "syslog: cannot set up a private /dev/log ($(head -n1 "$T/sys.err"))"
	else
		check "syslog: one line at local3.warning, tagged cordon, with the pid" \
			sh -c "grep -q '^<156>.* cordon: incident policy=sys uid=0 user=root pid=[0-9]* kinds=denied status=denied exit=126' '$T/syslog.out'"
		check "syslog: the line carries the record's sha256" \
			sh -c "grep -q \"record=\$(head -n 1 '$SLOG' | tr -d '\\n' | sha256sum | cut -d' ' -f1)\" '$T/syslog.out'"
		check "syslog: and the code's sha256" sh -c "grep -q \"sha256=\$(sha256sum '$T/ok.py' | cut -d' ' -f1) \" '$T/syslog.out'"
	fi
else
	skip "syslog: needs root for a private /dev/log"
fi

done_testing
