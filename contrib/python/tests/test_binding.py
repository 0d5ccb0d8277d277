"""Tests of the Python binding against the real cordon ($CORDON), printing TAP.

Run by binding.t with PYTHONPATH at contrib/python; the policies it writes
stack the rlimit module and the test-only module (tests/modules/testmod.c,
found on $CORDON_MODULE_PATH).
"""

import asyncio
import json
import os
import signal
import stat
import sys
import tempfile
import time
import unittest
from pathlib import Path
from unittest import mock

import cordon
import taplib

PY = "/usr/bin/python3"
TMP = Path(tempfile.mkdtemp(prefix="cordon-py."))


def policy(name, text):
    """Write a policy file (mode 0644) and return its path."""
    p = TMP / (name + ".yaml")
    p.write_text(text)
    p.chmod(0o644)
    return p


RLIMIT = policy("limits", """
interpreter: [%s, -I, -B]
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8}
stack:
  - module: rlimit
    with: {wall: 120s, output: 1M}
""" % PY)
DENY = policy("deny", """
interpreter: [%s, -I, -B]
stack:
  - module: testmod
    with: {verdict: deny, findings: 1}
""" % PY)
PASS = policy("pass", """
interpreter: [%s, -I, -B]
stack:
  - module: testmod
    with: {verdict: pass}
""" % PY)
DENY_OS = policy("deny-os", """
interpreter: [%s, -I, -B]
stack:
  - module: pattern_scan
    control: requisite
    with: {rules: [python], threshold: medium}
""" % PY)
SYNTAX = policy("syntax", """
interpreter: [%s, -I, -B]
stack:
  - module: pyimport
    control: requisite
""" % PY)
NO_SYS = policy("no-sys", """
interpreter: [%s, -I, -B]
stack:
  - module: pyimport
    control: requisite
    with: {mode: denylist, deny: [sys]}
""" % PY)
LANDLOCK = policy("landlock", """
interpreter: [%s, -I, -B]
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8}
stack:
  - module: rlimit
    with: {wall: 60s}
  - module: landlock
""" % PY)


def left_input_dirs():
    """files= directories left in TMPDIR (none once a call has returned)."""
    return [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("cordon-in.")]


BAD = policy("bad", """
interpreter: [%s, -I, -B]
stack:
  - module: testmod
    with: {count: many}
""" % PY)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie not yet reaped by its parent is gone for our purpose.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Run(unittest.TestCase):
    def test_ok(self):
        r = cordon.execute("print(6 * 7)", policy=RLIMIT)
        self.assertTrue(r.success)
        self.assertEqual((r.status, r.exit_code, r.signal, r.limit), ("ok", 0, None, None))
        self.assertEqual(r.stdout, "42\n")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.policy, "limits")
        self.assertEqual(r.raw["cordon"], 1)
        self.assertGreater(r.usage.wall_ms, 0)
        self.assertEqual([m.name for m in r.modules], ["rlimit"])
        self.assertEqual(r.findings, [])
        self.assertEqual(r.error, None)

    def test_failed_exit_code_and_stderr(self):
        r = cordon.execute("import sys\nprint('bad', file=sys.stderr)\nsys.exit(3)", policy=RLIMIT)
        self.assertFalse(r.success)
        self.assertEqual((r.status, r.exit_code, r.returncode), ("failed", 3, 3))
        self.assertEqual(r.stderr, "bad\n")
        self.assertIn("[exit status 3]", r.text())

    def test_killed_by_signal(self):
        r = cordon.execute("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", policy=RLIMIT)
        self.assertEqual((r.status, r.exit_code, r.signal, r.returncode), ("killed", None, 9, 137))

    def test_default_policy(self):
        r = cordon.execute("print('hello')")
        self.assertEqual((r.status, r.stdout, r.policy), ("ok", "hello\n", "default"))

    def test_code_as_bytes(self):
        r = cordon.execute(b"print('bytes')", policy=RLIMIT)
        self.assertEqual(r.stdout, "bytes\n")

    def test_code_wrong_type(self):
        with self.assertRaises(TypeError):
            cordon.execute(42, policy=RLIMIT)

    def test_unicode_output(self):
        text = "h\u00e9llo \u2713 \u65e5\u672c \U0001f600"
        r = cordon.execute("print(%r)" % text, policy=RLIMIT)
        self.assertEqual(r.stdout, text + "\n")

    def test_invalid_utf8_replaced(self):
        r = cordon.execute("import sys\nsys.stdout.buffer.write(b'a\\xffb')", policy=RLIMIT)
        self.assertEqual(r.stdout, "a\ufffdb")

    def test_unicode_source(self):
        r = cordon.execute("s = '\u00e9\u00e8'\nprint(len(s))", policy=RLIMIT)
        self.assertEqual(r.stdout, "2\n")

    def test_no_input_is_devnull(self):
        r = cordon.execute("import sys\nprint(repr(sys.stdin.read()))", policy=RLIMIT)
        self.assertEqual(r.stdout, "''\n")

    def test_input_str_and_bytes(self):
        code = "import sys\nprint(sys.stdin.buffer.read().hex())"
        r = cordon.execute(code, policy=RLIMIT, input="\u00e9\n")
        self.assertEqual(r.stdout, "c3a90a\n")
        r = cordon.execute(code, policy=RLIMIT, input=b"\x00\xff" * 100000)
        self.assertEqual(r.stdout, "00ff" * 100000 + "\n")

    def test_input_path(self):
        p = TMP / "input.txt"
        p.write_text("from a file\n")
        p.chmod(0o644)
        r = cordon.execute("import sys\nprint(sys.stdin.read().upper(), end='')", policy=RLIMIT, input=p)
        self.assertEqual(r.stdout, "FROM A FILE\n")

    def test_denied(self):
        r = cordon.execute("print('never')", policy=DENY)
        self.assertFalse(r.success)
        self.assertEqual((r.status, r.exit_code, r.signal, r.returncode), ("denied", None, None, 126))
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.findings), 1)
        f = r.findings[0]
        self.assertIsInstance(f, cordon.Finding)
        self.assertEqual((f.module, f.rule, f.severity, f.line, f.column, f.file),
                         ("testmod", "t-finding", "medium", 1, 1, "<stdin>"))
        self.assertIn("denied by policy", r.text())
        self.assertIn("[testmod/t-finding]", r.text())

    def test_audit(self):
        r = cordon.execute("print('ran')", policy=DENY, audit=True)
        self.assertEqual((r.status, r.mode, r.stdout, r.returncode), ("ok", "audit", "ran\n", 0))
        self.assertEqual([f.rule for f in r.findings], ["t-finding"])
        self.assertTrue(any("would have denied" in w for w in r.warnings), r.warnings)
        self.assertEqual(cordon.execute("print('x')", policy=DENY).mode, "enforce")

    def test_policy_error_names_file_line(self):
        with self.assertRaises(cordon.PolicyError) as cm:
            cordon.execute("print(1)", policy=BAD)
        e = cm.exception
        self.assertEqual((e.file, e.line, e.returncode), (str(BAD), 5, 125))
        self.assertGreater(e.column, 0)
        self.assertIn("count", e.message)
        self.assertIsInstance(e, cordon.CordonError)

    def test_policy_not_found(self):
        with self.assertRaises(cordon.PolicyError) as cm:
            cordon.execute("print(1)", policy="no-such-policy-here")
        self.assertIn("no-such-policy-here", str(cm.exception))
        self.assertIsNone(cm.exception.line)

    def test_policy_dir(self):
        d = TMP / "pdir"
        d.mkdir(exist_ok=True)
        p = d / "mine.yaml"
        p.write_text(RLIMIT.read_text())
        p.chmod(0o644)
        r = cordon.execute("print('mine')", policy="mine", policy_dir=d)
        self.assertEqual((r.status, r.policy, r.stdout), ("ok", "mine", "mine\n"))

    def test_output_dir_needs_a_backend(self):
        # A policy without an isolation backend refuses --output-dir: the
        # option reaches cordon, and the refusal is a result, not a crash.
        r = cordon.execute("print(1)", policy=RLIMIT, output_dir=TMP)
        self.assertEqual((r.status, r.returncode, r.exit_code), ("error", 125, None))
        self.assertIn("--output-dir", r.error)
        self.assertIn("cordon error", r.text())

    def test_files_at_input(self):
        # files= reach the program read-only in $CORDON_INPUT_DIR (a
        # temporary --input-dir, removed after the run) under a backend.
        code = ("import os\n"
                "d = os.environ['CORDON_INPUT_DIR']\n"
                "print(open(d + '/a.txt').read(), list(open(d + '/sub/b.bin', 'rb').read()))\n"
                "try:\n    open(d + '/new', 'w')\nexcept OSError:\n    print('read-only')\n")
        r = cordon.execute(code, policy=LANDLOCK, files={"a.txt": "text", "sub/b.bin": b"\x00\xff"})
        if r.status == "error" and "andlock" in (r.error or ""):
            self.skipTest("landlock is not usable here: " + r.error)
        self.assertEqual((r.status, r.stdout), ("ok", "text [0, 255]\nread-only\n"), r.text())
        self.assertEqual(left_input_dirs(), [])

    def test_files_checked_before_anything(self):
        for bad in ("../x", "/etc/passwd", "a//b", "a/./b", "", "x\0y"):
            with self.assertRaises(ValueError, msg=bad):
                cordon.execute("print(1)", policy=LANDLOCK, files={bad: "x"})
        with self.assertRaises(TypeError):
            cordon.execute("print(1)", policy=LANDLOCK, files=[("a", "x")])
        self.assertEqual(left_input_dirs(), [])

    def test_files_need_a_backend(self):
        r = cordon.execute("print(1)", policy=RLIMIT, files={"a": "x"})
        self.assertEqual((r.status, r.returncode), ("error", 125))
        self.assertIn("--input-dir", r.error)
        self.assertEqual(left_input_dirs(), [])

    def test_timeout_kills_the_tree(self):
        code = ("import subprocess, sys, time\n"
                "p = subprocess.Popen(['sleep', '300'])\n"
                "print(p.pid, flush=True)\n"
                "time.sleep(300)\n")
        t0 = time.monotonic()
        r = cordon.execute(code, policy=RLIMIT, timeout=2)
        elapsed = time.monotonic() - t0
        self.assertEqual((r.status, r.limit, r.exit_code), ("timeout", "wall", None))
        self.assertLess(elapsed, 60)  # the policy's own wall limit is 120s
        self.assertTrue(any("caller's timeout" in w for w in r.warnings), r.warnings)
        self.assertEqual(r.raw["status"], "killed")  # cordon's own report is kept
        pid = int(r.stdout.split()[0])
        for _ in range(100):
            if not alive(pid):
                break
            time.sleep(0.1)
        self.assertFalse(alive(pid), "the program's child %d outlived the run" % pid)

    def test_timeout_not_reached(self):
        r = cordon.execute("print('quick')", policy=RLIMIT, timeout=60)
        self.assertEqual((r.status, r.stdout), ("ok", "quick\n"))

    def test_bad_timeout(self):
        with self.assertRaises(ValueError):
            cordon.execute("print(1)", policy=RLIMIT, timeout=0)

    def test_execute_file(self):
        p = TMP / "prog.py"
        p.write_text("print('from file')\n")
        p.chmod(0o644)
        r = cordon.execute_file(p, policy=RLIMIT)
        self.assertEqual((r.status, r.stdout), ("ok", "from file\n"))
        r = cordon.execute_file(p, policy=DENY)
        self.assertEqual(r.status, "denied")
        self.assertEqual(r.findings[0].file, str(p))

    def test_exec_command(self):
        r = cordon.exec_command(["echo", "hi", "$HOME", ";", "id"], policy=RLIMIT)
        self.assertEqual((r.status, r.stdout), ("ok", "hi $HOME ; id\n"))
        # Without sources the checks have nothing to deny.
        r = cordon.exec_command(["true"], policy=DENY)
        self.assertEqual(r.status, "ok")
        self.assertEqual(r.modules[0].verdict, "skipped")
        r = cordon.exec_command(["no-such-command-xyz"], policy=RLIMIT)
        self.assertEqual(r.returncode, 127)
        with self.assertRaises(TypeError):
            cordon.exec_command("echo hi", policy=RLIMIT)
        with self.assertRaises(ValueError):
            cordon.exec_command([], policy=RLIMIT)

    def test_exec_command_sources(self):
        p = TMP / "src.py"
        p.write_text("print('checked')\n")
        p.chmod(0o644)
        r = cordon.exec_command([PY, str(p)], policy=DENY, sources=[p])
        self.assertEqual(r.status, "denied")
        r = cordon.exec_command([PY, str(p)], policy=PASS, sources=[p])
        self.assertEqual((r.status, r.stdout), ("ok", "checked\n"))


class Check(unittest.TestCase):
    def test_pass(self):
        c = cordon.check("print(1)", policy=PASS)
        self.assertTrue(c.passed)
        self.assertEqual((c.verdict, c.findings, c.file), ("pass", [], "<stdin>"))

    def test_deny(self):
        c = cordon.check("print(1)", policy=DENY)
        self.assertFalse(c.passed)
        self.assertEqual(c.verdict, "deny")
        self.assertEqual(c.findings[0].rule, "t-finding")

    def test_policy_error(self):
        with self.assertRaises(cordon.PolicyError) as cm:
            cordon.check("print(1)", policy=BAD)
        self.assertEqual(cm.exception.line, 5)

    def test_check_files(self):
        a, b = TMP / "a.py", TMP / "-b.py"
        a.write_text("print(1)\n")
        b.write_text("print(2)\n")
        cwd = os.getcwd()
        os.chdir(TMP)
        try:
            # A relative name that starts with "-" is a file, not an option.
            res = cordon.check_files([a, "-b.py"], policy=DENY)
        finally:
            os.chdir(cwd)
        self.assertEqual([r.file for r in res], [str(a), "./-b.py"])
        self.assertEqual([r.verdict for r in res], ["deny", "deny"])
        self.assertEqual(cordon.check_files([], policy=DENY), [])
        res = cordon.check_files([TMP / "missing.py", a], policy=PASS)
        self.assertEqual([r.verdict for r in res], ["error", "pass"])
        self.assertIn("cannot read", res[0].error)
        self.assertFalse(res[0].passed)


class Binary(unittest.TestCase):
    def test_cordon_bin_missing(self):
        with self.assertRaises(cordon.CordonNotFound):
            cordon.execute("print(1)", cordon_bin="/nonexistent/cordon")

    def test_not_on_path(self):
        env = dict(os.environ, PATH=str(TMP / "empty"))
        env.pop("CORDON", None)
        with mock.patch.dict(os.environ, env, clear=True):
            with self.assertRaises(cordon.CordonNotFound) as cm:
                cordon.execute("print(1)")
        self.assertIn("PATH", str(cm.exception))

    def test_env_and_path_lookup(self):
        real = os.environ["CORDON"]
        self.assertEqual(cordon.find_cordon(), real)
        d = TMP / "bin"
        d.mkdir(exist_ok=True)
        link = d / "cordon"
        if not link.exists():
            link.symlink_to(real)
        env = dict(os.environ, PATH=str(d))
        env.pop("CORDON", None)
        with mock.patch.dict(os.environ, env, clear=True):
            self.assertEqual(cordon.find_cordon(), str(link))
            r = cordon.execute("print(1)", policy=RLIMIT)
        self.assertEqual(r.stdout, "1\n")

    def test_not_a_cordon(self):
        # Something that exits without a result is a CordonError, not a
        # policy error.
        with self.assertRaises(cordon.CordonError) as cm:
            cordon.execute("print(1)", cordon_bin="/bin/false")
        self.assertNotIsInstance(cm.exception, cordon.PolicyError)
        self.assertEqual(cm.exception.returncode, 1)

REDACT = policy("redact", """
interpreter: [%s, -I, -B]
stack:
  - module: redact
""" % PY)
CPU = policy("cpu", """
interpreter: [%s, -I, -B]
stack:
  - module: rlimit
    with: {cpu: 1s, wall: 60s}
""" % PY)
SHORTWALL = policy("shortwall", """
interpreter: [%s, -I, -B]
stack:
  - module: rlimit
    with: {wall: 1s}
""" % PY)
SHIPPED = ["default", "strict", "production", "minimal", "development", "educational", "data_science",
           "isolation"]


def have_namespaces():
    """The shipped policies need user namespaces (or root): probe once."""
    r = cordon.execute("print(1)", policy="isolation")
    return r.status == "ok"


class Context(unittest.TestCase):
    def test_value_is_a_variable(self):
        ctx = {"user": "\u00e9l\u00e8ve", "n": [1, 2.5, None, True], "nested": {"k": "v"}}
        r = cordon.execute("print(type(context).__name__, context['n'][1], context['user'])", policy=RLIMIT,
                           context=ctx)
        self.assertEqual((r.status, r.stdout), ("ok", "dict 2.5 \u00e9l\u00e8ve\n"))
        r = cordon.execute("print(repr(context))", policy=RLIMIT, context=None)
        self.assertEqual(r.stdout, "None\n")
        r = cordon.execute("print(context)", policy=RLIMIT)
        self.assertEqual(r.error_type, "NameError")  # no context: no variable

    def test_never_in_the_source(self):
        # A context that would be code if it were spliced into the source
        # stays data, and the checks never see it.
        evil = "'''\"\"\"); import os; os.system('echo pwned') #\n"
        r = cordon.execute("print(context == %r)" % evil, policy=RLIMIT, context=evil)
        self.assertEqual((r.status, r.stdout), ("ok", "True\n"))
        r = cordon.execute("print(len(context))", policy=DENY_OS, context=evil)
        self.assertEqual((r.status, r.stdout, r.findings), ("ok", "%d\n" % len(evil), []))
        # What the checks saw: the program and the fixed prelude only.
        r = cordon.execute("print(1)", policy=DENY, context={"secret": "s3cr3t-ctx"})
        self.assertEqual(r.status, "denied")
        self.assertNotIn("s3cr3t-ctx", json.dumps(r.raw))

    def test_large_context_and_input(self):
        ctx = {"blob": "x" * 300000}
        code = ("import os, sys\n"
                "first = os.read(0, 5)\n"
                "rest = sys.stdin.buffer.read()\n"
                "print(len(context['blob']), first, len(rest))\n")
        r = cordon.execute(code, policy=RLIMIT, context=ctx, input=b"\x00\xffabc" + b"y" * 100000)
        self.assertEqual(r.stdout, "300000 b'\\x00\\xffabc' 100000\n")

    def test_input_text_and_path(self):
        r = cordon.execute("print(input(), context)", policy=RLIMIT, context=7, input="line one\nline two\n")
        self.assertEqual(r.stdout, "line one 7\n")
        p = TMP / "ctx-input.txt"
        p.write_text("from a file\n")
        r = cordon.execute("import sys\nprint(sys.stdin.read().strip(), context)", policy=RLIMIT,
                           context="c", input=p)
        self.assertEqual(r.stdout, "from a file c\n")
        r = cordon.execute("import sys\nprint(repr(sys.stdin.read()))", policy=RLIMIT, context=1)
        self.assertEqual(r.stdout, "''\n")

    def test_not_serialisable(self):
        with self.assertRaises(TypeError) as cm:
            cordon.execute("print(1)", policy=RLIMIT, context={"f": object()})
        self.assertIn("context", str(cm.exception))

    def test_lines_are_the_callers(self):
        code = "x = 1\n\ndef f():\n    return 1 / 0\nf()\n"
        r = cordon.execute(code, policy=RLIMIT, context={})
        self.assertEqual((r.error_type, r.error_message), ("ZeroDivisionError", "division by zero"))
        self.assertIn('/proc/self/fd/3", line 5, in <module>', r.stderr)
        self.assertIn('/proc/self/fd/3", line 4, in f', r.stderr)
        self.assertIn('line 6, in <module>', r.raw["stderr"])  # cordon's own report is kept as it was
        # Findings name the caller's lines too.
        r = cordon.execute("print(1)\nx = (\n", policy=SYNTAX, context={})
        self.assertEqual(r.status, "denied")
        self.assertEqual([f.line for f in r.findings], [2])

    def test_docstring_and_future_stay_first(self):
        code = ('"""The doc."""\n'
                "from __future__ import annotations\n"
                "def f(x: Undefined) -> None: pass\n"
                "print(__doc__, context)\n"
                "raise KeyError('k')\n")
        r = cordon.execute(code, policy=RLIMIT, context=[1])
        self.assertEqual(r.stdout, "The doc. [1]\n")
        self.assertEqual((r.error_type, r.error_message), ("KeyError", "'k'"))
        self.assertIn("line 5, in <module>", r.stderr)

    def test_coding_declaration(self):
        code = "# -*- coding: latin-1 -*-\nprint('\xe9', context)\n".encode("latin-1")
        r = cordon.execute(code, policy=RLIMIT, context=2)
        self.assertEqual(r.stdout, "\u00e9 2\n")

    def test_policy_refusing_the_prelude(self):
        # A policy that forbids what the prelude needs says so, and the
        # finding is about the prelude, not a line of the caller's.
        r = cordon.execute("print(context)", policy=NO_SYS, context=1)
        self.assertEqual(r.status, "denied")
        self.assertEqual([(f.line, f.message.startswith("in the context prelude: ")) for f in r.findings],
                         [(None, True)])
        self.assertTrue(any("context prelude" in w and "sys and json" in w for w in r.warnings), r.warnings)
        # The same program without a context is not concerned.
        self.assertEqual(cordon.execute("print(2)", policy=NO_SYS).stdout, "2\n")

    def test_byte_order_mark(self):
        r = cordon.execute(b"\xef\xbb\xbfprint('bom', context)\n", policy=RLIMIT, context=3)
        self.assertEqual((r.status, r.stdout), ("ok", "bom 3\n"), r.stderr)

    def test_async(self):
        r = asyncio.run(cordon.execute_async("print(context['a'] * 2)", policy=RLIMIT, context={"a": 21}))
        self.assertEqual(r.stdout, "42\n")

    def test_shipped_policies(self):
        if not have_namespaces():
            self.skipTest("the shipped policies need user namespaces here")
        code = "import math\nprint(math.floor(context['x']), context['name'])\n"
        for name in SHIPPED:
            r = cordon.execute(code, policy=name, context={"x": 2.5, "name": "n"})
            self.assertEqual((name, r.status, r.stdout), (name, "ok", "2 n\n"), r.stderr)


class ResultFields(unittest.TestCase):
    def test_error_type_and_message(self):
        r = cordon.execute("import json\njson.loads('{')", policy=RLIMIT)
        self.assertEqual(r.status, "failed")
        self.assertEqual(r.error_type, "json.decoder.JSONDecodeError")
        self.assertTrue(r.error_message.startswith("Expecting property name"), r.error_message)
        r = cordon.execute("raise ValueError('two\\nlines')", policy=RLIMIT)
        self.assertEqual((r.error_type, r.error_message), ("ValueError", "two\nlines"))
        r = cordon.execute("class E(Exception): pass\nraise E", policy=RLIMIT)
        self.assertEqual((r.error_type, r.error_message), ("E", ""))
        r = cordon.execute("x = (\n", policy=RLIMIT)
        self.assertEqual(r.error_type, "SyntaxError")
        r = cordon.execute("try:\n    1/0\nexcept ZeroDivisionError:\n    raise KeyError('k')", policy=RLIMIT)
        self.assertEqual((r.error_type, r.error_message), ("KeyError", "'k'"))
        # Not a failure: no error, whatever it printed.
        r = cordon.execute("import sys\nprint('Traceback (most recent call last):\\nX: y', file=sys.stderr)",
                           policy=RLIMIT)
        self.assertEqual((r.status, r.error_type, r.error_message), ("ok", None, None))
        r = cordon.execute("import sys\nsys.exit(4)", policy=RLIMIT)
        self.assertEqual((r.status, r.error_type), ("failed", None))

    def test_times(self):
        r = cordon.execute("import time\ntime.sleep(0.3)", policy=RLIMIT)
        self.assertGreaterEqual(r.execution_time, 0.3)
        self.assertGreaterEqual(r.total_time, r.execution_time)
        self.assertLess(r.total_time, 30)
        self.assertAlmostEqual(r.execution_time, r.usage.wall_ms / 1000.0)

    def test_was_output_redacted(self):
        r = cordon.execute("print('key AKIA' + 'IOSFODNN7EXAMPLE')", policy=REDACT)
        self.assertTrue(r.was_output_redacted)
        self.assertNotIn("AKIAIOSFODNN7EXAMPLE", r.stdout)
        self.assertFalse(cordon.execute("print('nothing')", policy=REDACT).was_output_redacted)

    def test_to_dict(self):
        r = cordon.execute("print('hi')\n1/0", policy=RLIMIT)
        d = r.to_dict()
        self.assertEqual(json.loads(json.dumps(d)), d)
        for k in ("status", "stdout", "stderr", "exit_code", "error_type", "error_message", "execution_time",
                  "total_time", "was_output_redacted", "findings", "usage"):
            self.assertIn(k, d)
        self.assertEqual((d["status"], d["stdout"], d["error_type"], d["exit_code"]),
                         ("failed", "hi\n", "ZeroDivisionError", 1))
        d = cordon.execute("print(1)", policy=DENY).to_dict()
        self.assertEqual(d["findings"][0]["rule"], "t-finding")
        json.dumps(d)
        self.assertEqual((d["tightened"], d["connections"]), ([], []))

    def test_connections_parsed(self):
        conn = {"method": "CONNECT", "host": "pypi.org", "port": 443, "verdict": "denied", "rule": None,
                "address": None, "reason": "network: pypi.org is not in this policy's allow list",
                "bytes_out": 0, "bytes_in": 0, "ms": 1.5}
        r = cordon.Result.from_json({"status": "ok", "connections": [conn, "not an object"]})
        self.assertEqual(r.connections, [conn])
        self.assertEqual(r.to_dict()["connections"], [conn])


class Raising(unittest.TestCase):
    def test_returns_when_it_ran(self):
        r = cordon.execute("print(1)", policy=RLIMIT, raise_on_error=True)
        self.assertEqual(r.stdout, "1\n")
        # The program's own failure is a result, with its error.
        r = cordon.execute("1/0", policy=RLIMIT, raise_on_error=True)
        self.assertEqual((r.status, r.error_type), ("failed", "ZeroDivisionError"))

    def test_validation_error(self):
        with self.assertRaises(cordon.ValidationError) as cm:
            cordon.execute("print(1)", policy=DENY, raise_on_error=True)
        e = cm.exception
        self.assertEqual([f.rule for f in e.findings], ["t-finding"])
        self.assertEqual((e.result.status, e.returncode), ("denied", 126))
        self.assertIsInstance(e, cordon.CordonError)

    def test_timeout_error(self):
        with self.assertRaises(cordon.TimeoutError) as cm:
            cordon.execute("import time\ntime.sleep(30)", policy=SHORTWALL, raise_on_error=True)
        self.assertEqual(cm.exception.result.limit, "wall")
        # The builtin's subclass too, and the caller's timeout= is one.
        with self.assertRaises(TimeoutError):
            cordon.execute("import time\ntime.sleep(30)", policy=RLIMIT, timeout=1, raise_on_error=True)

    def test_resource_limit_error(self):
        with self.assertRaises(cordon.ResourceLimitError) as cm:
            cordon.execute("while True: pass", policy=CPU, raise_on_error=True)
        self.assertEqual(cm.exception.limit, "cpu")
        self.assertIn("cpu", str(cm.exception))

    def test_sandbox_error(self):
        with self.assertRaises(cordon.SandboxError) as cm:
            cordon.execute("print(1)", policy=RLIMIT, output_dir=TMP, raise_on_error=True)
        self.assertIn("--output-dir", str(cm.exception))
        self.assertEqual(cm.exception.result.status, "error")

    def test_star_import_keeps_the_builtin(self):
        ns = {}
        exec("from cordon import *", ns)
        self.assertNotIn("TimeoutError", ns)
        self.assertIn("ValidationError", ns)
        self.assertTrue(issubclass(cordon.TimeoutError, TimeoutError))

    def test_raise_for_status(self):
        r = cordon.execute("print(1)", policy=DENY)
        with self.assertRaises(cordon.ValidationError):
            r.raise_for_status()
        r = cordon.execute("print(1)", policy=RLIMIT)
        self.assertIs(r.raise_for_status(), r)

    def test_async_raises(self):
        with self.assertRaises(cordon.ValidationError):
            asyncio.run(cordon.execute_async("print(1)", policy=DENY, raise_on_error=True))


class PerCall(unittest.TestCase):
    """Tighten: per-call settings that may only tighten the policy."""

    def test_limits_recorded(self):
        t = cordon.Tighten.config(timeout=5, max_output_bytes=4096)
        r = cordon.execute("print(6 * 7)", policy=RLIMIT, tighten=t)
        self.assertEqual(r.status, "ok", r.raw)
        self.assertEqual(r.tightened, ["limit:wall=5000ms", "limit:output=4096"])

    def test_smaller_output_holds(self):
        r = cordon.execute("print('x' * 100000)", policy=RLIMIT, tighten=cordon.Tighten({"output": "1K"}))
        self.assertEqual((r.status, r.limit), ("killed", "output"), r.raw)

    def test_loosening_refused(self):
        with self.assertRaises(cordon.PolicyError) as cm:
            cordon.execute("print(1)", policy=RLIMIT, tighten=cordon.Tighten({"wall": "1h"}))
        self.assertIn("would loosen", str(cm.exception))

    def test_network_true_refused(self):
        with self.assertRaises(ValueError):
            cordon.Tighten(network=True)
        with self.assertRaises(TypeError):
            cordon.Tighten(deny_imports="socket")

    def test_deny_import_and_pattern(self):
        safe, findings = cordon.is_safe("import json", tighten=cordon.Tighten(deny_imports=["json"]))
        self.assertFalse(safe)
        self.assertIn("import-denied", [f.rule for f in findings])
        c = cordon.check("print('marker-42')", tighten=cordon.Tighten(patterns=[r"marker-\d+"]))
        self.assertFalse(c.passed)
        self.assertEqual(c.findings[0].rule, "per-call-1")
        r = cordon.execute("print('marker-42')", tighten=cordon.Tighten(patterns=[r"marker-\d+"]))
        self.assertEqual(r.status, "denied")
        self.assertEqual(r.tightened, ["pattern:marker-\\d+"])

    def test_async(self):
        r = asyncio.run(cordon.execute_async("print(1)", policy=RLIMIT,
                                             tighten=cordon.Tighten.config(max_memory_mb=256)))
        self.assertEqual(r.tightened, ["limit:memory=256M"])


class IsSafe(unittest.TestCase):
    def test_is_safe(self):
        self.assertEqual(cordon.is_safe("print(1)", policy=PASS), (True, []))
        safe, violations = cordon.is_safe("print(1)", policy=DENY)
        self.assertFalse(safe)
        self.assertEqual([v.rule for v in violations], ["t-finding"])
        self.assertEqual(asyncio.run(cordon.is_safe_async("print(1)", policy=PASS)), (True, []))

    def test_shipped_default(self):
        safe, violations = cordon.is_safe("import os\nos.system('id')")
        self.assertFalse(safe)
        self.assertTrue(any(v.line == 2 for v in violations), violations)
        self.assertEqual(cordon.is_safe("print(sum(range(10)))"), (True, []))


def sleepers():
    """Pids of `sleep 300` processes (the ones these tests start)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    if f.read() == b"sleep\x00300\x00":
                        out.append(int(d))
            except OSError:
                pass
    return out


LONG = ("import subprocess, time\n"
        "p = subprocess.Popen(['sleep', '300'])\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(300)\n")


class Async(unittest.TestCase):
    def test_concurrent(self):
        async def main():
            t0 = time.monotonic()
            rs = await asyncio.gather(*[cordon.execute_async("import time\ntime.sleep(1)\nprint(%d)" % i,
                                                             policy=RLIMIT) for i in range(4)])
            return rs, time.monotonic() - t0
        rs, elapsed = asyncio.run(main())
        self.assertEqual([r.stdout for r in rs], ["%d\n" % i for i in range(4)])
        self.assertLess(elapsed, 3.5)  # they ran at once, not one after the other

    def test_input_and_check(self):
        r = asyncio.run(cordon.execute_async("import sys\nprint(sys.stdin.read()[::-1])", policy=RLIMIT,
                                             input="abc"))
        self.assertEqual(r.stdout, "cba\n")
        c = asyncio.run(cordon.check_async("print(1)", policy=DENY))
        self.assertEqual(c.verdict, "deny")
        r = asyncio.run(cordon.exec_command_async(["echo", "hi"], policy=RLIMIT))
        self.assertEqual(r.stdout, "hi\n")
        p = TMP / "async.py"
        p.write_text("print('file')\n")
        self.assertEqual(asyncio.run(cordon.execute_file_async(p, policy=RLIMIT)).stdout, "file\n")

    def test_timeout_kills_the_tree(self):
        r = asyncio.run(cordon.execute_async(LONG, policy=RLIMIT, timeout=2))
        self.assertEqual((r.status, r.limit), ("timeout", "wall"))
        pid = int(r.stdout.split()[0])
        for _ in range(100):
            if not alive(pid):
                break
            time.sleep(0.1)
        self.assertFalse(alive(pid))

    def test_cancel_stops_the_run(self):
        async def main():
            task = asyncio.ensure_future(cordon.execute_async(LONG, policy=RLIMIT))
            for _ in range(100):
                await asyncio.sleep(0.1)
                if set(sleepers()) - before:
                    break
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                return "cancelled"
            return "not cancelled"

        before = set(sleepers())
        t0 = time.monotonic()
        self.assertEqual(asyncio.run(main()), "cancelled")
        self.assertLess(time.monotonic() - t0, 30)
        left = None
        for _ in range(100):
            left = {p for p in set(sleepers()) - before if alive(p)}
            if not left:
                break
            time.sleep(0.1)
        self.assertEqual(left, set(), "a sandboxed process outlived the cancelled task")

    def test_missing_binary(self):
        with self.assertRaises(cordon.CordonNotFound):
            asyncio.run(cordon.execute_async("print(1)", cordon_bin="/nonexistent/cordon"))


if __name__ == "__main__":
    sys.exit(taplib.main(__name__, TMP))
