#!/usr/bin/env python3
"""tests/mcp_service.py - `cordon mcp` on stdio with its private service
(core/serve/mcpstdio.c), driven by tests/mcp_client.py's scripted client
(tests/mcp-service.t): sessions that keep their variables and survive a
denied cell, named sessions kept apart, a run's /output read back with
read_output_file, the service and its directory gone when the server
ends, a service that cannot start (the calls that need it are JSON-RPC
errors saying why, the rest still works), and `cordon mcp` without
cordon-serve beside it (sessions refused, as before).  Prints TAP.
"""
import glob
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mcp_client as m  # noqa: E402  (the client, ok(), result() ...)

TMP = os.environ["TMPDIR"]
ALONE = os.environ.get("MCP_ALONE")  # a cordon with no cordon-serve beside it


def init(s):
    r = s.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                 "clientInfo": {"name": "t", "version": "1"}})
    s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return r


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is gone for this purpose
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def main():
    s = m.Server("-v")
    init(s)
    r = s.request("tools/list")
    tools = {t.get("name"): t for t in (m.result(r) or {}).get("tools", [])}
    m.ok(set(tools) == {"execute_code", "check_code", "list_policies", "read_output_file"},
         "tools/list: with a service behind it, read_output_file too", r)
    props = tools.get("execute_code", {}).get("inputSchema", {}).get("properties", {})
    m.ok({"session", "outputs"} <= set(props), "tools/list: execute_code takes session and outputs", props)
    m.ok(not glob.glob(os.path.join(TMP, "cordon-mcp.*")), "no service is started before a call needs one")

    r = s.call("execute_code", {"language": "python", "code": "print(6*7)\n"})
    m.ok(m.structured(m.result(r)).get("stdout") == "42\n" and not glob.glob(os.path.join(TMP, "cordon-mcp.*")),
         "execute_code without a session runs here, as before (still no service)", r)

    r = s.call("execute_code", {"language": "python", "code": "x = 41\nprint('set')\n", "session": "a"}, timeout=60)
    st = m.structured(m.result(r))
    m.ok(st.get("status") == "ok" and st.get("stdout") == "set\n" and st.get("cell") == 1,
         "session a: the first cell runs (the service started for it)", r)
    dirs = glob.glob(os.path.join(TMP, "cordon-mcp.*"))
    m.ok(len(dirs) == 1 and (os.stat(dirs[0]).st_mode & 0o777) == 0o711
         and all((os.stat(os.path.join(dirs[0], n)).st_mode & 0o077) == 0 for n in ("serve.yaml", "s.sock")),
         "the service's directory cannot be listed (0711); its files and socket are the user's alone", dirs)
    r = s.call("execute_code", {"language": "python", "code": "x + 1", "session": "a"})
    st = m.structured(m.result(r))
    m.ok(st.get("status") == "ok" and st.get("value") == "42" and "value: 42" in m.text_of(m.result(r)),
         "session a: variables live on; the last expression's value comes back", r)
    r = s.call("execute_code", {"language": "python", "code": "import socket\n", "session": "a"})
    res = m.result(r)
    st = m.structured(res)
    m.ok(res and res.get("isError") is True and st.get("status") == "denied" and m.DENY_ADVICE in m.text_of(res),
         "session a: a denied cell is a tool error with the advice, never run", r)
    r = s.call("execute_code", {"language": "python", "code": "x", "session": "a"})
    m.ok(m.structured(m.result(r)).get("value") == "41", "session a: ... and the session is as it was", r)
    r = s.call("execute_code", {"language": "python", "code": "x", "session": "b"}, timeout=60)
    st = m.structured(m.result(r))
    m.ok(st.get("status") == "error" and st.get("error_type") == "NameError",
         "session b is another interpreter: a's variables are not there", r)

    r = s.call("execute_code", {"language": "python", "outputs": True,
                                "code": "open('/output/report.txt', 'w').write('total 7\\n')\nprint('wrote')\n"})
    res = m.result(r)
    st = m.structured(res)
    run = st.get("run")
    m.ok(st.get("status") == "ok" and isinstance(run, str) and len(run) == 32
         and any(o.get("path") == "report.txt" for o in st.get("outputs") or []),
         "execute_code with outputs: true names the run and lists /output's files", r)
    r = s.call("read_output_file", {"run": run or "", "path": "report.txt"})
    m.ok("total 7" in m.text_of(m.result(r)) and m.result(r).get("isError") is not True,
         "read_output_file gives the file back over stdio", r)
    r = s.call("read_output_file", {"run": run or "", "path": "../serve.yaml"})
    m.ok((m.result(r) or {}).get("isError") is True, "read_output_file: a path out of the run's outputs is refused", r)

    rc, rest, err = s.close()
    err = err.decode(errors="replace")
    pid = re.search(r"service of its own \(pid (\d+)", err)
    m.ok(rc == 0 and pid is not None, "the server ends at the end of its input (status 0); -v named the service", err)
    gone = False
    for _ in range(100):
        if pid and not alive(int(pid.group(1))):
            gone = True
            break
        time.sleep(0.05)
    m.ok(gone, "the service ended with the server (its sessions with it)")
    m.ok(not glob.glob(os.path.join(TMP, "cordon-mcp.*")), "the service's directory is removed")

    # The service dies (SIGKILL): the next call starts another, saying so.
    s = m.Server("-v")
    init(s)
    r = s.call("execute_code", {"language": "python", "code": "v = 7", "session": "k"}, timeout=60)
    with open(s.err_path) as f:
        pid = re.search(r"service of its own \(pid (\d+)", f.read())
    if pid:
        os.kill(int(pid.group(1)), 9)
        time.sleep(0.3)
    r = s.call("execute_code", {"language": "python", "code": "'v' in dir()", "session": "k"}, timeout=60)
    st = m.structured(m.result(r))
    rc, _, err = s.close()
    m.ok(pid is not None and st.get("status") == "ok" and st.get("value") == "False" and st.get("cell") == 1
         and b"its sessions are lost; starting another" in err,
         "a service that died is started again at the next call (its sessions lost, said on stderr)", (r, err[-400:]))
    m.ok(not glob.glob(os.path.join(TMP, "cordon-mcp.*")), "... and both services' directories are gone at the end")

    # --policy-dir given as a relative path: the service gets it absolute.
    pol = os.path.join(TMP, "pol")
    os.makedirs(pol)
    with open(os.path.join(pol, "mine.yaml"), "w") as f:
        f.write("interpreter: [/usr/bin/python3, -I, -B]\nstack:\n  - module: rlimit\n    with: {wall: 20s}\n")
    os.chmod(os.path.join(pol, "mine.yaml"), 0o644)
    s = m.Server("--policy-dir", os.path.relpath(pol))
    init(s)
    r = s.call("execute_code", {"language": "python", "policy": "mine", "code": "6 * 7", "session": "p"}, timeout=60)
    m.ok(m.structured(m.result(r)).get("value") == "42",
         "--policy-dir as a relative path: sessions under its policies work", r)
    s.close()

    # A service that cannot start: a socket path too long for sun_path.
    deep = os.path.join(TMP, "d" * 60, "e" * 60)
    os.makedirs(deep)
    os.environ["TMPDIR"] = deep
    s = m.Server()
    os.environ["TMPDIR"] = TMP
    init(s)
    r = s.call("execute_code", {"language": "python", "code": "1", "session": "a"})
    m.ok(m.error_code(r) == -32603 and "could not be started" in r.get("error", {}).get("message", "")
         and "too long" in r.get("error", {}).get("message", ""),
         "a service that cannot start: the call is a JSON-RPC error saying why", r)
    r = s.call("execute_code", {"language": "python", "code": "print(3)\n"})
    m.ok(m.structured(m.result(r)).get("stdout") == "3\n", "... and a run without a session still works", r)
    rc, _, _ = s.close()
    m.ok(rc == 0 and not glob.glob(os.path.join(deep, "cordon-mcp.*")), "... and leaves nothing behind", rc)

    if ALONE:
        m.CORDON = ALONE
        s = m.Server()
        init(s)
        r = s.request("tools/list")
        names = {t.get("name") for t in (m.result(r) or {}).get("tools", [])}
        m.ok(names == {"execute_code", "check_code", "list_policies"},
             "without cordon-serve beside cordon: no read_output_file", r)
        r = s.call("execute_code", {"language": "python", "code": "print(1)\n", "session": "s1"})
        res = m.result(r)
        m.ok(res and res.get("isError") is True and "sessions are not available" in m.text_of(res),
             "without cordon-serve: a session is refused, saying so", r)
        s.close()
    else:
        m.skip("no copy of cordon without cordon-serve beside it (MCP_ALONE)")
        m.skip("no copy of cordon without cordon-serve beside it (MCP_ALONE)")

    print("1..%d" % m.count)
    return 1 if m.failed else 0


if __name__ == "__main__":
    sys.exit(main())
