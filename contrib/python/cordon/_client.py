"""The cordon command, driven through its ``--json`` contract.

Every call starts one ``cordon`` process (never through a shell), hands it the
code on a pipe, reads the one JSON object (``run``/``exec``) or array
(``check``) it prints, and turns it into dataclasses.  Nothing is written to
disk: code travels on cordon's stdin, ``input`` in an anonymous memory file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "CheckResult",
    "CordonError",
    "CordonNotFound",
    "Finding",
    "ModuleReport",
    "PolicyError",
    "Redaction",
    "Result",
    "Usage",
    "check",
    "check_files",
    "exec_command",
    "execute",
    "execute_file",
    "find_cordon",
]

PathLike = Union[str, "os.PathLike[str]"]
Data = Union[str, bytes]

# cordon's exit statuses (as timeout(1) and env(1)).
EXIT_TIMEOUT = 124
EXIT_ERROR = 125
EXIT_DENIED = 126
EXIT_NOTFOUND = 127

# How long cordon gets to kill the run's process tree and print its result
# after a caller's timeout before it is killed itself.
TERM_GRACE_SECONDS = 10.0


class CordonError(Exception):
    """cordon could not do what was asked and printed no result.

    ``returncode`` is cordon's exit status (None when it never started),
    ``stderr`` what it wrote to its standard error.
    """

    def __init__(self, message: str, returncode: Optional[int] = None, stderr: str = ""):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.stderr = stderr


class CordonNotFound(CordonError):
    """The cordon binary was not found or could not be executed."""


class PolicyError(CordonError):
    """The policy could not be loaded: not found, not trusted or invalid.

    Nothing ran.  ``file``, ``line`` and ``column`` say where the error is
    when cordon named a place (``policy.yaml:3:12: unknown argument ...``);
    ``message`` is cordon's one-line explanation.
    """

    def __init__(self, message: str, returncode: Optional[int] = None, stderr: str = "",
                 file: Optional[str] = None, line: Optional[int] = None,
                 column: Optional[int] = None):
        super().__init__(message, returncode, stderr)
        self.file = file
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Finding:
    """What a check module (or a finish hook) reported."""

    module: str
    rule: str
    severity: str  # info, low, medium, high, critical
    message: str
    line: Optional[int] = None  # 1-based; None when it does not apply
    column: Optional[int] = None
    file: Optional[str] = None  # the source it is about ("<stdin>" for code)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Finding":
        return cls(module=str(d.get("module", "")), rule=str(d.get("rule", "")),
                   severity=str(d.get("severity", "")), message=str(d.get("message", "")),
                   line=d.get("line"), column=d.get("column"), file=d.get("file"))

    def __str__(self) -> str:
        where = self.file or "<source>"
        if self.line:
            where += ":%d:%d" % (self.line, self.column or 1)
        return "%s: %s: %s [%s/%s]" % (where, self.severity, self.message, self.module, self.rule)


@dataclass(frozen=True)
class Redaction:
    """Secrets a filter module removed from an output stream."""

    module: str
    rule: str
    stream: str  # stdout or stderr
    count: int

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Redaction":
        return cls(module=str(d.get("module", "")), rule=str(d.get("rule", "")),
                   stream=str(d.get("stream", "")), count=int(d.get("count") or 0))


@dataclass(frozen=True)
class Usage:
    wall_ms: float = 0.0
    cpu_ms: float = 0.0
    max_rss_kb: int = 0

    @classmethod
    def from_json(cls, d: Optional[Mapping[str, Any]]) -> "Usage":
        d = d or {}
        return cls(wall_ms=float(d.get("wall_ms") or 0.0), cpu_ms=float(d.get("cpu_ms") or 0.0),
                   max_rss_kb=int(d.get("max_rss_kb") or 0))


@dataclass(frozen=True)
class ModuleReport:
    """One stack entry: its control flag, its check verdict, its time."""

    name: str
    control: str
    verdict: str
    ms: float = 0.0

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "ModuleReport":
        return cls(name=str(d.get("name", "")), control=str(d.get("control", "")),
                   verdict=str(d.get("verdict", "")), ms=float(d.get("ms") or 0.0))


@dataclass
class Result:
    """The result of one run (``cordon run --json`` / ``cordon exec --json``).

    ``status`` is ``ok``, ``failed`` (non-zero exit), ``denied`` (the checks
    refused it: nothing ran), ``timeout``, ``killed`` or ``error``.
    ``exit_code`` is the program's own status when it exited, ``signal`` the
    signal that killed it; both are None when it never ran.  ``returncode``
    is cordon's own exit status (0..255, as in a shell).  ``raw`` is the JSON
    object cordon printed, unchanged.
    """

    status: str
    exit_code: Optional[int]
    signal: Optional[int]
    limit: Optional[str]
    stdout: str
    stderr: str
    findings: List[Finding] = field(default_factory=list)
    redactions: List[Redaction] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    warnings: List[str] = field(default_factory=list)
    error: Optional[str] = None
    modules: List[ModuleReport] = field(default_factory=list)
    truncated: Dict[str, bool] = field(default_factory=dict)
    policy: Optional[str] = None
    returncode: Optional[int] = None
    raw: Optional[Dict[str, Any]] = None
    mode: str = "enforce"

    @property
    def success(self) -> bool:
        """The program ran and exited 0."""
        return self.status == "ok"

    @classmethod
    def from_json(cls, d: Mapping[str, Any], returncode: Optional[int] = None) -> "Result":
        if not isinstance(d, dict) or "status" not in d:
            raise CordonError("cordon printed JSON that is not a result", returncode)
        return cls(
            status=str(d["status"]),
            exit_code=d.get("exit_code"),
            signal=d.get("signal"),
            limit=d.get("limit"),
            stdout=d.get("stdout") or "",
            stderr=d.get("stderr") or "",
            findings=[Finding.from_json(f) for f in d.get("findings") or ()],
            redactions=[Redaction.from_json(r) for r in d.get("redactions") or ()],
            usage=Usage.from_json(d.get("usage")),
            warnings=[str(w) for w in d.get("warnings") or ()],
            error=d.get("error"),
            modules=[ModuleReport.from_json(m) for m in d.get("modules") or ()],
            truncated=dict(d.get("truncated") or {}),
            policy=d.get("policy"),
            returncode=returncode,
            raw=dict(d),
            mode=str(d.get("mode") or "enforce"),
        )

    def text(self) -> str:
        """The run as plain text for a person or a language model: what the
        program printed, then one line saying how it ended when that was not
        a clean exit, and the findings when it was denied."""
        parts = []
        if self.stdout:
            parts.append(self.stdout.rstrip("\n"))
        if self.stderr:
            parts.append("[stderr]\n" + self.stderr.rstrip("\n"))
        if self.status == "denied":
            ran = self.usage.wall_ms > 0
            parts.append("[denied by policy while it ran: the program was stopped]" if ran
                         else "[denied by policy: nothing was run]")
            parts.extend("  " + str(f) for f in self.findings)
        elif self.status == "failed":
            parts.append("[exit status %s]" % self.exit_code)
        elif self.status == "timeout":
            parts.append("[time limit reached: the run was stopped]")
        elif self.status == "killed":
            what = "%s limit reached" % self.limit if self.limit else "killed"
            parts.append("[%s%s]" % (what, ", signal %s" % self.signal if self.signal else ""))
        elif self.status == "error":
            parts.append("[cordon error: %s]" % (self.error or "unknown"))
        if any(self.truncated.values()):
            parts.append("[output truncated]")
        return "\n".join(parts)


@dataclass
class CheckResult:
    """The static checks' verdict on one source (``cordon check --json``).

    ``verdict`` is ``pass``, ``deny`` (a module that could not decide
    denies, with a finding saying so) or ``error`` when the source could not
    be checked at all (a file that cannot be read); ``error`` says why.
    """

    verdict: str
    findings: List[Finding] = field(default_factory=list)
    file: Optional[str] = None
    error: Optional[str] = None
    raw: Optional[Dict[str, Any]] = None

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "CheckResult":
        if not isinstance(d, dict) or "verdict" not in d:
            raise CordonError("cordon printed JSON that is not a check result")
        return cls(verdict=str(d["verdict"]),
                   findings=[Finding.from_json(f) for f in d.get("findings") or ()],
                   file=d.get("file"), error=d.get("error"), raw=dict(d))


# ---------------------------------------------------------------------------

def find_cordon(cordon_bin: Optional[PathLike] = None) -> str:
    """The cordon binary: ``cordon_bin``, else ``$CORDON``, else ``cordon``
    on ``$PATH``.  Raises CordonNotFound."""
    if cordon_bin is not None:
        candidate = os.fspath(cordon_bin)
        how = "cordon_bin"
    elif os.environ.get("CORDON"):
        candidate = os.environ["CORDON"]
        how = "$CORDON"
    else:
        found = shutil.which("cordon")
        if not found:
            raise CordonNotFound("cordon not found on $PATH (install it, set $CORDON or pass cordon_bin)")
        return found
    if os.sep not in candidate:
        found = shutil.which(candidate)
        if found:
            return found
    if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
        raise CordonNotFound("%s: %s is not an executable file" % (how, candidate))
    return candidate


def _operand(path: PathLike) -> str:
    """A path as an operand: never taken for an option or for stdin."""
    p = os.fspath(path)
    if not p:
        raise ValueError("empty path")
    return "./" + p if p.startswith("-") else p


def _encode(data: Data, what: str) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    raise TypeError("%s must be str or bytes, not %s" % (what, type(data).__name__))


_PLACE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<msg>.*)$")


def _failure(returncode: int, stderr: str) -> CordonError:
    """The exception for a cordon that exited without printing a result."""
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    # cordon's last "cordon: ..." line is the reason (warnings come first).
    reasons = [ln[len("cordon: "):] for ln in lines if ln.startswith("cordon: ")]
    message = reasons[-1] if reasons else (lines[-1] if lines else "cordon exited %d" % returncode)
    if returncode != EXIT_ERROR:
        return CordonError("cordon exited %d without a result: %s" % (returncode, message),
                           returncode, stderr)
    if any(ln.startswith("Try 'cordon --help'") for ln in lines):
        # A usage error: the arguments this binding built were refused.
        return CordonError("cordon refused its arguments: %s" % message, returncode, stderr)
    # Everything else cordon reports before printing a result is about
    # loading the policy (or its modules and rule files); a failure of the
    # run itself comes back as a result with status "error".
    m = _PLACE.match(message)
    if m:
        return PolicyError(message, returncode, stderr, file=m.group("file"),
                           line=int(m.group("line")), column=int(m.group("column")))
    return PolicyError(message, returncode, stderr)


def _common(cmd: str, policy: Optional[PathLike], policy_dir: Optional[PathLike]) -> List[str]:
    args = [cmd, "--json"]
    if policy_dir is not None:
        args += ["--policy-dir", os.fspath(policy_dir)]
    if policy is not None:
        args += ["-p", os.fspath(policy)]
    return args


def _launch(cordon: str, args: Sequence[str], stdin_data: Optional[bytes], timeout: Optional[float],
            pass_fds: Tuple[int, ...] = ()) -> Tuple[int, str, str, bool]:
    """Run cordon; return (returncode, stdout, stderr, timed_out).

    On timeout cordon gets SIGTERM, on which it kills the program's whole
    process tree and still prints its result; if it has not exited after
    TERM_GRACE_SECONDS it is killed.  Any exception while waiting (such as
    KeyboardInterrupt) ends the run the same way before it propagates.
    """
    argv = [cordon, *args]
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True,
                                pass_fds=pass_fds, shell=False)
    except (FileNotFoundError, PermissionError, NotADirectoryError) as e:
        raise CordonNotFound("cannot execute %s: %s" % (cordon, e.strerror or e)) from e
    timed_out = False
    try:
        try:
            out, err = proc.communicate(stdin_data, timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.send_signal(signal.SIGTERM)
            try:
                out, err = proc.communicate(timeout=TERM_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
    except BaseException:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(TERM_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        raise
    return (proc.returncode,
            out.decode("utf-8", errors="replace"),
            err.decode("utf-8", errors="replace"),
            timed_out)


def _returncode(rc: int) -> int:
    # Popen reports death by signal N as -N; a shell says 128+N.
    return 128 - rc if rc < 0 else rc


def _parse_run(rc: int, out: str, err: str, timed_out: bool, timeout: Optional[float]) -> Result:
    rc = _returncode(rc)
    text = out.strip()
    if not text:
        if timed_out:
            # cordon was killed before it could report (it ignored SIGTERM
            # for TERM_GRACE_SECONDS): the run was stopped, nothing is known.
            return Result(status="timeout", exit_code=None, signal=None, limit="wall", stdout="",
                          stderr="", returncode=rc,
                          warnings=["the caller's timeout of %gs ended the run; cordon did not report" % timeout])
        raise _failure(rc, err)
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise CordonError("cordon printed something that is not JSON (%s)" % e, rc, err) from e
    result = Result.from_json(obj, rc)
    if timed_out and result.status in ("killed", "error") and result.exit_code is None:
        # The caller's timeout is a wall-clock limit of the caller's own:
        # report it as one, keeping cordon's own report in raw.
        result.status = "timeout"
        result.limit = "wall"
        result.signal = None
        result.warnings.append("the caller's timeout of %gs ended the run" % timeout)
    return result


def _input_fd(input: Union[Data, PathLike, None]) -> Tuple[List[str], Tuple[int, ...]]:
    """--input arguments and the descriptor to pass for ``input``."""
    if input is None:
        return [], ()
    if isinstance(input, (str, bytes)):
        data = _encode(input, "input")
        # An anonymous memory file: cordon reopens it read-only as the
        # program's stdin, nothing touches the disk, and no thread is
        # needed to feed a pipe while the code goes down another.
        fd = os.memfd_create("cordon-input", os.MFD_CLOEXEC)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
        except BaseException:
            os.close(fd)
            raise
        return ["--input", "/dev/fd/%d" % fd], (fd,)
    return ["--input", _operand(input)], ()


def _run_args(cmd: str, policy: Optional[PathLike], policy_dir: Optional[PathLike],
              input_args: List[str], output_dir: Optional[PathLike], bind_ro: Iterable[PathLike],
              audit: bool = False) -> List[str]:
    args = _common(cmd, policy, policy_dir) + input_args
    if audit:
        args.append("--audit")
    if output_dir is not None:
        args += ["--output-dir", os.fspath(output_dir)]
    if isinstance(bind_ro, (str, bytes)):
        raise TypeError("bind_ro must be a sequence of paths, not a single string")
    for p in bind_ro:
        args += ["--bind-ro", os.fspath(p)]
    return args


def _run(cmd: str, operands: List[str], stdin_data: Optional[bytes], policy: Optional[PathLike],
         input: Union[Data, PathLike, None], timeout: Optional[float], output_dir: Optional[PathLike],
         bind_ro: Iterable[PathLike], cordon_bin: Optional[PathLike], policy_dir: Optional[PathLike],
         audit: bool = False) -> Result:
    cordon = find_cordon(cordon_bin)
    if timeout is not None and timeout <= 0:
        raise ValueError("timeout must be positive")
    input_args, fds = _input_fd(input)
    try:
        args = _run_args(cmd, policy, policy_dir, input_args, output_dir, bind_ro, audit) + operands
        rc, out, err, timed_out = _launch(cordon, args, stdin_data, timeout, fds)
    finally:
        for fd in fds:
            os.close(fd)
    return _parse_run(rc, out, err, timed_out, timeout)


def execute(code: Data, policy: Optional[PathLike] = "default", input: Union[Data, PathLike, None] = None,
            timeout: Optional[float] = None, output_dir: Optional[PathLike] = None,
            bind_ro: Iterable[PathLike] = (), cordon_bin: Optional[PathLike] = None,
            policy_dir: Optional[PathLike] = None, audit: bool = False) -> Result:
    """Check and run ``code`` under ``policy`` (``cordon run --json -``).

    ``code`` (str, encoded as UTF-8, or bytes) reaches cordon on a pipe and is
    run with the policy's interpreter.  ``input`` is the program's stdin: str
    or bytes (held in memory), or a path (os.PathLike; a str is data, not a
    path); without it the program reads /dev/null.  ``policy`` is a name
    looked up in ``policy_dir``, ``$CORDON_POLICY_DIR`` and the installed
    policies, or a path to a YAML file.  ``timeout`` (seconds) is the caller's
    own limit on top of the policy's wall limit: when it expires cordon is
    stopped with SIGTERM, kills the program's whole process tree, and the
    result has status "timeout" and limit "wall".  ``audit=True`` is
    ``--audit``: nothing is denied for policy reasons, every finding and
    would-be denial is in the result (``result.mode == "audit"``);
    isolation and limits still hold.

    Raises PolicyError when the policy cannot be loaded, CordonNotFound when
    there is no cordon, CordonError when cordon fails without a result.  A
    program that fails, is denied, times out or is killed is a Result, never
    an exception.
    """
    return _run("run", ["-"], _encode(code, "code"), policy, input, timeout, output_dir, bind_ro,
                cordon_bin, policy_dir, audit)


def execute_file(path: PathLike, policy: Optional[PathLike] = "default",
                 input: Union[Data, PathLike, None] = None, timeout: Optional[float] = None,
                 output_dir: Optional[PathLike] = None, bind_ro: Iterable[PathLike] = (),
                 cordon_bin: Optional[PathLike] = None, policy_dir: Optional[PathLike] = None,
                 audit: bool = False) -> Result:
    """Check and run the source file ``path`` (``cordon run --json PATH``):
    findings name the file, and its extension tells the checks the language."""
    return _run("run", [_operand(path)], None, policy, input, timeout, output_dir, bind_ro,
                cordon_bin, policy_dir, audit)


def exec_command(argv: Sequence[PathLike], policy: Optional[PathLike] = "default",
                 sources: Iterable[PathLike] = (), input: Union[Data, PathLike, None] = None,
                 timeout: Optional[float] = None, output_dir: Optional[PathLike] = None,
                 bind_ro: Iterable[PathLike] = (), cordon_bin: Optional[PathLike] = None,
                 policy_dir: Optional[PathLike] = None, audit: bool = False) -> Result:
    """Run a command under ``policy`` (``cordon exec --json -- ARGV``).

    ``argv`` is a list, never a shell string.  Each of ``sources`` is checked
    and sealed; an argument naming one runs the checked bytes.  Without
    sources the check modules are skipped.
    """
    if isinstance(argv, (str, bytes)):
        raise TypeError("argv must be a sequence of arguments, not a string (no shell is used)")
    argv = [os.fspath(a) for a in argv]
    if not argv:
        raise ValueError("argv is empty")
    operands: List[str] = []
    if isinstance(sources, (str, bytes)):
        raise TypeError("sources must be a sequence of paths, not a single string")
    for s in sources:
        operands += ["--source", _operand(s)]
    operands += ["--", *argv]
    return _run("exec", operands, None, policy, input, timeout, output_dir, bind_ro, cordon_bin, policy_dir,
                audit)


def _check(operands: List[str], stdin_data: Optional[bytes], policy: Optional[PathLike],
           cordon_bin: Optional[PathLike], policy_dir: Optional[PathLike],
           timeout: Optional[float]) -> List[CheckResult]:
    cordon = find_cordon(cordon_bin)
    args = _common("check", policy, policy_dir) + operands
    rc, out, err, timed_out = _launch(cordon, args, stdin_data, timeout)
    rc = _returncode(rc)
    if timed_out:
        raise CordonError("cordon check did not finish within %gs" % timeout, rc, err)
    text = out.strip()
    if not text:
        raise _failure(rc, err)
    try:
        arr = json.loads(text)
    except ValueError as e:
        raise CordonError("cordon printed something that is not JSON (%s)" % e, rc, err) from e
    if not isinstance(arr, list):
        raise CordonError("cordon check printed JSON that is not an array", rc, err)
    results = [CheckResult.from_json(o) for o in arr]
    if len(results) != len(operands):
        # A source that could not be read has no entry; cordon said why.
        raise CordonError(_failure(rc, err).message, rc, err)
    return results


def check(code: Data, policy: Optional[PathLike] = "default", cordon_bin: Optional[PathLike] = None,
          policy_dir: Optional[PathLike] = None, timeout: Optional[float] = None) -> CheckResult:
    """Run only the policy's checks on ``code`` (``cordon check --json -``):
    nothing is executed."""
    return _check(["-"], _encode(code, "code"), policy, cordon_bin, policy_dir, timeout)[0]


def check_files(paths: Iterable[PathLike], policy: Optional[PathLike] = "default",
                cordon_bin: Optional[PathLike] = None, policy_dir: Optional[PathLike] = None,
                timeout: Optional[float] = None) -> List[CheckResult]:
    """Run only the policy's checks on each file, in one cordon process."""
    if isinstance(paths, (str, bytes)):
        raise TypeError("paths must be a sequence of paths, not a single string")
    operands = [_operand(p) for p in paths]
    if not operands:
        return []
    return _check(operands, None, policy, cordon_bin, policy_dir, timeout)
