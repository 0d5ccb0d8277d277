#!/bin/sh
# modules/landlock/tests/landlock.t - the landlock module, proved from inside
# (tests/probes/ll_try.c and the shell) and from outside.  Runs as root and
# as an unprivileged user.  As root the program runs as host uid 65534, so
# every path a test expects to be denied is one that uid could reach without
# Landlock (mode 777 / 666): the denial is Landlock's, not the permission bits'.
. "$(dirname "$0")/../../../tests/lib.sh"

chmod 755 "$T"
mkdir -p "$T/outdir" "$T/ro" "$T/open" "$T/hidden" "$T/tmpbase"
chmod 777 "$T/outdir" "$T/ro" "$T/open" "$T/hidden"
chmod 755 "$T/tmpbase"
echo secret >"$T/hidden/secret"
chmod 666 "$T/hidden/secret"
# cordon makes each run's private tmp here, so the test can see it go.
export TMPDIR="$T/tmpbase"

abi=$(python3 -c '
import ctypes
print(max(0, ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1)))')
diag "Landlock ABI $abi, uid $(id -u)"

write_policy "$T/p.yaml" <<'EOF2'
interpreter: [/usr/bin/python3, -I, -B]
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8, HOME: /nonexistent}
stack:
  - module: rlimit
    with: {wall: 60s, output: 1M, cpu: 10s}
  - module: landlock
  - module: caps
EOF2
P="$T/p.yaml"
TRY="$PROBES/ll_try"
B="--bind-ro $PROBES"

# shellcheck disable=SC2086 # $B is two words on purpose
sandbox() { run exec -p "$P" $B "$@"; }
# policy FILE 'with-mapping': a one-module policy with these arguments.
policy() {
	write_policy "$1" <<EOF2
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8}
stack:
  - module: landlock
    with: $2
EOF2
}

if [ "$abi" -lt 1 ]; then
	echo "1..0 # SKIP Landlock is not available on this kernel"
	exit 0
fi

# --- the file system ---
sandbox -- "$TRY" read "$T/hidden/secret"
check "a host file outside the rules cannot be read (EACCES)" out_is EACCES
sandbox -- "$TRY" read /etc/hostname
check "/etc/hostname (not a default) cannot be read" out_is EACCES
sandbox -- "$TRY" list "$T"
check "a host directory outside the rules cannot be listed" out_is EACCES
sandbox -- "$TRY" write "$T/open/f"
check "a world-writable host directory outside the rules cannot be written" out_is EACCES
check "... and nothing was written" test ! -e "$T/open/f"
sandbox -- "$TRY" write /cordon-landlock-test
check "writing under / fails" out_is EACCES
sandbox -- "$TRY" write /usr/cordon-landlock-test
check "writing under /usr fails" out_is EACCES
sandbox -- "$TRY" write /tmp/cordon-landlock-test-$$
check "the host's /tmp is not writable" out_is EACCES
sandbox -- sh -c 'echo hi >/dev/null && head -c 4 /dev/urandom | wc -c && cat /usr/share/common-licenses/GPL-3 | head -1'
check "/dev/null, /dev/urandom and /usr are usable" out_is "$(printf '4\n                    GNU GENERAL PUBLIC LICENSE')"

echo data >"$T/ro/in"
chmod 666 "$T/ro/in"
sandbox --bind-ro "$T/ro" -- cat "$T/ro/in"
check "--bind-ro: readable at its own path" out_is data
sandbox --bind-ro "$T/ro" -- "$TRY" write "$T/ro/f"
check "--bind-ro: not writable (even a world-writable directory)" out_is EACCES
check "--bind-ro: nothing was written on the host" test ! -e "$T/ro/f"
if [ "$abi" -ge 3 ]; then
	sandbox --bind-ro "$T/ro" -- "$TRY" truncate "$T/ro/in"
	check "--bind-ro: a world-writable file cannot be truncated (ABI 3)" out_is EACCES
	check "... it still holds its data" test "$(cat "$T/ro/in")" = data
else
	skip "truncate is restricted from Landlock ABI 3"
	skip "truncate is restricted from Landlock ABI 3"
fi

# The program writes the core's staging directory, at its own path (in
# $CORDON_OUTPUT_DIR); the files reach --output-dir after the run.
sandbox --output-dir "$T/outdir" -- sh -c 'echo "$CORDON_OUTPUT_DIR"; echo result >"$CORDON_OUTPUT_DIR/r" && cat "$CORDON_OUTPUT_DIR/r"
	echo x >"$1/direct" 2>/dev/null || echo "not the caller'"'"'s directory"' sh "$T/outdir"
check "--output-dir: the output directory is writable at its own path, in \$CORDON_OUTPUT_DIR" \
	sh -c 'sed -n 1p "$1" | grep -q "^/.*/cordon-out\.[A-Za-z0-9]*/o$" && sed -n 2p "$1" | grep -qx result' sh "$T/out"
check "--output-dir: the file is on the host after the run" test "$(cat "$T/outdir/r")" = result
check "--output-dir: the caller's directory itself is not writable to the program" \
	sh -c 'grep -q "not the caller.s directory" "$1" && [ ! -e "$2/direct" ]' sh "$T/out" "$T/outdir"
sandbox --output-dir "$T/outdir" -- sh -c 'cp /bin/true "$CORDON_OUTPUT_DIR/t" && "$CORDON_OUTPUT_DIR/t"'
check "--output-dir: no execute" err_has "Permission denied"

sandbox -- sh -c 'pwd; echo "$TMPDIR"; stat -c %a "$TMPDIR"; echo x >"$TMPDIR/f" && cat "$TMPDIR/f"; mkdir "$TMPDIR/d" && echo y >"$TMPDIR/d/g" && chmod 0 "$TMPDIR/d"'
check "private tmp: TMPDIR is the working directory, mode 700, writable" \
	sh -c 'base=$2; set -- $(cat "$1"); [ "$1" = "$2" ] && [ "$3" = 700 ] && [ "$4" = x ] && case $1 in "$base"/cordon-landlock.*) true;; *) false;; esac' sh "$T/out" "$T/tmpbase"
check "private tmp: removed after the run (even a mode-0 directory in it)" test -z "$(ls -A "$T/tmpbase")"
sandbox -- sh -c 'cp /bin/true "$TMPDIR/t" && "$TMPDIR/t"'
check "private tmp: no execute" err_has "Permission denied"
policy "$T/exectmp.yaml" '{exec_tmp: true}'
run exec -p "$T/exectmp.yaml" -- sh -c 'cp /bin/true "$TMPDIR/t" && "$TMPDIR/t" && echo ran'
check "exec_tmp: true allows it" out_is ran
policy "$T/notmp.yaml" '{private_tmp: false}'
run exec -p "$T/notmp.yaml" -- sh -c 'echo "${TMPDIR:-unset}"; pwd'
check "private_tmp: false: no TMPDIR, working directory /" out_is "$(printf 'unset\n/')"

sandbox -- "$TRY" read /proc/self/status
check "proc: self: the program's own /proc/PID is readable" out_is ok
sandbox -- "$TRY" read /proc/1/cmdline
check "proc: self: another process's /proc entry is not" out_is EACCES
sandbox -- "$TRY" read /proc/cpuinfo
check "proc: self: the rest of /proc is not" out_is EACCES
policy "$T/procread.yaml" '{proc: read}'
run exec -p "$T/procread.yaml" $B -- "$TRY" read /proc/1/cmdline
check "proc: read: all of /proc" out_is ok
policy "$T/procnone.yaml" '{proc: none}'
# (ls, not the probe: a sanitizer-built probe needs its own /proc/PID)
run exec -p "$T/procnone.yaml" -- ls /proc
check "proc: none: /proc cannot even be listed" err_has "cannot open directory '/proc': Permission denied"

policy "$T/lists.yaml" "{read_only: [$T/hidden], read_write: [$T/open], execute: [/usr]}"
run exec -p "$T/lists.yaml" $B -- sh -c '"$1" read "$2/hidden/secret"; "$1" write "$2/hidden/x"; "$1" write "$2/open/w"' sh "$TRY" "$T"
check "read_only and read_write lists" out_is "$(printf 'ok\nEACCES\nok')"
policy "$T/nodefaults.yaml" '{default_paths: false, execute: [/usr, /lib, /lib64], read_only: [/etc/ld.so.cache]}'
run exec -p "$T/nodefaults.yaml" $B -- "$TRY" write /dev/null
check "default_paths: false: not even /dev/null" out_is EACCES

# --- identity ---
sandbox -- sh -c 'id -u; id -g; id -G'
if is_root; then
	check "as root: the program runs as uid and gid 65534, no groups" out_is "$(printf '65534\n65534\n65534')"
	sandbox -- sh -c 'grep -E "^(CapBnd|NoNewPrivs)" /proc/$$/status | tr -s "\t" " "'
	check "as root: empty bounding set and no_new_privs (from sh's own /proc/PID)" \
		out_is "$(printf 'CapBnd: 0000000000000000\nNoNewPrivs: 1')"
	policy "$T/uid.yaml" '{host_uid: 4242, host_gid: 4343}'
	run exec -p "$T/uid.yaml" -- sh -c 'id -u; id -g'
	check "as root: host_uid and host_gid" out_is "$(printf '4242\n4343')"
else
	check "unprivileged: the program runs as cordon's own uid" out_is "$(printf '%s\n%s\n%s' "$(id -u)" "$(id -g)" "$(id -G)")"
	skip "bounding set: needs root"
	skip "host_uid: needs root"
fi

# --- the network ---
name="cordon-ll-test-$$"
python3 -c '
import socket, sys, time
a = socket.socket(socket.AF_UNIX); a.bind("\0" + sys.argv[1]); a.listen(64)
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen(64)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
open(sys.argv[2], "w").write("%d %d" % (t.getsockname()[1], u.getsockname()[1]))
time.sleep(300)' "$name" "$T/port.tmp" &
listener=$!
for _ in $(seq 200); do [ -s "$T/port.tmp" ] && break; sleep 0.05; done
read -r port uport <"$T/port.tmp"
free_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

check "control: the host TCP listener accepts connections" sh -c '"$1" tcp "$2" >/dev/null' sh "$TRY" "$port"
check "control: the host abstract socket accepts connections" sh -c '"$1" abstract "$2" >/dev/null' sh "$TRY" "$name"

if [ "$abi" -ge 4 ]; then
	sandbox -- "$TRY" tcp "$port"
	check "network: none: TCP connect to a host loopback port is refused (ABI 4)" out_is EACCES
	sandbox -- "$TRY" bind "$free_port"
	check "network: none: TCP bind is refused" out_is EACCES
	policy "$T/hostnet.yaml" '{network: host}'
	run exec -p "$T/hostnet.yaml" $B -- "$TRY" tcp "$port"
	check "network: host: the connection is allowed" out_is ok
	policy "$T/ports.yaml" "{connect_tcp: [$port], bind_tcp: $free_port}"
	run exec -p "$T/ports.yaml" $B -- sh -c '"$1" tcp "$2"; "$1" bind "$3"; "$1" tcp "$3"' sh "$TRY" "$port" "$free_port"
	check "connect_tcp / bind_tcp: the listed ports only" out_is "$(printf 'ok\nok\nEACCES')"
else
	for _ in 1 2 3 4; do skip "TCP rules need Landlock ABI 4"; done
fi
sandbox -- "$TRY" udp "$uport"
check "UDP is not restricted by Landlock (a documented limit)" out_is ok
run exec -p "$P" --json $B -- true
check "network: none: the result warns that UDP and raw sockets are not restricted" \
	json_is '[w for w in j["warnings"] if "UDP and raw sockets are not restricted by Landlock; combine with seccomp" in w] != []' True
run exec -p "$T/hostnet.yaml" --json -- true
check "network: host: no such warning" json_is '[w for w in j["warnings"] if "UDP" in w]' '[]'

if [ "$abi" -ge 6 ]; then
	sandbox -- "$TRY" abstract "$name"
	check "an abstract unix socket of the host is refused (ABI 6)" out_is EPERM
	policy "$T/noscope.yaml" '{scope: []}'
	run exec -p "$T/noscope.yaml" $B -- "$TRY" abstract "$name"
	check "scope: []: reachable" out_is ok
	sandbox -- python3 -c '
import socket
a = socket.socket(socket.AF_UNIX); a.bind("\0cordon-inside"); a.listen(1)
b = socket.socket(socket.AF_UNIX); b.connect("\0cordon-inside"); print("inside ok")'
	check "abstract sockets inside the sandbox still work" out_is "inside ok"
else
	for _ in 1 2 3; do skip "abstract unix socket scoping needs Landlock ABI 6"; done
fi
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null

# --- signals ---
if is_root; then
	setpriv --reuid=65534 --regid=65534 --clear-groups sleep 300 &
else
	sleep 300 &
fi
hostpid=$!
if [ "$abi" -ge 6 ]; then
	sandbox -- "$TRY" kill "$hostpid"
	check "a signal to a host process of the same uid is refused (ABI 6)" out_is EPERM
	run exec -p "$T/noscope.yaml" $B -- "$TRY" kill "$hostpid"
	check "scope: []: the same signal is allowed (the uid could)" out_is ok
	sandbox -- sh -c 'sleep 30 & kill $!; wait $!; echo $?'
	check "signals inside the sandbox still work" out_is 143
else
	for _ in 1 2 3; do skip "signal scoping needs Landlock ABI 6"; done
fi
check "the host process is alive" kill -0 "$hostpid"
kill "$hostpid"
wait "$hostpid" 2>/dev/null

# --- python3, the environment, descriptors ---
sed 's/cpu: 10s}/cpu: 10s, memory: 512M}/' "$P" >"$T/pmem.yaml"
chmod 644 "$T/pmem.yaml"
run run -p "$T/pmem.yaml" --json "$CORDON_SRCDIR/contrib/examples/untrusted.py"
check "python3 runs contrib/examples/untrusted.py" rc_is 0
check "untrusted.py: computed its answer" json_is '"mean 4 median 4" in j["stdout"]' True
check "untrusted.py: nothing on stderr" json_is 'j["stderr"]' ''
check "untrusted.py: no warning about the Landlock ABI on this kernel" \
	json_is '[w for w in j["warnings"] if "ABI" in w] == [] or '"$abi"' < 6' True
run exec -p "$P" --json $B -- "$PROBES/envdump"
check "environment: the policy's and TMPDIR" json_is '" ".join(sorted(l.split("=")[0] for l in j["stdout"].split("\n") if l))' "HOME LANG PATH TMPDIR"
run exec -p "$P" $B -- "$PROBES/fdlist"
check "descriptors: only 0, 1, 2" test "$(cut -d' ' -f1 "$T/out" | tr '\n' ' ')" = "0 1 2 "

# --- best_effort ---
policy "$T/strict.yaml" '{best_effort: false}'
run exec -p "$T/strict.yaml" --json -- true
if [ "$abi" -ge 6 ]; then
	check "best_effort: false on a kernel that has everything (ABI $abi): runs" rc_is 0
	check "... without an ABI warning" json_is '[w for w in j["warnings"] if "ABI" in w]' '[]'
	policy "$T/lenient.yaml" '{scope: [signal]}'
	run exec -p "$T/lenient.yaml" --json -- true
	check "a policy asking less: still no ABI warning" json_is '[w for w in j["warnings"] if "ABI" in w]' '[]'
else
	check "best_effort: false on ABI $abi: refuses to run (125)" rc_is 125
	check "... naming what is missing" err_has "cannot enforce"
	run exec -p "$P" --json -- true
	check "best_effort: true on ABI $abi: runs with a warning" json_is '[w for w in j["warnings"] if "Landlock ABI" in w] != []' True
fi

# --- audit mode: the rules stay enforced; denials reported where the kernel lets cordon read them ---
# audit_ctl get | set N: the kernel audit subsystem's "enabled" flag (needs
# root); prints 0, 1 or 2 (locked), or "EPERM".
audit_ctl() {
	python3 - "$@" <<'EOF2'
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)  # NETLINK_AUDIT
s.bind((0, 0))
if sys.argv[1] == "set":
    payload = struct.pack("=11I", 1, int(sys.argv[2]), 0, 0, 0, 0, 0, 0, 0, 0, 0)  # mask: enabled
    s.send(struct.pack("=IHHII", 16 + len(payload), 1001, 1 | 4, 1, 0) + payload)  # AUDIT_SET, ack
else:
    s.send(struct.pack("=IHHII", 16, 1000, 1, 1, 0))  # AUDIT_GET
while True:
    d = s.recv(8192)
    typ = struct.unpack("=H", d[4:6])[0]
    if typ == 2:  # NLMSG_ERROR: an error, or the acknowledgement of a set
        err = struct.unpack("=i", d[16:20])[0]
        if err or sys.argv[1] == "set":
            print("EPERM" if err == -1 else ("ok" if err == 0 else err))
            break
    elif typ == 1000:
        print(struct.unpack("=11I", d[16:60])[1])
        break
EOF2
}
secret=$(realpath "$T/hidden/secret")
no_audit_words='[w for w in j["warnings"] if "audit:" in w]'
denied='[f["message"] for f in j["findings"] if f["rule"] == "landlock-denied"]'

run exec -p "$P" --json $B -- "$TRY" read "$T/hidden/secret"
check "enforce mode: the read is denied" json_is 'j["stdout"].split()' "['EACCES']"
check "enforce mode: no landlock finding" json_is "$denied" '[]'
check "enforce mode: no audit warning" json_is "$no_audit_words" '[]'

if [ "$abi" -lt 7 ]; then
	run exec -p "$P" --audit --json $B -- "$TRY" read "$T/hidden/secret"
	check "audit mode on ABI $abi: still denied (EACCES)" json_is 'j["stdout"].split()' "['EACCES']"
	check "audit mode on ABI $abi: a warning says denials cannot be reported (ABI 7)" \
		jtrue '[w for w in j["warnings"] if "landlock denials cannot be reported on this host" in w and "ABI 7" in w]'
	for _ in 1 2 3 4 5 6 7 8 9 10; do skip "reporting Landlock denials needs Landlock ABI 7 (Linux 6.15); this kernel has ABI $abi"; done
elif is_root && audit_was=$(audit_ctl get 2>/dev/null) && case $audit_was in 0 | 1 | 2) true ;; *) false ;; esac; then
	diag "kernel audit subsystem: enabled=$audit_was (changed for these tests, then restored)"
	trap 'case $audit_was in 0|1) audit_ctl set "$audit_was" >/dev/null;; esac; rm -rf "$T"' EXIT
	if [ "$audit_was" = 2 ]; then
		skip "the audit subsystem is locked enabled: the disabled case cannot be shown"
		skip "the audit subsystem is locked enabled: the disabled case cannot be shown"
	else
		audit_ctl set 0 >/dev/null
		run exec -p "$P" --audit --json $B -- "$TRY" read "$T/hidden/secret"
		check "as root, audit disabled: still denied (Landlock stays enforced in audit mode)" json_is 'j["stdout"].split()' "['EACCES']"
		check "as root, audit disabled: a warning says why denials cannot be reported, no finding" \
			jtrue '[w for w in j["warnings"] if "cannot be reported on this host: the kernel audit subsystem is disabled" in w] and not '"$denied"
	fi
	if [ "$(audit_ctl set 1 2>/dev/null)" != ok ]; then
		for _ in 1 2 3 4 5 6 7 8 9 10; do skip "cannot enable the kernel audit subsystem here (a container without CAP_AUDIT_CONTROL?)"; done
	else
	run exec -p "$P" --audit --json $B -- sh -c '"$1" read "$2"; "$1" read "$2"; "$1" write "$3/open/audit-w"' sh "$TRY" "$secret" "$T"
	check "as root, audit enabled: the reads are still denied (EACCES)" json_is 'j["stdout"].split()' "['EACCES', 'EACCES', 'EACCES']"
	check "... and nothing was written" test ! -e "$T/open/audit-w"
	check "... a finding names the access and the path, with the count and the pid" \
		jtrue '[m for m in '"$denied"' if m.startswith("fs.read_file denied: '"$secret"' (2 times; first by pid ") and m.endswith("/ll_try)")]'
	check "... another for the write, with its own access right" \
		jtrue '[m for m in '"$denied"' if m.startswith("fs.make_reg denied: '"$(realpath "$T")"'/open (pid ")]'
	# (only the test's own paths: a sanitizer-built probe is also denied /proc/self/maps)
	check "... the marker is not reported, and no other denial of the test's files" \
		json_is "[m for m in $denied if m.startswith(\"fs.make_char\")], len([m for m in $denied if \"$(realpath "$T")\" in m])" '([], 2)'

	check "... no audit warning (every denial the kernel counted was reported)" json_is "$no_audit_words" '[]'
	check "... the run's status is the program's (failed), not denied" json_is 'j["status"], j["mode"]' "('failed', 'audit')"
	run exec -p "$P" --audit --json $B -- "$TRY" read /usr/share/common-licenses/GPL-3
	check "as root, audit enabled, nothing denied: no finding and no warning (the marker proves the records arrive)" \
		json_is "$denied, $no_audit_words" '([], [])'
	sed 's/^interpreter:/mode: audit\ninterpreter:/' "$P" >"$T/paudit.yaml"
	chmod 644 "$T/paudit.yaml"
	printf 'print(open("/etc/hostname").read())\n' >"$T/readhost.py"
	run run -p "$T/paudit.yaml" --json "$T/readhost.py"
	check "mode: audit in the policy, python3: the finding names /etc/hostname" \
		jtrue '[m for m in '"$denied"' if m.startswith("fs.read_file denied: /etc/hostname (pid ")]'
	check "... and python3 saw the denial (PermissionError)" json_is '"PermissionError" in j["stderr"]' True
	fi
	case $audit_was in 0 | 1) audit_ctl set "$audit_was" >/dev/null ;; esac
elif is_root; then
	# Root, but the audit subsystem cannot be queried (a container).
	run exec -p "$P" --audit --json $B -- "$TRY" read "$T/hidden/secret"
	check "root without the audit subsystem, audit mode: still denied (EACCES)" json_is 'j["stdout"].split()' "['EACCES']"
	check "root without the audit subsystem: a warning says denials cannot be reported" \
		jtrue '[w for w in j["warnings"] if "landlock denials cannot be reported on this host" in w]'
	check "root without the audit subsystem: no finding is made up" json_is "$denied" '[]'
	for _ in 1 2 3 4 5 6 7 8 9; do skip "the kernel audit subsystem cannot be queried here"; done
else
	run exec -p "$P" --audit --json $B -- "$TRY" read "$T/hidden/secret"
	check "unprivileged, audit mode: still denied (EACCES)" json_is 'j["stdout"].split()' "['EACCES']"
	check "unprivileged, audit mode: a warning says denials cannot be reported and why (CAP_AUDIT_READ)" \
		jtrue '[w for w in j["warnings"] if "landlock denials cannot be reported on this host" in w and "CAP_AUDIT_READ" in w]'
	check "unprivileged, audit mode: no finding is made up" json_is "$denied" '[]'
	for _ in 1 2 3 4 5 6 7; do skip "reading the kernel audit log needs CAP_AUDIT_READ: root only"; done
fi

# --- after the namespaces module: landlock confines inside its view ---
mkdir -p "$T/nsout"
chmod 777 "$T/nsout"
write_policy "$T/nsll.yaml" <<'EOF2'
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8}
stack:
  - module: namespaces
  - module: landlock
EOF2
run exec -p "$T/nsll.yaml" --json --output-dir "$T/nsout" -- \
	sh -c 'echo t >/tmp/f && cat /tmp/f; echo o >/output/o; pwd; echo s >/dev/shm/x 2>/dev/null || echo shm-denied; python3 -c "print(6*7)"'
check "namespaces then landlock: runs in the view (its /tmp, /output, cwd /tmp; python3)" \
	json_is 'j["status"], j["stdout"].split()' "('ok', ['t', '/tmp', 'shm-denied', '42'])"
check "... the output directory is written through /output" test -s "$T/nsout/o"
check "... Landlock still applies inside the view (/dev/shm, which the view has, is denied)" \
	json_is '"shm-denied" in j["stdout"]' True
check "... no warning about default paths the view does not show" \
	json_is '[w for w in j["warnings"] if "default path" in w]' '[]'
write_policy "$T/llns.yaml" <<'EOF2'
stack:
  - module: landlock
  - module: namespaces
EOF2
run exec -p "$T/llns.yaml" -- touch "$T/ran-llns"
check "landlock before namespaces: refused (125), naming the order" \
	eval 'rc_is 125 && err_has "llns.yaml:3:5: namespaces (isolation) comes after landlock (LSM" && err_has "the confinement order is" && [ ! -e "$T/ran-llns" ]'
write_policy "$T/nsllpt.yaml" <<'EOF2'
stack:
  - module: namespaces
  - module: landlock
    with: {private_tmp: true}
EOF2
run exec -p "$T/nsllpt.yaml" -- true
check "private_tmp: true after namespaces: a policy error at its line" \
	eval 'rc_is 125 && err_has "nsllpt.yaml:4:" && err_has "already gives the program a private /tmp"'

# An optional namespaces module that fails leaves no view: landlock, which
# relies on it, must not run the program unconfined (fail closed).  Made to
# fail inside `unshare -Ur` (setgroups is denied there) on the launch a
# cgroup setting selects.
mkdir -p "$T/notcg"
write_policy "$T/nsopt.yaml" <<EOF2
env: {PATH: /usr/bin:/bin}
stack:
  - module: namespaces
    control: optional
    with: {cgroup: {path: $T/notcg}}
  - module: landlock
EOF2
# Root only: in an unprivileged user's `unshare -Ur` host root's directories
# show as nobody's, so the policy's path is not trusted (125 for that).
if ! is_root; then
	skip "needs root: inside an unprivileged unshare -Ur the policy's directories are not trusted"
elif unshare -Ur true 2>/dev/null; then
	rm -f "$T/ran-nsopt"
	unshare -Ur "$CORDON" exec -p "$T/nsopt.yaml" -- touch "$T/ran-nsopt" >"$T/out" 2>"$T/err"
	rc=$?
	check "an optional namespaces that failed: landlock refuses to run without its view (125)" \
		eval 'rc_is 125 && err_has "namespaces module did not confine this process" && [ ! -e "$T/ran-nsopt" ]'
else
	skip "unshare -Ur is not available here (user namespaces disabled)"
fi

# --- bad policies: 125 with file:line ---
bad() { # desc expected-text
	_d=$1 _e=$2
	run exec -p "$T/bad.yaml" -- true
	check "$_d: 125" rc_is 125
	check "$_d: names file:line" err_has "$T/bad.yaml:"
	check "$_d: says what is wrong" err_has "$_e"
}
policy "$T/bad.yaml" '{read_olny: [/usr]}'
bad "unknown key" "read_olny"
policy "$T/bad.yaml" '{connect_tcp: [70000]}'
bad "port above 65535" "port 70000 is outside 0 to 65535"
policy "$T/bad.yaml" '{bind_tcp: [-1]}'
bad "negative port" "outside 0 to 65535"
policy "$T/bad.yaml" '{connect_tcp: [http]}'
bad "port that is not a number" "expected an integer"
policy "$T/bad.yaml" '{connect_tcp: {a: 1}}'
bad "ports as a mapping" "expected a port or a list of ports"
policy "$T/bad.yaml" '{network: host, connect_tcp: [443]}'
bad "port list with network: host" "only with network: none"
policy "$T/bad.yaml" '{read_only: [/nonexistent/cordon]}'
bad "missing listed path" "/nonexistent/cordon"
policy "$T/bad.yaml" '{execute: [usr/bin]}'
bad "relative path" "expected an absolute path"
policy "$T/bad.yaml" '{network: bridge}'
bad "unknown network mode" "expected none or host"
policy "$T/bad.yaml" '{scope: [ptrace]}'
bad "unknown scope" "expected abstract_unix_socket or signal"
policy "$T/bad.yaml" '{proc: all}'
bad "unknown proc mode" "expected self, read or none"
policy "$T/bad.yaml" '{best_effort: maybe}'
bad "best_effort not a boolean" "best_effort"
policy "$T/bad.yaml" '{host_uid: 0}'
bad "host_uid 0" "host_uid"

run exec -p "$P" --bind-ro /nonexistent/cordon -- true
check "--bind-ro of a missing path: 125" rc_is 125

done_testing
