# tests/lib.sh - TAP helpers for cordon's shell tests (in the manner of
# bubblewrap's tests/libtest.sh).  Source it first; it gives each test file
# its own temporary directory $T, removed at exit.
#
#   CORDON          the cordon binary under test
#   CORDON_TESTBIN  the build's tests directory (test modules in modules/,
#                   probes in probes/, C unit tests)
#   CORDON_SRCDIR   a readable copy of the source tree (rule sets, corpora);
#                   a module's test sources lib.sh as
#                   . "$(dirname "$0")/../../../tests/lib.sh"
set -u
: "${CORDON:?set CORDON to the cordon binary under test}"
: "${CORDON_TESTBIN:?set CORDON_TESTBIN to the build tests directory}"
: "${CORDON_SRCDIR:=$(cd "$(dirname "$0")/.." 2>/dev/null && pwd)}"
export CORDON_SRCDIR

T=$(mktemp -d "${TMPDIR:-/tmp}/cordon-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
export CORDON_MODULE_PATH="$CORDON_TESTBIN/modules"
# Runs under the shipped policies log incidents (incident_log's default
# path): into this test's directory, never the machine's logs.
export LOGS_DIRECTORY="$T/logs"
unset CORDON_POLICY_DIR
PROBES="$CORDON_TESTBIN/probes"

test_count=0
test_failed=0

ok() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $*"
}

not_ok() {
	test_count=$((test_count + 1))
	test_failed=$((test_failed + 1))
	echo "not ok $test_count - $*"
}

skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count # SKIP $*"
}

# check DESCRIPTION COMMAND...: one test that passes when COMMAND succeeds.
check() {
	_desc=$1
	shift
	if "$@"; then
		ok "$_desc"
	else
		not_ok "$_desc"
		diag_run
	fi
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# Show the last run's status and output after a failure.
diag_run() {
	diag "exit status: ${rc:-?}"
	# awk ends an unterminated last line (GNU sed would not), so the
	# next TAP line starts on a line of its own.
	[ -f "$T/out" ] && head -c 2000 "$T/out" | awk '{ print "# stdout: " $0 }'
	[ -f "$T/err" ] && head -c 2000 "$T/err" | awk '{ print "# stderr: " $0 }'
	true
}

# run ARGS...: run cordon, keep stdout in $T/out, stderr in $T/err, status in $rc.
# Under ASan/UBSan (make asan) a sanitizer report in cordon's stderr fails
# the test file even when the assertions that follow would pass.
run() {
	"$CORDON" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	sanitizer_check "$@"
}

sanitizer_check() {
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/err" 2>/dev/null; then
		not_ok "a sanitizer reported an error running: cordon $*"
		awk '{ print "# " $0 }' "$T/err" | head -40
	fi
}

# Helpers for assertions.
rc_is() { [ "$rc" -eq "$1" ]; }
err_has() { grep -qF -- "$1" "$T/err"; }
out_has() { grep -qF -- "$1" "$T/out"; }
out_is() { [ "$(cat "$T/out")" = "$1" ]; }

# jtrue EXPR: the Python expression over the JSON result in $T/out (as j) is true.
jtrue() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$T/out" "$1" 2>>"$T/err"
}

# json_get EXPR: evaluate a Python expression over the JSON in $T/out as j.
# A reader that stops early (grep -q) ends it quietly (SIGPIPE), without a
# Python traceback on the suite's output.
json_get() {
	python3 -c 'import json,signal,sys; signal.signal(signal.SIGPIPE, signal.SIG_DFL); j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"
}

# write_policy FILE: write stdin to FILE (mode 0644, trusted).
write_policy() {
	cat >"$1"
	chmod 0644 "$1"
}

is_root() { [ "$(id -u)" -eq 0 ]; }

done_testing() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}

# json_is EXPR VALUE: the Python expression over the JSON in $T/out prints VALUE.
json_is() { [ "$(json_get "$1")" = "$2" ]; }
rc_not() { [ "$rc" -ne "$1" ]; }

# ---- host probes ----
# A test that needs a property of this machine asks here first and, when
# the property cannot exist on this host, skips with the reason in
# $HOST_WHY (as `cordon selftest` does).  Each probe runs on the host,
# outside any sandbox, so it sees what the kernel offers.

# skip_n N REASON: N skipped tests with one reason.
skip_n() {
	_n=$1
	shift
	while [ "$_n" -gt 0 ]; do
		skip "$*"
		_n=$((_n - 1))
	done
}

# host_x86_64: a foreign system call ABI (i386, x32) exists to be blocked.
host_x86_64() {
	HOST_WHY=
	[ "$(uname -m)" = x86_64 ] && return 0
	HOST_WHY="not an x86_64 host ($(uname -m)): no foreign system call ABI to block"
	return 1
}

# host_memory_peak: cgroup v2 reports a cgroup's peak memory
# (memory.peak, Linux 5.19 and later).
host_memory_peak() {
	HOST_WHY=
	_hv=$(uname -r | sed -n 's/^\([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p')
	_hmaj=${_hv% *}
	_hmin=${_hv#* }
	if [ -n "$_hv" ] && { [ "$_hmaj" -gt 5 ] || { [ "$_hmaj" -eq 5 ] && [ "$_hmin" -ge 19 ]; }; }; then
		return 0
	fi
	HOST_WHY="this kernel ($(uname -r)) has no memory.peak (Linux 5.19)"
	return 1
}

# host_i386: the kernel runs an i386 system call of a 64-bit process
# (`int $0x80`).  A kernel without IA32 emulation, or booted with
# ia32_emulation=0, faults instead: then nothing can be shown about
# blocking that entry point, and the program is killed by SIGSEGV anyway.
host_i386() {
	host_x86_64 || return 1
	# In a shell of its own, whose report of the signal goes nowhere.
	_hp=$(sh -c '"$1" int80 2>&1 </dev/null; exit $?' sh "$PROBES/sc_abi" 2>/dev/null)
	_hr=$?
	case "$_hp" in
	"int80: returned "*) return 0 ;;
	esac
	if [ "$_hr" -gt 128 ]; then
		_hp="killed by SIG$(kill -l "$((_hr - 128))" 2>/dev/null || echo "$((_hr - 128))")"
	elif [ -z "$_hp" ]; then
		_hp="exit status $_hr"
	fi
	HOST_WHY="this kernel has no i386 entry point (int \$0x80 from a 64-bit process: $_hp)"
	return 1
}

# seccomp_filters: how many seccomp filters this shell runs under (a
# container or service manager may have stacked some).
seccomp_filters() {
	sed -n 's/^Seccomp_filters:[[:space:]]*//p' /proc/self/status
}

# need_serve: skip the whole file unless cordon serve can be tested here
# (python3, the policies' interpreter; curl, the client; cordon-serve
# beside $CORDON); sets SERVE.
need_serve() {
	if [ ! -x /usr/bin/python3 ] || ! command -v curl >/dev/null 2>&1; then
		echo "1..0 # SKIP needs /usr/bin/python3 (the policies' interpreter) and curl (the client)"
		exit 0
	fi
	SERVE="$(dirname "$CORDON")/cordon-serve"
	if [ ! -x "$SERVE" ]; then
		echo "1..0 # SKIP $SERVE is not built"
		exit 0
	fi
}

# serve_up CONF: start "$SERVE" serve -c CONF (its output in $T/serve.out)
# and wait for the socket $S; skip the whole file when it does not come
# up; the service (pid $spid) is stopped at exit.
serve_up() {
	"$SERVE" serve -c "$1" >"$T/serve.out" 2>&1 &
	spid=$!
	_i=0
	while [ ! -S "$S" ] && [ $_i -lt 100 ] && kill -0 $spid 2>/dev/null; do
		sleep 0.05
		_i=$((_i + 1))
	done
	if [ ! -S "$S" ]; then
		echo "1..0 # SKIP the service did not start: $(tail -n 3 "$T/serve.out" | tr '\n' ' ')"
		exit 0
	fi
	trap 'kill -TERM $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$T"' EXIT
}

# req METHOD PATH [BODY]: an HTTP request to cordon serve on the socket $S
# (curl); the answer in $T/out, its headers in $T/hdr, the status in
# $code (and $rc).  code_is N: the status was N.
req() {
	if [ $# -ge 3 ]; then
		code=$(curl -s -m 60 -o "$T/out" -D "$T/hdr" -w '%{http_code}' --unix-socket "$S" -X "$1" \
			-H 'Content-Type: application/json' --data-binary "$3" "http://cordon$2")
	else
		code=$(curl -s -m 60 -o "$T/out" -D "$T/hdr" -w '%{http_code}' --unix-socket "$S" -X "$1" "http://cordon$2")
	fi
	rc=$code
}
code_is() { [ "$code" = "$1" ]; }
