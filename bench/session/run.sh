#!/bin/sh
# bench/session/run.sh - what a session buys an agent that runs many small
# snippets: the latency of one cell in a live session (POST
# /v1/sessions/ID/execute) against the same snippet as a fresh run through
# the service (POST /v1/runs) and as a fresh `cordon run`, interleaved in
# one run so the figures compare.  The figures of this machine are in
# bench/session/README.md.
#
#   sh bench/session/run.sh        after `make`; never part of `make check`
#
# Environment:
#   BENCH_RUNS     cells (and runs each way) timed    (default 50; each
#                  snippet's session must live through them, within the
#                  policy's wall limit: default's is 10 s)
#   BENCH_POLICY   the policy                         (default default)
#
# Exit status: 0 done; 1 a run failed or the service did not start; 2 a
# required tool (python3) is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon
serve=$root/build/bin/cordon-serve
runs=${BENCH_RUNS:-50}
policy=${BENCH_POLICY:-default}

command -v python3 >/dev/null 2>&1 || { echo "bench/session: python3 missing (apt-get install python3)" >&2; exit 2; }
for b in "$cordon" "$serve"; do
	[ -x "$b" ] || { echo "bench/session: $b is not built; run 'make' first" >&2; exit 1; }
done

# The build tree's policies and modules; the audit log in a temporary
# directory, never the machine's.
CORDON_POLICY_DIR=$root/policies.d
CORDON_MODULE_PATH=$root/build/lib/cordon/modules
export CORDON_POLICY_DIR CORDON_MODULE_PATH
unset CORDON_SOCKET CORDON_URL CORDON_TOKEN

T=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-session.XXXXXX")
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
workers: 2
sessions: 2
queue: 16
policies: [$policy]
callers: []
EOF2
chmod 0644 "$T/serve.yaml"
"$serve" serve -c "$T/serve.yaml" >"$T/serve.log" 2>&1 </dev/null &
srv=$!
i=0
while [ ! -S "$T/serve.sock" ]; do
	if [ $i -ge 200 ] || ! kill -0 "$srv" 2>/dev/null; then
		echo "bench/session: cordon-serve did not start:" >&2
		sed 's/^/  | /' "$T/serve.log" >&2
		exit 1
	fi
	sleep 0.05
	i=$((i + 1))
done

echo "bench/session: $(uname -srm), $(nproc 2>/dev/null || echo '?') CPUs, user $(id -un) (uid $(id -u)), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench/session: $("$cordon" --version 2>/dev/null | head -n 1), $(python3 --version); policy $policy; $runs runs each way"
if ! python3 "$here/bench.py" "$cordon" "$T/serve.sock" "$policy" "$runs" "$T"; then
	sed 's/^/  | /' "$T/serve.log" >&2
	exit 1
fi
