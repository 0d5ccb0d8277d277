#!/bin/sh
# modules/seccomp/tests/abi.t - foreign system call ABIs of an x86_64
# process: the x32 bit and the i386 entry point (`int $0x80`) are killed by
# the filter and reported by name, alone, in the pid namespace and under
# bubblewrap; audit mode lets them run and reports them.
#
# These depend on the host.  The x32 bit reaches the filter on every x86_64
# kernel (the filter sees the call before the kernel's table does).  The
# i386 entry point exists only where the kernel has IA32 emulation: where
# it does not, `int $0x80` faults before any filter runs, so nothing can be
# shown about blocking it and those cases skip with the reason (the probe
# is lib.sh's host_i386).  The last cases run this same file again on a
# host without the entry point (tests/probes/no_i386 closes it with a
# seccomp filter of its own) and prove that it then passes, skipping
# exactly the i386 cases.
. "$(dirname "$0")/../../../tests/lib.sh"
export CORDON_MODULE_PATH="$(dirname "$CORDON")/../lib/cordon/modules"
[ -d "$CORDON_MODULE_PATH" ] || CORDON_MODULE_PATH="$CORDON_TESTBIN/../lib/cordon/modules"

if ! host_x86_64; then
	echo "1..0 # SKIP $HOST_WHY"
	exit 0
fi
I386=
I386_WHY=
if host_i386; then
	I386=1
else
	I386_WHY=$HOST_WHY
fi
I386_TESTS=0
# i386 N: the next N tests need the i386 entry point; false (and N skips
# with the reason) when this host has none.
i386() {
	I386_TESTS=$((I386_TESTS + $1))
	[ -n "$I386" ] && return 0
	skip_n "$1" "$I386_WHY"
	return 1
}

finding_has() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if any(sys.argv[2] in f["message"] for f in j["findings"]) else 1)' "$T/out" "$1"; }
stdout_has() { json_get 'j["stdout"]' >"$T/so" && grep -qF -- "$1" "$T/so"; }
# The environment turns off LeakSanitizer, which stops the world with
# ptrace at exit in sanitizer builds and would be denied like any ptrace.
write_sc() {
	{
		echo 'env: {PATH: "/usr/local/bin:/usr/bin:/bin", LANG: C.UTF-8, HOME: /tmp, ASAN_OPTIONS: "detect_leaks=0"}'
		cat
	} | write_policy "$1"
}
write_sc "$T/default.yaml" <<'EOF'
stack:
  - module: seccomp
EOF
write_sc "$T/audit.yaml" <<'EOF'
stack:
  - module: seccomp
    with: {audit: true}
EOF

run exec -p "$T/default.yaml" --json -- "$PROBES/sc_abi" native
check "native getpid works" stdout_has "native: returned"

# abi_killed CASE NAME: the four facts of a foreign-ABI kill by the filter.
abi_killed() {
	check "$1: the process is killed by SIGSYS (159)" rc_is 159
	check "$1: status killed, signal 31" json_is 'j["status"]+" "+str(j["signal"])' "killed 31"
	check "$1: it never printed" eval '! stdout_has returned'
	check "$1: killed by seccomp: getpid [$2 ABI]" finding_has "killed by seccomp: getpid [$2 ABI]("
}

# ---- x32: on every x86_64 kernel ----
run exec -p "$T/default.yaml" --json -- "$PROBES/sc_abi" x32
abi_killed x32 x32
run exec -p "$T/audit.yaml" --json -- "$PROBES/sc_abi" x32
check "audit: an x32 call is reported as a would-be denial" finding_has "would deny getpid [x32 ABI]("

# ---- i386: where the kernel has the entry point ----
if i386 4; then
	run exec -p "$T/default.yaml" --json -- "$PROBES/sc_abi" int80
	abi_killed int80 i386
fi
if i386 2; then
	run exec -p "$T/audit.yaml" --json -- "$PROBES/sc_abi" int80
	check "audit: even a foreign ABI runs" stdout_has "int80: returned"
	check "audit: ... and is reported" finding_has "would deny getpid [i386 ABI]("
fi
if i386 1; then
	run exec --audit -p "$T/default.yaml" --json -- "$PROBES/sc_abi" int80
	check "exec --audit: a foreign ABI runs and is reported" \
		eval 'stdout_has "int80: returned" && finding_has "would deny getpid [i386 ABI]("'
fi

# ---- socketcall through i386: the route around the socket-family rules
# that Docker's profile leaves open (its own comment says so); here the
# whole entry point is killed before any family is looked at ----
if i386 3; then
	run exec -p "$T/default.yaml" --json -- "$PROBES/af_family" vsock_i386
	check "i386 socketcall(SYS_SOCKET, AF_VSOCK): killed by SIGSYS (159)" rc_is 159
	check "i386 socketcall: no socket was made" eval '! stdout_has "vsock_i386:"'
	check "i386 socketcall: killed by seccomp: socketcall [i386 ABI]" finding_has "killed by seccomp: socketcall [i386 ABI]("
fi

# ---- last in an isolation stack: the pid-1 reaper relays the kill ----
write_sc "$T/iso.yaml" <<'EOF'
stack:
  - module: namespaces
    with: {network: none}
  - module: caps
  - module: seccomp
EOF
sed '/module: seccomp/d' "$T/iso.yaml" >"$T/iso-only.yaml"
chmod 0644 "$T/iso-only.yaml"
if ! "$CORDON" exec -p "$T/iso-only.yaml" -- true >/dev/null 2>&1; then
	skip_n 2 "isolated: the namespaces module cannot run here (user namespaces?)"
elif i386 2; then
	run exec -p "$T/iso.yaml" --bind-ro "$PROBES" --json -- "$PROBES/sc_abi" int80
	check "isolated: the reaper relays the kill by SIGSYS (159)" rc_is 159
	check "isolated: killed by seccomp: getpid [i386 ABI]" finding_has "killed by seccomp: getpid [i386 ABI]("
fi

# ---- under bubblewrap, which loads the module's filter ----
if [ ! -x /usr/bin/bwrap ]; then
	skip_n 4 "bwrap: /usr/bin/bwrap is not installed (Debian package bubblewrap)"
else
	write_sc "$T/bw.yaml" <<EOF
stack:
  - module: rlimit
    with: {wall: 60s, output: 1M}
  - module: bwrap
    with: {bind_ro: ["$PROBES"]}
  - module: seccomp
EOF
	if i386 3; then
		run exec -p "$T/bw.yaml" --json -- "$PROBES/sc_abi" int80
		check "bwrap + seccomp: i386 int 0x80 kills the program (bwrap relays SIGSYS as 159)" rc_is 159
		check "bwrap + seccomp: int 0x80: the call never returned" json_is '"returned" in j["stdout"]' False
		check "bwrap + seccomp: int 0x80: reported as killed by seccomp" \
			jtrue 'j["status"] == "killed" and j["signal"] == 31 and any(f["module"] == "seccomp" and f["rule"] == "killed" and "SIGSYS" in f["message"] for f in j["findings"])'
	fi
	if i386 1; then
		run exec --audit -p "$T/bw.yaml" --json -- "$PROBES/sc_abi" int80
		check "bwrap: --audit: even a foreign ABI runs (logged, not killed)" eval 'rc_is 0 && stdout_has "int80: returned"'
	fi
fi

# ---- this file on a host without the i386 entry point ----
if [ -n "$I386" ]; then
	"$PROBES/no_i386" sh "$0" >"$T/sim" 2>"$T/sim.err" </dev/null
	src=$?
	check "no i386 entry point (simulated): the host probe says so" \
		sh -c '"$1/no_i386" sh -c ". \"\$2\"; host_i386 && exit 1; echo \"\$HOST_WHY\"" sh "$1" "$2" 2>/dev/null |
			grep -qF "this kernel has no i386 entry point (int \$0x80 from a 64-bit process: killed by SIGSYS)"' \
		sh "$PROBES" "$CORDON_SRCDIR/tests/lib.sh"
	check "no i386 entry point (simulated): this file passes (exit 0)" [ "$src" -eq 0 ]
	check "no i386 entry point (simulated): exactly the $I386_TESTS i386 cases skip, with the reason" \
		[ "$(grep -c '^ok [0-9]* # SKIP this kernel has no i386 entry point' "$T/sim")" -eq "$I386_TESTS" ]
	check "no i386 entry point (simulated): nothing else skips or fails" \
		[ "$(grep -c '^not ok\|# SKIP' "$T/sim")" -eq "$I386_TESTS" ]
	check "no i386 entry point (simulated): the x32 cases still run" \
		grep -q '^ok [0-9]* - x32: killed by seccomp: getpid \[x32 ABI\]' "$T/sim"
	if [ "$src" -ne 0 ]; then
		awk '/^not ok/ { print "# " $0 }' "$T/sim"
		head -c 2000 "$T/sim.err" | awk '{ print "# stderr: " $0 }'
	fi
fi

done_testing
