#!/usr/bin/env python3
"""tests/mcp_client.py - a scripted MCP client for `cordon mcp` (tests/mcp.t).

Starts `$CORDON mcp`, speaks the MCP stdio transport (JSON-RPC 2.0, one
message a line) and checks each answer against the specification's
messages: initialize, notifications, ping, tools/list, tools/call, and the
JSON-RPC errors (parse error, invalid request, method not found, invalid
params).  Prints TAP.  Standard library only.

    CORDON=build/bin/cordon python3 tests/mcp_client.py --bench
times tools/call instead (README.md, "cordon mcp").
"""
import json
import os
import select
import subprocess
import sys
import time

CORDON = os.environ["CORDON"]
SERVICE = os.access(os.path.join(os.path.dirname(CORDON), "cordon-serve"), os.X_OK)
DENY_ADVICE = ("The policy denied this code; do not try to work around the policy"
               " \u2014 change the approach or ask the user.")

count = 0
failed = 0


def ok(cond, desc, diag=None):
    global count, failed
    count += 1
    if cond:
        print("ok %d - %s" % (count, desc))
    else:
        failed += 1
        print("not ok %d - %s" % (count, desc))
        if diag is not None:
            for line in str(diag)[:3000].splitlines():
                print("# " + line)
    sys.stdout.flush()


def skip(desc):
    global count
    count += 1
    print("ok %d # SKIP %s" % (count, desc))


class Server:
    def __init__(self, *args):
        self.err_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "mcp-stderr-%d" % os.getpid())
        self.err = open(self.err_path, "wb")
        self.p = subprocess.Popen([CORDON, "mcp"] + list(args), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=self.err)
        self.buf = b""
        self.next_id = 100
        self.bad_lines = []  # stdout lines that are not JSON-RPC messages

    def send_raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, obj):
        self.send_raw(json.dumps(obj).encode() + b"\n")

    def recv(self, timeout=30):
        """The next message, or None when none came within timeout."""
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r:
                return None
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            msg = json.loads(line)
        except ValueError:
            self.bad_lines.append(line)
            return {"not-json": line.decode("utf-8", "replace")}
        if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0":
            self.bad_lines.append(line)
        return msg

    def request(self, method, params=None, timeout=30):
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        r = self.recv(timeout)
        if r is not None and r.get("id") != self.next_id:
            return {"wrong-id": r}
        return r

    def call(self, name, arguments=None, timeout=30):
        params = {"name": name}
        if arguments is not None:
            params["arguments"] = arguments
        return self.request("tools/call", params, timeout)

    def close(self):
        self.p.stdin.close()
        try:
            rc = self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        rest = self.p.stdout.read()
        self.err.close()
        with open(self.err_path, "rb") as f:
            err = f.read()
        os.unlink(self.err_path)
        return rc, rest, err


def result(r):
    return r.get("result") if isinstance(r, dict) else None


def error_code(r):
    return r.get("error", {}).get("code") if isinstance(r, dict) else None


def text_of(res):
    if not isinstance(res, dict):
        return ""
    return "".join(c.get("text", "") for c in res.get("content", []) if c.get("type") == "text")


def structured(res):
    return res.get("structuredContent", {}) if isinstance(res, dict) else {}


def main():
    s = Server()

    # ---- initialize ----
    r = s.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                 "clientInfo": {"name": "mcp_client.py", "version": "1"}})
    res = result(r)
    ok(isinstance(res, dict) and res.get("protocolVersion") == "2025-06-18"
       and res.get("serverInfo", {}).get("name") == "cordon"
       and isinstance(res.get("serverInfo", {}).get("version"), str)
       and isinstance(res.get("capabilities", {}).get("tools"), dict),
       "initialize: protocolVersion 2025-06-18, serverInfo, capabilities.tools", r)
    r = s.request("initialize", {"protocolVersion": "2024-11-05", "capabilities": {},
                                 "clientInfo": {"name": "old", "version": "1"}})
    ok(result(r) and result(r).get("protocolVersion") == "2024-11-05",
       "initialize: 2024-11-05 is answered with 2024-11-05", r)
    r = s.request("initialize", {"protocolVersion": "1999-01-01", "capabilities": {},
                                 "clientInfo": {"name": "future", "version": "1"}})
    ok(result(r) and result(r).get("protocolVersion") == "2025-06-18",
       "initialize: an unknown version is answered with the server's latest", r)
    r = s.request("initialize", {"capabilities": {}})
    ok(error_code(r) == -32602, "initialize without protocolVersion: -32602", r)

    # ---- notifications are never answered ----
    s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    r = s.request("ping")
    ok(result(r) == {}, "notifications/initialized: no answer; ping: {}", r)
    s.send({"jsonrpc": "2.0", "method": "tools/call",
            "params": {"name": "execute_code", "arguments": {"language": "python", "code": "print(1)"}}})
    s.send({"jsonrpc": "2.0", "method": "no/such/notification"})
    r = s.request("ping")
    ok(result(r) == {}, "a request without id (a notification, even tools/call or unknown) gets no answer", r)

    # ---- tools/list ----
    r = s.request("tools/list")
    tools = {t.get("name"): t for t in (result(r) or {}).get("tools", [])}
    # With cordon-serve beside cordon, `cordon mcp` has a service behind
    # it for sessions and outputs (tests/mcp-service.t): read_output_file.
    want = {"execute_code", "check_code", "list_policies"} | ({"read_output_file"} if SERVICE else set())
    ok(set(tools) == want, "tools/list: execute_code, check_code, list_policies%s"
       % (", read_output_file" if SERVICE else ""), r)
    ok(all(t.get("inputSchema", {}).get("type") == "object" and isinstance(t.get("description"), str)
           for t in tools.values()), "tools/list: every tool has a description and an object inputSchema")
    ex = tools.get("execute_code", {}).get("inputSchema", {})
    ok(set(ex.get("required", [])) == {"language", "code"}
       and ex.get("properties", {}).get("language", {}).get("enum") == ["python", "javascript", "shell"]
       and {"policy", "input", "limits", "session", "files"} <= set(ex.get("properties", {})),
       "tools/list: execute_code's schema (language enum, code required; policy, input, limits, session, files)", ex)

    # ---- execute_code with files at /input ----
    def left_in_tmp():
        return [n for n in os.listdir(os.environ["TMPDIR"]) if n.startswith("cordon-in.")]
    r = s.call("execute_code", {"language": "python",
                                "code": "import os\nd = os.environ['CORDON_INPUT_DIR']\n"
                                        "print(d, open(d + '/data/a.csv').read().strip(), list(open(d + '/b.bin', 'rb').read()))\n"
                                        "try:\n    open(d + '/new', 'w')\nexcept OSError as e:\n    print('refused', e.errno)\n",
                                "files": [{"path": "data/a.csv", "content": "x,y"},
                                          {"path": "b.bin", "content": "AAH/", "encoding": "base64"}]})
    st = structured(result(r))
    ok(st.get("status") == "ok" and st.get("stdout") == "/input x,y [0, 1, 255]\nrefused 30\n",
       "execute_code: files (text and base64) are read at /input, which is read-only", r)
    ok(left_in_tmp() == [], "execute_code: the files' directory is removed after the run", left_in_tmp())
    for bad in ["../x", "/etc/passwd", "a/../../b", ""]:
        r = s.call("execute_code", {"language": "python", "code": "print(1)\n",
                                    "files": [{"path": bad, "content": "x"}]})
        res = result(r)
        ok(res and res.get("isError") is True and "files[0]: path" in text_of(res) and left_in_tmp() == [],
           "execute_code: files path %r refused as a tool error, nothing run or left" % bad, r)
    r = s.call("execute_code", {"language": "python", "code": "print(1)\n",
                                "files": [{"path": "f%d" % i, "content": ""} for i in range(257)]})
    res = result(r)
    ok(res and res.get("isError") is True and "257 files, more than the 256" in text_of(res) and left_in_tmp() == [],
       "execute_code: more than 256 files are refused", r)

    # ---- execute_code ----
    r = s.call("execute_code", {"language": "python",
                                "code": "import sys\nprint(sys.stdin.read().upper())\n",
                                "input": "hello from stdin"})
    res = result(r)
    st = structured(res)
    ok(res and res.get("isError") is False and st.get("status") == "ok" and st.get("exit_code") == 0
       and "HELLO FROM STDIN" in st.get("stdout", "") and "HELLO FROM STDIN" in text_of(res)
       and "status: ok" in text_of(res),
       "execute_code: ok, the input on stdin, the output in text and structuredContent", r)

    r = s.call("execute_code", {"language": "python", "code": "import sys\nprint('bye')\nsys.exit(3)\n"})
    res = result(r)
    st = structured(res)
    ok(res and res.get("isError") is False and st.get("status") == "failed" and st.get("exit_code") == 3
       and "exit code 3" in text_of(res),
       "execute_code: a failed exit is the program's result (exit code 3), not a tool error", r)

    r = s.call("execute_code", {"language": "python", "code": "x = 1\ny = 2\nimport os\nos.system('id')\n"})
    res = result(r)
    st = structured(res)
    lines = [f.get("line") for f in st.get("findings", [])]
    ok(res and res.get("isError") is True and st.get("status") == "denied" and 4 in lines
       and "line 4" in text_of(res) and DENY_ADVICE in text_of(res) and st.get("exit_code") is None,
       "execute_code: denied, isError, findings with line numbers, the do-not-work-around line", r)

    t0 = time.monotonic()
    r = s.call("execute_code", {"language": "python", "code": "while True:\n    pass\n",
                                "limits": {"wall": "1s"}})
    took = time.monotonic() - t0
    res = result(r)
    st = structured(res)
    ok(res and res.get("isError") is True and st.get("status") == "timeout" and st.get("limit") == "wall"
       and st.get("tightened") == ["limit:wall=1s"] and took < 8 and "timeout" in text_of(res),
       "execute_code: limits {wall: 1s} tightens: timeout after %.1fs" % took, r)

    r = s.call("execute_code", {"language": "python", "code": "print(1)\n", "limits": {"wall": "100h"}})
    res = result(r)
    ok(res and res.get("isError") is True and "nothing was run" in text_of(res) and "wall" in text_of(res),
       "execute_code: a limit that would loosen the policy is refused", r)
    r = s.call("execute_code", {"language": "python", "code": "print(1)\n", "limits": {"wall": "1s; rm"}})
    ok(error_code(r) == -32602, "execute_code: a malformed limit value: -32602", r)
    r = s.call("execute_code", {"language": "python", "code": "print(1)\n", "limits": ["wall"]})
    ok(error_code(r) == -32602, "execute_code: limits not an object: -32602", r)

    for bad in ["/etc/passwd", "../default", "default.yaml", "./x.yml", ".hidden", ""]:
        r = s.call("execute_code", {"language": "python", "code": "print(1)\n", "policy": bad})
        res = result(r)
        ok(res and res.get("isError") is True and "never a path" in text_of(res)
           and "structuredContent" not in res,
           "execute_code: policy %r refused (a NAME only), nothing run" % bad, r)

    r = s.call("execute_code", {"language": "python", "code": "print(1)\n", "policy": "no-such-policy"})
    res = result(r)
    ok(res and res.get("isError") is True and "could not be loaded" in text_of(res),
       "execute_code: an unknown policy name is a tool error", r)

    r = s.call("execute_code", {"language": "python", "code": "print(2)\n", "policy": "default"})
    ok(structured(result(r)).get("stdout") == "2\n", "execute_code: policy 'default' by name", r)

    r = s.call("execute_code", {"language": "javascript", "code": "console.log(1)\n", "policy": "default"})
    res = result(r)
    ok(res and res.get("isError") is True and "runs python" in text_of(res),
       "execute_code: javascript under a python policy is refused, naming the preset", r)

    if not SERVICE:
        r = s.call("execute_code", {"language": "python", "code": "print(1)\n", "session": "s1"})
        res = result(r)
        ok(res and res.get("isError") is True and "sessions are not available" in text_of(res),
           "execute_code: a session is refused, saying so", r)
    else:
        skip("sessions over stdio: tests/mcp-service.t (cordon-serve is beside cordon)")

    r = s.call("execute_code", {"language": "shell", "code": "echo shell-$((6*7))\n"})
    st = structured(result(r))
    ok(st.get("status") == "ok" and st.get("stdout") == "shell-42\n" and st.get("policy") == "shell",
       "execute_code: shell runs under the shell preset", r)

    if os.access("/usr/bin/node", os.X_OK):
        r = s.call("execute_code", {"language": "javascript",
                                    "code": "let d='';process.stdin.on('data',c=>d+=c);"
                                            "process.stdin.on('end',()=>console.log(JSON.parse(d).n*2));\n",
                                    "input": "{\"n\": 21}"}, timeout=60)
        st = structured(result(r))
        ok(st.get("status") == "ok" and st.get("stdout") == "42\n" and st.get("policy") == "javascript",
           "execute_code: javascript runs under the javascript preset, with input", r)
    else:
        skip("/usr/bin/node is not installed: no javascript run")

    # ---- bad params ----
    r = s.call("execute_code", {"language": "python"})
    ok(error_code(r) == -32602, "execute_code without code: -32602", r)
    r = s.call("execute_code", {"language": "ruby", "code": "puts 1"})
    ok(error_code(r) == -32602, "execute_code with language ruby: -32602", r)
    r = s.call("execute_code", {"language": "python", "code": 12})
    ok(error_code(r) == -32602, "execute_code with code not a string: -32602", r)
    r = s.call("execute_code", {"language": "python", "code": "print(1)", "path": "/etc"})
    ok(error_code(r) == -32602, "execute_code with an unknown argument: -32602", r)
    r = s.call("execute_code", {"language": "python", "code": "#" * (1024 * 1024 + 1)})
    ok(error_code(r) == -32602, "execute_code with code over 1 MiB: -32602", r)
    r = s.call("execute_code", "not an object")
    ok(error_code(r) == -32602, "tools/call with arguments not an object: -32602", r)
    r = s.request("tools/call", {"arguments": {}})
    ok(error_code(r) == -32602, "tools/call without name: -32602", r)
    r = s.call("no_such_tool", {})
    ok(error_code(r) == -32602 and "no_such_tool" in r.get("error", {}).get("message", ""),
       "tools/call of an unknown tool: -32602 naming it", r)

    # ---- check_code ----
    r = s.call("check_code", {"language": "python", "code": "import subprocess\nsubprocess.run(['id'])\n"})
    res = result(r)
    st = structured(res)
    ok(res and st.get("verdict") == "deny" and any(f.get("line") for f in st.get("findings", []))
       and "verdict: deny" in text_of(res) and DENY_ADVICE in text_of(res),
       "check_code: deny, findings with lines, the do-not-work-around line", r)
    r = s.call("check_code", {"language": "python", "code": "print(sum(range(10)))\n"})
    res = result(r)
    ok(res and res.get("isError") is False and structured(res).get("verdict") == "pass",
       "check_code: pass", r)
    r = s.call("check_code", {"language": "python", "code": "print(1)\n", "policy": "/tmp/x.yaml"})
    ok(result(r) and result(r).get("isError") is True and "never a path" in text_of(result(r)),
       "check_code: a policy path is refused", r)

    # ---- list_policies ----
    r = s.call("list_policies")
    res = result(r)
    st = structured(res)
    ok(res and {"default", "javascript", "shell"} <= set(st.get("policies", []))
       and st.get("defaults") == {"python": "default", "javascript": "javascript", "shell": "shell"}
       and "default (the default for python)" in text_of(res) and "/" not in text_of(res),
       "list_policies: names (no paths) and the default for each language", r)
    r = s.call("list_policies", {"x": 1})
    ok(error_code(r) == -32602, "list_policies with an argument: -32602", r)

    # ---- protocol errors ----
    s.send_raw(b'{"jsonrpc": "2.0", "id": 7, "method": \n')
    r = s.recv()
    ok(error_code(r) == -32700 and r.get("id") is None, "malformed JSON: -32700 with id null", r)
    s.send_raw(b"[1, 2]\n")
    r = s.recv()
    ok(error_code(r) == -32600 and r.get("id") is None, "a batch (array): -32600", r)
    s.send_raw(b'"ping"\n')
    r = s.recv()
    ok(error_code(r) == -32600, "a message that is not an object: -32600", r)
    s.send({"jsonrpc": "1.0", "id": 8, "method": "ping"})
    r = s.recv()
    ok(error_code(r) == -32600 and r.get("id") == 8, "jsonrpc 1.0: -32600 with its id", r)
    s.send({"jsonrpc": "2.0", "id": 9})
    r = s.recv()
    ok(error_code(r) == -32600 and r.get("id") == 9, "no method: -32600", r)
    s.send({"jsonrpc": "2.0", "id": None, "method": "ping"})
    r = s.recv()
    ok(error_code(r) == -32600, "id null: -32600", r)
    s.send({"jsonrpc": "2.0", "id": "str-id", "method": "tools/list", "params": [1]})
    r = s.recv()
    ok(error_code(r) == -32602 and r.get("id") == "str-id", "params not an object: -32602, string id echoed", r)
    r = s.request("no/such/method")
    ok(error_code(r) == -32601, "unknown method: -32601", r)
    s.send({"jsonrpc": "2.0", "id": 55, "result": {}})
    r = s.request("ping")
    ok(result(r) == {}, "a response from the client is not answered", r)
    s.send_raw(b'{"jsonrpc":"2.0","id":56,"method":"ping","params":{},"x":"' + b"a" * (8 * 1024 * 1024) + b'"}\n')
    r = s.recv(60)
    ok(error_code(r) == -32600 and "larger" in r.get("error", {}).get("message", ""),
       "a message over 8 MiB: -32600", r)
    r = s.request("ping")
    ok(result(r) == {}, "after the oversized message the server still answers", r)
    s.send_raw(b"\n  \r\n")
    s.send_raw(b'{"jsonrpc":"2.0","id":57,"method":"ping"}\r\n')
    r = s.recv()
    ok(r and r.get("id") == 57 and result(r) == {}, "blank lines are skipped; CRLF is accepted", r)

    ok(not s.bad_lines, "stdout carried nothing but JSON-RPC messages", s.bad_lines[:3])
    s.send_raw(b'{"jsonrpc":"2.0","id":58,"method":"ping"}')
    rc, rest, err = s.close()
    ok(rc == 0, "end of input: exit 0 (status %s)" % rc, err.decode("utf-8", "replace"))
    ok(rest.strip() == b'{"jsonrpc":"2.0","id":58,"result":{}}',
       "a last message without its newline is still answered", rest)

    # ---- -v: logs on stderr, stdout stays the protocol's ----
    s = Server("-v")
    r = s.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                 "clientInfo": {"name": "v", "version": "1"}})
    r2 = s.call("execute_code", {"language": "python", "code": "print('x')\n"})
    rc, rest, err = s.close()
    ok(result(r) and structured(result(r2)).get("stdout") == "x\n" and not s.bad_lines and rest == b""
       and b"cordon mcp: loaded policy 'default'" in err,
       "-v: the log goes to stderr, stdout has only the protocol", err.decode("utf-8", "replace"))

    # ---- mcp --policy-dir DIR ----
    s = Server("--policy-dir", os.environ["MCP_POLICY_DIR"])
    r = s.call("list_policies")
    r2 = s.call("execute_code", {"language": "python", "code": "print(5)\n", "policy": "mine"})
    s.close()
    ok("mine" in structured(result(r)).get("policies", []) and structured(result(r2)).get("stdout") == "5\n"
       and structured(result(r2)).get("policy") == "mine",
       "mcp --policy-dir DIR: its policies are listed and run by name", [r, r2])

    # ---- a signal cancels the run in progress and ends the server ----
    s = Server()
    s.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                             "clientInfo": {"name": "sig", "version": "1"}})
    s.next_id += 1
    s.send({"jsonrpc": "2.0", "id": s.next_id, "method": "tools/call",
            "params": {"name": "execute_code", "arguments": {"language": "python", "code": "while True:\n    pass\n"}}})
    time.sleep(1)
    t0 = time.monotonic()
    s.p.send_signal(15)
    rc, rest, err = s.close()
    took = time.monotonic() - t0
    ok(rc == 143 and took < 5, "SIGTERM during a run: the run is cancelled, exit 143 after %.1fs (status %s)"
       % (took, rc), err.decode("utf-8", "replace"))

    print("1..%d" % count)
    return 1 if failed else 0


def bench():
    """--bench: the time of a tools/call, as README.md's "cordon mcp" reports it."""
    s = Server()
    s.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                             "clientInfo": {"name": "bench", "version": "1"}})
    def timed(name, args, n):
        times = []
        for _ in range(n):
            t = time.monotonic()
            r = s.call(name, args)
            times.append(time.monotonic() - t)
            assert result(r), r
        return times
    ex = timed("execute_code", {"language": "python", "code": "print(1)\n"}, 21)
    ck = timed("check_code", {"language": "python", "code": "import os\nos.system('x')\n"}, 21)
    s.close()
    print("execute_code print(1) under default: first call %.1f ms (loads the policy), then median %.1f ms (n=20)"
          % (ex[0] * 1000, sorted(ex[1:])[10] * 1000))
    print("check_code, a two-line source: median %.2f ms (n=21)" % (sorted(ck)[10] * 1000))
    return 0


if __name__ == "__main__":
    sys.exit(bench() if sys.argv[1:] == ["--bench"] else main())
