"""The service transport: the same calls over HTTP to ``cordon serve``.

When ``$CORDON_SOCKET`` (a Unix socket path) or ``$CORDON_URL``
(``http://host:port``, with ``$CORDON_TOKEN`` as the bearer token) is set, or
an ``Executor`` is given ``socket=`` / ``url=``, a call is one request to the
service instead of one ``cordon`` process: ``POST /v1/runs`` answers with the
same ``--json`` result the command prints (plus ``caller``), which becomes
the same ``Result``.  Standard library only: ``http.client``, and a small
``HTTPConnection`` that connects to an ``AF_UNIX`` socket.

On the socket the service knows the caller by its credentials
(SO_PEERCRED); over TCP by its bearer token.  A refusal becomes an
exception: 401/403 ``PermissionDenied``, 429 ``RateLimited`` and 503
``ServiceUnavailable`` (both with ``retry_after``), a policy the service
does not serve or a per-call setting that would loosen the policy
``PolicyError``, as the command reports them.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import os
import socket as _socket
import time
import urllib.parse
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ._client import (EXIT_DENIED, EXIT_ERROR, EXIT_TIMEOUT, CheckResult, CordonError, Finding, PolicyError,
                      Result, ServiceError, PermissionDenied, RateLimited, ServiceUnavailable, Tighten, _caller_timeout,
                      _Context, _finish)

# How long a call waits to connect and for an answer that is not a run's
# result (a submission, a poll, a cancellation).
REQUEST_TIMEOUT = 30.0
# Polling a run that was submitted without waiting (a call with timeout=,
# or an asyncio call): the first poll after POLL_FIRST seconds, each
# next one POLL_GROWTH times later, never more than POLL_MAX apart.
POLL_FIRST = 0.002
POLL_GROWTH = 1.5
POLL_MAX = 0.1
# After a caller's timeout the run is cancelled; how long its result may
# take to come in before the call gives up waiting for it.
CANCEL_GRACE = 10.0
# The name the service gives the submitted source in findings; the
# command says "<stdin>" for the same source.
_SERVICE_SOURCE = "<data>"


class _UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP/1.1 over a Unix stream socket (the service's listen.unix)."""

    def __init__(self, path: str, timeout: Optional[float] = None):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM | _socket.SOCK_CLOEXEC)
        try:
            s.settimeout(self.timeout)
            s.connect(self.unix_path)
        except BaseException:
            s.close()
            raise
        self.sock = s


class Endpoint:
    """Where the service is: a Unix socket path, or an http(s) URL (with a
    bearer token).  The socket wins when both are given."""

    def __init__(self, socket: Optional[str] = None, url: Optional[str] = None, token: Optional[str] = None):
        self.socket = os.fspath(socket) if socket is not None else None
        self.url = url
        self.token = token
        self.base = ""
        if self.socket is not None:
            if not self.socket:
                raise ValueError("socket: empty path")
            self.where = self.socket
            return
        if not url:
            raise ValueError("an Endpoint needs socket= or url=")
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError("url: expected http://HOST:PORT (or https://), not %r" % url)
        if u.query or u.fragment or u.username or u.password:
            raise ValueError("url: expected http://HOST:PORT[/PATH], without user, query or fragment: %r" % url)
        self.scheme = u.scheme
        self.host = u.hostname
        self.port = u.port
        self.base = u.path.rstrip("/")
        self.where = url

    @classmethod
    def from_env(cls) -> Optional["Endpoint"]:
        """``$CORDON_SOCKET``, else ``$CORDON_URL`` with ``$CORDON_TOKEN``;
        None when neither is set (the command is used)."""
        sock = os.environ.get("CORDON_SOCKET")
        url = os.environ.get("CORDON_URL")
        if sock:
            return cls(socket=sock)
        if url:
            return cls(url=url, token=os.environ.get("CORDON_TOKEN") or None)
        return None

    def connection(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self.socket is not None:
            return _UnixHTTPConnection(self.socket, timeout=timeout)
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None,
                timeout: Optional[float] = REQUEST_TIMEOUT) -> "_Reply":
        """One request on a connection of its own; the reply, whatever its
        status.  A service that cannot be reached is ServiceUnavailable."""
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8") if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token and self.socket is None:
            headers["Authorization"] = "Bearer " + self.token
        conn = self.connection(timeout)
        try:
            try:
                conn.request(method, self.base + path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
            except _socket.timeout as e:
                raise ServiceError("cordon serve at %s did not answer within %gs" % (self.where, timeout),
                                   status=None) from e
            except (OSError, http.client.HTTPException) as e:
                raise ServiceUnavailable("cordon serve at %s cannot be reached (%s: %s)"
                                         % (self.where, type(e).__name__, e), status=None) from e
        finally:
            conn.close()
        return _Reply(resp.status, resp.getheader("Retry-After"), resp.getheader("X-Cordon-Run"), raw, self.where)

    def __repr__(self) -> str:
        return "Endpoint(%r)" % self.where


class _Reply:
    def __init__(self, status: int, retry_after: Optional[str], run_id: Optional[str], raw: bytes, where: str):
        self.status = status
        self.run_id = run_id
        self.where = where
        self.retry_after: Optional[float] = None
        if retry_after:
            try:
                self.retry_after = float(retry_after)
            except ValueError:
                self.retry_after = None
        try:
            self.obj = json.loads(raw.decode("utf-8", errors="replace")) if raw else None
        except ValueError:
            self.obj = None
        self.text = raw.decode("utf-8", errors="replace")

    @property
    def reason(self) -> str:
        if isinstance(self.obj, dict) and isinstance(self.obj.get("error"), str):
            return self.obj["error"]
        return self.text.strip()[:500] or "HTTP %d" % self.status

    def refusal(self) -> CordonError:
        """The exception for a reply that carries no result."""
        s, why = self.status, self.reason
        if s in (401, 403):
            return PermissionDenied("cordon serve refused the call (%d): %s" % (s, why), status=s, reason=why)
        if s == 429:
            return RateLimited("cordon serve: too many runs (429): %s" % why, status=s, reason=why,
                               retry_after=self.retry_after)
        if s == 503:
            return ServiceUnavailable("cordon serve is not taking runs (503): %s" % why, status=s, reason=why,
                                      retry_after=self.retry_after)
        if s == 409:
            # A queued run dropped by the kill switch.
            return ServiceUnavailable("cordon serve dropped the run (409): %s" % why, status=s, reason=why)
        if s == 404 and "is not served here" in why:
            return PolicyError(why, EXIT_ERROR, why)
        if s == 400 and self.run_id:
            # The worker could not load the policy as asked: a per-call
            # setting that would loosen it, as `cordon run` reports it.
            return PolicyError(why, EXIT_ERROR, why)
        return ServiceError("cordon serve answered %d: %s" % (s, why), status=s, reason=why)


def _exit_status(d: Mapping[str, Any]) -> int:
    """The exit status `cordon run` would have had for this result
    (cordon_result_exit_status)."""
    st = d.get("status")
    if st == "ok":
        return 0
    if st == "failed":
        ec = d.get("exit_code")
        return ec if isinstance(ec, int) and ec >= 0 else 1
    if st == "denied":
        return EXIT_DENIED
    if st == "timeout":
        return EXIT_TIMEOUT
    if st == "killed":
        sig = d.get("signal")
        return 128 + (sig if isinstance(sig, int) and sig > 0 else 9)
    return EXIT_ERROR


def _source_name(findings: List[Finding], name: str) -> List[Finding]:
    return [Finding(f.module, f.rule, f.severity, f.message, f.line, f.column, name)
            if f.file == _SERVICE_SOURCE else f for f in findings]


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError("%s: the service takes UTF-8 text only (JSON strings): %s" % (what, e)) from e


class Job:
    """One run request for the service, ready to submit (sync or async)."""

    def __init__(self, ep: Endpoint, body: Dict[str, Any], timeout: Optional[float], context: Optional[_Context],
                 raise_on_error: bool, t0: float, source_name: str):
        self.ep = ep
        self.body = body
        self.timeout = timeout
        self.context = context
        self.raise_on_error = raise_on_error
        self.t0 = t0
        self.source_name = source_name

    def result(self, reply: _Reply, timed_out: bool = False) -> Result:
        if reply.status != 200 or not isinstance(reply.obj, dict) or "status" not in reply.obj:
            if timed_out and reply.status == 409:
                # Cancelled in the queue: it never started.
                r = Result(status="timeout", exit_code=None, signal=None, limit="wall", stdout="", stderr="",
                           returncode=EXIT_TIMEOUT,
                           warnings=["the caller's timeout of %gs ended the run before it started" % self.timeout])
            elif reply.status == 200:
                raise ServiceError("cordon serve answered with JSON that is not a result", status=200,
                                   reason=reply.text[:200])
            else:
                raise reply.refusal()
        else:
            r = Result.from_json(reply.obj, _exit_status(reply.obj))
            r.findings = _source_name(r.findings, self.source_name)
            if timed_out:
                _caller_timeout(r, self.timeout)
        return _finish(r, self.t0, self.context, self.raise_on_error)

    # ---- synchronous ----

    def run(self) -> Result:
        if self.timeout is None:
            # One request that waits for the result: the fastest way.
            return self.result(self.ep.request("POST", "/v1/runs", dict(self.body, wait=True), timeout=None))
        run_id = self._submit()
        if isinstance(run_id, _Reply):
            return self.result(run_id)
        deadline = self.t0 + self.timeout
        delay = POLL_FIRST
        done = final = None
        try:
            while True:
                reply = self.ep.request("GET", "/v1/runs/" + run_id)
                if not self._pending(reply):
                    done = reply
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    final = self._cancel(run_id)
                    break
                time.sleep(min(delay, left))
                delay = min(delay * POLL_GROWTH, POLL_MAX)
        except BaseException:
            self._cancel_quietly(run_id)
            raise
        return self._outcome(done, final)

    def _outcome(self, done: Optional[_Reply], final: Optional[_Reply]) -> Result:
        """The result of a polled run: it ended (``done``), or the caller's
        timeout cancelled it (``final``, None when the service did not
        report)."""
        if done is not None:
            return self.result(done)
        return self.result(final, timed_out=True) if final is not None else self._gave_up()

    def _submit(self):
        """POST without waiting: the run's id, or the reply when it is
        already final (a refusal, a run that could not start)."""
        reply = self.ep.request("POST", "/v1/runs", dict(self.body, wait=False))
        if reply.status == 202 and isinstance(reply.obj, dict) and isinstance(reply.obj.get("id"), str):
            return reply.obj["id"]
        return reply

    @staticmethod
    def _pending(reply: _Reply) -> bool:
        return reply.status == 200 and isinstance(reply.obj, dict) and "status" not in reply.obj \
            and reply.obj.get("state") in ("queued", "running")

    def _cancel(self, run_id: str) -> Optional[_Reply]:
        """Cancel the run (the caller's timeout) and wait for its final
        reply; None when it did not come within CANCEL_GRACE."""
        reply = self.ep.request("DELETE", "/v1/runs/" + run_id)
        end = time.monotonic() + CANCEL_GRACE
        while self._pending(reply) or reply.status == 202:
            if time.monotonic() > end:
                return None
            time.sleep(POLL_MAX / 4)
            reply = self.ep.request("GET", "/v1/runs/" + run_id)
        return reply

    def _cancel_quietly(self, run_id: str) -> None:
        try:
            self.ep.request("DELETE", "/v1/runs/" + run_id)
        except Exception:
            pass  # the service is gone: its run went with it, or its wall limit ends it

    def _gave_up(self) -> Result:
        return _finish(Result(status="timeout", exit_code=None, signal=None, limit="wall", stdout="", stderr="",
                              returncode=EXIT_TIMEOUT,
                              warnings=["the caller's timeout of %gs ended the run; the service did not report"
                                        % self.timeout]), self.t0, None, self.raise_on_error)

    # ---- asyncio: the requests run in the loop's executor, the waits
    # between polls are the loop's ----

    async def arun(self) -> Result:
        loop = asyncio.get_running_loop()

        def call(method: str, path: str, body=None) -> _Reply:
            return self.ep.request(method, path, body)

        submitted = await loop.run_in_executor(None, self._submit)
        if isinstance(submitted, _Reply):
            return self.result(submitted)
        run_id = submitted
        deadline = None if self.timeout is None else self.t0 + self.timeout
        delay = POLL_FIRST
        done = final = None
        try:
            while True:
                reply = await loop.run_in_executor(None, call, "GET", "/v1/runs/" + run_id)
                if not self._pending(reply):
                    done = reply
                    break
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        final = await loop.run_in_executor(None, self._cancel, run_id)
                        break
                    await asyncio.sleep(min(delay, left))
                else:
                    await asyncio.sleep(delay)
                delay = min(delay * POLL_GROWTH, POLL_MAX)
        except BaseException:
            # Cancelled (or failed) while the run goes on: stop it.
            await asyncio.shield(loop.run_in_executor(None, self._cancel_quietly, run_id))
            raise
        return self._outcome(done, final)


def run_job(ep: Endpoint, code: Optional[bytes], argv: Optional[List[str]], input_data: Optional[bytes],
            policy: Optional[str], tighten: Optional[Tighten], timeout: Optional[float],
            context: Optional[_Context], raise_on_error: bool, t0: float, source_name: str = "<stdin>",
            files: Optional[List[Tuple[str, bytes]]] = None) -> Job:
    body: Dict[str, Any] = {}
    if files is not None:
        body["files"] = [{"path": name, "content": base64.b64encode(data).decode("ascii"), "encoding": "base64"}
                         for name, data in files]
    if policy is not None:
        body["policy"] = policy
    if code is not None:
        body["code"] = _text(code, "code")
    if argv is not None:
        body["argv"] = argv
    if input_data is not None:
        body["input"] = _text(input_data, "input")
    if tighten is not None:
        body["tighten"] = tighten_json(tighten)
    return Job(ep, body, timeout, context, raise_on_error, t0, source_name)


def tighten_json(t: Tighten) -> Dict[str, Any]:
    if not isinstance(t, Tighten):
        raise TypeError("tighten must be a cordon.Tighten")
    o: Dict[str, Any] = {}
    if t.limits:
        o["limit"] = dict(t.limits)
    if t.no_network:
        o["no_network"] = True
    if t.deny_imports:
        o["deny_import"] = list(t.deny_imports)
    if t.patterns:
        o["pattern"] = list(t.patterns)
    return o


def check_body(code: bytes, policy: Optional[str]) -> Dict[str, Any]:
    body: Dict[str, Any] = {"code": _text(code, "code")}
    if policy is not None:
        body["policy"] = policy
    return body


def check_result(reply: _Reply, source_name: str) -> CheckResult:
    if reply.status != 200 or not isinstance(reply.obj, dict) or "verdict" not in reply.obj:
        if reply.status == 200:
            raise ServiceError("cordon serve answered with JSON that is not a check result", status=200,
                               reason=reply.text[:200])
        raise reply.refusal()
    c = CheckResult.from_json(reply.obj)
    c.findings = _source_name(c.findings, source_name)
    if c.file == _SERVICE_SOURCE:
        c.file = source_name
    return c


def check(ep: Endpoint, code: bytes, policy: Optional[str], timeout: Optional[float],
          source_name: str = "<stdin>") -> CheckResult:
    return check_result(ep.request("POST", "/v1/checks", check_body(code, policy),
                                   timeout=timeout if timeout is not None else REQUEST_TIMEOUT), source_name)


async def acheck(ep: Endpoint, code: bytes, policy: Optional[str], timeout: Optional[float],
                 source_name: str = "<stdin>") -> CheckResult:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, check, ep, code, policy, timeout, source_name)


def policies(ep: Endpoint) -> List[Dict[str, Any]]:
    reply = ep.request("GET", "/v1/policies")
    if reply.status != 200 or not isinstance(reply.obj, dict):
        raise reply.refusal()
    return [dict(p) for p in reply.obj.get("policies") or () if isinstance(p, dict)]


def health(ep: Endpoint) -> Tuple[int, Dict[str, Any]]:
    reply = ep.request("GET", "/v1/health")
    return reply.status, dict(reply.obj) if isinstance(reply.obj, dict) else {}
