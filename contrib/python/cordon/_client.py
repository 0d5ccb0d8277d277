"""The cordon command, driven through its ``--json`` contract.

Every call starts one ``cordon`` process (never through a shell), hands it the
code on a pipe, reads the one JSON object (``run``/``exec``) or array
(``check``) it prints, and turns it into dataclasses.  Nothing is written to
disk: code travels on cordon's stdin, ``input`` in an anonymous memory file.
Over the service (``cordon serve``, _service.py) the same calls are HTTP
requests whose answers are the same JSON.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "CheckResult",
    "CordonError",
    "CordonNotFound",
    "Finding",
    "Executor",
    "ModuleReport",
    "PermissionDenied",
    "PolicyError",
    "RateLimited",
    "Redaction",
    "ResourceLimitError",
    "Result",
    "RunError",
    "SandboxError",
    "ServiceError",
    "ServiceUnavailable",
    "TimeoutError",
    "Tighten",
    "Usage",
    "ValidationError",
    "check",
    "check_async",
    "check_files",
    "exec_command",
    "exec_command_async",
    "execute",
    "execute_async",
    "execute_file",
    "execute_file_async",
    "find_cordon",
    "is_safe",
    "is_safe_async",
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


class RunError(CordonError):
    """The base of the exceptions a call with ``raise_on_error=True`` raises
    for a run that cordon stopped or refused.  ``result`` is the whole
    Result (output so far, findings, usage, ``raw``)."""

    def __init__(self, message: str, result: "Result"):
        super().__init__(message, result.returncode, result.stderr)
        self.result = result


class ValidationError(RunError):
    """The policy denied the code (status ``denied``): by its checks before
    anything ran, or at run time (pyguard, seccomp).  ``findings`` says
    why."""

    def __init__(self, message: str, result: "Result"):
        super().__init__(message, result)
        self.findings = list(result.findings)


class TimeoutError(RunError, builtins.TimeoutError):  # noqa: A001 (also the builtin's subclass)
    """The run reached a wall-clock limit (status ``timeout``): the
    policy's, or the caller's ``timeout=``.  Also a ``builtins.TimeoutError``."""


class ResourceLimitError(RunError):
    """The run was killed on reaching a resource limit; ``limit`` names it:
    ``cpu``, ``memory``, ``output``, ``processes`` or ``file_size``."""

    def __init__(self, message: str, result: "Result"):
        super().__init__(message, result)
        self.limit = result.limit


class SandboxError(RunError):
    """cordon could not run the program as the policy says (status
    ``error``): a confinement step failed, an option was refused.  Nothing
    ran, or the run was stopped; ``result.error`` says why."""


class ServiceError(CordonError):
    """The service (``cordon serve``) refused a call or failed without a
    result.  ``status`` is the HTTP status (None when there was no answer),
    ``reason`` the service's own words.  Nothing ran."""

    def __init__(self, message: str, status: Optional[int] = None, reason: str = ""):
        super().__init__(message, None, reason)
        self.status = status
        self.reason = reason or message


class PermissionDenied(ServiceError, builtins.PermissionError):
    """401/403: the service does not know the caller, or the caller may not
    use this policy; ``reason`` names the caller and the rule.  Also a
    ``builtins.PermissionError``."""

    def __init__(self, message: str, status: Optional[int] = None, reason: str = ""):
        ServiceError.__init__(self, message, status, reason)

    def __str__(self) -> str:
        return self.message


class RateLimited(ServiceError):
    """429: the caller's rate (runs per minute, CPU seconds per hour) or
    concurrency is used up; ``retry_after`` is the seconds the service says
    to wait."""

    def __init__(self, message: str, status: Optional[int] = 429, reason: str = "",
                 retry_after: Optional[float] = None):
        super().__init__(message, status, reason)
        self.retry_after = retry_after


class ServiceUnavailable(ServiceError):
    """503: the service is stopped (the kill switch) or every worker is busy
    and its queue is full, or it cannot be reached at all (``status``
    None); ``retry_after`` is the seconds the service says to wait."""

    def __init__(self, message: str, status: Optional[int] = 503, reason: str = "",
                 retry_after: Optional[float] = None):
        super().__init__(message, status, reason)
        self.retry_after = retry_after


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
    total_time: Optional[float] = None  # seconds the call took, cordon's start to its result
    tightened: List[str] = field(default_factory=list)  # the per-call settings (Tighten) applied
    # Network connections a proxy module saw (egress): dicts with method,
    # host, port, verdict, rule, address, reason, bytes_out, bytes_in, ms.
    connections: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """The program ran and exited 0."""
        return self.status == "ok"

    @property
    def execution_time(self) -> float:
        """Seconds the program ran (cordon's wall clock of the run)."""
        return self.usage.wall_ms / 1000.0

    @property
    def was_output_redacted(self) -> bool:
        """A filter module replaced something in stdout or stderr."""
        return any(r.count > 0 for r in self.redactions)

    @property
    def error_type(self) -> Optional[str]:
        """The exception that ended a failed Python program, from the
        traceback it printed (``ZeroDivisionError``, ``json.decoder.JSONDecodeError``);
        None when the run did not fail or printed no traceback."""
        return _traceback_error(self.stderr)[0] if self.status == "failed" else None

    @property
    def error_message(self) -> Optional[str]:
        """The message of that exception (``division by zero``); "" when it
        had none, None when there is no ``error_type``."""
        return _traceback_error(self.stderr)[1] if self.status == "failed" else None

    def to_dict(self) -> Dict[str, Any]:
        """The result as plain JSON-serialisable data (``json.dumps`` takes
        it as is): every field above plus the derived ones; ``raw`` is left
        out (it is cordon's own object, kept as it came)."""
        return {
            "status": self.status,
            "success": self.success,
            "exit_code": self.exit_code,
            "signal": self.signal,
            "limit": self.limit,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "error_type": self.error_type,
            "error_message": self.error_message,
            "execution_time": self.execution_time,
            "total_time": self.total_time,
            "was_output_redacted": self.was_output_redacted,
            "findings": [_finding_dict(f) for f in self.findings],
            "redactions": [dict(module=r.module, rule=r.rule, stream=r.stream, count=r.count)
                           for r in self.redactions],
            "usage": {"wall_ms": self.usage.wall_ms, "cpu_ms": self.usage.cpu_ms,
                      "max_rss_kb": self.usage.max_rss_kb},
            "modules": [dict(name=m.name, control=m.control, verdict=m.verdict, ms=m.ms) for m in self.modules],
            "warnings": list(self.warnings),
            "error": self.error,
            "truncated": dict(self.truncated),
            "policy": self.policy,
            "mode": self.mode,
            "returncode": self.returncode,
            "tightened": list(self.tightened),
            "connections": [dict(c) for c in self.connections],
        }

    def raise_for_status(self) -> "Result":
        """Raise the exception for a run cordon stopped or refused; return
        the result itself otherwise (``ok``, and ``failed``: the program's
        own error, in ``error_type`` / ``error_message``).

        ``denied`` raises ValidationError (with the findings), ``timeout``
        TimeoutError, ``killed`` on a resource limit ResourceLimitError
        (naming the limit), ``error`` SandboxError.  A program killed by a
        signal with no limit involved (it killed itself) is returned."""
        if self.status == "denied":
            raise ValidationError("denied by policy: " + ("; ".join(str(f) for f in self.findings)
                                                          or "no finding"), self)
        if self.status == "timeout":
            raise TimeoutError("the %s time limit was reached" % (self.limit or "wall"), self)
        if self.status == "killed" and self.limit:
            raise ResourceLimitError("the %s limit was reached" % self.limit, self)
        if self.status == "error":
            raise SandboxError("cordon could not run the program: %s" % (self.error or "unknown error"), self)
        return self

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
            tightened=[str(t) for t in d.get("tightened") or ()],
            connections=[dict(c) for c in d.get("connections") or () if isinstance(c, dict)],
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


def _finding_dict(f: Finding) -> Dict[str, Any]:
    return dict(module=f.module, rule=f.rule, severity=f.severity, message=f.message, line=f.line,
                column=f.column, file=f.file)


# The line a Python traceback ends with: the exception's (dotted) type, then
# ": message" unless it has none.
_EXC_LINE = re.compile(r"^(?P<type>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?::(?: (?P<msg>.*))?)?$")


def _traceback_error(stderr: str) -> Tuple[Optional[str], Optional[str]]:
    """(type, message) of the last exception Python printed on stderr.

    A traceback is "Traceback (most recent call last):", indented frames,
    then the unindented "Type: message" (the message may go on over more
    lines); a SyntaxError the interpreter reports before running anything
    has no header, only its indented "File ..." lines.  The last one wins
    (a chained exception prints the causes first)."""
    lines = stderr.splitlines()
    start = None
    for i in range(len(lines) - 1, -1, -1):
        if lines[i] == "Traceback (most recent call last):" or (
                lines[i].startswith('  File "') and (i == 0 or not lines[i - 1].startswith(" "))):
            start = i
            break
    if start is None:
        return None, None
    for j in range(start + 1, len(lines)):
        ln = lines[j]
        if not ln or ln[0] in " \t":
            continue
        m = _EXC_LINE.match(ln)
        if not m:
            return None, None
        msg = m.group("msg") or ""
        rest = [x for x in lines[j + 1:]]
        # A message of several lines goes on to the end (or to cordon's own
        # note, which it never prints on the program's stderr).
        if rest and m.group("msg") is not None:
            msg = "\n".join([msg] + rest).rstrip("\n")
        return m.group("type"), msg
    return None, None


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


class Tighten:
    """Per-call settings that may only tighten the chosen policy (the CLI's
    ``--limit``, ``--no-network``, ``--deny-import``, ``--pattern``).

    ``limits`` maps rlimit keys to values as a policy writes them
    (``{"memory": "128M", "wall": "5s", "output": 65536}``); each must be at
    most the policy's.  ``network=False`` takes the network away;
    ``network=True`` is refused (a call cannot grant what the policy does
    not).  ``deny_imports`` join pyimport's deny list; ``patterns`` are
    PCRE2 expressions that deny the source when they match.  Anything that
    would loosen the policy makes the call fail with PolicyError, naming the
    policy's value; the result lists the settings in ``tightened``.

    ``Tighten.config(timeout=5, max_memory_mb=256, max_output_bytes=10000,
    enable_network=False)`` spells the same in the names of the seeds'
    ``SandboxConfig``.
    """

    def __init__(self, limits: Optional[Mapping[str, Union[str, int]]] = None, network: Optional[bool] = None,
                 deny_imports: Iterable[str] = (), patterns: Iterable[str] = ()):
        if network is True:
            raise ValueError("network=True: a call can only take the network away (network=False)")
        for what, v in (("deny_imports", deny_imports), ("patterns", patterns)):
            if isinstance(v, (str, bytes)):
                raise TypeError("%s must be a sequence of strings, not a single string" % what)
        self.limits = dict(limits or {})
        self.no_network = network is False
        self.deny_imports = list(deny_imports)
        self.patterns = list(patterns)
        for k, v in self.limits.items():
            if not isinstance(k, str) or not k or "=" in k:
                raise ValueError("limits: %r is not a limit name" % (k,))
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                raise TypeError("limits[%r]: expected a string such as '128M' or an integer" % (k,))

    @classmethod
    def config(cls, timeout: Optional[float] = None, max_memory_mb: Optional[int] = None,
               max_output_bytes: Optional[int] = None, enable_network: Optional[bool] = None,
               denied_imports: Iterable[str] = (), patterns: Iterable[str] = ()) -> "Tighten":
        """The seeds' SandboxConfig names: ``timeout`` (seconds, the wall
        limit), ``max_memory_mb``, ``max_output_bytes`` (each of stdout and
        stderr), ``enable_network`` (False takes it away)."""
        limits: Dict[str, Union[str, int]] = {}
        if timeout is not None:
            if timeout <= 0:
                raise ValueError("timeout must be positive")
            limits["wall"] = "%dms" % max(1, int(round(timeout * 1000)))
        if max_memory_mb is not None:
            limits["memory"] = "%dM" % int(max_memory_mb)
        if max_output_bytes is not None:
            limits["output"] = int(max_output_bytes)
        return cls(limits, network=None if enable_network is None else bool(enable_network),
                   deny_imports=denied_imports, patterns=patterns)

    def args(self) -> List[str]:
        """The command-line options these settings are."""
        out: List[str] = []
        for k, v in self.limits.items():
            out += ["--limit", "%s=%s" % (k, v)]
        if self.no_network:
            out.append("--no-network")
        for m in self.deny_imports:
            out += ["--deny-import", m]
        for pat in self.patterns:
            out += ["--pattern", pat]
        return out

    def __repr__(self) -> str:
        return "Tighten(%r)" % (self.args(),)


def _common(cmd: str, policy: Optional[PathLike], policy_dir: Optional[PathLike],
            tighten: Optional[Tighten] = None) -> List[str]:
    args = [cmd, "--json"]
    if policy_dir is not None:
        args += ["--policy-dir", os.fspath(policy_dir)]
    if policy is not None:
        args += ["-p", os.fspath(policy)]
    if tighten is not None:
        if not isinstance(tighten, Tighten):
            raise TypeError("tighten must be a cordon.Tighten")
        args += tighten.args()
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


async def _alaunch(cordon: str, args: Sequence[str], stdin_data: Optional[bytes], timeout: Optional[float],
                   pass_fds: Tuple[int, ...] = ()) -> Tuple[int, str, str, bool]:
    """_launch for asyncio: the same outcome, the same way of stopping.
    Cancellation (CancelledError) stops the run as an exception does in
    _launch, then propagates."""
    argv = [cordon, *args]
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True, pass_fds=pass_fds)
    except (FileNotFoundError, PermissionError, NotADirectoryError) as e:
        raise CordonNotFound("cannot execute %s: %s" % (cordon, e.strerror or e)) from e

    async def feed() -> None:
        if proc.stdin is None:
            return
        try:
            if stdin_data:
                proc.stdin.write(stdin_data)
                await proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # cordon stopped reading; its result says why
        finally:
            proc.stdin.close()

    assert proc.stdout is not None and proc.stderr is not None
    tasks = [asyncio.ensure_future(proc.stdout.read()), asyncio.ensure_future(proc.stderr.read()),
             asyncio.ensure_future(feed())]
    timed_out = False
    try:
        try:
            await asyncio.wait_for(asyncio.shield(proc.wait()), timeout)
        except asyncio.TimeoutError:
            timed_out = True
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.shield(proc.wait()), TERM_GRACE_SECONDS)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        out, err, _ = await asyncio.gather(*tasks)
    except BaseException:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.shield(proc.wait()), TERM_GRACE_SECONDS)
            except BaseException:
                if proc.returncode is None:
                    proc.kill()
                    await asyncio.shield(proc.wait())
        for t in tasks:
            t.cancel()
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
    if timed_out:
        _caller_timeout(result, timeout)
    return result


def _caller_timeout(result: Result, timeout: Optional[float]) -> None:
    """A run the caller's timeout stopped: the caller's timeout is a
    wall-clock limit of the caller's own, reported as one (cordon's own
    report stays in raw)."""
    if result.status in ("killed", "error") and result.exit_code is None:
        result.status = "timeout"
        result.limit = "wall"
        result.signal = None
        result.warnings.append("the caller's timeout of %gs ended the run" % timeout)


def _input_fd(input: Union[Data, PathLike, None]) -> Tuple[List[str], Tuple[int, ...]]:
    """--input arguments and the descriptor to pass for ``input``."""
    if input is None:
        return [], ()
    if isinstance(input, (str, bytes)):
        return _memfd_input(_encode(input, "input"))
    return ["--input", _operand(input)], ()


def _memfd_input(data: bytes) -> Tuple[List[str], Tuple[int, ...]]:
    # An anonymous memory file: cordon reopens it read-only (and seals a
    # copy) as the program's stdin, nothing touches the disk, and no thread
    # is needed to feed a pipe while the code goes down another.
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


# ---- context ----------------------------------------------------------------
#
# ``execute(code, context=...)`` hands the program a JSON value as the
# variable ``context``.  The value never enters the source text: it travels
# as the first line of the program's stdin, which cordon seals into a
# read-only memfd, and one fixed line inserted into the source reads it.
# That line is the same for every call, so it is checked by the policy like
# the rest of the program (it imports sys and json); nothing a caller puts
# in the context can change what the checks see.
#
# The line is padded with spaces to a multiple of CONTEXT_ALIGN bytes: Python
# reads stdin in blocks (its buffer, st_blksize, 4 KiB on a memfd; 8 KiB
# chunks for text) that all divide 64 KiB, so once the line is read the
# descriptor's offset is exactly at the caller's ``input``, and a program
# that reads fd 0 directly (os.read(0, ...), open(0)) sees it whole, as does
# one that reads sys.stdin or sys.stdin.buffer.

CONTEXT_PRELUDE = ("import sys as _cordon_sys, json as _cordon_json; "
                   "context = _cordon_json.loads(_cordon_sys.stdin.readline()); "
                   "del _cordon_sys, _cordon_json\n")
CONTEXT_ALIGN = 65536
# The file name the program's frames carry in a traceback: cordon runs the
# sealed source as /proc/self/fd/3.
_RUN_FILE = "/proc/self/fd/3"
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


def _context_line(context: Any) -> bytes:
    try:
        text = json.dumps(context, ensure_ascii=True, separators=(",", ":"))
    except (TypeError, ValueError) as e:
        raise TypeError("context is not JSON-serialisable: %s" % e) from e
    n = len(text) + 1
    return (text + " " * (-n % CONTEXT_ALIGN) + "\n").encode("ascii")


def _prelude_after(code: bytes) -> int:
    """How many of the program's lines stay before the prelude: a coding
    declaration (lines 1-2), the module docstring and ``from __future__``
    imports (which must come first) are kept in front of it."""
    k = 0
    lines = code.splitlines()
    for i in range(min(2, len(lines))):
        if _CODING.match(lines[i]):
            k = i + 1
    try:
        import ast
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return k  # the policy's checks or the interpreter will say why
    body = tree.body
    n = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        n = 1
    while n < len(body) and isinstance(body[n], ast.ImportFrom) and body[n].module == "__future__":
        n += 1
    if n:
        end = getattr(body[n - 1], "end_lineno", None) or body[n - 1].lineno
        k = max(k, end)
    return k


def _with_prelude(code: bytes) -> Tuple[bytes, int]:
    """The source with the prelude inserted as line k+1; returns (source, k)."""
    bom = b"\xef\xbb\xbf"
    if code.startswith(bom):
        # A UTF-8 byte order mark stays the file's first bytes.
        src, k = _with_prelude(code[len(bom):])
        return bom + src, k
    k = _prelude_after(code)
    lines = code.splitlines(keepends=True)
    front = b"".join(lines[:k])
    if front and not front.endswith((b"\n", b"\r")):
        front += b"\n"
    return front + CONTEXT_PRELUDE.encode("ascii") + b"".join(lines[k:]), k


class _Context:
    """What a run with a context must put right afterwards: line numbers
    past the prelude are one too high in findings and tracebacks."""

    def __init__(self, k: int):
        self.k = k
        self.prelude = k + 1

    def line(self, n: Optional[int]) -> Optional[int]:
        if isinstance(n, int) and n > self.prelude:
            return n - 1
        return n

    def fix(self, r: Result) -> None:
        findings = []
        prelude_refused = False
        for f in r.findings:
            if f.file in (None, "<stdin>") and f.line == self.prelude:
                prelude_refused = True
                findings.append(Finding(f.module, f.rule, f.severity,
                                        "in the context prelude: " + f.message, None, None, f.file))
            elif f.file in (None, "<stdin>"):
                findings.append(Finding(f.module, f.rule, f.severity, f.message, self.line(f.line),
                                        f.column, f.file))
            else:
                findings.append(f)
            if f.module == "pyguard" and f.rule == "import" and f.message.endswith((": sys", ": json")):
                prelude_refused = True
        r.findings = findings
        if prelude_refused and r.status == "denied":
            r.warnings.append("the policy refused the context prelude (line %d of the source it ran: %s): "
                              "a context needs a policy that lets the program import sys and json"
                              % (self.prelude, CONTEXT_PRELUDE.strip()))
        pat = re.compile(r'^(\s*File "%s", line )(\d+)' % re.escape(_RUN_FILE), re.M)
        r.stderr = pat.sub(lambda m: m.group(1) + str(self.line(int(m.group(2)))), r.stderr)


# ---- one call ---------------------------------------------------------------

@dataclass
class _Call:
    """A cordon invocation, ready to launch (sync or async)."""

    cordon: str
    args: List[str]
    stdin: Optional[bytes]
    timeout: Optional[float]
    fds: Tuple[int, ...] = ()
    context: Optional[_Context] = None
    raise_on_error: bool = False
    t0: float = 0.0
    input_dir: Optional[str] = None  # files=: removed after the run

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = ()
        if self.input_dir is not None:
            shutil.rmtree(self.input_dir, ignore_errors=True)
            self.input_dir = None

    def run(self) -> Result:
        return _run(self)

    async def arun(self) -> Result:
        return await _arun(self)

    def result(self, rc: int, out: str, err: str, timed_out: bool) -> Result:
        return _finish(_parse_run(rc, out, err, timed_out, self.timeout), self.t0, self.context,
                       self.raise_on_error)


def _finish(r: Result, t0: float, context: Optional[_Context], raise_on_error: bool) -> Result:
    """What every run's result gets, whatever the transport: the call's
    time, line numbers put right after a context prelude, the exception
    asked for."""
    r.total_time = time.monotonic() - t0
    if context is not None:
        context.fix(r)
    if raise_on_error:
        r.raise_for_status()
    return r


Files = Optional[Mapping[str, Data]]


def _file_entries(files: Files) -> List[Tuple[str, bytes]]:
    """``files=`` checked as cordon checks a request's "files": each name a
    relative path of at most 16 components, none empty, "." or "..", with
    no NUL; each content str (UTF-8) or bytes."""
    if files is None:
        return []
    if not isinstance(files, Mapping):
        raise TypeError("files must be a mapping of relative path -> str or bytes")
    out = []
    for name, content in files.items():
        if not isinstance(name, str):
            raise TypeError("files: a name must be a str, not %s" % type(name).__name__)
        parts = name.split("/")
        if (not name or "\0" in name or name.startswith("/") or len(parts) > 16
                or any(c in ("", ".", "..") for c in parts)):
            raise ValueError("files: %r: expected a relative path (no '..', '.', '//', NUL; at most 16 "
                             "components)" % name)
        out.append((name, _encode(content, "files[%r]" % name)))
    return out


def _write_input_dir(entries: List[Tuple[str, bytes]]) -> str:
    """A fresh directory holding the files (0755/0644: the sandbox's user
    reads them), for --input-dir; the caller removes it."""
    import tempfile
    d = tempfile.mkdtemp(prefix="cordon-in.")
    try:
        os.chmod(d, 0o755)
        for name, data in entries:
            parent = d
            for comp in name.split("/")[:-1]:
                parent = os.path.join(parent, comp)
                if not os.path.isdir(parent) or os.path.islink(parent):
                    os.mkdir(parent, 0o755)
                    os.chmod(parent, 0o755)
            fd = os.open(os.path.join(d, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                         0o644)
            try:
                os.fchmod(fd, 0o644)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
    except BaseException:
        shutil.rmtree(d, ignore_errors=True)
        raise
    return d


def _run_args(cmd: str, policy: Optional[PathLike], policy_dir: Optional[PathLike],
              input_args: List[str], output_dir: Optional[PathLike], bind_ro: Iterable[PathLike],
              audit: bool = False, tighten: Optional[Tighten] = None) -> List[str]:
    args = _common(cmd, policy, policy_dir, tighten) + input_args
    if audit:
        args.append("--audit")
    if output_dir is not None:
        args += ["--output-dir", os.fspath(output_dir)]
    if isinstance(bind_ro, (str, bytes)):
        raise TypeError("bind_ro must be a sequence of paths, not a single string")
    for p in bind_ro:
        args += ["--bind-ro", os.fspath(p)]
    return args


def _prepare(cmd: str, operands: List[str], stdin_data: Optional[bytes], policy: Optional[PathLike],
             input: Union[Data, PathLike, None], timeout: Optional[float], output_dir: Optional[PathLike],
             bind_ro: Iterable[PathLike], cordon_bin: Optional[PathLike], policy_dir: Optional[PathLike],
             audit: bool = False, context: Any = None, has_context: bool = False,
             raise_on_error: bool = False, tighten: Optional[Tighten] = None, files: Files = None) -> _Call:
    t0 = time.monotonic()
    cordon = find_cordon(cordon_bin)
    if timeout is not None and timeout <= 0:
        raise ValueError("timeout must be positive")
    entries = _file_entries(files)
    ctx = None
    if has_context:
        line = _context_line(context)
        if input is None:
            data = b""
        elif isinstance(input, (str, bytes)):
            data = _encode(input, "input")
        else:
            with open(os.fspath(input), "rb") as f:
                data = f.read()
        assert stdin_data is not None
        stdin_data, k = _with_prelude(stdin_data)
        ctx = _Context(k)
        input_args, fds = _memfd_input(line + data)
    else:
        input_args, fds = _input_fd(input)
    in_dir = None
    try:
        args = _run_args(cmd, policy, policy_dir, input_args, output_dir, bind_ro, audit, tighten)
        if files is not None:
            in_dir = _write_input_dir(entries)
            args += ["--input-dir", in_dir]
        args += operands
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return _Call(cordon, args, stdin_data, timeout, fds, ctx, raise_on_error, t0, in_dir)


def _run(call: _Call) -> Result:
    try:
        rc, out, err, timed_out = _launch(call.cordon, call.args, call.stdin, call.timeout, call.fds)
    finally:
        call.close()
    return call.result(rc, out, err, timed_out)


async def _arun(call: _Call) -> Result:
    try:
        rc, out, err, timed_out = await _alaunch(call.cordon, call.args, call.stdin, call.timeout, call.fds)
    finally:
        call.close()
    return call.result(rc, out, err, timed_out)


_NO_CONTEXT = object()


# ---- the transport: the command, or the service ----------------------------
#
# A call goes to the service (``cordon serve``) when an Executor was given
# socket= or url=, or, with neither and no cordon_bin=, when $CORDON_SOCKET
# or $CORDON_URL is set; otherwise it starts the command.  Both build the
# same Result.

def _endpoint(cordon_bin: Optional[PathLike]):
    """The service of the environment for a module-level call, or None:
    an explicit cordon_bin= always means the command."""
    if cordon_bin is not None:
        return None
    from ._service import Endpoint
    return Endpoint.from_env()


def _svc_policy(policy: Optional[PathLike]) -> Optional[str]:
    if policy is None:
        return None
    if not isinstance(policy, str) or "/" in policy or policy.endswith(".yaml"):
        raise ValueError("policy %r: the service runs only the policies it serves, by name "
                         "(GET /v1/policies lists them), never a file" % (os.fspath(policy),))
    return policy


def _svc_refuse(**options: Any) -> None:
    """Options the service does not take: refused, never silently dropped."""
    for name, value in options.items():
        if value is not None and value is not False and value != () and value != []:
            raise ValueError("%s= is not available over the service (cordon serve): run the command "
                             "(cordon_bin=, without $CORDON_SOCKET and $CORDON_URL) for it" % name)


def _svc_input(input: Union[Data, PathLike, None]) -> Optional[bytes]:
    if input is None:
        return None
    if isinstance(input, (str, bytes)):
        return _encode(input, "input")
    with open(os.fspath(input), "rb") as f:
        return f.read()


def _execute_job(ep: Any, code: Data, policy: Optional[PathLike] = "default",
                 input: Union[Data, PathLike, None] = None, timeout: Optional[float] = None,
                 output_dir: Optional[PathLike] = None, bind_ro: Iterable[PathLike] = (),
                 cordon_bin: Optional[PathLike] = None, policy_dir: Optional[PathLike] = None,
                 audit: bool = False, context: Any = _NO_CONTEXT, raise_on_error: bool = False,
                 tighten: Optional[Tighten] = None, _source: Optional[Data] = None, _path: Optional[str] = None,
                 files: Files = None):
    """The call, ready to run (``.run()``) or await (``.arun()``)."""
    if ep is None:
        if _path is not None:
            return _prepare("run", [_operand(_path)], None, policy, input, timeout, output_dir, bind_ro,
                            cordon_bin, policy_dir, audit, raise_on_error=raise_on_error, tighten=tighten,
                            files=files)
        return _prepare("run", ["-"], _encode(code, "code"), policy, input, timeout, output_dir, bind_ro,
                        cordon_bin, policy_dir, audit, None if context is _NO_CONTEXT else context,
                        context is not _NO_CONTEXT, raise_on_error, tighten, files)
    from . import _service
    t0 = time.monotonic()
    if timeout is not None and timeout <= 0:
        raise ValueError("timeout must be positive")
    _svc_refuse(output_dir=output_dir, bind_ro=list(bind_ro), policy_dir=policy_dir, audit=audit)
    source = _encode(code, "code")
    data = _svc_input(input)
    ctx = None
    if context is not _NO_CONTEXT:
        line = _context_line(context)
        source, k = _with_prelude(source)
        ctx = _Context(k)
        data = line + (data or b"")
    return _service.run_job(ep, source, None, data, _svc_policy(policy), tighten, timeout, ctx,
                            raise_on_error, t0, _path or "<stdin>", _file_entries(files) if files is not None else None)


def _read_source(path: PathLike) -> Tuple[bytes, str]:
    p = os.fspath(path)
    if not p:
        raise ValueError("empty path")
    with open(p, "rb") as f:
        return f.read(), p


def _file_job(ep: Any, path: PathLike, **kw: Any):
    if ep is None:
        return _execute_job(None, b"", _path=os.fspath(path), **kw)
    code, name = _read_source(path)
    return _execute_job(ep, code, _path=name, **kw)


def _exec_job(ep: Any, argv: Sequence[PathLike], policy: Optional[PathLike] = "default",
              sources: Iterable[PathLike] = (), input: Union[Data, PathLike, None] = None,
              timeout: Optional[float] = None, output_dir: Optional[PathLike] = None,
              bind_ro: Iterable[PathLike] = (), cordon_bin: Optional[PathLike] = None,
              policy_dir: Optional[PathLike] = None, audit: bool = False,
              raise_on_error: bool = False, tighten: Optional[Tighten] = None, files: Files = None):
    operands = _exec_operands(argv, sources)
    if ep is None:
        return _prepare("exec", operands, None, policy, input, timeout, output_dir, bind_ro, cordon_bin,
                        policy_dir, audit, raise_on_error=raise_on_error, tighten=tighten, files=files)
    from . import _service
    t0 = time.monotonic()
    if timeout is not None and timeout <= 0:
        raise ValueError("timeout must be positive")
    _svc_refuse(sources=list(sources), output_dir=output_dir, bind_ro=list(bind_ro), policy_dir=policy_dir,
                audit=audit)
    args = [os.fspath(a) for a in argv]
    for a in args:
        if "\0" in a:
            raise ValueError("argv: an argument holds a NUL character")
    return _service.run_job(ep, None, args, _svc_input(input), _svc_policy(policy), tighten, timeout, None,
                            raise_on_error, t0, files=_file_entries(files) if files is not None else None)


def _svc_check_args(policy: Optional[PathLike], policy_dir: Optional[PathLike],
                    tighten: Optional[Tighten]) -> Optional[str]:
    _svc_refuse(policy_dir=policy_dir, tighten=tighten)
    return _svc_policy(policy)


def _check_code(ep: Any, code: Data, policy: Optional[PathLike] = "default", cordon_bin: Optional[PathLike] = None,
                policy_dir: Optional[PathLike] = None, timeout: Optional[float] = None,
                tighten: Optional[Tighten] = None) -> CheckResult:
    if ep is None:
        return _check(["-"], _encode(code, "code"), policy, cordon_bin, policy_dir, timeout, tighten)[0]
    from . import _service
    return _service.check(ep, _encode(code, "code"), _svc_check_args(policy, policy_dir, tighten), timeout)


async def _acheck_code(ep: Any, code: Data, policy: Optional[PathLike] = "default",
                       cordon_bin: Optional[PathLike] = None, policy_dir: Optional[PathLike] = None,
                       timeout: Optional[float] = None, tighten: Optional[Tighten] = None) -> CheckResult:
    if ep is None:
        return (await _acheck(["-"], _encode(code, "code"), policy, cordon_bin, policy_dir, timeout, tighten))[0]
    from . import _service
    return await _service.acheck(ep, _encode(code, "code"), _svc_check_args(policy, policy_dir, tighten), timeout)


def _check_paths(ep: Any, paths: Iterable[PathLike], policy: Optional[PathLike] = "default",
                 cordon_bin: Optional[PathLike] = None, policy_dir: Optional[PathLike] = None,
                 timeout: Optional[float] = None, tighten: Optional[Tighten] = None) -> List[CheckResult]:
    if isinstance(paths, (str, bytes)):
        raise TypeError("paths must be a sequence of paths, not a single string")
    if ep is None:
        operands = [_operand(p) for p in paths]
        if not operands:
            return []
        return _check(operands, None, policy, cordon_bin, policy_dir, timeout, tighten)
    from . import _service
    name = _svc_check_args(policy, policy_dir, tighten)
    out = []
    for p in paths:
        code, where = _read_source(p)
        out.append(_service.check(ep, code, name, timeout, where))
    return out


# ---- the calls --------------------------------------------------------------

def execute(code: Data, policy: Optional[PathLike] = "default", input: Union[Data, PathLike, None] = None,
            timeout: Optional[float] = None, output_dir: Optional[PathLike] = None,
            bind_ro: Iterable[PathLike] = (), cordon_bin: Optional[PathLike] = None,
            policy_dir: Optional[PathLike] = None, audit: bool = False, context: Any = _NO_CONTEXT,
            raise_on_error: bool = False, tighten: Optional[Tighten] = None, files: Files = None) -> Result:
    """Check and run ``code`` under ``policy`` (``cordon run --json -``).

    ``code`` (str, encoded as UTF-8, or bytes) reaches cordon on a pipe and is
    run with the policy's interpreter.  ``input`` is the program's stdin: str
    or bytes (held in memory), or a path (os.PathLike; a str is data, not a
    path); without it the program reads /dev/null.  ``context`` (any
    JSON-serialisable value, None included) is the program's variable
    ``context``: it travels sealed on the program's stdin ahead of
    ``input``, never in the source text (see the README).  ``policy`` is a
    name looked up in ``policy_dir``, ``$CORDON_POLICY_DIR`` and the
    installed policies, or a path to a YAML file.  ``timeout`` (seconds) is
    the caller's own limit on top of the policy's wall limit: when it
    expires cordon is stopped with SIGTERM, kills the program's whole
    process tree, and the result has status "timeout" and limit "wall".
    ``audit=True`` is ``--audit``: nothing is denied for policy reasons,
    every finding and would-be denial is in the result (``result.mode ==
    "audit"``); isolation and limits still hold.  ``files`` (a mapping of
    relative path -> str or bytes) are files the program reads, read-only,
    at /input (``$CORDON_INPUT_DIR``): a temporary directory given as
    ``--input-dir`` and removed after the run, or the request's "files"
    over the service.

    With ``$CORDON_SOCKET`` or ``$CORDON_URL`` set (and no ``cordon_bin``)
    the call goes to ``cordon serve`` instead (see ``Executor``).

    Raises PolicyError when the policy cannot be loaded, CordonNotFound when
    there is no cordon, CordonError when cordon fails without a result.  A
    program that fails, is denied, times out or is killed is a Result; with
    ``raise_on_error=True`` a denial, a timeout, a resource limit and a
    cordon error raise (Result.raise_for_status).
    """
    return _execute_job(_endpoint(cordon_bin), code, policy, input, timeout, output_dir, bind_ro, cordon_bin,
                        policy_dir, audit, context, raise_on_error, tighten, files=files).run()


async def execute_async(code: Data, policy: Optional[PathLike] = "default",
                        input: Union[Data, PathLike, None] = None, timeout: Optional[float] = None,
                        output_dir: Optional[PathLike] = None, bind_ro: Iterable[PathLike] = (),
                        cordon_bin: Optional[PathLike] = None, policy_dir: Optional[PathLike] = None,
                        audit: bool = False, context: Any = _NO_CONTEXT, raise_on_error: bool = False,
                        tighten: Optional[Tighten] = None, files: Files = None) -> Result:
    """``execute`` for asyncio: cordon runs as an asyncio subprocess, so the
    event loop goes on while the program runs.  Cancelling the task stops
    the run as a timeout does (cordon kills the program's whole tree)
    before CancelledError propagates."""
    return await _execute_job(_endpoint(cordon_bin), code, policy, input, timeout, output_dir, bind_ro,
                              cordon_bin, policy_dir, audit, context, raise_on_error, tighten, files=files).arun()


def execute_file(path: PathLike, policy: Optional[PathLike] = "default",
                 input: Union[Data, PathLike, None] = None, timeout: Optional[float] = None,
                 output_dir: Optional[PathLike] = None, bind_ro: Iterable[PathLike] = (),
                 cordon_bin: Optional[PathLike] = None, policy_dir: Optional[PathLike] = None,
                 audit: bool = False, raise_on_error: bool = False, tighten: Optional[Tighten] = None,
                 files: Files = None) -> Result:
    """Check and run the source file ``path`` (``cordon run --json PATH``):
    findings name the file, and its extension tells the checks the language."""
    return _file_job(_endpoint(cordon_bin), path, policy=policy, input=input, timeout=timeout,
                     output_dir=output_dir, bind_ro=bind_ro, cordon_bin=cordon_bin, policy_dir=policy_dir,
                     audit=audit, raise_on_error=raise_on_error, tighten=tighten, files=files).run()


async def execute_file_async(path: PathLike, policy: Optional[PathLike] = "default",
                             input: Union[Data, PathLike, None] = None, timeout: Optional[float] = None,
                             output_dir: Optional[PathLike] = None, bind_ro: Iterable[PathLike] = (),
                             cordon_bin: Optional[PathLike] = None, policy_dir: Optional[PathLike] = None,
                             audit: bool = False, raise_on_error: bool = False, tighten: Optional[Tighten] = None,
                             files: Files = None) -> Result:
    """``execute_file`` for asyncio."""
    return await _file_job(_endpoint(cordon_bin), path, policy=policy, input=input, timeout=timeout,
                           output_dir=output_dir, bind_ro=bind_ro, cordon_bin=cordon_bin, policy_dir=policy_dir,
                           audit=audit, raise_on_error=raise_on_error, tighten=tighten, files=files).arun()


def _exec_operands(argv: Sequence[PathLike], sources: Iterable[PathLike]) -> List[str]:
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
    return operands + ["--", *argv]


def exec_command(argv: Sequence[PathLike], policy: Optional[PathLike] = "default",
                 sources: Iterable[PathLike] = (), input: Union[Data, PathLike, None] = None,
                 timeout: Optional[float] = None, output_dir: Optional[PathLike] = None,
                 bind_ro: Iterable[PathLike] = (), cordon_bin: Optional[PathLike] = None,
                 policy_dir: Optional[PathLike] = None, audit: bool = False,
                 raise_on_error: bool = False, tighten: Optional[Tighten] = None, files: Files = None) -> Result:
    """Run a command under ``policy`` (``cordon exec --json -- ARGV``).

    ``argv`` is a list, never a shell string.  Each of ``sources`` is checked
    and sealed; an argument naming one runs the checked bytes.  Without
    sources the check modules are skipped.
    """
    return _exec_job(_endpoint(cordon_bin), argv, policy, sources, input, timeout, output_dir, bind_ro,
                     cordon_bin, policy_dir, audit, raise_on_error, tighten, files).run()


async def exec_command_async(argv: Sequence[PathLike], policy: Optional[PathLike] = "default",
                             sources: Iterable[PathLike] = (), input: Union[Data, PathLike, None] = None,
                             timeout: Optional[float] = None, output_dir: Optional[PathLike] = None,
                             bind_ro: Iterable[PathLike] = (), cordon_bin: Optional[PathLike] = None,
                             policy_dir: Optional[PathLike] = None, audit: bool = False,
                             raise_on_error: bool = False, tighten: Optional[Tighten] = None,
                             files: Files = None) -> Result:
    """``exec_command`` for asyncio."""
    return await _exec_job(_endpoint(cordon_bin), argv, policy, sources, input, timeout, output_dir, bind_ro,
                           cordon_bin, policy_dir, audit, raise_on_error, tighten, files).arun()


def _check_parse(operands: List[str], rc: int, out: str, err: str, timed_out: bool,
                 timeout: Optional[float]) -> List[CheckResult]:
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


def _check(operands: List[str], stdin_data: Optional[bytes], policy: Optional[PathLike],
           cordon_bin: Optional[PathLike], policy_dir: Optional[PathLike],
           timeout: Optional[float], tighten: Optional[Tighten] = None) -> List[CheckResult]:
    cordon = find_cordon(cordon_bin)
    args = _common("check", policy, policy_dir, tighten) + operands
    rc, out, err, timed_out = _launch(cordon, args, stdin_data, timeout)
    return _check_parse(operands, rc, out, err, timed_out, timeout)


async def _acheck(operands: List[str], stdin_data: Optional[bytes], policy: Optional[PathLike],
                  cordon_bin: Optional[PathLike], policy_dir: Optional[PathLike],
                  timeout: Optional[float], tighten: Optional[Tighten] = None) -> List[CheckResult]:
    cordon = find_cordon(cordon_bin)
    args = _common("check", policy, policy_dir, tighten) + operands
    rc, out, err, timed_out = await _alaunch(cordon, args, stdin_data, timeout)
    return _check_parse(operands, rc, out, err, timed_out, timeout)


def check(code: Data, policy: Optional[PathLike] = "default", cordon_bin: Optional[PathLike] = None,
          policy_dir: Optional[PathLike] = None, timeout: Optional[float] = None, tighten: Optional[Tighten] = None) -> CheckResult:
    """Run only the policy's checks on ``code`` (``cordon check --json -``):
    nothing is executed."""
    return _check_code(_endpoint(cordon_bin), code, policy, cordon_bin, policy_dir, timeout, tighten)


async def check_async(code: Data, policy: Optional[PathLike] = "default", cordon_bin: Optional[PathLike] = None,
                      policy_dir: Optional[PathLike] = None, timeout: Optional[float] = None, tighten: Optional[Tighten] = None) -> CheckResult:
    """``check`` for asyncio."""
    return await _acheck_code(_endpoint(cordon_bin), code, policy, cordon_bin, policy_dir, timeout, tighten)


def is_safe(code: Data, policy: Optional[PathLike] = "default", cordon_bin: Optional[PathLike] = None,
            policy_dir: Optional[PathLike] = None, timeout: Optional[float] = None, tighten: Optional[Tighten] = None) -> Tuple[bool, List[Finding]]:
    """``(safe, violations)``, as llm-sandbox's ``is_safe``: whether the
    policy's checks pass ``code`` (nothing is executed), and the findings
    they reported.  When ``safe`` is True the list holds only findings the
    policy reports without denying (below its threshold, optional modules)."""
    c = check(code, policy, cordon_bin, policy_dir, timeout, tighten)
    return c.passed, list(c.findings)


async def is_safe_async(code: Data, policy: Optional[PathLike] = "default", cordon_bin: Optional[PathLike] = None,
                        policy_dir: Optional[PathLike] = None,
                        timeout: Optional[float] = None, tighten: Optional[Tighten] = None) -> Tuple[bool, List[Finding]]:
    """``is_safe`` for asyncio."""
    c = await check_async(code, policy, cordon_bin, policy_dir, timeout, tighten)
    return c.passed, list(c.findings)


def check_files(paths: Iterable[PathLike], policy: Optional[PathLike] = "default",
                cordon_bin: Optional[PathLike] = None, policy_dir: Optional[PathLike] = None,
                timeout: Optional[float] = None, tighten: Optional[Tighten] = None) -> List[CheckResult]:
    """Run only the policy's checks on each file, in one cordon process
    (over the service: one request per file)."""
    return _check_paths(_endpoint(cordon_bin), paths, policy, cordon_bin, policy_dir, timeout, tighten)


class Executor:
    """The calls above, bound to one transport.

    ``Executor(socket="/run/cordon/serve.sock")`` or
    ``Executor(url="http://127.0.0.1:8750", token="...")`` sends every call
    to ``cordon serve``; ``Executor(cordon_bin="/usr/bin/cordon")`` starts
    the command.  ``Executor()`` takes the environment: ``$CORDON_SOCKET``,
    else ``$CORDON_URL`` (with ``$CORDON_TOKEN``), else the command
    (``$CORDON``, then ``cordon`` on ``$PATH``).  ``token=`` alone takes the
    URL from ``$CORDON_URL``.  The methods take the module functions'
    arguments but ``cordon_bin`` and return the same Result whichever the
    transport; the object holds no connection, so threads may share it.
    """

    def __init__(self, socket: Optional[PathLike] = None, url: Optional[str] = None, token: Optional[str] = None,
                 cordon_bin: Optional[PathLike] = None):
        from ._service import Endpoint
        if socket is not None or url is not None:
            self.endpoint = Endpoint(socket=None if socket is None else os.fspath(socket), url=url,
                                     token=token if token is not None else os.environ.get("CORDON_TOKEN") or None)
        elif token is not None:
            if not os.environ.get("CORDON_URL"):
                raise ValueError("token= needs url= (or $CORDON_URL): a bearer token is for the TCP port")
            self.endpoint = Endpoint(url=os.environ["CORDON_URL"], token=token)
        elif cordon_bin is not None:
            self.endpoint = None
        else:
            self.endpoint = Endpoint.from_env()
        self.cordon_bin = cordon_bin
        if self.endpoint is None:
            find_cordon(cordon_bin)  # CordonNotFound now rather than at the first call

    @property
    def transport(self) -> str:
        """``"service"`` or ``"command"``."""
        return "command" if self.endpoint is None else "service"

    def _kw(self, kw: Dict[str, Any]) -> Dict[str, Any]:
        if "cordon_bin" in kw:
            raise TypeError("cordon_bin is the Executor's: Executor(cordon_bin=...)")
        kw["cordon_bin"] = self.cordon_bin
        return kw

    def execute(self, code: Data, **kw: Any) -> Result:
        """``cordon.execute`` over this transport."""
        return _execute_job(self.endpoint, code, **self._kw(kw)).run()

    async def execute_async(self, code: Data, **kw: Any) -> Result:
        """``cordon.execute_async`` over this transport: over the service the
        run is submitted and polled, and cancelling the task cancels it
        (DELETE /v1/runs/ID) before CancelledError propagates."""
        return await _execute_job(self.endpoint, code, **self._kw(kw)).arun()

    def execute_file(self, path: PathLike, **kw: Any) -> Result:
        return _file_job(self.endpoint, path, **self._kw(kw)).run()

    async def execute_file_async(self, path: PathLike, **kw: Any) -> Result:
        return await _file_job(self.endpoint, path, **self._kw(kw)).arun()

    def exec_command(self, argv: Sequence[PathLike], **kw: Any) -> Result:
        return _exec_job(self.endpoint, argv, **self._kw(kw)).run()

    async def exec_command_async(self, argv: Sequence[PathLike], **kw: Any) -> Result:
        return await _exec_job(self.endpoint, argv, **self._kw(kw)).arun()

    def check(self, code: Data, **kw: Any) -> CheckResult:
        return _check_code(self.endpoint, code, **self._kw(kw))

    async def check_async(self, code: Data, **kw: Any) -> CheckResult:
        return await _acheck_code(self.endpoint, code, **self._kw(kw))

    def is_safe(self, code: Data, **kw: Any) -> Tuple[bool, List[Finding]]:
        c = self.check(code, **kw)
        return c.passed, list(c.findings)

    async def is_safe_async(self, code: Data, **kw: Any) -> Tuple[bool, List[Finding]]:
        c = await self.check_async(code, **kw)
        return c.passed, list(c.findings)

    def check_files(self, paths: Iterable[PathLike], **kw: Any) -> List[CheckResult]:
        return _check_paths(self.endpoint, paths, **self._kw(kw))

    def policies(self) -> List[Dict[str, Any]]:
        """The policies the service lets this caller use (GET /v1/policies):
        dicts with name, language, file.  Service only."""
        if self.endpoint is None:
            raise ValueError("policies(): only a service has a list of policies for its callers")
        from . import _service
        return _service.policies(self.endpoint)

    def __repr__(self) -> str:
        return "Executor(%s)" % (repr(self.endpoint) if self.endpoint else "cordon_bin=%r" % (self.cordon_bin,))
