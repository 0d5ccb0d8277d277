#!/bin/sh
# modules/namespaces/tests/namespaces.t - the namespaces and caps modules,
# proved from inside (tests/probes/ns_try.c and the shell) and from outside.
# Runs as root and as an unprivileged user; as root the sandbox runs as host
# uid 65534, so the directories it binds must be reachable by that uid.
. "$(dirname "$0")/../../../tests/lib.sh"

chmod 755 "$T"
mkdir -p "$T/outdir" "$T/ro" "$T/hidden"
chmod 777 "$T/outdir" "$T/ro"
echo secret >"$T/hidden/secret"

write_policy "$T/p.yaml" <<'EOF2'
interpreter: [/usr/bin/python3, -I, -B]
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8, HOME: /tmp}
stack:
  - module: rlimit
    with: {wall: 60s, output: 1M, cpu: 10s}
  - module: namespaces
  - module: caps
EOF2
P="$T/p.yaml"
# The same with an address-space limit, for python3 (not for the probes:
# an ASan build reserves terabytes of shadow memory).
sed 's/cpu: 10s}/cpu: 10s, memory: 512M}/' "$P" >"$T/pmem.yaml"
chmod 644 "$T/pmem.yaml"
TRY="$PROBES/ns_try"
B="--bind-ro $PROBES"

# shellcheck disable=SC2086 # $B is two words on purpose
sandbox() { run exec -p "$P" $B "$@"; }

sandbox -- "$TRY" ids
check "uid and gid 65534 inside (real, effective, saved)" out_is "65534 65534 65534 65534 65534 65534"

sandbox -- sh -c 'hostname; id -un; id -gn'
check "hostname cordon, user nobody, group nogroup" out_is "$(printf 'cordon\nnobody\nnogroup')"

sandbox -- "$TRY" exists "$T/hidden/secret"
check "host files outside the binds are invisible" out_is ENOENT
sandbox -- sh -c 'for p in /root /home /etc/shadow /var /srv /sys; do [ -e "$p" ] && echo "$p"; done; true'
check "no /root, /home, /etc/shadow, /var, /srv or /sys" out_is ""
check "the test's own directory is outside the view" sh -c '! "$CORDON" exec -p "$1" -- /bin/ls "$2" >/dev/null 2>&1' sh "$P" "$T"

sandbox -- "$TRY" write /newfile
check "the root is read-only" out_is EROFS
sandbox -- "$TRY" write /usr/cordon-test-file
check "/usr is not writable" rc_is 1
sandbox --bind-ro "$T/ro" -- "$TRY" write "$T/ro/f"
check "--bind-ro: visible at the same path and read-only (even to its owner)" out_is EROFS
check "--bind-ro: nothing was written on the host" test ! -e "$T/ro/f"
echo data >"$T/ro/in"
sandbox --bind-ro "$T/ro" -- cat "$T/ro/in"
check "--bind-ro: readable" out_is data
# /proc and /dev are refused by the core for every backend (kernel
# interfaces); /tmp by this module (the sandbox's own mount).
for p in /proc/self /dev; do
	sandbox --bind-ro "$p" -- true
	check "--bind-ro $p: refused (a kernel interface), nothing runs (125)" \
		eval 'rc_is 125 && err_has "--bind-ro $p: a kernel interface"'
done
sandbox --bind-ro /tmp -- true
check "--bind-ro /tmp: refused (the sandbox's own mounts), nothing runs (125)" \
	eval 'rc_is 125 && err_has "are the sandbox'"'"'s own mounts"'

sandbox --output-dir "$T/outdir" -- sh -c 'echo result >/output/r && cat /output/r'
check "--output-dir: writable at /output" out_is result
check "--output-dir: the file is on the host" test "$(cat "$T/outdir/r")" = result
sandbox --output-dir "$T/outdir" -- sh -c 'cp /bin/true /output/t && /output/t'
check "/output is noexec" rc_not 0
sandbox -- sh -c 'cp /bin/true /tmp/t && /tmp/t'
check "/tmp is writable and noexec" err_has "Permission denied"

sandbox -- sh -c 'grep -E "^(NoNewPrivs|Cap(Inh|Prm|Eff|Bnd|Amb))" /proc/self/status | tr -s "\t" " "'
check "NoNewPrivs 1 and every capability set empty (with caps)" out_is "$(printf 'CapInh: 0000000000000000\nCapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapBnd: 0000000000000000\nCapAmb: 0000000000000000\nNoNewPrivs: 1')"

write_policy "$T/nocaps.yaml" <<'EOF2'
stack:
  - module: namespaces
EOF2
run exec -p "$T/nocaps.yaml" -- sh -c 'grep -E "^Cap(Prm|Eff|Amb)" /proc/self/status | tr -s "\t" " "'
check "without caps, execve still leaves no capability" out_is "$(printf 'CapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapAmb: 0000000000000000')"

# Network: a host abstract unix socket and a host TCP listener.
name="cordon-ns-test-$$"
python3 -c '
import socket, sys, time
a = socket.socket(socket.AF_UNIX); a.bind("\0" + sys.argv[1]); a.listen(8)
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen(8)
open(sys.argv[2], "w").write(str(t.getsockname()[1]))
time.sleep(120)' "$name" "$T/port" &
listener=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
port=$(cat "$T/port")
check "control: the host abstract socket accepts connections" sh -c '"$1" abstract "$2" >/dev/null' sh "$TRY" "$name"
sandbox -- "$TRY" abstract "$name"
check "host abstract unix sockets are unreachable" out_is ECONNREFUSED
sandbox -- "$TRY" tcp 127.0.0.1 "$port"
check "the host's loopback is unreachable" out_is ECONNREFUSED
sandbox -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
check "only the loopback interface" out_is lo
sandbox -- sh -c 'grep -c "^ *lo:" /proc/net/dev; cat /sys/class/net/lo/operstate 2>/dev/null; python3 -c "
import socket
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); print(\"loopback up\")"'
check "loopback is up inside" out_has "loopback up"
write_policy "$T/hostnet.yaml" <<'EOF2'
stack:
  - module: namespaces
    with: {network: host}
EOF2
run exec -p "$T/hostnet.yaml" $B -- "$TRY" abstract "$name"
check "network: host reaches the host's abstract socket (the probe can fail)" out_is ok
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null

# Processes.
sleep 300 &
hostpid=$!
sandbox -- sh -c 'ls /proc | grep -c "^[0-9]"'
check "host processes are invisible (a handful of pids)" test "$(cat "$T/out")" -le 5
sandbox -- "$TRY" exists "/proc/$hostpid"
check "the test's own host process is not in /proc" out_is ENOENT
run exec -p "$P" --json $B -- sh -c '"$1" killall; echo after' sh "$TRY"
check "kill(-1, SIGKILL) inside: the supervisor reports the run" json_is 'j["status"] in ("killed", "failed", "ok")' True
check "kill(-1, SIGKILL) inside spares host processes" kill -0 "$hostpid"
kill "$hostpid"
wait "$hostpid" 2>/dev/null

mark=$((31000 + $$ % 1000)).5
sandbox -- sh -c "setsid sh -c 'sleep $mark & sleep $mark' >/dev/null 2>&1 & sleep 0.3; exit 3"
check "the program's exit status is relayed" rc_is 3
sleep 0.2
check "a daemonized grandchild dies with the run" sh -c '! pgrep -f "sleep $1" >/dev/null' sh "$mark"

run exec -p "$P" --json $B -- sh -c 'kill -TERM $$'
check "death by a signal is relayed (143)" rc_is 143
check "death by a signal: signal 15 in the result" json_is 'j["signal"]' 15

if is_root; then
	mkdir "$T/suid"
	chmod 755 "$T/suid"
	cp "$TRY" "$T/suid/ns_try"
	chown 0:0 "$T/suid/ns_try"
	chmod 6755 "$T/suid/ns_try"
	sandbox --bind-ro "$T/suid" -- "$T/suid/ns_try" ids
	check "a set-user-ID root binary gains nothing" out_is "65534 65534 65534 65534 65534 65534"
else
	skip "set-user-ID test needs root to create a set-user-ID root binary"
fi

run exec -p "$P" --json $B -- "$PROBES/envdump"
check "environment: only the policy's" json_is '" ".join(sorted(l.split("=")[0] for l in j["stdout"].split("\n") if l))' "HOME LANG PATH"
run exec -p "$P" $B -- "$PROBES/fdlist"
check "descriptors: only 0, 1, 2" test "$(cut -d' ' -f1 "$T/out" | tr '\n' ' ')" = "0 1 2 "

sandbox -- sh -c 'cut -d" " -f5 /proc/self/mountinfo'
grep -vE "^(/|/dev(/.*)?|/proc(/.*)?|/tmp|/usr|/bin|/sbin|/lib|/lib32|/lib64|/libx32|/etc/.*|$PROBES)$" "$T/out" >"$T/extra"
check "mountinfo: no mount points beyond the sandbox's own and the binds" test ! -s "$T/extra"
sandbox -- sh -c 'cut -d" " -f4 /proc/self/mountinfo'
grep -vE "^(/|/null|/zero|/full|/random|/urandom|/sys|/irq|/bus|/fs|/usr|/etc/.*|$PROBES)$" "$T/out" >"$T/extra"
check "mountinfo: no host paths beyond the binds" test ! -s "$T/extra"

sandbox -- "$TRY" userns
check "nested user namespaces are disabled" out_is ENOSPC
write_policy "$T/nested.yaml" <<'EOF2'
stack:
  - module: namespaces
    with: {nested_userns: true, hostname: box-1.test}
EOF2
run exec -p "$T/nested.yaml" $B -- sh -c '"$1" userns; hostname' sh "$TRY"
check "nested_userns: true allows them; hostname is the policy's" out_is "$(printf 'ok\nbox-1.test')"

write_policy "$T/small.yaml" <<'EOF2'
stack:
  - module: namespaces
    with: {tmp_size: 1M, tmp_inodes: 64}
EOF2
run exec -p "$T/small.yaml" -- sh -c 'head -c 2000000 /dev/zero >/tmp/big'
check "/tmp has a size cap" err_has "No space left"
run exec -p "$T/small.yaml" -- sh -c 'i=0; while [ $i -lt 100 ]; do touch /tmp/f$i || exit 9; i=$((i+1)); done'
check "/tmp has an inode cap" rc_is 9
check "/tmp inode cap: no space left" err_has "No space left"

write_policy "$T/limits.yaml" <<'EOF2'
stack:
  - module: rlimit
    with: {wall: 1s, output: 4K}
  - module: namespaces
  - module: caps
EOF2
run exec -p "$T/limits.yaml" --json -- sleep 30
check "wall timeout still works: 124" rc_is 124
check "wall timeout: limit wall" json_is 'j["limit"]' wall
run exec -p "$T/limits.yaml" --json -- yes
check "output cap still works: 137" rc_is 137
check "output cap: limit output" json_is 'j["limit"]' output

run run -p "$T/pmem.yaml" --json "$CORDON_SRCDIR/contrib/examples/untrusted.py"
check "python3 runs contrib/examples/untrusted.py" rc_is 0
check "untrusted.py: computed its answer" json_is '"mean 4 median 4" in j["stdout"]' True
check "untrusted.py: no warnings" json_is 'j["warnings"]' '[]'

# cgroup: without a usable cgroup v2 directory the result says so.
write_policy "$T/cg.yaml" <<EOF2
stack:
  - module: namespaces
    with: {cgroup: {path: $T, memory: 64M, pids: 32}}
EOF2
run exec -p "$T/cg.yaml" --json -- true
check "cgroup: not a cgroup v2 directory: the run goes on" rc_is 0
check "cgroup: the result warns that no cgroup limit holds" json_is '"no cgroup limits" in " ".join(j["warnings"])' True

# cgroup v2: pid 1 joins the run's cgroup before anything of the sandbox
# forks, then makes the cgroup namespace, so its root is the run's cgroup.
# Proved from both sides: inside, /proc/self/cgroup says "0::/"; outside,
# every process of the run (pid 1, the shell, its sleep) is in
# PARENT/cordon-PID-N and in one cgroup namespace that is not the host's.
# Needs a cgroup2 directory where cordon may create a child and move
# processes (root here; an unprivileged user needs one delegated to it).
cg2=$(awk '$9 == "cgroup2" && $4 == "/" { print $5; exit }' /proc/self/mountinfo 2>/dev/null)
# run_members PARENT: the pids in PARENT/cordon-*, once there are three
# (pid 1, the shell, its sleep), or what there is after two seconds.
run_members() {
	_m=
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		_m=$(cat "$1"/cordon-*/cgroup.procs 2>/dev/null | tr '\n' ' ')
		[ "$(echo "$_m" | wc -w)" -ge 3 ] && break
		sleep 0.1
	done
	echo "$_m"
}
if ! is_root; then
	skip_n 5 "cgroup v2 join: needs root (or a cgroup delegated to this user) to create and join a cgroup"
elif [ -z "$cg2" ] || ! mkdir "$cg2/cordon-test-$$" 2>/dev/null; then
	skip_n 5 "cgroup v2 join: no cgroup2 mount where a cgroup can be created (${cg2:-none mounted})"
else
	write_policy "$T/cg2.yaml" <<EOF2
stack:
  - module: namespaces
    with: {cgroup: {path: $cg2/cordon-test-$$, pids: 16}}
EOF2
	run exec -p "$T/cg2.yaml" --json -- sh -c 'cat /proc/self/cgroup; sleep 2' &
	bg=$!
	# The run's cgroup holds the sandbox while it sleeps.
	members=$(run_members "$cg2/cordon-test-$$")
	rel=$(for p in $members; do sed -n 's/^0:://p' "/proc/$p/cgroup"; done | sort -u)
	nss=$(for p in $members; do readlink "/proc/$p/ns/cgroup"; done | sort -u)
	wait "$bg"
	check "cgroup v2: pid 1, the program and its child are all in the run's cgroup" \
		eval '[ "$(echo "$members" | wc -w)" -ge 3 ] && [ "$(echo "$rel" | wc -l)" -eq 1 ] && case "$rel" in */cordon-test-$$/cordon-*-*) true ;; *) false ;; esac'
	check "cgroup v2: they share one cgroup namespace, not the host's" \
		eval '[ "$(echo "$nss" | wc -l)" -eq 1 ] && [ "$nss" != "$(readlink /proc/self/ns/cgroup)" ]'
	check "cgroup v2: inside, the run's cgroup is the namespace's root (0::/)" \
		json_is '[l for l in j["stdout"].split("\n") if l.startswith("0::")]' "['0::/']"
	if grep -qw pids "$cg2/cgroup.controllers"; then
		check "cgroup v2: no warning when the pids controller is available" json_is 'j["warnings"]' '[]'
	else
		check "cgroup v2: the pids controller is missing: the result says the limit does not hold" \
			json_is '"pids limit does not hold" in " ".join(j["warnings"])' True
	fi
	check "cgroup v2: the run's cgroup is removed afterwards, with no warning" \
		eval 'test -z "$(ls -d "$cg2/cordon-test-$$"/cordon-* 2>/dev/null)" && json_is "[w for w in j[\"warnings\"] if \"remove\" in w]" "[]"'
	rmdir "$cg2/cordon-test-$$"
fi

# The same for an unprivileged user with a cgroup delegated to it (as
# systemd's Delegate=yes does): made here by root, chowning a cgroup to
# 65534 and starting cordon as 65534 from a leaf beneath it (moving a
# process needs write access to the common ancestor's cgroup.procs).  The
# descriptor pid 1 writes was opened by the supervisor, as 65534 outside
# any new namespace: that is whose permission the kernel checks.
dg="$cg2/cordon-deleg-$$"
if ! is_root; then
	skip_n 3 "delegated cgroup: root sets up the delegation (run as root)"
elif [ -z "$cg2" ] || ! command -v setpriv >/dev/null 2>&1 ||
	! setpriv --reuid=65534 --regid=65534 --clear-groups "$CORDON" --version >/dev/null 2>&1 ||
	! mkdir -p "$dg/leaf" 2>/dev/null; then
	skip_n 3 "delegated cgroup: needs a cgroup2 mount, setpriv and a cordon uid 65534 can run"
else
	chown 65534:65534 "$dg" "$dg/cgroup.procs" "$dg/cgroup.subtree_control" "$dg/leaf" "$dg/leaf/cgroup.procs"
	write_policy "$T/deleg.yaml" <<EOF2
stack:
  - module: namespaces
    with: {cgroup: {path: $dg}}
EOF2
	sh -c 'echo $$ >"$1/leaf/cgroup.procs" && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$2" exec -p "$3" --json -- sh -c "grep ^0:: /proc/self/cgroup; sleep 2"' \
		sh "$dg" "$CORDON" "$T/deleg.yaml" >"$T/out" 2>"$T/err" </dev/null &
	bg=$!
	members=$(run_members "$dg")
	owners=$(for p in $members; do awk '/^Uid:/ { print $2 }' "/proc/$p/status"; done | sort -u)
	wait "$bg"
	rc=$?
	check "delegated cgroup, as uid 65534: every process of the run is in the run's cgroup" \
		eval '[ "$(echo "$members" | wc -w)" -ge 3 ] && [ "$owners" = 65534 ]'
	check "delegated cgroup, as uid 65534: inside, the run's cgroup is the namespace's root (0::/)" \
		jtrue 'j["status"] == "ok" and j["stdout"] == "0::/\n"'
	check "delegated cgroup, as uid 65534: no warning, the run's cgroup removed" \
		eval 'json_is "j[\"warnings\"]" "[]" && test -z "$(ls -d "$dg"/cordon-* 2>/dev/null)"'
	rmdir "$dg/leaf" "$dg"
fi

# Bad policies: 125 with file:line.
bad() { # desc expected-text
	_d=$1 _e=$2
	run exec -p "$T/bad.yaml" -- true
	check "$_d: 125" rc_is 125
	check "$_d: names file:line" err_has "$T/bad.yaml:"
	check "$_d: says what is wrong" err_has "$_e"
}
printf 'stack:\n  - module: namespaces\n    with: {netwrk: none}\n' >"$T/bad.yaml"
bad "unknown key" "netwrk"
printf 'stack:\n  - module: namespaces\n    with: {bind_ro: [/nonexistent/cordon]}\n' >"$T/bad.yaml"
bad "missing bind source" "missing bind source /nonexistent/cordon"
printf 'stack:\n  - module: namespaces\n    with: {tmp_size: 12Q}\n' >"$T/bad.yaml"
bad "bad size" "tmp_size"
printf 'stack:\n  - module: namespaces\n    with: {tmp_size: 1k}\n' >"$T/bad.yaml"
bad "size below the minimum" "tmp_size"
printf 'stack:\n  - module: namespaces\n    with: {network: bridge}\n' >"$T/bad.yaml"
bad "unknown network mode" "expected none or host"
printf 'stack:\n  - module: namespaces\n    with: {hostname: "a b"}\n' >"$T/bad.yaml"
bad "bad hostname" "hostname"
printf 'stack:\n  - module: namespaces\n    with: {bind_ro: [relative/path]}\n' >"$T/bad.yaml"
bad "relative bind" "absolute path"
printf 'stack:\n  - module: namespaces\n    with: {bind_ro: [/tmp]}\n' >"$T/bad.yaml"
bad "bind under a path the sandbox mounts" "mounts itself"
printf 'stack:\n  - module: namespaces\n    with: {cgroup: {path: /x, memroy: 1M}}\n' >"$T/bad.yaml"
bad "unknown cgroup key" "memroy"
printf 'stack:\n  - module: caps\n    with: {keep: [CAP_NOPE]}\n' >"$T/bad.yaml"
bad "unknown capability" "unknown capability 'CAP_NOPE'"
chmod 644 "$T/bad.yaml"

run exec -p "$P" --bind-ro /nonexistent/cordon -- true
check "--bind-ro of a missing path: 125" rc_is 125

# A policy with a cgroup launches the same way (there is one launch: pid 1
# joins the cgroup itself).  The containment checks, again, with a cgroup
# path (no cgroup v2 directory: the run goes on with a warning).
write_policy "$T/cgpath.yaml" <<EOF2
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8, HOME: /tmp}
stack:
  - module: rlimit
    with: {wall: 60s, output: 1M, cpu: 10s}
  - module: namespaces
    with: {cgroup: {path: $T}}
  - module: caps
EOF2
cgpath() { run exec -p "$T/cgpath.yaml" $B "$@"; }
cgpath -- sh -c 'ls /proc | grep "^[0-9]" | sort -n | tr "\n" " "; "$1" ids' sh "$TRY"
check "with a cgroup path: pids 1 and 2 (and the shell's children) only, ids 65534" out_has "65534 65534 65534 65534 65534 65534"
check "with a cgroup path: the program is pid 2" sh -c 'head -c 4 "$1" | grep -q "^1 2 "' sh "$T/out"
cgpath -- "$TRY" exists "$T/hidden/secret"
check "with a cgroup path: host files outside the binds are invisible" out_is ENOENT
cgpath -- "$TRY" write /newfile
check "with a cgroup path: the root is read-only" out_is EROFS
cgpath -- sh -c 'cut -d" " -f5 /proc/self/mountinfo'
grep -vE "^(/|/dev(/.*)?|/proc(/.*)?|/tmp|/usr|/bin|/sbin|/lib|/lib32|/lib64|/libx32|/etc/.*|$PROBES)$" "$T/out" >"$T/extra"
check "with a cgroup path: no mount points beyond the sandbox's own and the binds" test ! -s "$T/extra"
mark=$((32000 + $$ % 1000)).5
cgpath -- sh -c "setsid sh -c 'sleep $mark & sleep $mark' >/dev/null 2>&1 & sleep 0.3; exit 3"
check "with a cgroup path: the program's exit status is relayed" rc_is 3
sleep 0.2
check "with a cgroup path: a daemonized grandchild dies with the run" sh -c '! pgrep -f "sleep $1" >/dev/null' sh "$mark"
run exec -p "$T/cgpath.yaml" --json $B -- sh -c 'kill -TERM $$'
check "with a cgroup path: death by a signal is relayed (143)" rc_is 143
check "with a cgroup path: signal 15 in the result" json_is 'j["signal"]' 15

# The direct launch: the sandbox's pid 1 is cordon itself, with no
# capability, not dumpable; the program's process is pid 2.
sandbox -- sh -c 'cat /proc/1/comm; grep -E "^Cap(Prm|Eff)" /proc/1/status | tr -s "\t" " "; echo $$'
check "direct launch: pid 1 is cordon's reaper without capabilities; the program is pid 2" \
	out_is "$(printf 'cordon\nCapPrm: 0000000000000000\nCapEff: 0000000000000000\n2')"
sandbox -- sh -c 'ls -l /proc/1/cwd /proc/1/root 2>&1 | grep -c "Permission denied"'
check "direct launch: pid 1's cwd and root are not readable from the sandbox" out_is 2

# Even with every capability of its user namespace (uid 0 inside, no caps
# module) the program cannot reach pid 1's descriptors (the control pipe to
# the supervisor) or memory: pid 1 is not dumpable and its memory belongs to
# the host's user namespace.
write_policy "$T/root0.yaml" <<'EOF2'
env: {PATH: /usr/bin:/bin}
stack:
  - module: namespaces
    with: {uid: 0, gid: 0}
EOF2
run exec -p "$T/root0.yaml" -- python3 -c '
import os
for p in ("/proc/1/fd/3", "/proc/1/mem"):
    try:
        os.close(os.open(p, os.O_WRONLY))
        print(p, "open")
    except OSError as e:
        print(p, e.errno == 13 and "EACCES" or e.strerror)
'
check "uid 0 inside: pid 1's control pipe and memory are out of reach" \
	out_is "$(printf '/proc/1/fd/3 EACCES\n/proc/1/mem EACCES')"

done_testing
