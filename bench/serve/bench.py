"""bench/serve/bench.py - runs per second and added latency of a run through
`cordon serve` against the one-shot command, and bubblewrap's launch
overhead, measured side by side in one run (called by run.sh).

    python3 bench.py CORDON SOCKET POLICY SECONDS LATENCY_RUNS CLIENTS...

Throughput: for each N in CLIENTS, N client processes for SECONDS, first
on the service (each keeps one HTTP/1.1 connection on the Unix socket and
posts {"policy": POLICY, "code": "print(1)"}, waiting for the result), then
as N loops of `cordon run --json -p POLICY FILE`; every run must come back
ok.  Latency: LATENCY_RUNS sequential runs each way, interleaved; the added
latency of a run is the time from the request (or the command's start) to
its result minus the run's own usage.wall_ms; bubblewrap's launch overhead
is `bwrap --ro-bind / / --unshare-all -- /bin/true` minus `/bin/true`,
timed in the same loop.  Medians and 90th percentiles.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time

CODE = "print(1)\n"
SLICES = int(os.environ.get("BENCH_SLICES", "5"))


class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=120)
        self.path_ = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path_)
        self.sock = s


TRUE = ["/bin/true"]


def body_of(policy, prog):
    """The request for prog: "python" (print(1)) or "true" (/bin/true)."""
    if prog == "true":
        return json.dumps({"policy": policy, "argv": TRUE})
    return json.dumps({"policy": policy, "code": CODE})


def service_run(conn, body, want="1\n"):
    """One run through the service; (seconds request to result, result)."""
    t = time.perf_counter()
    conn.request("POST", "/v1/runs", body=body, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    dt = time.perf_counter() - t
    res = json.loads(data)
    if r.status != 200 or res.get("status") != "ok" or res.get("stdout") != want:
        raise SystemExit("bench/serve: a service run did not come back ok (%d): %s" % (r.status, data[:300]))
    return dt, res


def cli_run(cordon, policy, src, prog="python"):
    argv = [cordon, "run", "--json", "-p", policy, src]
    if prog == "true":
        argv = [cordon, "exec", "--json", "-p", policy, "--"] + TRUE
    t = time.perf_counter()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    try:
        res = json.loads(p.stdout)
    except ValueError:
        res = {}
    if p.returncode != 0 or res.get("status") != "ok":
        raise SystemExit("bench/serve: a command run did not come back ok (%d): %s %s"
                         % (p.returncode, p.stdout[:300], p.stderr[:300]))
    return dt, res


def timed(argv):
    t = time.perf_counter()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit("bench/serve: %s failed: %s" % (" ".join(argv), p.stderr[:300]))
    return dt


def loop(kind, n, seconds, cordon, sock, policy, src, prog):
    """n processes running runs back to back until the deadline; (seconds,
    runs)."""
    r, w = os.pipe()
    start = time.monotonic() + 0.2  # every client starts together
    deadline = start + seconds
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os.close(r)
            count = 0
            try:
                body = body_of(policy, prog)
                want = "" if prog == "true" else "1\n"
                conn = UnixConn(sock) if kind == "service" else None
                while time.monotonic() < start:
                    time.sleep(0.001)
                while time.monotonic() < deadline:
                    if conn is not None:
                        service_run(conn, body, want)
                    else:
                        cli_run(cordon, policy, src, prog)
                    count += 1
                os.write(w, b"%d\n" % count)
            except BaseException as e:  # noqa: B902 (report, then leave the child)
                sys.stderr.write("bench/serve: %s client: %s\n" % (kind, e))
                os.write(w, b"-1\n")
            finally:
                os._exit(0)
        pids.append(pid)
    os.close(w)
    out = b""
    while True:
        b = os.read(r, 4096)
        if not b:
            break
        out += b
    os.close(r)
    for pid in pids:
        os.waitpid(pid, 0)
    end = time.monotonic()
    counts = [int(x) for x in out.split()]
    if len(counts) != n or min(counts) < 0:
        raise SystemExit("bench/serve: a %s client failed" % kind)
    # Runs still in flight at the deadline finish after it: the time is
    # until the last one finished.
    return end - start, sum(counts)


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main():
    cordon, sock, policy, seconds, lat_runs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
    clients = [int(x) for x in sys.argv[6:]]
    src = os.path.join(os.path.dirname(sock), "one.py")
    with open(src, "w") as f:
        f.write(CODE)
    body = json.dumps({"policy": policy, "code": CODE})
    conn = UnixConn(sock)
    # Warm-up: both paths, a few runs each.
    for _ in range(10):
        service_run(conn, body)
        cli_run(cordon, policy, src)
        timed(["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--", "/bin/true"])

    # Each row alternates the two sides in SLICES slices (the order
    # swapped every slice), so that a change in the machine's load during
    # the row falls on both.
    # The same for /bin/true (argv through the API against `cordon exec`):
    # the ratio without Python's own start in every run.
    true_body = body_of(policy, "true")
    for _ in range(10):
        service_run(conn, true_body, "")
        cli_run(cordon, policy, src, "true")
    rows, true_rows = [], []
    for prog, out in (("python", rows), ("true", true_rows)):
        for n in clients:
            tot = {"service": [0.0, 0], "cli": [0.0, 0]}
            for i in range(SLICES):
                for kind in (("service", "cli") if i % 2 == 0 else ("cli", "service")):
                    elapsed, runs = loop(kind, n, seconds / SLICES, cordon, sock, policy, src, prog)
                    tot[kind][0] += elapsed
                    tot[kind][1] += runs
            out.append((n, tot["service"][1] / tot["service"][0], tot["service"][1],
                        tot["cli"][1] / tot["cli"][0], tot["cli"][1]))

    svc_added, cli_added, svc_total, cli_total, bw, tr, wall, chk = [], [], [], [], [], [], [], []
    tsvc_added, tcli_added = [], []
    check_body = json.dumps({"policy": policy, "code": CODE})
    for _ in range(lat_runs):
        dt, res = service_run(conn, body)
        svc_total.append(dt * 1000)
        svc_added.append(dt * 1000 - float(res["usage"]["wall_ms"]))
        wall.append(float(res["usage"]["wall_ms"]))
        t = time.perf_counter()
        conn.request("POST", "/v1/checks", body=check_body, headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        if r.status != 200 or json.loads(r.read()).get("verdict") != "pass":
            raise SystemExit("bench/serve: a check through the service did not pass")
        chk.append((time.perf_counter() - t) * 1000)
        dt, res = cli_run(cordon, policy, src)
        cli_total.append(dt * 1000)
        cli_added.append(dt * 1000 - float(res["usage"]["wall_ms"]))
        bw.append(timed(["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--", "/bin/true"]) * 1000)
        tr.append(timed(["/bin/true"]) * 1000)
        dt, res = service_run(conn, true_body, "")
        tsvc_added.append(dt * 1000 - float(res["usage"]["wall_ms"]))
        dt, res = cli_run(cordon, policy, src, "true")
        tcli_added.append(dt * 1000 - float(res["usage"]["wall_ms"]))
    conn.close()

    print()
    print("(a) runs per second, `print(1)` under %s, %gs per row and side in %d alternating slices"
          % (policy, seconds, SLICES))
    print("%-8s %14s %14s %8s" % ("clients", "service runs/s", "command runs/s", "ratio"))
    for n, s_rate, s_runs, c_rate, c_runs in rows:
        print("%-8d %9.1f (%4d) %9.1f (%4d) %7.2fx" % (n, s_rate, s_runs, c_rate, c_runs, s_rate / c_rate))
    print()
    print("(a') runs per second, argv [\"/bin/true\"] under %s (API) against `cordon exec -p %s -- /bin/true`"
          % (policy, policy))
    print("%-8s %14s %14s %8s" % ("clients", "service runs/s", "command runs/s", "ratio"))
    for n, s_rate, s_runs, c_rate, c_runs in true_rows:
        print("%-8d %9.1f (%4d) %9.1f (%4d) %7.2fx" % (n, s_rate, s_runs, c_rate, c_runs, s_rate / c_rate))
    print()
    print("(b) per run, %d sequential runs each, interleaved (ms)" % lat_runs)
    print("%-44s %8s %8s" % ("", "median", "p90"))
    for name, xs in (("the run's own wall_ms (service runs)", wall),
                     ("service: request to result", svc_total),
                     ("service: added (minus the run's wall_ms)", svc_added),
                     ("service: a check only (POST /v1/checks)", chk),
                     ("command: start to result", cli_total),
                     ("command: added (minus the run's wall_ms)", cli_added),
                     ("/bin/true: service added", tsvc_added),
                     ("/bin/true: command (cordon exec) added", tcli_added),
                     ("bwrap --ro-bind / / --unshare-all /bin/true", bw),
                     ("/bin/true", tr)):
        print("%-44s %8.2f %8.2f" % (name, statistics.median(xs), pct(xs, 0.9)))
    bw_over = statistics.median(bw) - statistics.median(tr)
    print("%-44s %8.2f" % ("bwrap launch overhead (median - median)", bw_over))
    print()
    print("goal: service runs/s >= 3x the command's: %s (%s)" % (
        "met" if all(r[1] >= 3 * r[3] for r in rows) else "NOT met",
        ", ".join("%d clients %.2fx" % (r[0], r[1] / r[3]) for r in rows)))
    print("      /bin/true: %s (%s)" % (
        "met" if all(r[1] >= 3 * r[3] for r in true_rows) else "NOT met",
        ", ".join("%d clients %.2fx" % (r[0], r[1] / r[3]) for r in true_rows)))
    print("goal: added latency below bwrap's launch overhead: %s (%.2f ms vs %.2f ms)" % (
        "met" if statistics.median(svc_added) < bw_over else "NOT met", statistics.median(svc_added), bw_over))
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print("load average at the end: %s (on a busy machine bwrap's overhead and every run are inflated: "
          "compare the goals on an idle one)" % " ".join(load))


if __name__ == "__main__":
    main()
