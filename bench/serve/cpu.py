#!/usr/bin/env python3
"""bench/serve/cpu.py - the machine's busy CPU time per run of a fresh
sandbox: all of /proc/stat's busy time (user, nice, system, iowait, irq,
softirq, steal: kernel workers included, such as a network namespace's
clean-up) over N sequential runs of each command, divided by N.  With
every CPU busy, runs per second are the CPUs over this figure, so it
bounds what any path (the service or the command) can reach while each
run starts a fresh interpreter in fresh namespaces.  Run it on an idle
machine: whatever else runs is counted too.

    python3 bench/serve/cpu.py [N]       after `make`; N 100; never part of `make check`
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def busy():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return v[0] + v[1] + v[2] + sum(v[4:8])  # all but idle


def measure(name, cmd, n, env):
    hz = os.sysconf("SC_CLK_TCK")
    b0, w0 = busy(), time.monotonic()
    for _ in range(n):
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        if r.returncode != 0:
            raise SystemExit("bench/serve/cpu: %s failed (exit %d)" % (" ".join(cmd), r.returncode))
    b1, w1 = busy(), time.monotonic()
    print("%-42s %8.1f %8.1f" % (name, (b1 - b0) * 1000.0 / hz / n, (w1 - w0) * 1000.0 / n))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    cordon = os.path.join(ROOT, "build", "bin", "cordon")
    for tool in ("bwrap", "/usr/bin/python3", cordon):
        if not shutil.which(tool):
            raise SystemExit("bench/serve/cpu: %s not found (bubblewrap, python3, `make`)" % tool)
    tmp = tempfile.mkdtemp(prefix="cordon-bench-cpu.")
    try:
        src = os.path.join(tmp, "p.py")
        with open(src, "w") as f:
            f.write("print(1)\n")
        os.chmod(tmp, 0o755)
        os.chmod(src, 0o644)
        env = dict(os.environ, CORDON_POLICY_DIR=os.path.join(ROOT, "policies.d"),
                   CORDON_MODULE_PATH=os.path.join(ROOT, "build", "lib", "cordon", "modules"),
                   LOGS_DIRECTORY=tmp)
        bw = ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
              "--dev", "/dev"]
        print("bench/serve/cpu: %d runs each, load %s" % (n, " ".join(open("/proc/loadavg").read().split()[:3])))
        print("%-42s %8s %8s" % ("command", "cpu ms", "wall ms"))
        measure("/bin/true", ["/bin/true"], n, env)
        measure("python3 -I -B print(1)", ["/usr/bin/python3", "-I", "-B", src], n, env)
        measure("bwrap --unshare-all /bin/true", bw + ["/bin/true"], n, env)
        measure("bwrap --unshare-all python3 print(1)", bw + ["/usr/bin/python3", "-I", "-B", src], n, env)
        measure("cordon exec -p default -- /bin/true", [cordon, "exec", "-p", "default", "--", "/bin/true"], n, env)
        measure("cordon run -p default print(1)", [cordon, "run", "-p", "default", src], n, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
