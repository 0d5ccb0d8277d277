#!/bin/sh
# tests/rlimit.t - the rlimit module: every limit is applied with soft = hard
# (so the program cannot raise it), core dumps are off by default, limits
# above cordon's own hard limit are lowered with a warning, and each limit
# that ends a run is named in the result.
. "$(dirname "$0")/lib.sh"

write_policy "$T/lim.yaml" <<'EOF2'
stack:
  - module: rlimit
    with:
      cpu: 7s
      memory: 300M
      open_files: 40
      file_size: 2M
      stack: 4M
      wall: 30s
EOF2

# ulimit values inside, in the order: soft/hard cpu, as, nofile, fsize, core, stack
run exec -p "$T/lim.yaml" -- sh -c 'for o in t v n f c s; do printf "%s %s %s\n" $o "$(ulimit -S -$o)" "$(ulimit -H -$o)"; done'
check "limits applied: exit 0" rc_is 0
check "cpu: 7 seconds, soft = hard" out_has "t 7 7"
check "memory: 300M address space, soft = hard" out_has "v 307200 307200"
check "open_files: 40, soft = hard" out_has "n 40 40"
check "file_size: 2M, soft = hard" out_has "f 4096 4096"
check "core dumps off by default" out_has "c 0 0"
check "stack: 4M, soft = hard" out_has "s 4096 4096"

run exec -p "$T/lim.yaml" -- sh -c 'ulimit -S -t 8'
check "the program cannot raise a soft limit above the hard one" rc_not 0
run exec -p "$T/lim.yaml" -- sh -c 'ulimit -S -t 6 && ulimit -H -t 6 && ulimit -H -t 7'
check "nor raise a hard limit it lowered" rc_not 0

write_policy "$T/unl.yaml" <<'EOF2'
stack:
  - module: rlimit
    with: {cpu: unlimited, memory: unlimited, core: unlimited}
EOF2
outer=$(ulimit -H -t)
run exec -p "$T/unl.yaml" -- sh -c 'ulimit -H -t'
check "unlimited leaves cordon's own limit" out_is "$outer"

# A limit above cordon's own hard limit is lowered to it, with a warning.
run_lowered() {
	sh -c 'ulimit -n 32 && exec "$@"' sh "$CORDON" exec -p "$T/lim.yaml" --json -- sh -c 'ulimit -n' >"$T/out" 2>"$T/err"
	rc=$?
}
run_lowered
check "open_files above the hard limit: the run still works" rc_is 0
check "open_files lowered to cordon's hard limit (32)" json_is 'j["stdout"].strip()' 32
check "open_files lowered: a warning says so" out_has "open_files limit lowered"

write_policy "$T/cpu.yaml" <<'EOF2'
stack:
  - module: rlimit
    with: {cpu: 1s, wall: 60s}
EOF2
run exec -p "$T/cpu.yaml" --json -- sh -c 'while :; do :; done'
check "cpu limit: killed (137)" rc_is 137
check "cpu limit: the result names the limit" json_is 'j["limit"]' cpu
# The kernel enforces RLIMIT_CPU on tick-sampled time while rusage is
# precise: on a loaded machine a 1 s limit has read as low as 0.87 s.
check "cpu limit: at least half the limit of CPU was used" sh -c "python3 -c 'import json,sys; sys.exit(0 if json.load(open(\"$T/out\"))[\"usage\"][\"cpu_ms\"] >= 500 else 1)'"

write_policy "$T/fsz.yaml" <<'EOF2'
stack:
  - module: rlimit
    with: {file_size: 64K}
EOF2
run exec -p "$T/fsz.yaml" --json -- sh -c "exec head -c 1000000 /dev/zero > $T/big"
check "file_size limit: killed by SIGXFSZ (153)" rc_is 153
check "file_size limit: the result names the limit" json_is 'j["limit"]' file_size
check "file_size limit: the file stopped at the limit" sh -c "[ \$(wc -c < $T/big) -eq 65536 ]"

write_policy "$T/mem.yaml" <<'EOF2'
stack:
  - module: rlimit
    with: {memory: 64M}
EOF2
run exec -p "$T/mem.yaml" -- sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived'
check "memory limit: an allocation beyond it fails" eval '! out_has survived'

write_policy "$T/wall.yaml" <<'EOF2'
stack:
  - module: rlimit
    with: {wall: 300ms}
EOF2
run exec -p "$T/wall.yaml" --json -- sleep 30
check "wall limit: 124" rc_is 124
check "wall limit: status timeout, limit wall" json_is 'j["status"]+" "+j["limit"]' 'timeout wall'

if is_root; then
	skip "processes limit: RLIMIT_NPROC does not apply to root"
else
	write_policy "$T/nproc.yaml" <<'EOF2'
stack:
  - module: rlimit
    with: {processes: 1}
EOF2
	run exec -p "$T/nproc.yaml" -- sh -c 'sleep 0 & wait && echo forked'
	check "processes limit: fork fails beyond it" eval '! out_has forked'
fi

done_testing
