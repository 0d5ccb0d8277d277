#!/usr/bin/env python3
"""bench/launch/interleave.py - launch times of several commands, run in
turn (A B C A B C ...) so that a machine whose load changes during the
benchmark affects every command alike.  Complements run.sh (hyperfine runs
each command's batch one after the other) on a shared, busy machine.

    python3 bench/launch/interleave.py [ROUNDS] [rows=NAME,NAME...] [policy=POLICY] [NAME=CORDON ...]

ROUNDS defaults to 300.  Each NAME=CORDON adds a row running another cordon
binary with `exec -p isolation -- /bin/true` (policy=POLICY, before them,
names another policy: strict, default) (for example a copy of a build
tree made at an earlier commit; its own lib/cordon/modules is used when it
has one), so that a before/after comparison comes from one run.  rows=... keeps only
the rows named (true and bwrap are always kept), so that more rounds fit in
a quiet moment.

Uses the same commands as run.sh (build tree's cordon, policies.d).  For
each command it reports the wall time (median, first quartile, minimum) and
the CPU time of the whole process tree (user + system, from wait4's
rusage, which counts every descendant that was waited for).  cordon waits
for all of its processes, the sandbox's pid 1 included, so its figure is
the whole launch.  bwrap does not: it exits when its pid 1 reports the
program's status, before pid 1 itself has exited, so bwrap's CPU figure
leaves out pid 1, pid 2 and the namespaces' teardown, and only the wall
times compare the two.  Kernel work done later in worker threads (a network
namespace's clean-up) is in no figure.
"""
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
cordon = os.path.join(root, "build", "bin", "cordon")
env = dict(os.environ, CORDON_POLICY_DIR=os.path.join(root, "policies.d"),
           CORDON_MODULE_PATH=os.path.join(root, "build", "lib", "cordon", "modules"))
# The default policy's audit log goes to a scratch directory, not the machine's logs.
env["LOGS_DIRECTORY"] = tempfile.mkdtemp(prefix="cordon-bench-logs.")
atexit.register(shutil.rmtree, env["LOGS_DIRECTORY"], True)

bwrap = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"]
for d in ("lib", "lib64", "bin"):
    if os.path.isdir("/" + d) and not os.path.islink("/" + d):
        bwrap += ["--ro-bind", "/" + d, "/" + d]
    else:
        bwrap += ["--symlink", "usr/" + d, "/" + d]
bwrap += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--", "/bin/true"]

commands = {
    "true": ["/bin/true"],
    "cordon": [cordon, "exec", "-p", os.path.join(here, "limits.yaml"), "--", "/bin/true"],
    "cordon-ns": [cordon, "exec", "-p", "isolation", "--", "/bin/true"],
    "cordon-sc": [cordon, "exec", "-p", os.path.join(here, "isolation-seccomp.yaml"), "--", "/bin/true"],
    "cordon-default": [cordon, "exec", "-p", "default", "--", "/bin/true"],
    "cordon-strict": [cordon, "exec", "-p", "strict", "--", "/bin/true"],
    "bwrap": bwrap,
}
envs = {}  # a NAME=CORDON row's own modules (from its build tree), if it has them
args = sys.argv[1:]
rounds = 300
if args and "=" not in args[0]:
    rounds = int(args.pop(0))
keep = None
row_policy = "isolation"
for a in args:
    name, sep, path = a.partition("=")
    if name == "policy":
        row_policy = path
        continue
    if name == "rows":
        keep = set(path.split(",")) | {"true", "bwrap"}
        unknown = keep - set(commands)
        if unknown:
            sys.exit("interleave.py: rows=: unknown row(s) %s" % ", ".join(sorted(unknown)))
        commands = {k: v for k, v in commands.items() if k in keep}
        continue
    if not sep or not name or name in commands:
        sys.exit("interleave.py: expected NAME=CORDON (a new name), got %r" % a)
    commands[name] = [path, "exec", "-p", row_policy, "--", "/bin/true"]
    mods = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(path))), "lib", "cordon", "modules")
    if os.path.isdir(mods):
        envs[name] = dict(env, CORDON_MODULE_PATH=mods)

for argv in commands.values():
    if not os.path.isabs(argv[0]):
        import shutil
        found = shutil.which(argv[0])
        if not found:
            sys.exit("interleave.py: %s not found" % argv[0])
        argv[0] = found

devnull = os.open(os.devnull, os.O_RDWR)


def run(name, argv):
    """Wall seconds and CPU seconds (user + system, whole tree) of one run."""
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, envs.get(name, env), file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0)])
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("interleave.py: %s failed (wait status %d)" % (" ".join(argv), status))
    return wall, ru.ru_utime + ru.ru_stime


print("load average: %.2f %.2f %.2f (before the run)" % os.getloadavg())
wall = {name: [] for name in commands}
cpu = {name: [] for name in commands}
for name, argv in commands.items():  # pre-flight and warm-up
    for _ in range(5):
        run(name, argv)
for _ in range(rounds):
    for name, argv in commands.items():
        w, c = run(name, argv)
        wall[name].append(w)
        cpu[name].append(c)

print("load average: %.2f %.2f %.2f (after the run)" % os.getloadavg())
base = statistics.median(wall["true"])
cbase = statistics.median(cpu["true"])
print("%-14s %9s %9s %9s %12s %9s %12s" % ("command", "median ms", "p25 ms", "min ms", "overhead ms",
                                           "cpu ms", "cpu over ms"))
for name, ts in wall.items():
    q = statistics.quantiles(ts, n=4)
    ov = "-" if name == "true" else "%+.3f" % ((statistics.median(ts) - base) * 1e3)
    cov = "-" if name == "true" else "%+.3f" % ((statistics.median(cpu[name]) - cbase) * 1e3)
    print("%-14s %9.3f %9.3f %9.3f %12s %9.3f %12s" % (name, statistics.median(ts) * 1e3, q[0] * 1e3,
                                                       min(ts) * 1e3, ov, statistics.median(cpu[name]) * 1e3,
                                                       cov))
b = statistics.median(wall["bwrap"]) - base
print("overhead = median - median of /bin/true")
print("cpu = user + system time of the process tree (wait4); bwrap's leaves out its sandbox's pid 1,")
print("      which bwrap does not wait for, so it is not comparable with cordon's")
for name in commands:
    if name in ("true", "bwrap"):
        continue
    print("%s overhead / bwrap overhead = %.2f" % (name, (statistics.median(wall[name]) - base) / b))
# Each round runs every command once, close together in time: the median of
# the per-round differences is less sensitive to load that changes during
# the run than the difference of the medians.
print("paired: median over rounds of (row - bwrap) ms, and the share of rounds where the row was faster")
for name in commands:
    if name in ("true", "bwrap"):
        continue
    d = [x - y for x, y in zip(wall[name], wall["bwrap"])]
    print("  %-14s %+.3f ms  faster in %.0f%% of rounds" % (name, statistics.median(d) * 1e3,
                                                         100.0 * sum(1 for x in d if x < 0) / len(d)))
