#!/bin/sh
# bench/serve/run.sh - what `cordon serve` buys over the one-shot command:
# runs per second for a trivial program (`print(1)` under the default
# policy) with 1, 2 and 4 concurrent clients, through the service and as
# parallel `cordon run` loops; and the latency the service path adds to a
# run (request to result minus the run's own wall_ms) next to bubblewrap's
# launch overhead (`bwrap --ro-bind / / --unshare-all -- /bin/true` minus
# `/bin/true`).  Both sides in one run, so the figures compare.  The
# figures of this machine, and what they say, are in bench/serve/README.md:
# at 1-4 clients the service did 1.1-1.4x the command's runs per second
# (1.1-1.9x for /bin/true, which is measured too); what spare workers
# change is measured apart, interleaved, by bench/serve/spares.py.
#
#   sh bench/serve/run.sh          after `make`; never part of `make check`
#
# Environment:
#   BENCH_SECONDS   seconds per throughput row and side   (default 10)
#   BENCH_LATENCY   sequential runs for the latency table (default 200)
#   BENCH_CLIENTS   client counts                         (default "1 2 4")
#   BENCH_WORKERS   the service's workers                 (default 4)
#   BENCH_POLICY    the policy                            (default default)
#   BENCH_SLICES    slices each row alternates the sides in (default 5)
#   BENCH_SPARES    the service's spare_workers (default: the service's, 2)
#
# Exit status: 0 done; 1 a run failed or the service did not start; 2 a
# required tool (python3, bwrap) is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon
serve=$root/build/bin/cordon-serve
seconds=${BENCH_SECONDS:-10}
latency=${BENCH_LATENCY:-200}
clients=${BENCH_CLIENTS:-1 2 4}
workers=${BENCH_WORKERS:-4}
policy=${BENCH_POLICY:-default}
spares=${BENCH_SPARES:-}

command -v python3 >/dev/null 2>&1 || { echo "bench/serve: python3 missing (apt-get install python3)" >&2; exit 2; }
command -v bwrap >/dev/null 2>&1 || { echo "bench/serve: bwrap missing (apt-get install bubblewrap)" >&2; exit 2; }
for b in "$cordon" "$serve"; do
	[ -x "$b" ] || { echo "bench/serve: $b is not built; run 'make' first" >&2; exit 1; }
done

# The build tree's policies and modules, whatever is installed or set in
# the caller's environment; the default policy's audit log in a temporary
# directory, never the machine's.
CORDON_POLICY_DIR=$root/policies.d
CORDON_MODULE_PATH=$root/build/lib/cordon/modules
export CORDON_POLICY_DIR CORDON_MODULE_PATH
unset CORDON_SOCKET CORDON_URL CORDON_TOKEN

T=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-serve.XXXXXX")
chmod 755 "$T"
LOGS_DIRECTORY=$T/logs
export LOGS_DIRECTORY
srv=
cleanup() {
	if [ -n "$srv" ]; then
		kill "$srv" 2>/dev/null || true
		wait "$srv" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$T/serve.yaml" <<EOF2
listen: {unix: $T/serve.sock, mode: "0600"}
workers: $workers
queue: 64
policies: [$policy]
callers: []
EOF2
[ -z "$spares" ] || echo "spare_workers: $spares" >>"$T/serve.yaml"
chmod 0644 "$T/serve.yaml"
"$serve" serve -c "$T/serve.yaml" >"$T/serve.log" 2>&1 </dev/null &
srv=$!
i=0
while [ ! -S "$T/serve.sock" ]; do
	if [ $i -ge 200 ] || ! kill -0 "$srv" 2>/dev/null; then
		echo "bench/serve: cordon-serve did not start:" >&2
		sed 's/^/  | /' "$T/serve.log" >&2
		exit 1
	fi
	sleep 0.05
	i=$((i + 1))
done

echo "bench/serve: $(uname -srm), $(nproc 2>/dev/null || echo '?') CPUs, user $(id -un) (uid $(id -u)), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench/serve: $("$cordon" --version 2>/dev/null | head -n 1), $(bwrap --version), $(python3 --version)"
echo "bench/serve: service with $workers workers, spare_workers ${spares:-default}; policy $policy; $seconds s per row; $latency latency runs"
# shellcheck disable=SC2086 # the client counts are split on purpose
if ! python3 "$here/bench.py" "$cordon" "$T/serve.sock" "$policy" "$seconds" "$latency" $clients; then
	kill -0 "$srv" 2>/dev/null && echo "bench/serve: cordon-serve is still running" >&2 ||
		echo "bench/serve: cordon-serve is gone" >&2
	sed 's/^/  | /' "$T/serve.log" >&2
	exit 1
fi
