#!/bin/sh
# bench/launch/run.sh - launch overhead of cordon against plain exec and
# bubblewrap, timed in one hyperfine run so the figures are comparable.
#
#   sh bench/launch/run.sh          (what `make bench` runs, after building)
#
# Environment:
#   BENCH_WARMUP  warmup runs per command   (default 20)
#   BENCH_RUNS    timed runs per command    (default 300)
#   BENCH_JSON    keep hyperfine's JSON export at this path (default: a
#                 temporary file, removed on exit)
#
# Exit status: 0 done; 1 a command failed its pre-flight run or hyperfine
# failed; 2 a required tool (hyperfine, bwrap, python3) is missing.
# Never part of `make check`.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cordon=$root/build/bin/cordon

warmup=${BENCH_WARMUP:-20}
runs=${BENCH_RUNS:-300}

missing() { # tool package
	echo "bench/launch: '$1' not found; install the Debian package '$2' (apt-get install $2)" >&2
	exit 2
}
command -v hyperfine >/dev/null 2>&1 || missing hyperfine hyperfine
command -v bwrap >/dev/null 2>&1 || missing bwrap bubblewrap
command -v python3 >/dev/null 2>&1 || missing python3 python3
bwrap=$(command -v bwrap)

if [ ! -x "$cordon" ]; then
	echo "bench/launch: $cordon is not built; run 'make' (or 'make bench') first" >&2
	exit 1
fi
case $root in
*"'"*) echo "bench/launch: the repository path contains a single quote: $root" >&2; exit 1 ;;
esac

# Measure the build tree's policy and modules, whatever is installed or set
# in the caller's environment (installed directories come before the build
# tree's in cordon's search order).
CORDON_POLICY_DIR=$root/policies.d
CORDON_MODULE_PATH=$root/build/lib/cordon/modules
export CORDON_POLICY_DIR CORDON_MODULE_PATH

# bubblewrap with full isolation: every namespace, a read-only /usr, fresh
# /proc, /dev and /tmp.  On a merged-/usr system /lib, /lib64 and /bin are
# symlinks into /usr and are recreated as such; where one is a real directory
# it is bound read-only instead, so /bin/true is found either way.
bwrap_args="--unshare-all --die-with-parent --new-session --ro-bind /usr /usr"
for d in lib lib64 bin; do
	if [ -d "/$d" ] && [ ! -L "/$d" ]; then
		bwrap_args="$bwrap_args --ro-bind /$d /$d"
	else
		bwrap_args="$bwrap_args --symlink usr/$d /$d"
	fi
done
bwrap_args="$bwrap_args --proc /proc --dev /dev --tmpfs /tmp"

cmd_true="/bin/true"
cmd_cordon="'$cordon' exec -p '$root/bench/launch/limits.yaml' -- /bin/true"
# rlimit + namespaces + caps (policies.d/isolation.yaml): the isolation
# comparable to bubblewrap's row.
cmd_cordon_ns="'$cordon' exec -p isolation -- /bin/true"
# the same plus the seccomp module (default profile, listener to the supervisor)
cmd_cordon_sc="'$cordon' exec -p '$root/bench/launch/isolation-seccomp.yaml' -- /bin/true"
# the whole default policy: both static checkers (nothing to check: no
# source), isolation, seccomp, redact, incident_log
cmd_cordon_default="'$cordon' exec -p default -- /bin/true"
# the strict policy: the same layers at their tightest (seccomp's allow
# list, pyguard, every run logged and synced to disk)
cmd_cordon_strict="'$cordon' exec -p strict -- /bin/true"
cmd_bwrap="$bwrap $bwrap_args -- /bin/true"

# Pre-flight: each command must succeed once, or the timings mean nothing.
preflight() { # name command...
	name=$1
	shift
	if ! out=$("$@" 2>&1 </dev/null); then
		echo "bench/launch: the $name command failed on this machine:" >&2
		echo "  $*" >&2
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/  | /' >&2
		if [ "$name" = bwrap ]; then
			echo "  (bwrap needs unprivileged user namespaces, or root; see" >&2
			echo "   /proc/sys/kernel/unprivileged_userns_clone and" >&2
			echo "   /proc/sys/user/max_user_namespaces)" >&2
		fi
		exit 1
	fi
}
preflight true /bin/true
preflight cordon "$cordon" exec -p "$root/bench/launch/limits.yaml" -- /bin/true
preflight cordon-ns "$cordon" exec -p isolation -- /bin/true
preflight cordon-sc "$cordon" exec -p "$root/bench/launch/isolation-seccomp.yaml" -- /bin/true
LOGS_DIRECTORY=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-logs.XXXXXX")
export LOGS_DIRECTORY # the default policy's audit log: not the machine's
tmp_json=
cleanup() { rm -rf "$LOGS_DIRECTORY"; [ -z "$tmp_json" ] || rm -f "$tmp_json"; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
preflight cordon-default "$cordon" exec -p default -- /bin/true
preflight cordon-strict "$cordon" exec -p strict -- /bin/true
# shellcheck disable=SC2086 # the mount list is split on purpose
preflight bwrap "$bwrap" $bwrap_args -- /bin/true

if [ -n "${BENCH_JSON:-}" ]; then
	json=$BENCH_JSON
else
	json=$(mktemp "${TMPDIR:-/tmp}/cordon-bench-launch.XXXXXX")
	tmp_json=$json
fi

echo "bench/launch: $(uname -srm), $(nproc 2>/dev/null || echo '?') CPUs, user $(id -un) (uid $(id -u))"
echo "bench/launch: $(hyperfine --version), $("$bwrap" --version), $("$cordon" --version 2>/dev/null | head -n 1)"
echo "bench/launch: warmup $warmup, runs $runs, --shell=none"
echo "bench/launch: commands:"
echo "  true    $cmd_true"
echo "  cordon  $cmd_cordon"
echo "  cordon-ns $cmd_cordon_ns"
echo "  cordon-sc $cmd_cordon_sc"
echo "  cordon-default $cmd_cordon_default"
echo "  cordon-strict $cmd_cordon_strict"
echo "  bwrap   $cmd_bwrap"
echo

# One run: the three commands share the warmed-up machine state and the
# same statistics.  -N (--shell=none) times the commands themselves, with no
# intermediate shell to subtract.
hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$json" \
	-n true "$cmd_true" \
	-n cordon "$cmd_cordon" \
	-n cordon-ns "$cmd_cordon_ns" \
	-n cordon-sc "$cmd_cordon_sc" \
	-n cordon-default "$cmd_cordon_default" \
	-n cordon-strict "$cmd_cordon_strict" \
	-n bwrap "$cmd_bwrap" || {
	echo "bench/launch: hyperfine failed" >&2
	exit 1
}

echo
python3 - "$json" <<'PY'
import json
import sys

with open(sys.argv[1]) as f:
    results = {r["command"]: r for r in json.load(f)["results"]}

ms = 1e3
rows = ["true", "cordon", "cordon-ns", "cordon-sc", "cordon-default", "cordon-strict", "bwrap"]
base = results["true"]["median"]

print("%-15s %9s %9s %9s %9s %16s" % ("command", "mean ms", "median ms", "stddev ms", "min ms",
                                     "overhead ms"))
overhead = {}
for name in rows:
    r = results[name]
    ov = "-"
    if name != "true":
        overhead[name] = r["median"] - base
        ov = "%+.3f" % (overhead[name] * ms)
    print("%-15s %9.3f %9.3f %9.3f %9.3f %16s" % (name, r["mean"] * ms, r["median"] * ms,
                                                 r["stddev"] * ms, r["min"] * ms, ov))
print()
print("overhead = median - median of /bin/true")
for name in ("cordon", "cordon-ns", "cordon-sc", "cordon-default", "cordon-strict"):
    if overhead["bwrap"] > 0:
        print("%s overhead / bwrap overhead = %.2f" % (name, overhead[name] / overhead["bwrap"]))
    else:
        print("%s overhead / bwrap overhead = n/a (bwrap overhead not positive)" % name)
PY
