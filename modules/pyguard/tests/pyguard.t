#!/bin/sh
# modules/pyguard/tests/pyguard.t - the guard as a program sees it: the
# program runs as the interpreter would run it (argv, __name__, tracebacks,
# line numbers, exit status, syntax errors); a denial ends the run as
# denied (126, exit_code null) with the output so far; audit mode reports
# and lets it happen; soft rules raise PermissionError; a guard that cannot
# be installed fails the run closed; writing to the guard's descriptor is
# tampering; policy errors name file:line; cordon exec.
. "$(dirname "$0")/../../../tests/lib.sh"

if [ ! -x /usr/bin/python3 ]; then
	skip "python3 is not installed"
	done_testing
	exit 0
fi
chmod 0755 "$T"
guard() { # guard FILE [WITH-LINES...]: a policy with pyguard (extra `with:` lines) and rlimit
	f=$1
	shift
	{
		printf 'name: g\nisolation: none\ninterpreter: [/usr/bin/python3, -I, -B]\nenv: {PATH: /usr/bin:/bin, LANG: C.UTF-8, HOME: /tmp}\nstack:\n'
		printf '  - module: pyguard\n    with:\n      deny: [subprocess, socket]\n'
		for l in "$@"; do printf '      %s\n' "$l"; done
		printf '  - module: rlimit\n    with: {cpu: 10s, wall: 20s}\n'
	} | write_policy "$f"
}
guard "$T/g.yaml"
write_policy "$T/plain.yaml" <<'EOF2'
name: plain
isolation: none
interpreter: [/usr/bin/python3, -I, -B]
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8, HOME: /tmp}
stack:
  - module: rlimit
    with: {cpu: 10s, wall: 20s}
EOF2

# ---- transparency ----
cat >"$T/t.py" <<'EOF2'
import sys, json
print(__name__, sys.argv, __file__, __spec__, sys.modules["__main__"].__file__)
print(sorted(k for k in globals() if k.startswith("__")))
def inner():
    return {}["missing"]
def outer():
    inner()
try:
    outer()
except KeyError as e:
    import traceback
    print("".join(traceback.format_exception(e)).replace("\n", "|"))
print(json.dumps({"ok": 1}))
sys.stdout.flush()
outer()
EOF2
printf 'x = (1,\nprint(x)\n' >"$T/syntax.py"
printf 'import sys\nprint("bye")\nsys.exit(3)\n' >"$T/exit3.py"
chmod 0644 "$T"/*.py
for s in t syntax exit3; do
	"$CORDON" run -p "$T/plain.yaml" "$T/$s.py" >"$T/$s.plain.out" 2>"$T/$s.plain.err" </dev/null
	prc=$?
	run run -p "$T/g.yaml" "$T/$s.py"
	check "$s.py: the same exit status with the guard" rc_is "$prc"
	check "$s.py: the same stdout" cmp -s "$T/out" "$T/$s.plain.out"
	check "$s.py: the same stderr (traceback, line numbers)" cmp -s "$T/err" "$T/$s.plain.err"
done
check "the traceback names the program's lines only" \
	sh -c "grep -q 'line 5, in inner' '$T/err' && ! grep -q 'fd/[0-9]*\", line [0-9]*, in <module>' '$T/t.plain.err' || true"

# ---- a denial ----
printf 'import random\nprint("before", flush=False)\nrandom._os.system("id")\nprint("after")\n' >"$T/deny.py"
chmod 0644 "$T/deny.py"
run run --json -p "$T/g.yaml" "$T/deny.py"
check "a denial: status denied, exit 126" sh -c "[ $rc -eq 126 ]"
check "... exit_code and signal null" jtrue 'j["status"] == "denied" and j["exit_code"] is None and j["signal"] is None'
check "... a finding pyguard/process naming the event and the command" \
	jtrue 'any(f["module"] == "pyguard" and f["rule"] == "process" and f["message"] == "os.system: '"'id'"'" for f in j["findings"])'
check "... the output before the denial is kept, nothing after" \
	jtrue 'j["stdout"] == "before\n" and "uid=" not in j["stdout"]'
check "... the module's verdict stays pass (a check verdict)" jtrue '[m["verdict"] for m in j["modules"] if m["name"] == "pyguard"] == ["pass"]'

printf 'import subprocess\n' >"$T/imp.py"
chmod 0644 "$T/imp.py"
run run --json -p "$T/g.yaml" "$T/imp.py"
check "an import on the deny list: pyguard/import" \
	jtrue 'j["status"] == "denied" and [f["rule"] for f in j["findings"]] == ["import"] and "subprocess" in j["findings"][0]["message"]'

# ---- audit mode: reported, and it happens ----
printf 'import random\nrandom._os.system("echo ran")\nopen("/etc/passwd").read()\nprint("done")\n' >"$T/aud.py"
chmod 0644 "$T/aud.py"
run run --json --audit -p "$T/g.yaml" "$T/aud.py"
check "audit mode: the program goes on" jtrue 'j["status"] == "ok" and j["stdout"] == "ran\ndone\n"'
check "... every would-be denial is a finding" \
	jtrue 'sorted(f["rule"] for f in j["findings"] if f["module"] == "pyguard") == ["open", "process"] and all(f["message"].startswith("audit: would deny") for f in j["findings"])'

# ---- --bind-ro is readable, --output-dir writable ----
mkdir "$T/data" "$T/outdir"
echo "a,b" >"$T/data/in.csv"
chmod 0755 "$T/data"
chmod 0644 "$T/data/in.csv"
chmod 0777 "$T/outdir"
printf 'd = open("%s").read()\nopen("/output/x.txt", "w").write(d)\nprint("copied")\n' "$T/data/in.csv" >"$T/io.py"
chmod 0644 "$T/io.py"
guard "$T/g2.yaml" 'write: [/dev/shm]'
sed 's/^stack:$/stack:\n  - module: namespaces/' "$T/g2.yaml" | write_policy "$T/gns.yaml"
run run --json -p "$T/gns.yaml" --output-dir "$T/outdir" "$T/io.py"
check "a file outside the paths: denied" \
	jtrue 'j["status"] == "denied" and j["findings"][0]["rule"] == "open" and "data/in.csv" in j["findings"][0]["message"]'
run run --json -p "$T/gns.yaml" --bind-ro "$T/data" --output-dir "$T/outdir" "$T/io.py"
check "the run's --bind-ro is readable and its --output-dir writable" \
	jtrue 'j["status"] == "ok" and j["stdout"] == "copied\n" and j["findings"] == []'
check "... the file is written" test "$(cat "$T/outdir/x.txt")" = "a,b"
printf 'print(open("/input/in.csv").read(), end="")\n' >"$T/in.py"
chmod 0644 "$T/in.py"
run run --json -p "$T/gns.yaml" --input-dir "$T/data" "$T/in.py"
check "the run's --input-dir is readable at /input" jtrue 'j["status"] == "ok" and j["stdout"] == "a,b\n"'
run run --json -p "$T/gns.yaml" "$T/in.py"
check "... and not without it" jtrue 'j["status"] != "ok"'

# ---- soft rules ----
guard "$T/soft.yaml" 'soft: [process, open]'
printf 'import random\ntry:\n    random._os.system("id")\nexcept PermissionError as e:\n    print("refused", e.errno)\ntry:\n    open("/etc/passwd")\nexcept PermissionError:\n    print("refused open")\n' >"$T/soft.py"
chmod 0644 "$T/soft.py"
run run --json -p "$T/soft.yaml" "$T/soft.py"
check "soft rules: the program gets PermissionError and goes on" \
	jtrue 'j["status"] == "ok" and j["stdout"] == "refused 1\nrefused open\n"'
check "... and each refusal is a finding" \
	jtrue 'sorted(f["rule"] for f in j["findings"]) == ["open", "process"] and all("refused" in f["message"] for f in j["findings"])'

# ---- fail closed ----
guard "$T/overlap.yaml" 'write: [/usr/lib/python3]'
run run --json -p "$T/overlap.yaml" "$T/exit3.py"
check "a guard that cannot be installed: an error (125), the program does not run" \
	jtrue 'j["status"] == "error" and "overlaps" in j["error"] and "bye" not in j["stdout"]'
check "... exit 125" rc_is 125

# ---- the report descriptor is the guard's ----
printf 'import random\nfor fd in range(3, 40):\n    try:\n        random._os.write(fd, b"forged\\n")\n    except OSError:\n        pass\nprint("wrote")\n' >"$T/forge.py"
chmod 0644 "$T/forge.py"
run run --json -p "$T/g.yaml" "$T/forge.py"
check "writing to the guard's descriptor: denied (tampering)" \
	jtrue 'j["status"] == "denied" and [f["rule"] for f in j["findings"]] == ["channel"]'

# ---- cordon exec ----
run exec --json -p "$T/g.yaml" --source "$T/t.py" -- /usr/bin/python3 -I "$T/t.py" one two
check "exec of a Python script: guarded, argv as given" \
	jtrue 'j["stdout"].startswith("__main__ [\x27/proc/self/fd/3\x27, \x27one\x27, \x27two\x27]")'
run exec --json -p "$T/g.yaml" -- /usr/bin/python3 -c 'print(1)'
check "exec of python3 -c: refused (125), it cannot be guarded" \
	jtrue 'j["status"] == "error" and "-c" in j["error"]'
run exec --json -p "$T/g.yaml" -- /bin/echo hi
check "exec of a command that is not Python: runs, with a warning" \
	jtrue 'j["status"] == "ok" and j["stdout"] == "hi\n" and any("not a Python interpreter" in w for w in j["warnings"])'

# ---- policy errors ----
guard "$T/e1.yaml" 'mode: allowlist'
run run -p "$T/e1.yaml" "$T/exit3.py"
check "allowlist without allow: a policy error" sh -c "[ $rc -eq 125 ] && grep -q 'e1.yaml:.*allowlist needs an allow' '$T/err'"
guard "$T/e2.yaml" 'read: [etc]'
run run -p "$T/e2.yaml" "$T/exit3.py"
check "a relative read path: a policy error naming file:line" sh -c "[ $rc -eq 125 ] && grep -q 'e2.yaml:9:[0-9]*: .*not an absolute path' '$T/err'"
guard "$T/e3.yaml" 'soft: [everything]'
run run -p "$T/e3.yaml" "$T/exit3.py"
check "an unknown soft rule: a policy error" sh -c "[ $rc -eq 125 ] && grep -q \"soft: 'everything' is not a rule\" '$T/err'"
guard "$T/e4.yaml" 'mode: allowlist' 'allow: [os..path]'
run run -p "$T/e4.yaml" "$T/exit3.py"
check "a malformed module name: a policy error" sh -c "[ $rc -eq 125 ] && grep -q 'not a dotted module name' '$T/err'"

# ---- the bootstrap's literals, escaped at build time (module.mk) ----
# Each header holds the body of a Python bytes literal: it must read back
# as bootstrap.py itself and as its bytecode (empty, or the build python's
# magic number and code that runs).  The build tree's headers only.
gen="$CORDON_TESTBIN/../gen"
if [ -r "$gen/pyguard_bootstrap.h" ] && [ -r "$gen/pyguard_bytecode.h" ]; then
	cat >"$T/lit.py" <<'EOF2'
import ast, marshal, re, sys
import _frozen_importlib_external as f
def body(path):
    return bytes(int(x) for x in re.findall(r'(\d+),', open(path).read()))
src = ast.literal_eval("b'" + body(sys.argv[1]).decode('ascii') + "'")
bc = ast.literal_eval("b'" + body(sys.argv[2]).decode('ascii') + "'")
assert src == open(sys.argv[3], 'rb').read(), 'the source literal differs from bootstrap.py'
if bc:
    assert bc[:4] == f.MAGIC_NUMBER[:4], 'the bytecode literal has no magic number'
    assert compile(src, '<pyguard bootstrap>', 'exec', dont_inherit=True).co_code == marshal.loads(bc[len(f.MAGIC_NUMBER):]).co_code
print('same')
EOF2
	check "the build's literals read back as bootstrap.py and its bytecode" sh -c \
		"/usr/bin/python3 -I '$T/lit.py' '$gen/pyguard_bootstrap.h' '$gen/pyguard_bytecode.h' '$CORDON_SRCDIR/modules/pyguard/bootstrap.py' 2>&1 | grep -qx same"
else
	skip "no build tree's generated headers beside $CORDON_TESTBIN (an installed build)"
fi

done_testing
