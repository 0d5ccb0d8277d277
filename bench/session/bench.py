"""bench/session/bench.py - per-snippet latency of a session cell against a
fresh run through the service and a fresh `cordon run` (called by run.sh).

    python3 bench.py CORDON SOCKET POLICY RUNS TMPDIR

Each round times three ways of running one snippet, in an order that
rotates every round so a change in the machine's load falls on all three:
  cell     POST /v1/sessions/ID/execute in one live session (the snippet
           only: the interpreter, its imports and its variables are warm);
  service  POST /v1/runs with the snippet as a whole program (a fresh
           sandbox and interpreter, the policy already loaded);
  command  `cordon run --json -p POLICY FILE` (everything from scratch).
Two snippets: a trivial one (a counter kept in a variable, so the cell
also shows the state surviving) and one that uses a module the snippet
imports (json over a small document).  Every result must come back ok
with the expected output, or the benchmark stops.  Medians and 90th
percentiles in milliseconds, request to result.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time


class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=120)
        self.path_ = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path_)
        self.sock = s


def post(conn, path, obj):
    body = json.dumps(obj).encode()
    t = time.perf_counter()
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    dt = time.perf_counter() - t
    try:
        res = json.loads(data)
    except ValueError:
        res = {}
    return dt, r.status, res, data


def fail(what, data):
    raise SystemExit("bench/session: %s: %s" % (what, str(data)[:400]))


def main():
    cordon, sock, policy, runs, tmp = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    conn = UnixConn(sock)

    def new_session():
        # A session lives at most the policy's wall limit (default: 10 s):
        # one per snippet.  Its state: n counts the cells; json is
        # imported once.
        _, st, res, data = post(conn, "/v1/sessions", {"policy": policy})
        if st != 201 or not res.get("id"):
            fail("the session did not start (%d)" % st, data)
        sid = res["id"]
        _, st, res, data = post(conn, "/v1/sessions/%s/execute" % sid, {"code": "import json\nn = 0\n"})
        if st != 200 or res.get("status") != "ok":
            fail("the first cell failed (%d)" % st, data)
        return sid

    snippets = {
        "trivial": ("n += 1\nprint('ok')\n", "n = 0\nn += 1\nprint('ok')\n", "ok\n"),
        "json": ("print(len(json.dumps({'k': list(range(200))})))\n",
                 "import json\nprint(len(json.dumps({'k': list(range(200))})))\n", None),
    }
    results = {}
    for name, (cell, program, want) in snippets.items():
        sid = new_session()
        src = os.path.join(tmp, name + ".py")
        with open(src, "w") as f:
            f.write(program)
        os.chmod(src, 0o644)
        t = {"cell": [], "service": [], "command": []}
        expect = want
        for i in range(runs):
            order = ["cell", "service", "command"]
            order = order[i % 3:] + order[:i % 3]
            for way in order:
                if way == "cell":
                    dt, st, res, data = post(conn, "/v1/sessions/%s/execute" % sid, {"code": cell})
                    out = res.get("stdout")
                    if st != 200 or res.get("status") != "ok":
                        fail("a cell failed (%d)" % st, data)
                elif way == "service":
                    dt, st, res, data = post(conn, "/v1/runs", {"policy": policy, "code": program})
                    out = res.get("stdout")
                    if st != 200 or res.get("status") != "ok":
                        fail("a service run failed (%d)" % st, data)
                else:
                    t0 = time.perf_counter()
                    p = subprocess.run([cordon, "run", "--json", "-p", policy, src], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                    dt = time.perf_counter() - t0
                    try:
                        res = json.loads(p.stdout)
                    except ValueError:
                        res = {}
                    out = res.get("stdout")
                    if p.returncode != 0 or res.get("status") != "ok":
                        fail("a command run failed (%d)" % p.returncode, p.stdout + p.stderr)
                if expect is None:
                    expect = out
                if out != expect:
                    fail("%s printed %r, expected %r" % (way, out, expect), "")
                t[way].append(dt * 1000.0)
        results[name] = t
        if name == "trivial":
            # The state survived every cell: n counts them.
            _, st, res, data = post(conn, "/v1/sessions/%s/execute" % sid, {"code": "n\n"})
            if st != 200 or res.get("value") != str(runs):
                fail("the session lost its state (n is %r, expected %d)" % (res.get("value"), runs), data)
        conn.request("DELETE", "/v1/sessions/%s" % sid)
        conn.getresponse().read()

    def q(v, p):
        v = sorted(v)
        return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]

    print("\nper snippet, request to result (ms), %d of each way, interleaved" % runs)
    print("%-9s %-8s %9s %9s %12s" % ("snippet", "way", "median", "p90", "vs command"))
    for name, t in results.items():
        cmd = statistics.median(t["command"])
        for way in ("cell", "service", "command"):
            m = statistics.median(t[way])
            print("%-9s %-8s %9.2f %9.2f %11.1fx" % (name, way, m, q(t[way], 0.9), cmd / m))
    print("\nthe trivial snippet's session kept its state through its %d cells (n == %d at the end)" % (runs, runs))


if __name__ == "__main__":
    main()
