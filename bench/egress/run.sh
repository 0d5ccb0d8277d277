#!/bin/sh
# bench/egress/run.sh - what the egress proxy costs: throughput of one
# connection and time per connection through the supervisor's proxy
# (CONNECT), against a direct loopback connection measured in the same
# sandbox and the same run.  Never part of `make check`.
#
#   sh bench/egress/run.sh            after `make`
#
# Environment: BENCH_MB (default 512) megabytes for throughput,
# BENCH_CONNS (default 500) sequential connections for latency,
# BENCH_BUFFER (default 64K, the module's) the proxy's buffer per direction.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon
[ -x "$cordon" ] || { echo "bench/egress: run 'make' first" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "bench/egress: python3 missing (apt-get install python3)" >&2; exit 2; }
CORDON_MODULE_PATH=$root/build/lib/cordon/modules
export CORDON_MODULE_PATH
mb=${BENCH_MB:-512}
conns=${BENCH_CONNS:-500}
buffer=${BENCH_BUFFER:-64K}

T=$(mktemp -d)
chmod 755 "$T"
python3 "$here/bench.py" server "$T/port" &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$T/port")

cat >"$T/p.yaml" <<EOF2
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8}
stack:
  - module: rlimit
    with: {wall: 600s}
  - module: namespaces
  - module: egress
    with:
      allow: ["remote.test:*"]
      allow_ips: [127.0.0.1]
      resolve: {remote.test: 127.0.0.1}
      dns: false
      buffer: $buffer
      max_bytes: unlimited
      records: 0
EOF2
chmod 644 "$T/p.yaml"
echo "bench/egress: $mb MiB in one connection, $conns connections of 64 bytes, proxy buffer $buffer" >&2
"$cordon" exec -p "$T/p.yaml" -- /usr/bin/python3 -I -c "$(cat "$here/bench.py")" client remote.test "$port" "$mb" "$conns"
