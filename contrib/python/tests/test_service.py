"""The binding over the service: a cordon-serve ($CORDON_SERVE) started on a
private socket in a temporary directory, and the binding's calls made to it
through $CORDON_SOCKET, Executor(socket=...) and Executor(url=, token=).

Run by service.t with PYTHONPATH at contrib/python, printing TAP.  The
service serves two policies of its own policy_dir (no isolation backend, so
the tests say the same on every host): `default` (pattern_scan denies a
shell command, rlimit) and `strict` (the same with lower limits).
"""

import asyncio
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from unittest import mock

import cordon
import taplib

SERVE = os.environ["CORDON_SERVE"]
CORDON = os.environ["CORDON"]
PY = "/usr/bin/python3"
TMP = Path(tempfile.mkdtemp(prefix="cordon-svc."))
os.chmod(TMP, 0o755)
POLICIES = TMP / "policies"
POLICIES.mkdir()
UID = os.getuid()


def write(path, text, mode=0o644):
    path.write_text(text)
    path.chmod(mode)
    return path


def serve_policy(name, threshold, limits):
    """A policy of the service: pattern_scan's Python rules deny at
    ``threshold``, rlimit with ``limits``; no isolation backend, said so
    (the tests are about the transport, the same on every host)."""
    write(POLICIES / (name + ".yaml"), """
interpreter: [%s, -I, -B]
isolation: none
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8}
stack:
  - module: pattern_scan
    control: requisite
    with: {rules: [python], threshold: %s}
  - module: rlimit
    with: %s
""" % (PY, threshold, limits))


serve_policy("default", "medium", "{wall: 30s, output: 1M}")
serve_policy("strict", "low", "{wall: 10s, output: 64K}")


class Service:
    """One cordon-serve of this test, on its own socket; stopped by pid."""

    n = 0

    def __init__(self, callers="[]", extra="", limits=""):
        Service.n += 1
        self.dir = TMP / ("svc%d" % Service.n)
        self.dir.mkdir()
        self.dir.chmod(0o755)
        self.socket = str(self.dir / "serve.sock")
        self.conf = write(self.dir / "serve.yaml", """
listen: {unix: %s, mode: "0600"%s}
workers: 2
%spolicy_dir: %s
policies: [default, strict]
callers: %s
""" % (self.socket, extra, limits, POLICIES, callers))
        self.log = open(self.dir / "log", "wb")
        self.proc = subprocess.Popen([SERVE, "serve", "-c", str(self.conf)], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT, close_fds=True)
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("cordon-serve exited %s: %s" % (self.proc.returncode, self.log_text()))
            if os.path.exists(self.socket):
                try:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.connect(self.socket)
                    s.close()
                    break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("cordon-serve did not listen within 20s: %s" % self.log_text())
            time.sleep(0.02)

    def log_text(self):
        self.log.flush()
        return (self.dir / "log").read_text(errors="replace")[-2000:]

    def admin(self, *args):
        return subprocess.run([SERVE, *args, "--socket", self.socket], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)

    def env(self):
        e = dict(os.environ, CORDON_SOCKET=self.socket)
        e.pop("CORDON_URL", None)
        return mock.patch.dict(os.environ, e, clear=True)

    def stop(self):
        if self.proc.poll() is not None:
            # Gone before the test stopped it: say why (its log), for the
            # tests that failed because of it.
            print("# cordon-serve (pid %d) had exited (%s) before the end of its tests; its log:"
                  % (self.proc.pid, self.proc.returncode), flush=True)
            for ln in self.log_text().splitlines():
                print("#   " + ln, flush=True)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def comparable(r):
    """A result without what differs from one run to the next."""
    d = r.to_dict()
    for k in ("usage", "total_time", "execution_time", "modules"):
        d.pop(k)
    return d


class Runs(unittest.TestCase):
    """The owner (this uid) on a service with no callers entry."""

    @classmethod
    def setUpClass(cls):
        cls.svc = Service()

    @classmethod
    def tearDownClass(cls):
        cls.svc.stop()

    def test_ok_run(self):
        with self.svc.env():
            r = cordon.execute("print(6 * 7)")
        self.assertEqual((r.status, r.stdout, r.exit_code, r.returncode), ("ok", "42\n", 0, 0), r.to_dict())
        self.assertTrue(r.success)
        self.assertEqual(r.raw["caller"], "owner")
        self.assertEqual(r.policy, "default")
        self.assertGreater(r.usage.wall_ms, 0)
        self.assertGreaterEqual(r.total_time, r.execution_time)

    def test_same_result_as_the_command(self):
        codes = ["print('x')", "import os; os.system('id')", "import sys; sys.exit(3)", "1/0"]
        for code in codes:
            with self.svc.env():
                a = cordon.execute(code, input="in", tighten=cordon.Tighten(limits={"wall": "5s"}))
            b = cordon.execute(code, input="in", tighten=cordon.Tighten(limits={"wall": "5s"}),
                               cordon_bin=CORDON, policy_dir=POLICIES)
            self.assertEqual(comparable(a), comparable(b), code)
            self.assertEqual(sorted(a.raw), sorted(set(b.raw) | {"caller"}), code)

    def test_denied_run(self):
        with self.svc.env():
            r = cordon.execute("import os\nos.system('id')\n")
            self.assertEqual((r.status, r.exit_code, r.returncode), ("denied", None, 126))
            self.assertEqual([(f.module, f.rule, f.line, f.file) for f in r.findings],
                             [("pattern_scan", "py-os-system", 2, "<stdin>")])
            with self.assertRaises(cordon.ValidationError) as cm:
                cordon.execute("import os\nos.system('id')\n", raise_on_error=True)
        self.assertEqual(cm.exception.findings[0].rule, "py-os-system")

    def test_failed_run(self):
        with self.svc.env():
            r = cordon.execute("import json\njson.loads('{')\n")
        self.assertEqual((r.status, r.returncode), ("failed", 1))
        self.assertEqual(r.error_type, "json.decoder.JSONDecodeError")

    def test_tightened_run(self):
        t = cordon.Tighten.config(timeout=2, max_output_bytes=100)
        with self.svc.env():
            r = cordon.execute("print('y' * 1000)", tighten=t)
            self.assertEqual((r.status, r.limit), ("killed", "output"), r.to_dict())
            self.assertEqual(r.tightened, ["limit:wall=2000ms", "limit:output=100"])
            r = cordon.execute("import time; time.sleep(5)", tighten=t)
            self.assertEqual((r.status, r.limit, r.returncode), ("timeout", "wall", 124))
            r = cordon.execute("print(1)", tighten=cordon.Tighten(patterns=[r"print\(1\)"]))
            self.assertEqual(r.status, "denied")
            with self.assertRaises(cordon.PolicyError) as cm:
                cordon.execute("print(1)", tighten=cordon.Tighten(limits={"wall": "1h"}))
        self.assertIn("would loosen policy 'default'", cm.exception.message)
        self.assertIn("default.yaml", cm.exception.message)

    def test_input_and_context(self):
        prog = "import sys\nprint(repr(sys.stdin.read()))\n"
        data = TMP / "input.txt"
        write(data, "from a file\n")
        with self.svc.env():
            self.assertEqual(cordon.execute(prog, input="h\u00e9llo\n").stdout, "'h\u00e9llo\\n'\n")
            self.assertEqual(cordon.execute(prog, input=b"bytes").stdout, "'bytes'\n")
            self.assertEqual(cordon.execute(prog, input=data).stdout, "'from a file\\n'\n")
            self.assertEqual(cordon.execute(prog).stdout, "''\n")
            r = cordon.execute("print(context['user'].upper())\n" + prog, context={"user": "ada"}, input="rest")
            self.assertEqual(r.stdout, "ADA\n'rest'\n", r.to_dict())
            r = cordon.execute("x = context\n1/0\n", context=None)
            self.assertIn('line 2, in <module>', r.stderr)
            with self.assertRaises(ValueError):
                cordon.execute(prog, input=b"\xff\xfe")

    def test_check_and_is_safe(self):
        with self.svc.env():
            c = cordon.check("import os; os.system('id')")
            self.assertEqual((c.verdict, c.file, c.findings[0].file), ("deny", "<stdin>", "<stdin>"))
            self.assertEqual(cordon.is_safe("print(1)"), (True, []))
            ok, found = asyncio.run(cordon.is_safe_async("import os; os.system('id')", policy="strict"))
            self.assertFalse(ok)
            self.assertEqual(found[0].rule, "py-os-system")
            src = TMP / "prog.py"
            write(src, "import os\nos.system('id')\n")
            [c] = cordon.check_files([src])
            self.assertEqual((c.verdict, c.file, c.findings[0].file, c.findings[0].line),
                             ("deny", str(src), str(src), 2))

    def test_async_runs_at_once(self):
        async def three():
            return await asyncio.gather(*[cordon.execute_async("import time; time.sleep(1); print(%d)" % i)
                                          for i in range(3)])
        with self.svc.env():
            t = time.monotonic()
            rs = asyncio.run(three())
        self.assertEqual([r.stdout for r in rs], ["0\n", "1\n", "2\n"])
        self.assertLess(time.monotonic() - t, 2.8)  # two workers: two rounds, not three

    def test_caller_timeout_and_cancel(self):
        ex = cordon.Executor(socket=self.svc.socket)
        r = ex.execute("import time; time.sleep(20)", timeout=0.5)
        self.assertEqual((r.status, r.limit, r.exit_code), ("timeout", "wall", None))
        self.assertIn("the caller's timeout of 0.5s ended the run", r.warnings)
        self.assertLess(r.total_time, 5)
        r = asyncio.run(ex.execute_async("import time; time.sleep(20)", timeout=0.5))
        self.assertEqual((r.status, r.limit), ("timeout", "wall"))
        # A run that ends within the timeout (submitted, then polled).
        self.assertEqual(ex.execute("print(4)", timeout=20).stdout, "4\n")
        with self.assertRaises(cordon.ValidationError):
            ex.execute("import os; os.system('id')", timeout=20, raise_on_error=True)

        async def cancelled():
            task = asyncio.ensure_future(ex.execute_async("import time; time.sleep(20)"))
            await asyncio.sleep(0.5)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                return True
            return False
        self.assertTrue(asyncio.run(cancelled()))
        # The run was cancelled (DELETE): it is gone long before its 20 s.
        deadline = time.monotonic() + 5
        while True:
            out = self.svc.admin("ps", "--json")
            runs = json.loads(out.stdout)["runs"]
            if not runs or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(runs, [], out)

    def test_executor(self):
        ex = cordon.Executor(socket=self.svc.socket)
        self.assertEqual(ex.transport, "service")
        self.assertEqual(ex.execute("print(1)", policy="strict").policy, "strict")
        self.assertEqual(ex.exec_command([PY, "-c", "print(5)"]).stdout, "5\n")
        self.assertEqual([p["name"] for p in ex.policies()], ["default", "strict"])
        self.assertEqual(cordon.Executor(cordon_bin=CORDON).transport, "command")
        with self.svc.env():
            self.assertEqual(cordon.Executor().transport, "service")
            # cordon_bin= is the command whatever the environment says.
            r = cordon.execute("print(1)", cordon_bin=CORDON, policy_dir=POLICIES)
            self.assertNotIn("caller", r.raw)

    def test_files_reach_the_service(self):
        # The policies here have no isolation backend (isolation: none): the
        # run refuses its input directory, which proves the files came with
        # the request and became the run's --input-dir.
        with self.svc.env():
            r = cordon.execute("print(1)", files={"data/a.csv": "x,y", "b.bin": b"\x00\xff"})
            self.assertEqual(r.status, "error", r.to_dict())
            self.assertIn("--input-dir", r.error)
            r = cordon.exec_command([PY, "-c", "print(1)"], files={"a": "x"})
            self.assertIn("--input-dir", r.error)
            with self.assertRaises(ValueError):
                cordon.execute("print(1)", files={"../x": "y"})

    def test_refused_options(self):
        ex = cordon.Executor(socket=self.svc.socket)
        for kw in ({"output_dir": str(TMP)}, {"bind_ro": ["/etc"]}, {"audit": True}, {"policy_dir": str(TMP)},
                   {"policy": str(POLICIES / "default.yaml")}):
            with self.assertRaises(ValueError, msg=str(kw)):
                ex.execute("print(1)", **kw)
        with self.assertRaises(ValueError):
            ex.exec_command([PY, "x.py"], sources=["x.py"])
        with self.assertRaises(cordon.PolicyError) as cm:
            ex.execute("print(1)", policy="nosuch")
        self.assertIn("'nosuch' is not served here", cm.exception.message)

    def test_unreachable(self):
        with self.assertRaises(cordon.ServiceUnavailable) as cm:
            cordon.Executor(socket=str(TMP / "nothing.sock")).execute("print(1)")
        self.assertIsNone(cm.exception.status)
        self.assertIn("nothing.sock", str(cm.exception))


class Refusals(unittest.TestCase):

    def test_403_policy_not_allowed(self):
        svc = Service(callers="[{name: tester, uid: %d, policies: [strict]}]" % UID)
        try:
            with svc.env():
                with self.assertRaises(cordon.PermissionDenied) as cm:
                    cordon.execute("print(1)", policy="default")
                e = cm.exception
                self.assertEqual(e.status, 403)
                self.assertIsInstance(e, PermissionError)
                self.assertIn("caller 'tester' may not use policy 'default'", e.reason)
                self.assertIn("serve.yaml line", e.reason)
                with self.assertRaises(cordon.PermissionDenied):
                    cordon.check("print(1)", policy="default")
                r = cordon.execute("print(1)", policy="strict")
                self.assertEqual((r.status, r.raw["caller"]), ("ok", "tester"))
                # No policy named: the caller's first.
                self.assertEqual(cordon.execute("print(1)", policy=None).policy, "strict")
        finally:
            svc.stop()

    def test_429_rate(self):
        svc = Service(callers="[{name: tester, uid: %d, policies: ['*'], runs_per_minute: 1}]" % UID)
        try:
            with svc.env():
                self.assertEqual(cordon.execute("print(1)").status, "ok")
                with self.assertRaises(cordon.RateLimited) as cm:
                    cordon.execute("print(1)")
                with self.assertRaises(cordon.RateLimited):
                    asyncio.run(cordon.execute_async("print(1)"))
        finally:
            svc.stop()
        e = cm.exception
        self.assertEqual(e.status, 429)
        self.assertGreater(e.retry_after, 0)
        self.assertIn("tester", e.reason)

    def test_503_stopped_and_resumed(self):
        svc = Service()
        try:
            with svc.env():
                self.assertEqual(cordon.execute("print(1)").status, "ok")
                out = svc.admin("stop", "--all")
                self.assertEqual(out.returncode, 0, out)
                with self.assertRaises(cordon.ServiceUnavailable) as cm:
                    cordon.execute("print(1)")
                self.assertEqual(cm.exception.status, 503)
                self.assertGreaterEqual(cm.exception.retry_after, 1)
                self.assertIn("stopped", cm.exception.reason)
                out = svc.admin("resume")
                self.assertEqual(out.returncode, 0, out)
                self.assertEqual(cordon.execute("print(1)").stdout, "1\n")
        finally:
            svc.stop()

    def test_413_too_large(self):
        svc = Service(extra="", limits="max_request: 1K\n")
        try:
            with self.assertRaises(cordon.ServiceError) as cm:
                cordon.Executor(socket=svc.socket).execute("x = %r\n" % ("a" * 2000))
            self.assertEqual(cm.exception.status, 413)
            self.assertIn("max_request", cm.exception.reason)
            self.assertNotIsInstance(cm.exception, (cordon.RateLimited, cordon.ServiceUnavailable))
            self.assertEqual(cordon.Executor(socket=svc.socket).execute("print(1)").stdout, "1\n")
        finally:
            svc.stop()

    def test_tcp_bearer_token(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        token = "t0k3n-for-the-test"
        svc = Service(callers="[{name: bot, token_sha256: %s, policies: [default]}]"
                      % hashlib.sha256(token.encode()).hexdigest(), extra=", tcp: 127.0.0.1:%d" % port)
        url = "http://127.0.0.1:%d" % port
        try:
            r = cordon.Executor(url=url, token=token).execute("print(8)")
            self.assertEqual((r.stdout, r.raw["caller"]), ("8\n", "bot"))
            env = dict(os.environ, CORDON_URL=url, CORDON_TOKEN=token)
            env.pop("CORDON_SOCKET", None)
            with mock.patch.dict(os.environ, env, clear=True):
                self.assertEqual(cordon.execute("print(9)").stdout, "9\n")
            for bad in ("wrong", None):
                with self.assertRaises(cordon.PermissionDenied) as cm:
                    cordon.Executor(url=url, token=bad).execute("print(1)")
                self.assertEqual(cm.exception.status, 401)
        finally:
            svc.stop()


if __name__ == "__main__":
    sys.exit(taplib.main(__name__, TMP))
