#!/usr/bin/env python3
"""bench/launch/interleave.py - launch times of several commands, run in
turn (A B C A B C ...) so that a machine whose load changes during the
benchmark affects every command alike.  Complements run.sh (hyperfine runs
each command's batch one after the other) on a shared, busy machine.

    python3 bench/launch/interleave.py [ROUNDS]     (default 300)

Uses the same commands as run.sh (build tree's cordon, policies.d).
"""
import os
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
cordon = os.path.join(root, "build", "bin", "cordon")
env = dict(os.environ, CORDON_POLICY_DIR=os.path.join(root, "policies.d"),
           CORDON_MODULE_PATH=os.path.join(root, "build", "lib", "cordon", "modules"))

bwrap = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"]
for d in ("lib", "lib64", "bin"):
    if os.path.isdir("/" + d) and not os.path.islink("/" + d):
        bwrap += ["--ro-bind", "/" + d, "/" + d]
    else:
        bwrap += ["--symlink", "usr/" + d, "/" + d]
bwrap += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--", "/bin/true"]

commands = {
    "true": ["/bin/true"],
    "cordon": [cordon, "exec", "-p", "default", "--", "/bin/true"],
    "cordon-ns": [cordon, "exec", "-p", "isolation", "--", "/bin/true"],
    "bwrap": bwrap,
}
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
times = {name: [] for name in commands}
for name, argv in commands.items():  # pre-flight and warm-up
    for _ in range(5):
        subprocess.run(argv, env=env, check=True, stdin=subprocess.DEVNULL)
for _ in range(rounds):
    for name, argv in commands.items():
        t0 = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdin=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - t0)

base = statistics.median(times["true"])
print("%-9s %9s %9s %9s %12s" % ("command", "median ms", "p25 ms", "min ms", "overhead ms"))
for name, ts in times.items():
    q = statistics.quantiles(ts, n=4)
    ov = "-" if name == "true" else "%+.3f" % ((statistics.median(ts) - base) * 1e3)
    print("%-9s %9.3f %9.3f %9.3f %12s" % (name, statistics.median(ts) * 1e3, q[0] * 1e3, min(ts) * 1e3, ov))
b = statistics.median(times["bwrap"]) - base
for name in ("cordon", "cordon-ns"):
    print("%s overhead / bwrap overhead = %.2f" % (name, (statistics.median(times[name]) - base) / b))
