"""bench/serve/spares.py - what spare workers save: two services of the
build tree side by side, spare_workers 2 and 0, and N sequential runs on
each, interleaved (the order swapped every round, a 20 ms pause after each
run as a client's own work would leave), of `print(1)` and of argv
["/bin/true"]; the added latency of each (request to result minus the
run's own usage.wall_ms), medians and 90th percentiles.  Interleaved so
that a shared machine's load falls on both sides alike.

    python3 bench/serve/spares.py [N [POLICY]]     after `make`; N 200, POLICY default
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import bench  # noqa: E402 (the client of bench.py)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    policy = sys.argv[2] if len(sys.argv) > 2 else "default"
    serve = os.path.join(ROOT, "build", "bin", "cordon-serve")
    env = dict(os.environ, CORDON_POLICY_DIR=os.path.join(ROOT, "policies.d"),
               CORDON_MODULE_PATH=os.path.join(ROOT, "build", "lib", "cordon", "modules"))
    for k in ("CORDON_SOCKET", "CORDON_URL", "CORDON_TOKEN"):
        env.pop(k, None)
    tmp = tempfile.mkdtemp(prefix="cordon-bench-spares.")
    os.chmod(tmp, 0o755)
    procs, socks = [], {}
    try:
        for name, spares in (("spares 2", 2), ("spares 0", 0)):
            d = os.path.join(tmp, name.replace(" ", ""))
            os.makedirs(os.path.join(d, "logs"))
            sock = os.path.join(d, "serve.sock")
            conf = os.path.join(d, "serve.yaml")
            with open(conf, "w") as f:
                f.write("listen: {unix: %s, mode: \"0600\"}\nworkers: 4\nqueue: 64\npolicies: [%s]\n"
                        "callers: []\nspare_workers: %d\n" % (sock, policy, spares))
            os.chmod(conf, 0o644)
            procs.append(subprocess.Popen([serve, "serve", "-c", conf], env=dict(env, LOGS_DIRECTORY=d + "/logs"),
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=open(os.path.join(d, "serve.log"), "w")))
            socks[name] = sock
        for _ in range(200):
            if all(os.path.exists(s) for s in socks.values()):
                break
            time.sleep(0.05)
        else:
            raise SystemExit("bench/serve/spares: a service did not start (see %s)" % tmp)
        conns = {k: bench.UnixConn(v) for k, v in socks.items()}
        added = {(k, p): [] for k in socks for p in ("python", "true")}
        names = list(socks)
        for i in range(n + 10):  # the first 10 rounds warm up
            for k in (names if i % 2 == 0 else names[::-1]):
                for prog in ("python", "true"):
                    dt, r = bench.service_run(conns[k], bench.body_of(policy, prog),
                                              "1\n" if prog == "python" else "")
                    time.sleep(0.02)
                    if i >= 10:
                        added[(k, prog)].append(dt * 1000 - float(r["usage"]["wall_ms"]))
        print("bench/serve/spares: policy %s, %d runs each, load %s" % (
            policy, n, open("/proc/loadavg").read().split()[:3]))
        print("%-10s %-10s %8s %8s" % ("service", "program", "median", "p90"))
        for (k, prog), xs in sorted(added.items()):
            print("%-10s %-10s %8.2f %8.2f" % (k, prog, statistics.median(xs), bench.pct(xs, 0.9)))
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
