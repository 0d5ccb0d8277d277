#!/bin/sh
# tests/supervisor.t - the supervisor (core/run.c) as users rely on it:
# exit statuses, the wall timeout and the process tree, output caps, cpu and
# file size limits, the child's environment and descriptors, the sealed
# source, session and parent-death signal, run mode, the --json result,
# confine and filter failures, cancellation.
#
# The probes (tests/probes/*.c, built into $PROBES) print what they observe
# and exit 0 when it is what cordon promises.
. "$(dirname "$0")/lib.sh"

M=$$ # makes the markers of this run's processes unique

# ---- helpers ----

absent() { [ ! -e "$1" ]; }
present() { [ -e "$1" ]; }

# gone PATTERN: no process whose command line matches PATTERN (waits up to
# 10 s for the kernel to finish tearing killed processes down).
gone() {
	_i=0
	while pgrep -f -- "$1" >/dev/null 2>&1; do
		_i=$((_i + 1))
		if [ "$_i" -gt 100 ]; then
			pgrep -af -- "$1" | sed 's/^/# still alive: /'
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	_n=$(($1 * 10))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.1
	done
	return 0
}

# started EXACT-CMDLINE: a process with exactly this command line exists.
started() { pgrep -xf -- "$1" >/dev/null 2>&1; }

# bg ARGS...: run cordon in the background; its pid lands in $T/bg.pid,
# its exit status in $T/bg.rc once it ends.
bg() {
	rm -f "$T/bg.pid" "$T/bg.rc"
	(
		sh -c 'echo $$ >"$0"; exec "$@"' "$T/bg.pid" "$CORDON" "$@" >"$T/out" 2>"$T/err" </dev/null
		echo $? >"$T/bg.rc"
	) &
	wait_for 10 test -s "$T/bg.pid"
	bg_pid=$(cat "$T/bg.pid")
}

# bg_wait SECONDS: wait for the background cordon; rc = its status (999: it
# did not end, and was killed).
bg_wait() {
	if wait_for "$1" test -s "$T/bg.rc"; then
		rc=$(cat "$T/bg.rc")
	else
		kill -KILL "$bg_pid" 2>/dev/null
		wait_for 10 test -s "$T/bg.rc"
		rc=999
	fi
	wait 2>/dev/null
}

# ---- policies ----

write_policy "$T/plain.yaml" <<'EOF'
name: plain
env: {PATH: /usr/bin:/bin, LANG: C, PROBE_VAR: "two words", EMPTY_VAR: ""}
stack:
  - module: rlimit
    with: {wall: 30s}
EOF

write_policy "$T/noenv.yaml" <<'EOF'
name: noenv
stack:
  - module: rlimit
    with: {wall: 30s}
EOF

write_policy "$T/shrun.yaml" <<'EOF'
name: shrun
interpreter: [/bin/sh]
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s}
EOF

write_policy "$T/nointerp.yaml" <<'EOF'
name: nointerp
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s}
EOF

write_policy "$T/badinterp.yaml" <<'EOF'
name: badinterp
interpreter: [/nonexistent/cordon-test/python3]
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s}
EOF

write_policy "$T/touchrun.yaml" <<EOF
name: touchrun
interpreter: [/usr/bin/env, touch, $T/ran-run]
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s}
EOF

write_policy "$T/wall.yaml" <<'EOF'
name: wall
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 1s}
EOF

write_policy "$T/cap.yaml" <<'EOF'
name: cap
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s, output: 100}
EOF

write_policy "$T/cpu.yaml" <<'EOF'
name: cpu
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s, cpu: 1s}
EOF

write_policy "$T/fsize.yaml" <<'EOF'
name: fsize
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s, file_size: 1K}
EOF

write_policy "$T/deny.yaml" <<'EOF'
name: deny
env: {PATH: /usr/bin:/bin}
stack:
  - module: testmod
    with: {verdict: deny, findings: 1}
  - module: rlimit
    with: {wall: 30s}
EOF

write_policy "$T/checked.yaml" <<'EOF'
name: checked
env: {PATH: /usr/bin:/bin}
stack:
  - module: testmod
    with: {verdict: pass, findings: 1}
  - module: rlimit
    with: {wall: 30s}
EOF

write_policy "$T/confail.yaml" <<'EOF'
name: confail
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s}
  - module: testmod
    with: {confine: fail}
EOF

write_policy "$T/confopt.yaml" <<'EOF'
name: confopt
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s}
  - module: testmod
    control: optional
    with: {confine: fail}
EOF

write_policy "$T/filtfail.yaml" <<'EOF'
name: filtfail
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s}
  - module: testmod
    with: {filter: fail}
EOF

write_policy "$T/schema.yaml" <<'EOF'
name: schema
env: {PATH: /usr/bin:/bin}
stack:
  - module: testmod
    with: {verdict: pass, findings: 1, filter: upper}
  - module: rlimit
    with: {wall: 30s, output: 1M}
EOF

# ---- exit statuses ----

run exec -p "$T/plain.yaml" -- sh -c 'exit 0'
check "exit 0 passes through" rc_is 0
run exec -p "$T/plain.yaml" -- sh -c 'exit 3'
check "exit 3 passes through" rc_is 3
run exec -p "$T/plain.yaml" --json -- sh -c 'exit 3'
check "exit 3: status failed, exit_code 3, signal null" \
	jtrue 'j["status"] == "failed" and j["exit_code"] == 3 and j["signal"] is None and j["limit"] is None'
run exec -p "$T/plain.yaml" -- sh -c 'exit 255'
check "exit 255 passes through" rc_is 255

run exec -p "$T/plain.yaml" -- sh -c 'kill -TERM $$; sleep 5'
check "killed by SIGTERM: exit 143" rc_is 143
run exec -p "$T/plain.yaml" --json -- sh -c 'kill -TERM $$; sleep 5'
check "killed by SIGTERM: --json exit 143, status killed, signal 15, no limit" \
	eval 'rc_is 143 && jtrue "j[\"status\"] == \"killed\" and j[\"signal\"] == 15 and j[\"limit\"] is None"'

run exec -p "$T/plain.yaml" -- no-such-command-cordon-test
check "command not found: exit 127, says so" eval 'rc_is 127 && err_has "not found"'

printf 'echo should not run\n' >"$T/notexec"
chmod 0644 "$T/notexec"
run exec -p "$T/plain.yaml" -- "$T/notexec"
check "a file without execute permission: exit 127" rc_is 127

run run -p "$T/badinterp.yaml" "$T/notexec"
check "the policy's interpreter does not exist: exit 127" rc_is 127

run run -p "$T/nointerp.yaml" "$T/notexec"
check "run with a policy without interpreter: exit 125, says why" eval 'rc_is 125 && err_has "interpreter"'

printf 'x\n' >"$T/src.txt"
rm -f "$T/ran-run"
run run -p "$T/touchrun.yaml" "$T/src.txt"
check "control: run mode executes the interpreter (it creates its file)" present "$T/ran-run"
rm -f "$T/ran-run"
run run -p "$T/touchrun.yaml" "$T/no-such-source.txt"
check "run with a SOURCE that does not exist: exit 125, nothing runs" \
	eval 'rc_is 125 && absent "$T/ran-run"'
run run -p "$T/touchrun.yaml" "$T"
check "run with a directory as SOURCE: exit 125, nothing runs" eval 'rc_is 125 && absent "$T/ran-run"'
if is_root; then
	skip "an unreadable SOURCE (root reads every file)"
else
	printf 'x\n' >"$T/unreadable.txt"
	chmod 0000 "$T/unreadable.txt"
	run run -p "$T/touchrun.yaml" "$T/unreadable.txt"
	check "run with an unreadable SOURCE: exit 125, nothing runs" eval 'rc_is 125 && absent "$T/ran-run"'
fi
run exec -p "$T/plain.yaml" --json --source "$T/no-such-source.txt" -- touch "$T/ran-exec"
check "exec --source that cannot be read: exit 125, status error, exit_code null, nothing runs" \
	eval 'rc_is 125 && absent "$T/ran-exec" && jtrue "j[\"status\"] == \"error\" and j[\"exit_code\"] is None"'

run exec -p "$T/deny.yaml" --json --source "$T/src.txt" -- touch "$T/ran-denied"
check "denied by the check phase: exit 126, nothing runs" eval 'rc_is 126 && absent "$T/ran-denied"'
check "denied: status denied, findings reported, exit_code and signal null" \
	jtrue 'j["status"] == "denied" and len(j["findings"]) >= 1 and j["findings"][0]["module"] == "testmod" and j["exit_code"] is None and j["signal"] is None'
run exec -p "$T/deny.yaml" --source "$T/src.txt" -- touch "$T/ran-denied"
check "denied without --json: exit 126, the finding on stderr" \
	eval 'rc_is 126 && err_has "finding 1 of testmod" && absent "$T/ran-denied"'

# ---- wall timeout and the process tree ----

rm -f "$T/survived-timeout" "$T/survived-daemon"
run exec -p "$T/wall.yaml" --json -- \
	sh -c "(setsid sh -c 'sleep 2.${M}1; touch $T/survived-timeout' &) ; sleep 299.${M}2"
check "wall timeout: exit 124" rc_is 124
check "wall timeout: status timeout, limit wall" jtrue 'j["status"] == "timeout" and j["limit"] == "wall"'
check "wall timeout: the main program is gone" gone "299.${M}2"
check "wall timeout: the double-forked setsid grandchild is gone too" gone "2.${M}1"

run exec -p "$T/plain.yaml" --json -- \
	sh -c "(setsid sh -c 'sleep 1.${M}3; touch $T/survived-daemon' </dev/null >/dev/null 2>&1 &) ; exit 0"
check "a daemon left behind: the run itself is ok (exit 0)" eval 'rc_is 0 && jtrue "j[\"status\"] == \"ok\""'
check "a setsid'd daemon left behind by a program that exited 0 is killed" gone "1.${M}3"
# Both would have touched their file by now (2 s after the first started,
# 1 s after the second).
sleep 3
check "the timed-out grandchild never ran on" absent "$T/survived-timeout"
check "the daemon never ran on" absent "$T/survived-daemon"

# ---- output caps ----

run exec -p "$T/cap.yaml" --json -- yes
check "output cap on stdout: status killed, limit output" \
	jtrue 'j["status"] == "killed" and j["limit"] == "output"'
check "output cap on stdout: killed by SIGKILL (exit 137, signal 9)" \
	eval 'rc_is 137 && jtrue "j[\"signal\"] == 9"'
check "output cap on stdout: truncated.stdout true, stderr false" \
	jtrue 'j["truncated"] == {"stdout": True, "stderr": False}'
check "output cap on stdout: exactly the first 100 bytes kept" jtrue 'j["stdout"] == "y\n" * 50'

run exec -p "$T/cap.yaml" --json -- sh -c 'echo hello; exec yes >&2'
check "output cap on stderr: status killed, limit output" \
	jtrue 'j["status"] == "killed" and j["limit"] == "output"'
check "output cap on stderr: killed by SIGKILL (exit 137, signal 9)" \
	eval 'rc_is 137 && jtrue "j[\"signal\"] == 9"'
check "output cap on stderr: truncated.stderr true, stdout false and intact, 100 bytes kept" \
	jtrue 'j["truncated"] == {"stdout": False, "stderr": True} and j["stdout"] == "hello\n" and j["stderr"] == "y\n" * 50'

run exec -p "$T/cap.yaml" -- yes
check "output cap without --json: exactly 100 bytes pass through" eval '[ "$(wc -c <"$T/out")" -eq 100 ]'
check "output cap without --json: exit 137" rc_is 137

# The cap kills with SIGKILL.  The program must not see its pipe close
# first: it would die of SIGPIPE (141), or, ignoring SIGPIPE, end on its own
# at EPIPE with whatever status it likes.
#
# cap_runs EXPR CMD...: 12 capped runs of CMD; each must exit 137 and its
# JSON satisfy EXPR.  On failure the first bad run is left in $T/out, $T/err.
cap_runs() {
	_expr=$1
	shift
	_i=0
	_seen=
	_bad=
	while [ "$_i" -lt 12 ]; do
		"$CORDON" exec -p "$T/cap.yaml" --json -- "$@" >"$T/out.$_i" 2>"$T/err.$_i"
		_rc=$?
		_seen="$_seen $_rc"
		if [ -z "$_bad" ]; then
			if [ "$_rc" -ne 137 ] ||
				! python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
					"$T/out.$_i" "$_expr" 2>/dev/null; then
				_bad=$_i
				rc=$_rc
				cp "$T/out.$_i" "$T/out"
				cp "$T/err.$_i" "$T/err"
			fi
		fi
		rm -f "$T/out.$_i" "$T/err.$_i"
		_i=$((_i + 1))
	done
	[ -z "$_bad" ] && return 0
	diag "exit statuses of the 12 runs:$_seen; the first bad one (run $_bad) follows"
	return 1
}
CAPPED='j["status"] == "killed" and j["limit"] == "output" and j["signal"] == 9'
check "output cap: yes on stdout always ends 137 (SIGKILL), never 141 (SIGPIPE) (12 runs)" \
	cap_runs "$CAPPED" yes
check "output cap: flood on stderr always ends 137 (SIGKILL), never 141 (SIGPIPE) (12 runs)" \
	cap_runs "$CAPPED" "$PROBES/flood" 2
check "output cap: a program that exits 0 at EPIPE on stdout still ends 137, never 125 (12 runs)" \
	cap_runs "$CAPPED" "$PROBES/flood" 1 quiet-epipe
check "output cap: a program that exits 0 at EPIPE on stderr still ends 137, never 125 (12 runs)" \
	cap_runs "$CAPPED" "$PROBES/flood" 2 quiet-epipe

# 150 bytes and exit 0: the run exceeded the cap, so it is reported (and
# exits) as a capped run every time, not as a failure of cordon (125).
check "output cap exceeded by a program that exits 0 at once: status killed, limit output, exit 137 (12 runs)" \
	cap_runs 'j["status"] == "killed" and j["limit"] == "output" and j["truncated"]["stdout"] and j["stdout"] == "0" * 100' \
	printf '%0150d' 0

# ---- cpu and file size limits ----

run exec -p "$T/cpu.yaml" --json -- "$PROBES/spin" 25
check "cpu limit: status killed, limit cpu, exit 128+signal" \
	eval 'jtrue "j[\"status\"] == \"killed\" and j[\"limit\"] == \"cpu\" and j[\"signal\"] in (9, 24)" && rc_is $((128 + $(json_get "j[\"signal\"]")))'

# The kernel ends a run at its CPU limit whatever else the machine is doing:
# the result must name the limit then too.  Three runs per CPU at once (at
# least 6, at most 24), each spinning until its 1 s limit: about 3 s.
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
njobs=$((ncpu * 3))
[ "$njobs" -ge 6 ] || njobs=6
[ "$njobs" -le 24 ] || njobs=24
_i=0
while [ "$_i" -lt "$njobs" ]; do
	"$CORDON" exec -p "$T/cpu.yaml" --json -- "$PROBES/spin" 25 >"$T/cpu.$_i.json" 2>/dev/null &
	_i=$((_i + 1))
done
wait
cpu_all_named() {
	python3 - "$T" "$njobs" <<'PYEOF'
import json, sys
bad = []
for i in range(int(sys.argv[2])):
    j = json.load(open("%s/cpu.%d.json" % (sys.argv[1], i)))
    if not (j["status"] == "killed" and j["limit"] == "cpu"):
        bad.append("run %d: status %s limit %s signal %s cpu_ms %s" % (
            i, j["status"], j["limit"], j["signal"], j["usage"]["cpu_ms"]))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PYEOF
}
: >"$T/out"
: >"$T/err"
rc=
check "cpu limit: still named as the limit with $njobs runs at once on $ncpu CPUs" cpu_all_named

run exec -p "$T/fsize.yaml" --json -- "$PROBES/bigwrite" "$T/big" 1048576
check "file_size limit: exit 153, status killed, limit file_size, signal 25" \
	eval 'rc_is 153 && jtrue "j[\"status\"] == \"killed\" and j[\"limit\"] == \"file_size\" and j[\"signal\"] == 25"'
check "file_size limit: the file stopped at 1K" eval '[ "$(wc -c <"$T/big")" -eq 1024 ]'

# ---- environment ----

SECRET_MARKER=cordon-secret-$M
export SECRET_MARKER
run exec -p "$T/plain.yaml" -- "$PROBES/envdump"
printf '%s\n' "EMPTY_VAR=" "LANG=C" "PATH=/usr/bin:/bin" "PROBE_VAR=two words" >"$T/env.want"
sort "$T/out" >"$T/env.got"
check "the child's environment is exactly the policy's env" cmp -s "$T/env.want" "$T/env.got"
check "cordon's own environment does not leak (SECRET_MARKER, HOME, CORDON_MODULE_PATH)" \
	eval '! grep -qE "^(SECRET_MARKER|HOME|CORDON_MODULE_PATH)=" "$T/out" && ! out_has "$SECRET_MARKER"'
run exec -p "$T/noenv.yaml" -- "$PROBES/envdump"
check "a policy without env: nothing but PATH, nothing of cordon's" \
	eval 'rc_is 0 && ! grep -qv "^PATH=" "$T/out" && ! out_has "$SECRET_MARKER"'
unset SECRET_MARKER

write_policy "$T/badpath.yaml" <<'EOF'
name: badpath
env: {PATH: /nonexistent/cordon-test}
stack:
  - module: rlimit
    with: {wall: 30s}
EOF
run exec -p "$T/badpath.yaml" -- true
check "commands are looked up on the policy's PATH, not cordon's" rc_is 127

# Ignored signals are inherited across exec: cordon itself ignores SIGPIPE,
# and here it is started with more ignored.  The child starts clean.
(
	trap '' HUP INT QUIT USR1 PIPE
	"$CORDON" exec -p "$T/plain.yaml" -- grep -E '^Sig(Blk|Ign):' /proc/self/status >"$T/out" 2>"$T/err"
)
check "the child starts with no blocked and no ignored signals" \
	eval 'grep -qx "SigBlk:[[:space:]]*0*" "$T/out" && grep -qx "SigIgn:[[:space:]]*0*" "$T/out"'

# ---- descriptors and stdin ----

printf 'source one\n' >"$T/s1.txt"
printf 'source two\n' >"$T/s2.txt"
printf 'extra descriptor\n' >"$T/fd7.txt"
exec 7<"$T/fd7.txt"
run exec -p "$T/plain.yaml" --source "$T/s1.txt" -- "$PROBES/fdlist" "$T/s1.txt"
exec 7<&-
check "descriptors: exactly 0, 1, 2 and the source at 3" \
	eval 'rc_is 0 && [ "$(cut -d" " -f1 "$T/out" | tr "\n" " ")" = "0 1 2 3 " ]'
check "descriptors: fd 3 is the sealed memfd" eval 'grep -q "^3 /memfd:" "$T/out"'
check "descriptors: the shell's fd 7 is not inherited" eval '! out_has "fd7.txt" && ! grep -q "^7 " "$T/out"'
check "stdin is /dev/null by default" eval 'grep -qx "0 /dev/null" "$T/out"'

run exec -p "$T/plain.yaml" --source "$T/s1.txt" --source "$T/s2.txt" -- "$PROBES/fdlist"
check "two sources: exactly 0-4, sources at 3 and 4" \
	eval 'rc_is 0 && [ "$(cut -d" " -f1 "$T/out" | tr "\n" " ")" = "0 1 2 3 4 " ] && grep -q "^4 /memfd:" "$T/out"'

run exec -p "$T/plain.yaml" -- cat
check "stdin /dev/null: cat reads nothing" eval 'rc_is 0 && [ ! -s "$T/out" ]'

printf 'line from the input file\n' >"$T/input.txt"
run exec -p "$T/plain.yaml" --input "$T/input.txt" -- cat
check "--input FILE feeds FILE" eval 'rc_is 0 && out_is "line from the input file"'

rm -f "$T/ran-input"
run exec -p "$T/plain.yaml" --input "$T/no-such-input" -- touch "$T/ran-input"
check "--input FILE that cannot be opened: exit 125, nothing runs" eval 'rc_is 125 && absent "$T/ran-input"'

printf 'line from cordon stdin\n' | "$CORDON" exec -p "$T/plain.yaml" --input - -- cat >"$T/out" 2>"$T/err"
rc=$?
check "--input - feeds cordon's stdin" eval 'rc_is 0 && out_is "line from cordon stdin"'

# Streaming: everything passes through, in order, to a reader slower than the program.
yes 'streamed line 0123456789' | head -c 3000000 >"$T/stream.want"
"$CORDON" exec -p "$T/plain.yaml" -- sh -c "yes 'streamed line 0123456789' | head -c 3000000" 2>"$T/err" |
	{ sleep 1; cat; } >"$T/out"
check "without --json, 3 MB of output reach a slow reader intact" cmp -s "$T/out" "$T/stream.want"

# ---- the sealed source ----

printf 'print("sealed")\n' >"$T/sealed.py"
run exec -p "$T/plain.yaml" --source "$T/sealed.py" -- "$PROBES/sealed" 3
check "sealed: the probe could change nothing (exit 0)" rc_is 0
check "sealed: F_GET_SEALS shows WRITE SHRINK GROW SEAL" \
	eval 'grep -q "^seals: WRITE SHRINK GROW SEAL" "$T/out"'
check "sealed: write(3) fails" eval 'grep -q "^write: denied" "$T/out"'
check "sealed: reopening /proc/self/fd/3 for writing and writing fails with EPERM" \
	eval 'grep -qx "reopen-write: denied EPERM" "$T/out"'
check "sealed: ftruncate cannot shrink it" eval 'grep -q "^shrink: denied" "$T/out"'
check "sealed: ftruncate, fallocate and pwrite cannot grow it" \
	eval 'grep -q "^grow: denied" "$T/out" && grep -q "^fallocate: denied" "$T/out" && grep -q "^pwrite-past-end: denied" "$T/out"'
check "sealed: no shared writable mapping, no new seals" \
	eval 'grep -q "^mmap-write: denied" "$T/out" && grep -q "^add-seals: denied" "$T/out"'
check "sealed: not through the supervisor's own descriptor either" eval '! grep -q "^parent-write: ALLOWED" "$T/out"'
check "sealed: the content is unchanged afterwards" eval 'grep -qx "unchanged: yes" "$T/out"'

# Bytes that no text tool would keep: NUL, 0xff, no final newline.
printf 'line one\000\377\376 tail\nno newline at the end' >"$T/bytes.bin"
size=$(wc -c <"$T/bytes.bin")
cp "$T/bytes.bin" "$T/bytes.orig"
run exec -p "$T/checked.yaml" --source "$T/bytes.bin" -- cat "$T/bytes.bin"
check "the child reads byte for byte the source" eval 'rc_is 0 && cmp -s "$T/out" "$T/bytes.orig"'
check "the check saw the same bytes ($size)" err_has "($size bytes)"

printf '#!/bin/sh\necho "running as $0"\n' >"$T/tool.sh"
chmod 0755 "$T/tool.sh"
run exec -p "$T/plain.yaml" --source "$T/tool.sh" -- "$T/tool.sh"
check "exec --source F -- F executes the sealed copy, not the file" \
	eval 'rc_is 0 && out_is "running as /proc/self/fd/3"'

# An argument naming the same file by another spelling is the sealed copy too.
run exec -p "$T/plain.yaml" --source "$T/tool.sh" -- "$T/./tool.sh"
check "exec --source F -- ./F (same file, other spelling) executes the sealed copy" \
	eval 'rc_is 0 && out_is "running as /proc/self/fd/3"'

# The child itself rewrites the original file (given as directory and name,
# so that no argument names it), then reads fd 3: still the sealed bytes.
run exec -p "$T/plain.yaml" --source "$T/bytes.bin" -- "$PROBES/reread" 3 "$T" bytes.bin
check "a --source that no argument names is reported" err_has "--source $T/bytes.bin is not an argument of the command"
check "the file changed after sealing: the probe did change it" \
	eval 'rc_is 0 && ! cmp -s "$T/bytes.bin" "$T/bytes.orig"'
check "the file changed after sealing: fd 3 still holds the sealed bytes" cmp -s "$T/out" "$T/bytes.orig"

# ---- session, process group, parent-death signal ----

run exec -p "$T/plain.yaml" -- "$PROBES/session"
check "the child leads its own session and process group" \
	eval 'out_has "own-session: yes" && out_has "own-group: yes"'
check "the child has PR_GET_PDEATHSIG == SIGKILL" eval 'rc_is 0 && out_has "pdeathsig=9"'

bg exec -p "$T/plain.yaml" -- sleep "299.${M}4"
wait_for 10 started "sleep 299.${M}4"
kill -KILL "$bg_pid" 2>/dev/null
bg_wait 20
check "cordon killed with SIGKILL: the child dies with it" gone "299.${M}4"

# ---- run mode ----

printf 'echo "script=$0"\necho "args=$#"\n' >"$T/script.sh"
run run -p "$T/shrun.yaml" "$T/script.sh"
check "run: the interpreter runs the sealed source as /proc/self/fd/3" \
	eval 'rc_is 0 && out_has "script=/proc/self/fd/3" && out_has "args=0"'

printf 'echo source from stdin\nexit 7\n' | "$CORDON" run -p "$T/shrun.yaml" - >"$T/out" 2>"$T/err"
rc=$?
check "run -: the source comes from stdin" eval 'rc_is 7 && out_is "source from stdin"'

# ---- the --json result ----

cat >"$T/schema.py" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
errors = []
def need(cond, what):
    if not cond:
        errors.append(what)
def isint(v):
    return isinstance(v, int) and not isinstance(v, bool)
def isnum(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)
keys = ["cordon", "policy", "status", "exit_code", "signal", "limit", "stdout", "stderr",
        "truncated", "findings", "redactions", "usage", "modules", "warnings"]
for k in keys:
    need(k in j, "missing key " + k)
if errors:
    print("\n".join(errors)); sys.exit(1)
need(j["cordon"] == 1 and isint(j["cordon"]), "cordon is 1")
need(isinstance(j["policy"], str), "policy is a string")
need(j["status"] in ("ok", "failed", "denied", "timeout", "killed", "error"), "status value")
need(j["exit_code"] is None or isint(j["exit_code"]), "exit_code int or null")
need(j["signal"] is None or isint(j["signal"]), "signal int or null")
need(j["limit"] in (None, "cpu", "memory", "wall", "output", "processes", "file_size"), "limit value")
need(isinstance(j["stdout"], str) and isinstance(j["stderr"], str), "stdout/stderr strings")
t = j["truncated"]
need(isinstance(t, dict) and set(t) == {"stdout", "stderr"} and all(isinstance(v, bool) for v in t.values()),
     "truncated {stdout,stderr} booleans")
need(isinstance(j["findings"], list), "findings list")
for f in j["findings"]:
    need(isinstance(f, dict), "finding object")
    need(isinstance(f.get("module"), str) and isinstance(f.get("rule"), str), "finding module/rule")
    need(f.get("severity") in ("info", "low", "medium", "high", "critical"), "finding severity")
    need(isinstance(f.get("message"), str), "finding message")
    need("line" in f and (f["line"] is None or isint(f["line"])), "finding line")
    need("column" in f and (f["column"] is None or isint(f["column"])), "finding column")
need(isinstance(j["redactions"], list), "redactions list")
for r in j["redactions"]:
    need(isinstance(r.get("module"), str) and isinstance(r.get("rule"), str), "redaction module/rule")
    need(r.get("stream") in ("stdout", "stderr"), "redaction stream")
    need(isint(r.get("count")), "redaction count")
u = j["usage"]
need(isinstance(u, dict) and isnum(u.get("wall_ms")) and isnum(u.get("cpu_ms")) and isint(u.get("max_rss_kb")),
     "usage {wall_ms, cpu_ms: numbers, max_rss_kb: int}")
need(isinstance(j["modules"], list) and len(j["modules"]) > 0, "modules non-empty list")
for m in j["modules"]:
    need(isinstance(m.get("name"), str), "module name")
    need(m.get("control") in ("required", "requisite", "sufficient", "optional"), "module control")
    need(isinstance(m.get("verdict"), str), "module verdict")
    need(isnum(m.get("ms")), "module ms")
need(isinstance(j["warnings"], list) and all(isinstance(w, str) for w in j["warnings"]), "warnings strings")
if sys.argv[2:] == ["full"]:
    need(len(j["findings"]) >= 1 and len(j["redactions"]) >= 1, "this run has findings and redactions")
if errors:
    print("\n".join(errors)); sys.exit(1)
EOF
schema_ok() { python3 "$T/schema.py" "$T/out" "$@" >>"$T/err" 2>&1; }

run exec -p "$T/schema.yaml" --json --source "$T/src.txt" -- sh -c 'echo out; echo err >&2'
check "--json: one object with every field of the schema, right types" eval 'rc_is 0 && schema_ok full'
check "--json: values of an ok run" \
	jtrue 'j["status"] == "ok" and j["exit_code"] == 0 and j["signal"] is None and j["policy"] == "schema" and j["stdout"] == "OUT\n" and j["stderr"] == "err\n"'
check "--json: modules listed in stack order with their control" \
	jtrue '[(m["name"], m["control"]) for m in j["modules"]] == [("testmod", "required"), ("rlimit", "required")]'
run exec -p "$T/wall.yaml" --json -- sleep "299.${M}5"
check "--json schema holds for a timeout" eval 'rc_is 124 && schema_ok'
run exec -p "$T/deny.yaml" --json --source "$T/src.txt" -- true
check "--json schema holds for a denial" eval 'rc_is 126 && schema_ok'
run exec -p "$T/plain.yaml" --json -- no-such-command-cordon-test
check "--json schema holds for an error" eval 'rc_is 127 && schema_ok'

run exec -p "$T/plain.yaml" --json -- sh -c "printf 'a\\377\\376b'; printf '\\303(' >&2"
check "--json: invalid UTF-8 becomes U+FFFD" \
	jtrue 'j["stdout"] == "a\ufffd\ufffdb" and j["stderr"] == "\ufffd("'

run exec -p "$T/plain.yaml" --json -- sh -c "printf 'x\\355\\240\\200y\\300\\257z\\000w\\342\\202'"
check "--json: surrogates, overlong forms and a cut sequence become U+FFFD; NUL is kept" \
	jtrue 'j["stdout"] == "x\ufffd\ufffd\ufffdy\ufffd\ufffdz\x00w\ufffd\ufffd"'

# ---- confine failures ----

rm -f "$T/ran-confine"
run exec -p "$T/confail.yaml" -- touch "$T/ran-confine"
check "required confine fails: exit 125, nothing runs" eval 'rc_is 125 && absent "$T/ran-confine"'
check "required confine fails: the error names the module and the step" \
	eval 'err_has "testmod" && err_has "tm_confine(failing as asked)"'
run exec -p "$T/confail.yaml" --json -- touch "$T/ran-confine"
check "required confine fails: --json status error, exit_code null, module verdict error" \
	jtrue 'j["status"] == "error" and j["exit_code"] is None and j["signal"] is None and [m["verdict"] for m in j["modules"] if m["name"] == "testmod"] == ["error"]'

run exec -p "$T/confopt.yaml" --json -- touch "$T/ran-confine"
check "optional confine fails: the command runs (exit 0)" eval 'rc_is 0 && present "$T/ran-confine"'
check "optional confine fails: a warning names the module and the step" \
	jtrue 'any("testmod" in w and "tm_confine(failing as asked)" in w for w in j["warnings"])'
rm -f "$T/ran-confine"

# ---- filter failures ----

run exec -p "$T/filtfail.yaml" -- sh -c 'echo WITHHELD-OUT; echo WITHHELD-ERR >&2; exit 0'
check "a required filter fails: exit 125" rc_is 125
check "a required filter fails: the output is withheld" \
	eval '! out_has WITHHELD-OUT && ! err_has WITHHELD-ERR && err_has "filter failed"'
run exec -p "$T/filtfail.yaml" --json -- sh -c 'echo WITHHELD-OUT; echo WITHHELD-ERR >&2; exit 0'
check "a required filter fails: --json status error, nothing of the output" \
	jtrue 'j["status"] == "error" and "WITHHELD" not in j["stdout"] + j["stderr"]'

# ---- cancellation ----

cancel() { # SIGNAL EXIT-STATUS MARKER-SUFFIX
	bg exec -p "$T/plain.yaml" -- \
		sh -c "(setsid sh -c 'sleep 299.${M}6$3' </dev/null >/dev/null 2>&1 &) ; sleep 299.${M}7$3"
	wait_for 10 started "sleep 299.${M}6$3"
	wait_for 10 started "sleep 299.${M}7$3"
	kill "-$1" "$bg_pid"
	bg_wait 20
	check "SIG$1 to cordon: exit $2" rc_is "$2"
	check "SIG$1 to cordon: the main program is killed" gone "299.${M}7$3"
	check "SIG$1 to cordon: its setsid'd grandchild is killed too" gone "299.${M}6$3"
}
cancel INT 130 1
cancel TERM 143 2

# ---- the child never gets more than the policy gives ----

run exec -p "$T/plain.yaml" -- sh -c 'grep NoNewPrivs /proc/self/status'
check "no_new_privs is always set: set-user-ID files gain nothing" out_has "NoNewPrivs:	1"

printf 'caller data\n' >"$T/in.txt"
# cordon's stdin opened read-write (as a terminal is): the program still only reads.
"$CORDON" exec -p "$T/plain.yaml" --input - -- sh -c 'cat; echo LEAK >&0' <>"$T/in.txt" >"$T/out" 2>"$T/err"
rc=$?
check "--input - from a file: the program reads it" out_has "caller data"
check "--input - from a file: the program cannot write to cordon's stdin" \
	eval '[ "$(cat "$T/in.txt")" = "caller data" ]'
printf 'piped\n' | "$CORDON" exec -p "$T/plain.yaml" --input - -- sh -c 'cat; readlink /proc/self/fd/0' >"$T/out" 2>"$T/err"
check "--input - from a pipe: the program reads it through its own pipe" out_has "piped"

mkdir -p "$T/outdir"
run exec -p "$T/plain.yaml" --output-dir "$T/outdir" -- touch "$T/ran-outdir"
check "--output-dir with no isolation backend: refused (125)" rc_is 125
check "--output-dir with no isolation backend: nothing ran" test ! -e "$T/ran-outdir"
check "--output-dir with no isolation backend: says why" err_has "no isolation backend"
mkdir -p "$T/indir"
run exec -p "$T/plain.yaml" --input-dir "$T/indir" -- touch "$T/ran-indir"
check "--input-dir with no isolation backend: refused (125), nothing ran, saying why" \
	eval 'rc_is 125 && [ ! -e "$T/ran-indir" ] && err_has "no isolation backend to honour --output-dir, --input-dir"'
printf 'stack:\n  - module: oldiso\n' | write_policy "$T/oldiso.yaml"
run exec -p "$T/oldiso.yaml" --input-dir "$T/indir" -- touch "$T/ran-indir"
check "--input-dir with an isolation backend of ABI 1.4: refused (125) naming it, nothing ran" \
	eval 'rc_is 125 && [ ! -e "$T/ran-indir" ] && err_has "isolation backend oldiso was built for an ABI before 1.5"'
run exec -p "$T/oldiso.yaml" -- true
check "... that backend still runs without --input-dir" rc_is 0

for how in crash exit; do
	write_policy "$T/conf-$how.yaml" <<EOF2
stack:
  - module: testmod
    with: {confine: $how}
EOF2
	run exec -p "$T/conf-$how.yaml" --json -- touch "$T/ran-$how"
	check "a confine hook that ends the child ($how): an error, not the program's status" \
		jtrue 'j["status"] == "error" and j["exit_code"] is None and "before running the program" in j["error"]'
	check "a confine hook that ends the child ($how): nothing ran" test ! -e "$T/ran-$how"
done

write_policy "$T/conf-leak.yaml" <<'EOF2'
stack:
  - module: testmod
    with: {confine: leakfd}
EOF2
run exec -p "$T/conf-leak.yaml" -- "$PROBES/fdlist"
check "a descriptor a confine hook leaks does not reach the program" eval 'rc_is 0 && [ "$(cut -d" " -f1 "$T/out" | tr "\n" " ")" = "0 1 2 " ]'

# ABI 1.1: launch_pass_fd hands a descriptor to confine hooks only;
# launch_watch polls the parent's end while the program runs.
write_policy "$T/pass.yaml" <<'EOF2'
interpreter: [python3]
stack:
  - module: testmod
    with: {prepare: pass}
EOF2
run exec -p "$T/pass.yaml" --json -- "$PROBES/fdlist"
check "a passed descriptor reaches the confine hook at the number the core gave (exec: 4)" \
	jtrue 'any(f["rule"] == "tm-watch" and f["message"] == "watched: hello from fd 4" for f in j["findings"])'
check "a passed descriptor does not reach the program" \
	jtrue 'j["status"] == "ok" and [l.split()[0] for l in j["stdout"].splitlines()] == ["0", "1", "2"]'
printf 'import os\nprint(sorted(int(x) for x in os.listdir("/proc/self/fd")))\n' >"$T/fds.py"
run run -p "$T/pass.yaml" --json "$T/fds.py"
check "with one source the passed descriptor follows the source and the control pipe (5)" \
	jtrue 'any(f["message"] == "watched: hello from fd 5" for f in j["findings"])'
write_policy "$T/passmany.yaml" <<'EOF2'
stack:
  - module: testmod
    with: {prepare: passmany}
EOF2
run exec -p "$T/passmany.yaml" --json -- touch "$T/ran-passmany"
check "a 17th passed descriptor is refused and the run fails closed" \
	jtrue 'j["status"] == "error" and "refused descriptor 17" in j["error"]'
check "a 17th passed descriptor: nothing ran" test ! -e "$T/ran-passmany"
write_policy "$T/watchbad.yaml" <<'EOF2'
stack:
  - module: testmod
    with: {prepare: watchbad}
EOF2
run exec -p "$T/watchbad.yaml" --json -- true
check "a failing watch callback stops its watch and the run goes on" \
	jtrue 'j["status"] == "ok" and any("watch callback failing as asked" in w for w in j["warnings"])'
write_policy "$T/limit.yaml" <<'EOF2'
stack:
  - module: testmod
    with: {finish: limit}
EOF2
run exec -p "$T/limit.yaml" --json -- sh -c 'kill -9 $$'
check "result_limit names the limit of a killed run" jtrue 'j["status"] == "killed" and j["limit"] == "memory"'
run exec -p "$T/limit.yaml" --json -- true
check "result_limit leaves a run that was not killed alone" jtrue 'j["status"] == "ok" and j["limit"] is None'
write_policy "$T/badlimit.yaml" <<'EOF2'
stack:
  - module: testmod
    with: {finish: badlimit}
EOF2
run exec -p "$T/badlimit.yaml" --json -- true
check "result_limit refuses an unknown limit name" jtrue 'j["status"] == "ok" and j["limit"] is None'

# ABI 1.1: prepare sees --output-dir and --bind-ro (a wrapping backend needs them).
write_policy "$T/dirs.yaml" <<'EOF2'
stack:
  - module: testmod
    with: {prepare: dirs}
  - module: namespaces
EOF2
mkdir -p "$T/outdir" "$T/ro1"
chmod 0755 "$T" "$T/ro1" && chmod 0777 "$T/outdir" # as root the sandbox is host uid 65534
run exec -p "$T/dirs.yaml" --json --output-dir "$T/outdir/." --bind-ro "$T/ro1" -- /bin/true
# --output-dir is never shown itself: prepare sees the core's private
# staging directory for it (collected into the caller's after the run).
check "prepare sees a staging directory for --output-dir and the canonical --bind-ro paths" \
	jtrue 'j["status"] == "ok" and any(w.startswith("testmod: output_dir=/") and "/cordon-out." in w and w.endswith("/o") for w in j["warnings"]) and "testmod: bind_ro='"$T"'/ro1" in j["warnings"]'
ln -s "$T/ro1" "$T/ro-link"
run exec -p "$T/dirs.yaml" --json --bind-ro "$T/ro-link/." -- /bin/true
check "--bind-ro reaches backends canonical (symlinks and dots resolved)" \
	jtrue 'j["status"] == "ok" and "testmod: bind_ro='"$T"'/ro1" in j["warnings"]'
run exec -p "$T/dirs.yaml" --json --bind-ro /usr/.. -- touch "$T/ran-root-bind"
check "--bind-ro of the whole host file system is refused (125), nothing runs" \
	eval 'rc_is 125 && jtrue '"'"'"whole host file system" in j["error"]'"'"' && [ ! -e "$T/ran-root-bind" ]'
run exec -p "$T/dirs.yaml" --json --bind-ro "$T/no-such-dir" -- /bin/true
check "--bind-ro of a missing path is refused (125)" eval 'rc_is 125 && jtrue '"'"'"no-such-dir" in j["error"]'"'"''
mkdir -p "$T/in1"
chmod 0755 "$T/in1"
ln -s "$T/in1" "$T/in-link"
run exec -p "$T/dirs.yaml" --json --input-dir "$T/in-link/." -- /bin/true
check "prepare sees --input-dir canonical (symlinks and dots resolved)" \
	jtrue 'j["status"] == "ok" and "testmod: input_dir='"$T"'/in1" in j["warnings"]'
run exec -p "$T/dirs.yaml" --json --input-dir /proc/self -- touch "$T/ran-proc-in"
check "--input-dir of a kernel interface is refused (125), nothing runs" \
	eval 'rc_is 125 && jtrue '"'"'"--input-dir /proc/self" in j["error"]'"'"' && [ ! -e "$T/ran-proc-in" ]'
run exec -p "$T/dirs.yaml" --json --input-dir "$T/no-such-in" -- /bin/true
check "--input-dir of a missing directory is refused (125), naming it" eval 'rc_is 125 && jtrue '"'"'"--input-dir" in j["error"] and "no-such-in" in j["error"]'"'"''
touch "$T/a-file"
run exec -p "$T/dirs.yaml" --json --input-dir "$T/a-file" -- /bin/true
check "--input-dir of a file is refused (125): not a directory" eval 'rc_is 125 && jtrue '"'"'"not a directory" in j["error"]'"'"''
run exec -p "$T/dirs.yaml" --json -- /bin/true
check "prepare without --output-dir: none, and an empty --bind-ro list" \
	jtrue 'j["status"] == "ok" and "testmod: output_dir=(none)" in j["warnings"] and not any("bind_ro=" in w for w in j["warnings"])'

# ABI 1.2: modules of one policy share named values (set_data/get_data).
write_policy "$T/share.yaml" <<'EOF2'
stack:
  - module: tm_a
    with: {share: "tm_a.plan=bind /usr; seccomp fd"}
  - module: tm_b
    with: {peek: tm_a.plan}
  - module: tm_c
    with: {peek: nobody.sets.this}
EOF2
run exec -p "$T/share.yaml" --json -- /bin/true
check "set_data at open reaches a later module's prepare (get_data)" \
	jtrue '"tm_b: peek tm_a.plan=bind /usr; seccomp fd" in j["warnings"]'
check "get_data of an unset name is NULL" jtrue '"tm_c: peek nobody.sets.this unset" in j["warnings"]'

# ABI 1.2: a descriptor passed with CORDON_FD_KEEP_EXEC survives the exec
# (for a wrapper such as bwrap --seccomp FD); one passed without does not.
write_policy "$T/keepfd.yaml" <<'EOF2'
stack:
  - module: testmod
    with: {prepare: keepfd}
EOF2
run exec -p "$T/keepfd.yaml" --json -- /bin/true
kept=$(json_get '[w for w in j["warnings"] if w.startswith("testmod: kept=")][0].split()[1].split("=")[1]')
dropped=$(json_get '[w for w in j["warnings"] if w.startswith("testmod: kept=")][0].split()[2].split("=")[1]')
run exec -p "$T/keepfd.yaml" --json -- sh -c "cat <&$kept; if [ -e /proc/\$\$/fd/$dropped ]; then echo dropped-open; else echo dropped-closed; fi"
check "CORDON_FD_KEEP_EXEC: kept across exec; a plain passed descriptor is closed" \
	jtrue 'j["status"] == "ok" and j["stdout"] == "kept\ndropped-closed\n"'
check "launch_pass_fd_flags refuses an unknown flag" jtrue 'j["status"] == "ok"'

# ABI 1.2: run_abort from a watch callback ends the run as an error.
write_policy "$T/abort.yaml" <<'EOF2'
stack:
  - module: testmod
    with: {prepare: abort}
EOF2
run exec -p "$T/abort.yaml" --json -- sh -c 'sleep 30; touch "$1"' sh "$T/ran-abort"
check "run_abort: the run ends as an error (125)" rc_is 125
check "run_abort: the error names the module and its first reason" \
	jtrue 'j["status"] == "error" and j["error"] == "testmod: told to stop; the run was stopped"'
check "run_abort: the program was killed at once (well before its 30 s), nothing after ran" \
	eval 'jtrue '"'"'j["usage"]["wall_ms"] < 20000'"'"' && [ ! -e "$T/ran-abort" ]'

bad_name=$(printf '%s/bad\377name.sh' "$T")
printf 'exit 0\n' >"$bad_name"
write_policy "$T/deny-any.yaml" <<'EOF2'
stack:
  - module: testmod
    with: {verdict: deny, findings: 1}
EOF2
run exec -p "$T/deny-any.yaml" --json --source "$bad_name" -- true
check "a source name that is not UTF-8 still gives a result (126)" \
	eval 'rc_is 126 && python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T/out"'

# ABI 1.2: launch_clone_ns and child_exit_status, through the namespaces
# module (which launches only this way): the core's
# child is created in the new namespaces and is pid 1 there; the supervisor
# writes the maps; pid 1 reports the program's status.
write_policy "$T/clone.yaml" <<'EOF2'
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 3s, cpu: 1s}
  - module: namespaces
EOF2
run exec -p "$T/clone.yaml" --json -- sh -c 'echo $$; cat /proc/1/comm; exit 7'
check "launch_clone_ns: the program is pid 2 under the core's child as pid 1" jtrue 'j["stdout"] == "2\ncordon\n"'
check "child_exit_status: the program's exit code is the run's" \
	jtrue 'j["status"] == "failed" and j["exit_code"] == 7'
run exec -p "$T/clone.yaml" --json -- sh -c 'kill -SEGV $$'
check "child_exit_status: death by a signal is the run's (pid 1 itself cannot die by one)" \
	jtrue 'j["status"] == "killed" and j["signal"] == 11'
run exec -p "$T/clone.yaml" --json -- sh -c 'while :; do :; done'
check "child_exit_status: the CPU limit is named" jtrue 'j["status"] == "killed" and j["limit"] == "cpu"'
run exec -p "$T/clone.yaml" --json -- sleep 10
check "launch_clone_ns: the wall timeout kills pid 1 and the namespace" \
	jtrue 'j["status"] == "timeout" and j["limit"] == "wall"'
run exec -p "$T/clone.yaml" --json -- sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; grep "^Groups:" /proc/self/status'
if is_root; then
	check "launch_clone_ns as root: maps to host_uid/host_gid; supplementary groups dropped" \
		jtrue '[l.split() for l in j["stdout"].splitlines()] == [["65534", "65534", "1"], ["65534", "65534", "1"], ["allow"], ["Groups:"]]'
else
	check "launch_clone_ns unprivileged: maps to cordon's own ids, setgroups denied" \
		jtrue '[l.split() for l in j["stdout"].splitlines()][:3] == [["65534", "'"$(id -u)"'", "1"], ["65534", "'"$(id -g)"'", "1"], ["deny"]]'
fi

mark=$((33000 + $$ % 1000)).25
run exec -p "$T/clone.yaml" --json -- sh -c "(trap '' TERM HUP INT; exec sleep $mark) & (setsid sleep $mark &) ; exit 0"
check "child_exit_status: the run ends with the program (nothing waits for the background)" \
	jtrue 'j["status"] == "ok" and j["usage"]["wall_ms"] < 20000'
check "child_exit_status: no process of the run is left when cordon returns" \
	sh -c '! pgrep -f "sleep $1" >/dev/null' sh "$mark"
run exec -p "$T/clone.yaml" --json -- sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'
check "child_exit_status: the CPU time of the program is reported" jtrue 'j["status"] == "ok" and j["usage"]["cpu_ms"] > 20'

done_testing
