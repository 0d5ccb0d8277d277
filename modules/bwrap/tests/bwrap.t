#!/bin/sh
# modules/bwrap/tests/bwrap.t - the bwrap backend: how the namespaces
# module's arguments become bubblewrap options, what is refused, and what the
# program sees.  The isolation properties it shares with the other backends
# are proved by tests/isolation.t.  Runs as root and as an unprivileged user.
. "$(dirname "$0")/../../../tests/lib.sh"

chmod 755 "$T"
mkdir -p "$T/outdir"
chmod 777 "$T/outdir"
TRY="$PROBES/ns_try"

if [ ! -x /usr/bin/bwrap ]; then
	echo "1..0 # SKIP /usr/bin/bwrap is not installed (Debian package bubblewrap)"
	exit 0
fi

write_policy "$T/p.yaml" <<EOF2
interpreter: [/usr/bin/python3, -I, -B]
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8, HOME: /tmp}
stack:
  - module: rlimit
    with: {wall: 60s, output: 1M}
  - module: bwrap
    with: {bind_ro: ["$PROBES"]}
EOF2
P="$T/p.yaml"

run exec -p "$P" -- sh -c 'id -un; id -gn; hostname; pwd; cat /etc/hosts | grep -c cordon'
check "user nobody, group nogroup, hostname cordon, cwd /tmp, /etc/hosts names the host" \
	out_is "$(printf 'nobody\nnogroup\ncordon\n/tmp\n1')"
run exec -p "$P" -- sh -c 'ls -a / | tr "\n" " "'
# The probes are bound at their host path, so its first component (work,
# check, home, ...) is the one entry allowed beyond the standard set.
TOP=$(printf '%s\n' "$PROBES" | cut -d/ -f2)
check "the root holds only the sandbox's mount points and symlinks" \
	sh -c '[ -z "$(tr " " "\n" <"$1" | grep -vxE "\.|\.\.|bin|dev|etc|lib|lib32|lib64|libx32|proc|sbin|tmp|usr|output|$2")" ]' sh "$T/out" "$TOP"
# Run directories of this user's that exist now (other runs on the machine,
# by other users or before this one, are not this run's).
rundirs() { find /tmp -maxdepth 1 -name 'cordon-bwrap-*' -user "$(id -u)" 2>/dev/null | sort; }
rundirs >"$T/rundirs.before"
run exec -p "$P" -- sh -c 'readlink /bin; test -d /usr/bin && echo usr'
check "merged /usr: /bin is a symlink, /usr is bound" out_is "$(printf 'usr/bin\nusr')"
rundirs >"$T/rundirs.after"
check "the run directory is removed after the run" sh -c "! comm -13 '$T/rundirs.before' '$T/rundirs.after' | grep -q ."

mkdir "$T/ro"
echo data >"$T/ro/in"
chmod 755 "$T/ro"
chmod 644 "$T/ro/in"
write_policy "$T/tmpbind.yaml" <<EOF2
stack:
  - module: bwrap
    with: {bind_ro: ["$T/ro", "$PROBES"]}
EOF2
run exec -p "$T/tmpbind.yaml" -- sh -c 'cat "$1/in"; "$2" write "$1/f"; "$2" write /tmp/x' sh "$T/ro" "$TRY"
check "bind_ro under /tmp: readable and read-only on the sandbox's writable /tmp" out_is "$(printf 'data\nEROFS\nok')"

run exec -p "$P" -- sh -c 'exit 7'
check "the program's exit status is relayed" rc_is 7
run exec -p "$P" --json -- sh -c 'kill -TERM $$'
check "death by a signal: cordon exits 143, as with the other backends" rc_is 143
check "death by a signal: reported as the signal, as the other backends do (bubblewrap relays it as 143)" \
	json_is '(j["status"], j["exit_code"], j["signal"])' "('killed', None, 15)"

run exec -p "$P" -- "$TRY" userns
check "nested user namespaces are disabled" rc_is 1
check "nested user namespaces: refused by the kernel (ENOSPC or EPERM)" sh -c 'grep -qxE "ENOSPC|EPERM" "$1"' sh "$T/out"

write_policy "$T/opts.yaml" <<EOF2
stack:
  - module: bwrap
    with: {bind_ro: ["$PROBES"], hostname: box-1.test, uid: 1000, gid: 1001, nested_userns: true, tmp_size: 1M, shm_size: 1M}
EOF2
run exec -p "$T/opts.yaml" -- sh -c '"$1" ids; hostname; id -un; "$1" userns' sh "$TRY"
check "uid, gid, hostname and nested_userns are the policy's" \
	out_is "$(printf '1000 1000 1000 1001 1001 1001\nbox-1.test\nsandbox\nok')"
run exec -p "$T/opts.yaml" -- sh -c 'head -c 2000000 /dev/zero >/tmp/big'
check "tmp_size caps /tmp" err_has "No space left"
run exec -p "$T/opts.yaml" -- sh -c 'head -c 2000000 /dev/zero >/dev/shm/big'
check "shm_size caps /dev/shm" err_has "No space left"

# network: host.
sock="cordon-bwrap-test-$$"
python3 -c '
import socket, sys, time
a = socket.socket(socket.AF_UNIX); a.bind("\0" + sys.argv[1]); a.listen(8)
open(sys.argv[2], "w").write("1")
time.sleep(120)' "$sock" "$T/ready" &
listener=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.05; done
run exec -p "$P" -- "$TRY" abstract "$sock"
check "network: none cannot reach the host's abstract socket" out_is ECONNREFUSED
write_policy "$T/hostnet.yaml" <<EOF2
stack:
  - module: bwrap
    with: {bind_ro: ["$PROBES"], network: host}
EOF2
run exec -p "$T/hostnet.yaml" -- "$TRY" abstract "$sock"
check "network: host reaches the host's abstract socket" out_is ok
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null

run exec -p "$P" --output-dir "$T/outdir" -- sh -c 'echo r >/output/r && cp /bin/true /output/t && /output/t && echo ran'
check "--output-dir: writable at /output (and exec allowed: bwrap cannot mount noexec)" out_is ran
check "--output-dir: the file is on the host" test "$(cat "$T/outdir/r")" = r

run exec -p "$P" --json -- true
check "bubblewrap's own exiting pid 1 is reaped without a 'left running' warning" \
	jtrue 'j["status"] == "ok" and not any("left running" in w for w in j["warnings"])'

mkdir -p "$T/robind" && echo seen >"$T/robind/in" && chmod -R a+rX "$T/robind" && chmod a+x "$T"
run exec -p "$P" --bind-ro "$T/robind" -- sh -c 'cat '"$T"'/robind/in; echo x >'"$T"'/robind/w 2>/dev/null || echo ro'
check "--bind-ro on the command line: readable at its path, not writable" out_is "seen
ro"

# ---- with the seccomp module after bwrap: bubblewrap loads its filter ----
# (bwrap --seccomp FD, a sealed memfd kept open across the exec).  The
# environment turns off LeakSanitizer, which would ptrace at exit in
# sanitizer builds (`make asan`) and be denied like any other ptrace.
write_policy "$T/bwsc.yaml" <<EOF2
interpreter: [/usr/bin/python3, -I, -B]
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8, HOME: /tmp, ASAN_OPTIONS: "detect_leaks=0"}
stack:
  - module: rlimit
    with: {wall: 60s, output: 1M}
  - module: bwrap
    with: {bind_ro: ["$PROBES"]}
  - module: seccomp
EOF2
SC="$T/bwsc.yaml"
# Each of these reaches the kernel under bwrap alone (keyctl and add_key
# succeed, personality(READ_IMPLIES_EXEC) succeeds, the others fail with
# EFAULT): EPERM proves the profile's filter is loaded.
denied="keyctl add_key io_uring_setup personality_bad perf_event_open"
run exec -p "$P" -- "$PROBES/sc_deny" $denied
check "control: without seccomp, the calls reach the kernel inside bwrap" \
	sh -c '! grep -q EPERM "$1" && grep -q "keyctl: returned" "$1"' sh "$T/out"
run exec -p "$SC" --json -- "$PROBES/sc_deny" $denied getppid fork clone3
check "bwrap + seccomp: the program runs to the end (exit 0)" rc_is 0
for f in $denied; do
	check "bwrap + seccomp: $f answered EPERM inside bwrap" json_is "'$f: errno EPERM' in j['stdout']" True
done
check "bwrap + seccomp: getppid and fork work, clone3 ENOSYS" \
	json_is '"getppid: returned" in j["stdout"] and "fork: returned 0" in j["stdout"] and "clone3: errno ENOSYS" in j["stdout"]' True
check "bwrap + seccomp: the result says denials are not itemized under bwrap" \
	jtrue 'any("bubblewrap loads the filter" in w and "not itemized" in w for w in j["warnings"])'
run exec -p "$SC" -- sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\t" " "; id -un; hostname'
check "bwrap + seccomp: filter mode, no_new_privs, still bwrap's sandbox" \
	out_is "$(printf 'NoNewPrivs: 1\nSeccomp: 2\nnobody\ncordon')"
# (a foreign ABI under bwrap + seccomp: modules/seccomp/tests/abi.t)
run exec -p "$SC" --json -- "$PROBES/sc_abi" native
check "bwrap + seccomp: a native getpid works" json_is '"native: returned" in j["stdout"]' True
run exec -p "$SC" -- "$PROBES/fdlist"
check "bwrap + seccomp: bubblewrap closed the program's descriptor: only 0, 1, 2 are open" \
	sh -c '[ "$(cut -d" " -f1 "$1" | tr "\n" " ")" = "0 1 2 " ]' sh "$T/out"
# untrusted.py tries to allocate 2 GiB: bounded here, so that it fails
# instead of really taking the memory (the probes above are left without
# an address-space limit: sanitizer builds reserve terabytes of it).
sed 's/output: 1M}/output: 1M, memory: 512M}/' "$SC" >"$T/bwsc-mem.yaml"
chmod 0644 "$T/bwsc-mem.yaml"
run run -p "$T/bwsc-mem.yaml" --json "$CORDON_SRCDIR/contrib/examples/untrusted.py"
check "bwrap + seccomp: python3 runs contrib/examples/untrusted.py" \
	jtrue 'j["status"] == "ok" and "mean 4 median 4" in j["stdout"]'

write_policy "$T/seccomp.yaml" <<EOF2
stack:
  - module: seccomp
  - module: bwrap
    with: {bind_ro: ["$PROBES"]}
EOF2
rm -f "$T/ran"
run exec -p "$T/seccomp.yaml" -- touch "$T/ran"
check "seccomp before bwrap is a policy error (125), nothing ran" sh -c '[ "$1" -eq 125 ] && [ ! -e "$2" ]' sh "$rc" "$T/ran"
check "seccomp before bwrap: the error names both modules at bwrap's line and the fix" \
	sh -c 'grep -qF "seccomp.yaml:3:5: bwrap (isolation) comes after seccomp (seccomp" "$1" && grep -qF "the confinement order is" "$1"' sh "$T/err"

# A filter cordon itself inherited (a container, a service manager) is not
# the stack's: allowed.  An allow-everything filter, loaded with libseccomp.
cat >"$T/filt.py" <<'EOF2'
import ctypes, os, sys
try:
    lib = ctypes.CDLL("libseccomp.so.2")
except OSError:
    sys.exit(99)
lib.seccomp_init.restype = ctypes.c_void_p
ctx = lib.seccomp_init(ctypes.c_uint32(0x7fff0000))  # SCMP_ACT_ALLOW
if not ctx or lib.seccomp_load(ctypes.c_void_p(ctx)) != 0:
    sys.exit(99)
os.execv(sys.argv[1], sys.argv[1:])
EOF2
python3 "$T/filt.py" "$CORDON" exec -p "$P" -- sh -c 'grep "^Seccomp_filters" /proc/self/status | tr -s "\t" " "' >"$T/out" 2>"$T/err" </dev/null
rc=$?
if [ "$rc" -eq 99 ]; then
	skip "libseccomp.so.2 not loadable from python3"
else
	# One more than this shell runs under (a container may have its own).
	check "a seccomp filter cordon inherited does not stop bwrap" out_is "Seccomp_filters: $(($(seccomp_filters) + 1))"
fi

write_policy "$T/limits.yaml" <<EOF2
stack:
  - module: rlimit
    with: {wall: 1s, output: 4K}
  - module: bwrap
EOF2
run exec -p "$T/limits.yaml" --json -- sleep 30
check "wall timeout: 124, limit wall" json_is '(j["limit"], j["status"])' "('wall', 'timeout')"
run exec -p "$T/limits.yaml" --json -- yes
check "output cap: limit output" json_is 'j["limit"]' output

# Policy errors: what bubblewrap cannot express is refused at its line.
bad() { # bad DESCRIPTION WITH-MAPPING EXPECTED-TEXT
	write_policy "$T/bad.yaml" <<EOF2
stack:
  - module: bwrap
    with: $2
EOF2
	run exec -p "$T/bad.yaml" -- true
	if rc_is 125 && err_has "bad.yaml:3" && err_has "$3"; then ok "$1"; else not_ok "$1"; diag_run; fi
}
bad "tmp_inodes is a policy error" "{tmp_inodes: 100}" "bwrap cannot cap /tmp inodes"
bad "exec_tmp: false is a policy error" "{exec_tmp: false}" "bwrap cannot mount /tmp, /dev/shm or /output noexec"
bad "cgroup is a policy error" "{cgroup: {path: /sys/fs/cgroup}}" "bwrap cannot place the sandbox in a cgroup"
bad "a missing bwrap binary is a policy error with a hint" "{bwrap: /nonexistent/bwrap}" "install the Debian package bubblewrap"
bad "network: bad value" "{network: bridge}" "network: expected none or host"
bad "hostname: bad value" "{hostname: 'a b'}" "hostname: expected"
bad "bind_ro: a missing path" "{bind_ro: [/nonexistent/path]}" "missing bind source"
bad "bind_ro: under /proc" "{bind_ro: [/proc/self]}" "which the sandbox mounts itself"
bad "bind_ro: /tmp itself" "{bind_ro: [/tmp]}" "which the sandbox mounts itself"
bad "bind_ro: /" "{bind_ro: [/]}" "whole host file system"
write_policy "$T/ok.yaml" <<EOF2
stack:
  - module: bwrap
    with: {exec_tmp: true, default_binds: true}
EOF2
run exec -p "$T/ok.yaml" -- true
check "exec_tmp: true and default_binds: true are accepted" rc_is 0
write_policy "$T/nodef.yaml" <<EOF2
stack:
  - module: bwrap
    with: {default_binds: false, bind_ro: [/usr], shm_size: 64K}
EOF2
run exec -p "$T/nodef.yaml" -- /usr/bin/test -e /bin
check "default_binds: false leaves out /bin (only /usr is bound)" rc_is 1

sed 's/output: 1M}/output: 1M, memory: 512M}/' "$P" >"$T/pmem.yaml"
chmod 0644 "$T/pmem.yaml"
run run -p "$T/pmem.yaml" --json "$CORDON_SRCDIR/contrib/examples/untrusted.py"
check "python3 runs contrib/examples/untrusted.py" rc_is 0
check "untrusted.py: computed its answer" json_is '"mean 4 median 4" in j["stdout"]' True
check "untrusted.py: its 2 GiB allocation failed under the policy's memory limit" \
	json_is '"allocating 2 GiB: MemoryError" in j["stdout"]' True

done_testing
