#!/bin/sh
# tests/cgroup.t - the run's own cgroup v2 (core/cgroup.c): where the host
# delegates a cgroup with the memory and pids controllers (systemd
# `Delegate=yes`, root on a pure v2 host), the tree's memory and processes
# budgets are held by the kernel (memory.max, pids.max) without any
# configuration; where not, the supervisor samples them (usage.enforced_by
# says which held them, -v says why there is no cgroup).  The kernel's part is proved only where such a cgroup exists (a
# hybrid hierarchy without controllers, as on many development machines,
# skips it with the reason cordon gives).
. "$(dirname "$0")/lib.sh"

write_policy "$T/ns.yaml" <<'EOF2'
interpreter: [/usr/bin/python3, -I, -B]
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {memory: 128M, address_space: false, processes: 64, wall: 30s}
  - module: namespaces
EOF2
write_policy "$T/none.yaml" <<'EOF2'
interpreter: [/usr/bin/python3, -I, -B]
isolation: none
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {memory: 128M, address_space: false, wall: 30s}
EOF2
write_policy "$T/nobudget.yaml" <<'EOF2'
interpreter: [/usr/bin/python3, -I, -B]
isolation: none
env: {PATH: /usr/bin:/bin}
stack:
  - module: rlimit
    with: {wall: 30s, cpu: 5s}
EOF2

run exec -p "$T/nobudget.yaml" --json -- true
check "a run without a memory or processes budget: no cgroup, no warning about one" \
	json_is '(j["status"], [w for w in j["warnings"] if "cgroup" in w])' "('ok', [])"

run exec -p "$T/ns.yaml" --json -- true
mech=$(json_get 'j["usage"]["enforced_by"]' 2>/dev/null)
check "a run with memory and processes budgets says which mechanism held them" \
	eval 'rc_is 0 && { [ "$mech" = cgroup ] || [ "$mech" = supervisor ]; }'

if [ "$mech" != cgroup ]; then
	check "no usable cgroup: no warning on the run (usage.enforced_by says it)" \
		json_is '[w for w in j["warnings"] if "cgroup" in w]' '[]'
	run -v exec -p "$T/ns.yaml" --json -- true
	why=$(sed -n 's/^cordon: debug: no delegated cgroup v2 with the memory and pids controllers (\(.*\)): .*/\1/p' "$T/err")
	check "... and -v says why, and that the budgets are sampled" eval '[ -n "$why" ] && err_has "sampled every 100 ms"'
	skip_n 3 "no delegated cgroup v2 here: ${why:-see the previous test}"
	done_testing
	exit
fi

check "a usable cgroup: no warning about it" json_is '[w for w in j["warnings"] if "cgroup" in w]' '[]'
# 512M written at memset speed under memory: 128M with no RLIMIT_AS
# (address_space: false), the sampled memory budget off (the cgroup holds
# it): only memory.max can stop it, and the OOM killer says it did.
run exec -p "$T/ns.yaml" --json -- python3 -c 'b = b"\x01" * (512 << 20); print("survived")'
check "memory.max holds: 512M under memory: 128M is OOM-killed (killed, 9, memory, oom_killed)" \
	json_is '(j["status"], j["signal"], j["limit"], j["usage"]["oom_killed"], j["usage"]["enforced_by"], j["stdout"])' \
	"('killed', 9, 'memory', True, 'cgroup', '')"
if host_memory_peak; then
	check "... and the tree never held more than 128M (memory.peak)" \
		json_is '0 < j["usage"]["tree_memory_peak_kb"] <= 128 * 1024' True
else
	skip "$HOST_WHY"
fi
# Without namespaces the program sees the host's cgroup path: the run's
# cgroup, which is gone after the run.
run exec -p "$T/none.yaml" --json -- sh -c 'sed -n "s/^0:://p" /proc/self/cgroup'
cg=$(json_get 'j["stdout"].strip()')
mnt=$(awk '$9 == "cgroup2" && $4 == "/" { print $5; exit }' /proc/self/mountinfo 2>/dev/null)
check "the program runs in a cgroup of the run's own (cordon-PID-N)" eval 'case "$cg" in */cordon-*-*) true ;; *) false ;; esac'
check "... which is removed after the run" eval '[ -n "$mnt" ] && [ ! -e "$mnt$cg" ]'
done_testing
