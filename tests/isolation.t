#!/bin/sh
# tests/isolation.t - one list of isolation properties, proved from inside
# the sandbox against every backend in tests/backends/*.yaml, with a table of
# which backend provides what at the end.
#
# A backend file is a complete policy (its stack includes the backend and
# what it needs around it).  Two comment lines say what it claims:
#
#   # isolation-provides: files root_ro ...   the properties it must provide
#   # isolation-output-at: /output            where --output-dir appears
#                                             ("host": at its own host path)
#   # isolation-args: --bind-ro @PROBES@      more cordon options for each run
#
# and @PROBES@ in either is replaced by the probe directory (which must be
# visible inside: the probes run from there; it is under /tmp in the
# unprivileged pass of `make check`).  A claimed property that does not hold fails; one the
# backend does not claim is skipped ("not provided by BACKEND").  A backend
# whose modules are not built, or whose program is not installed (a policy
# error with a "hint: install" line), is skipped as a whole.
#
# Runs as root and as an unprivileged user.
. "$(dirname "$0")/lib.sh"

PROPS="files root_ro usr_ro net_tcp net_abstract procs_hidden proc1_clean kill_all no_caps no_new_privs daemon_dies uid output_dir input_dir bind_ro python3 res_exit res_signal res_cpu res_wall res_output out_cap out_enospc out_files out_links tree_mem tree_cpu"
TRY="$PROBES/ns_try"

chmod 755 "$T"
mkdir -p "$T/outdir" "$T/ro" "$T/hidden" "$T/indir/sub"
chmod 755 "$T/indir" "$T/indir/sub"
printf in-data >"$T/indir/x"
printf deep >"$T/indir/sub/y"
chmod 644 "$T/indir/x" "$T/indir/sub/y"
ln -s "$T/hidden/secret" "$T/indir/lnk"
chmod 777 "$T/outdir"
chmod 755 "$T/ro"
echo secret-iso >"$T/hidden/secret"
chmod 644 "$T/hidden/secret"
echo data >"$T/ro/in"
chmod 644 "$T/ro/in"
printf 'import sys\nprint("python", sys.version_info[0], sum(range(10)))\n' >"$T/prog.py"
chmod 644 "$T/prog.py"

# Host listeners the sandbox must not reach: a TCP socket on the host's
# loopback and an abstract unix socket.
sock="cordon-iso-test-$$"
python3 -c '
import socket, sys, time
a = socket.socket(socket.AF_UNIX); a.bind("\0" + sys.argv[1]); a.listen(64)
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen(64)
open(sys.argv[2] + ".tmp", "w").write(str(t.getsockname()[1]))
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
time.sleep(600)' "$sock" "$T/port" &
listener=$!
for _ in $(seq 200); do [ -s "$T/port" ] && break; sleep 0.05; done
port=$(cat "$T/port" 2>/dev/null)
sleep 600 &
hostpid=$!
cleanup() {
	kill "$listener" "$hostpid" 2>/dev/null
	wait "$listener" "$hostpid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

check "control: the host TCP listener accepts connections" sh -c '"$1" tcp 127.0.0.1 "$2" >/dev/null' sh "$TRY" "$port"
check "control: the host abstract socket accepts connections" sh -c '"$1" abstract "$2" >/dev/null' sh "$TRY" "$sock"

"$CORDON" modules >"$T/modules" 2>&1

# ---- the properties: each returns 0 when it holds under policy $P ----

# shellcheck disable=SC2086 # $EXTRA is words on purpose
sbx() { run exec -p "$P" $EXTRA "$@"; }

prop_files() { # host files outside the binds are invisible or unreadable
	sbx -- cat "$T/hidden/secret"
	rc_not 0 && ! out_has secret-iso
}
prop_root_ro() { # the root is not writable
	sbx -- "$TRY" write "/cordon-iso-$$"
	_r=$rc
	_host=0
	[ -e "/cordon-iso-$$" ] && _host=1 && rm -f "/cordon-iso-$$"
	[ "$_r" -eq 1 ] && [ "$_host" -eq 0 ]
}
prop_usr_ro() { # /usr is not writable
	sbx -- "$TRY" write "/usr/cordon-iso-$$"
	_r=$rc
	_host=0
	[ -e "/usr/cordon-iso-$$" ] && _host=1 && rm -f "/usr/cordon-iso-$$"
	[ "$_r" -eq 1 ] && [ "$_host" -eq 0 ]
}
prop_net_tcp() { # a TCP listener on the host's loopback is unreachable
	sbx -- "$TRY" tcp 127.0.0.1 "$port"
	rc_is 1
}
prop_net_abstract() { # a host abstract unix socket is unreachable
	sbx -- "$TRY" abstract "$sock"
	rc_is 1
}
prop_procs_hidden() { # host processes are invisible
	sbx -- "$TRY" exists "/proc/$hostpid"
	rc_is 1 && out_is ENOENT
}
prop_proc1_clean() { # /proc/1 shows no host path and none of cordon's environment
	CORDON_ISO_SECRET=iso-secret-$$ sbx -- sh -c 'tr "\0" " " </proc/1/cmdline; echo; tr "\0" " " </proc/1/environ 2>/dev/null; echo'
	! out_has "$T" && ! out_has "$(dirname "$CORDON")" && ! out_has "iso-secret-$$" && ! out_has "$CORDON_SRCDIR"
}
prop_kill_all() { # kill(-1, SIGKILL) inside spares the supervisor and the host
	sbx --json -- sh -c '"$1" killall; echo after' sh "$TRY"
	_st=$(json_get 'j["status"]' 2>/dev/null)
	if ! kill -0 "$hostpid" 2>/dev/null; then
		sleep 600 &
		hostpid=$!
		return 1
	fi
	case "$_st" in ok | failed | killed) return 0 ;; *) return 1 ;; esac
}
prop_no_caps() { # no capabilities in the program
	sbx -- sh -c 'grep -E "^Cap(Prm|Eff|Amb)" /proc/self/status | tr -s "\t" " "'
	out_is "$(printf 'CapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapAmb: 0000000000000000')"
}
prop_no_new_privs() { # no_new_privs is set
	sbx -- sh -c 'grep "^NoNewPrivs" /proc/self/status | tr -s "\t" " "'
	out_is "NoNewPrivs: 1"
}
prop_daemon_dies() { # a double-forked setsid daemon dies with the run
	_mark=$((32000 + $$ % 1000)).$test_count
	sbx -- sh -c "setsid sh -c 'sleep $_mark & sleep $_mark' >/dev/null 2>&1 & sleep 0.3; exit 3"
	rc_is 3 || return 1
	# How fast the kernel tears a namespace down is not this test's concern.
	for _ in $(seq 100); do
		pgrep -f "sleep $_mark" >/dev/null || return 0
		sleep 0.1
	done
	pkill -f "sleep $_mark"
	return 1
}
prop_uid() { # the program runs as uid/gid 65534 (real, effective, saved)
	sbx -- "$TRY" ids
	out_is "65534 65534 65534 65534 65534 65534"
}
prop_output_dir() { # what the program writes to its output directory lands in --output-dir after the run
	rm -f "$T/outdir/r-$NAME"
	sbx --output-dir "$T/outdir" -- sh -c 'case "$2" in /*) [ "$CORDON_OUTPUT_DIR" = "$2" ] || exit 9;; esac
		echo result >"$CORDON_OUTPUT_DIR/$1" && cat "$CORDON_OUTPUT_DIR/$1"' sh "r-$NAME" "$OUTAT"
	out_is result && [ "$(cat "$T/outdir/r-$NAME" 2>/dev/null)" = result ]
}
prop_input_dir() { # --input-dir DIR is readable at $CORDON_INPUT_DIR (/input where the backend mounts), not writable, and a symlink in it to a hidden host file does not reach it
	case "$OUTAT" in /*) _at=/input ;; *) _at=$(realpath "$T/indir") ;; esac
	sbx --input-dir "$T/indir" -- sh -c '[ "$CORDON_INPUT_DIR" = "$1" ] || exit 9; cat "$1/x" "$1/sub/y"' sh "$_at"
	out_is in-datadeep || return 1
	sbx --input-dir "$T/indir" -- "$TRY" write "$_at/new-$NAME"
	rc_is 1 && [ ! -e "$T/indir/new-$NAME" ] || return 1
	sbx --input-dir "$T/indir" -- "$TRY" write "$_at/x"
	rc_is 1 && [ "$(cat "$T/indir/x")" = in-data ] || return 1
	sbx --input-dir "$T/indir" -- cat "$_at/lnk"
	rc_not 0 && ! out_has secret-iso
}
prop_bind_ro() { # --bind-ro PATH is readable at PATH and not writable
	sbx --bind-ro "$T/ro" -- cat "$T/ro/in"
	out_is data || return 1
	sbx --bind-ro "$T/ro" -- "$TRY" write "$T/ro/f-$NAME"
	rc_is 1 && [ ! -e "$T/ro/f-$NAME" ]
}
prop_python3() { # python3 runs a submitted program
	# shellcheck disable=SC2086 # $EXTRA is words on purpose
	run run -p "$P" $EXTRA "$T/prog.py"
	rc_is 0 && out_is "python 3 45"
}

# One meaning per result: the same cause gives the same status, signal,
# limit and exit status under every backend.  $PL is the backend's policy
# with small limits (cpu 1s, output 4K; wall 30s, room for a loaded
# machine to give 1 s of CPU), $PW with a 2 s wall limit.
# res_is STATUS SIGNAL LIMIT RC: the last --json run's outcome.
res_is() {
	[ "$rc" = "$4" ] && json_is '(j["status"], j["signal"], j["limit"])' "('$1', $2, $3)"
}
slim() { run exec -p "$PL" $EXTRA --json "$@"; }
prop_res_exit() { # an exit status: failed, the status itself, no signal, no limit
	slim -- sh -c 'exit 7'
	res_is failed None None 7 && json_is 'j["exit_code"]' 7
}
prop_res_signal() { # death by SIGTERM: killed, signal 15, no limit, 143
	slim -- sh -c 'kill -TERM $$'
	res_is killed 15 None 143 && json_is 'j["exit_code"]' None
}
prop_res_cpu() { # the CPU limit: killed, signal 9, limit cpu, 137
	slim -- "$PROBES/spin" 20
	res_is killed 9 "'cpu'" 137
}
prop_res_wall() { # the wall limit: timeout, killed by cordon (signal 9), limit wall, 124
	run exec -p "$PW" $EXTRA --json -- sleep 30
	res_is timeout 9 "'wall'" 124
}
prop_res_output() { # the output cap: killed, limit output, 137
	slim -- sh -c 'head -c 100000 /dev/zero; sleep 5'
	json_is '(j["status"], j["limit"], j["truncated"]["stdout"])' "('killed', 'output', True)" && [ "$rc" = 137 ]
}

prop_out_cap() { # a disk filler in the output directory is stopped (ENOSPC from its tmpfs, else killed by the sampler): limit output_dir, nothing over the budget copied
	rm -rf "$T/outcap" && mkdir "$T/outcap" && chmod 755 "$T/outcap"
	slim --output-dir "$T/outcap" -- sh -c 'head -c 5000000 /dev/zero >"$CORDON_OUTPUT_DIR/big" || exit 3; sleep 20'
	json_is 'j["limit"]' output_dir || return 1
	case $(json_get 'j["usage"]["output_dir_enforced_by"]') in
	tmpfs) # the write failed in the program; what fitted is collected, no more than the budget
		json_is '(j["status"], j["exit_code"], [(o["path"], o["size"] <= 1048576) for o in j["outputs"]])' \
			"('failed', 3, [('big', True)])" && [ "$rc" = 3 ] && [ "$(stat -c %s "$T/outcap/big")" -le 1048576 ] ;;
	supervisor) json_is 'j["status"]' killed && [ "$rc" = 137 ] && [ ! -e "$T/outcap/big" ] ;;
	*) return 1 ;;
	esac
}
prop_out_enospc() { # /output is a tmpfs of the budget: a write past it fails with ENOSPC in the program, which goes on; what is under the budget is collected with size and sha256
	rm -rf "$T/outfull" && mkdir "$T/outfull" && chmod 755 "$T/outfull"
	slim --output-dir "$T/outfull" -- sh -c 'O=$CORDON_OUTPUT_DIR; printf kept >"$O/keep"; mkdir "$O/d"; printf deep >"$O/d/f"
		ln -s /etc/passwd "$O/d/evil"; head -c 3000000 /dev/zero >"$O/big" 2>/tmp/e; r=$?
		cat /tmp/e >&2; echo "head $r"; printf after >"$O/d/f" && echo "still here"'
	[ "$rc" = 0 ] && json_is 'j["stdout"]' "$(printf 'head 1\nstill here')" &&
		json_is '"No space left on device" in j["stderr"]' True &&
		json_is '(j["status"], j["limit"], j["usage"]["output_dir_enforced_by"])' "('ok', 'output_dir', 'tmpfs')" &&
		json_is 'sorted((o["path"], o["size"], o["sha256"]) for o in j["outputs"] if o["path"] != "big")' \
			"[('d/f', 5, '$(printf after | sha256sum | cut -c1-64)'), ('keep', 4, '$(printf kept | sha256sum | cut -c1-64)')]" &&
		json_is '[o["size"] <= 1048576 for o in j["outputs"] if o["path"] == "big"]' "[True]" &&
		[ "$(cat "$T/outfull/keep")" = kept ] && [ "$(cat "$T/outfull/d/f")" = after ] &&
		[ ! -e "$T/outfull/d/evil" ] && [ ! -L "$T/outfull/d/evil" ]
}
prop_out_files() { # more files than output_files (20): the 21st fails with ENOSPC (a tmpfs with that many inodes), else the sampler stops the run; never more than 20 collected
	rm -rf "$T/outfull" && mkdir "$T/outfull" && chmod 755 "$T/outfull"
	slim --output-dir "$T/outfull" -- sh -c 'i=0; while [ $i -lt 30 ]; do i=$((i+1)); touch "$CORDON_OUTPUT_DIR/f$i" || exit $i; done; sleep 20'
	json_is 'j["limit"]' output_dir && [ "$(find "$T/outfull" -type f | wc -l)" -le 20 ] || return 1
	case "$rc" in
	21) json_is '(j["status"], len(j["outputs"]))' "('failed', 20)" && [ "$(find "$T/outfull" -type f | wc -l)" = 20 ] ;;
	137) json_is 'j["status"]' killed ;;
	*) return 1 ;;
	esac
}
prop_out_links() { # symlinks planted in the output directory are not followed or created; one in --output-dir is replaced
	rm -rf "$T/outlnk" && mkdir "$T/outlnk" && chmod 755 "$T/outlnk"
	echo original >"$T/hidden/target"
	ln -s "$T/hidden/target" "$T/outlnk/victim"
	slim --output-dir "$T/outlnk" -- sh -c 'echo pwned >"$CORDON_OUTPUT_DIR/victim"; ln -s /etc/passwd "$CORDON_OUTPUT_DIR/evil"
		mkdir "$CORDON_OUTPUT_DIR/d" && ln -s / "$CORDON_OUTPUT_DIR/d/root"; exit 0'
	[ "$(cat "$T/hidden/target")" = original ] && [ ! -L "$T/outlnk/victim" ] &&
		[ "$(cat "$T/outlnk/victim")" = pwned ] && [ ! -e "$T/outlnk/evil" ] && [ ! -L "$T/outlnk/evil" ] &&
		[ -d "$T/outlnk/d" ] && [ ! -e "$T/outlnk/d/root" ] && json_is '[o["path"] for o in j["outputs"]]' "['victim']"
}

# The tree's budgets: three forked workers share one memory and CPU budget.
cat >"$T/workers.py" <<'EOF'
import os, sys, time
mb, spin = int(sys.argv[1]), sys.argv[2] == "spin"
for i in range(3):
    if os.fork() == 0:
        if spin:
            while True:
                pass
        b = bytearray(mb * 1024 * 1024)
        for j in range(0, len(b), 4096):
            b[j] = 1
        time.sleep(20)
        os._exit(0)
for i in range(3):
    os.wait()
print("all workers done")
EOF
chmod 644 "$T/workers.py"
prop_tree_mem() { # three workers of 150M under memory: 256M: killed, limit memory, by the sampler; or, in a delegated cgroup, one OOM-killed and the tree never over 256M (the budget is the tree's)
	run exec -p "$PM" $EXTRA --json --source "$T/workers.py" -- python3 "$T/workers.py" 150 hold
	case $(json_get 'j["usage"]["enforced_by"]') in
	supervisor) json_is '(j["status"], j["limit"])' "('killed', 'memory')" &&
		json_is 'j["usage"]["tree_memory_peak_kb"] > 256 * 1024' True ;;
	cgroup)
		if host_memory_peak; then
			json_is '(j["usage"]["oom_killed"], 0 < j["usage"]["tree_memory_peak_kb"] <= 256 * 1024)' "(True, True)"
		else
			json_is 'j["usage"]["oom_killed"]' True
		fi ;;
	*) return 1 ;;
	esac
}
prop_tree_cpu() { # three spinning workers under cpu: 1s: killed, limit cpu, well before 3 s of CPU
	slim --source "$T/workers.py" -- python3 "$T/workers.py" 0 spin
	json_is '(j["status"], j["limit"])' "('killed', 'cpu')" && json_is 'j["usage"]["cpu_ms"] < 2000' True
}

# ---- every backend ----

: >"$T/table"
for yaml in "$CORDON_SRCDIR"/tests/backends/*.yaml; do
	NAME=$(basename "$yaml" .yaml)
	provides=" $(sed -n 's/^# isolation-provides: *//p' "$yaml" | tr -s ' ') "
	OUTAT=$(sed -n 's/^# isolation-output-at: *//p' "$yaml")
	EXTRA=$(sed -n 's/^# isolation-args: *//p' "$yaml" | sed "s|@PROBES@|$PROBES|g")
	P="$T/$NAME.yaml"
	sed "s|@PROBES@|$PROBES|g" "$yaml" | write_policy "$P"
	PL="$T/$NAME-limits.yaml"
	PW="$T/$NAME-wall.yaml"
	PM="$T/$NAME-mem.yaml"
	for v in "$PL:cpu: 1s, wall: 30s, output: 4K, output_dir: 1M, output_files: 20" "$PW:wall: 2s" \
		"$PM:wall: 30s, memory: 256M"; do
		awk -v w="with: {${v#*:}}" '{ if (lim) { sub(/with: \{.*\}/, w); lim = 0 } if ($0 ~ /module: rlimit/) lim = 1; print }' \
			"$P" | write_policy "${v%%:*}"
	done
	why=
	for m in $(sed -n 's/^ *- *module: *\([a-z0-9_]*\).*/\1/p' "$yaml"); do
		grep -q "^$m " "$T/modules" || why="${why:+$why, }module $m not built"
	done
	if [ -z "$why" ]; then
		sbx -- true
		if ! rc_is 0 && err_has "hint: install"; then
			why=$(grep -m1 "hint: install" "$T/err")
		fi
	fi
	for p in $PROPS; do
		if [ -n "$why" ]; then
			skip "$NAME: $p: backend not available ($why)"
			echo "$p $NAME -" >>"$T/table"
			continue
		fi
		case "$provides" in
		*" $p "*) ;;
		*)
			skip "not provided by $NAME: $p"
			echo "$p $NAME skip" >>"$T/table"
			continue
			;;
		esac
		desc=$(sed -n "s/^prop_$p() { # //p" "$0")
		if "prop_$p"; then
			ok "$NAME: $p - $desc"
			echo "$p $NAME yes" >>"$T/table"
		else
			not_ok "$NAME: $p - $desc"
			diag_run
			echo "$p $NAME no" >>"$T/table"
		fi
	done
done

# The table: property x backend (yes, no, skip = not provided, - = backend
# not available here).
backends=$(cut -d' ' -f2 "$T/table" | awk '!seen[$0]++')
# shellcheck disable=SC2086 # one word per backend
diag "$(printf '%-14s' property; for b in $backends; do printf ' %-14s' "$b"; done)"
for p in $PROPS; do
	diag "$(printf '%-14s' "$p"; for b in $backends; do printf ' %-14s' "$(awk -v p="$p" -v b="$b" '$1 == p && $2 == b { print $3 }' "$T/table")"; done)"
done

done_testing
