#!/bin/sh
# tests/serve.t - `cordon serve`: serve.yaml's errors, the HTTP API over the
# Unix socket and TCP (bearer tokens), warm policies run in parallel by
# forked workers, the queue, callers' permissions and rate limits, per-call
# tightening, cancel, the kill switch (`cordon stop --all`, `resume`),
# `cordon ps`, metrics, the service log and the caller in incident records.
. "$(dirname "$0")/lib.sh"

need_serve
S="$T/serve.sock"
me=$(id -u)

# req METHOD PATH [BODY]: one request on the socket; the body in $T/out,
# the headers in $T/hdr, the status in $code.
hdr_has() { grep -qi -- "$1" "$T/hdr"; }

# conf FILE: write stdin as a trusted serve.yaml.
conf() {
	cat >"$1"
	chmod 0644 "$1"
}

start() {
	"$SERVE" serve -c "$1" >"$T/serve.log" 2>&1 &
	spid=$!
	i=0
	while [ ! -S "$S" ] && [ $i -lt 100 ] && kill -0 $spid 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -S "$S" ]
}
stop_service() {
	kill -TERM "$spid" 2>/dev/null
	i=0
	while kill -0 "$spid" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	! kill -0 "$spid" 2>/dev/null
}

# ---- serve.yaml: every error names the file and line, nothing starts ----
bad() {
	_want=$1
	shift
	"$SERVE" serve -c "$T/bad.yaml" --socket "$T/bad.sock" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	rc_is 125 && err_has "$_want" && [ ! -e "$T/bad.sock" ]
}
printf 'policies: [default]\nworkerz: 2\n' | conf "$T/bad.yaml"
check "serve.yaml: an unknown key is refused with file:line" bad "$T/bad.yaml:2:1: serve.yaml: unknown key 'workerz'"
printf 'policies: [default]\ncallers:\n  - name: a\n    uid: 0\n    policies: [nosuch]\n' | conf "$T/bad.yaml"
check "serve.yaml: a caller's policy must be one of the service's" bad "$T/bad.yaml:5:16: caller 'a': policy 'nosuch'"
printf 'policies: [default]\ncallers:\n  - name: a\n    policies: [default]\n' | conf "$T/bad.yaml"
check "serve.yaml: a caller needs exactly one identity" bad "expected exactly one of uid, gid"
printf 'policies: [default]\ncallers:\n  - name: a\n    token_sha256: abc\n    policies: [default]\n' | conf "$T/bad.yaml"
check "serve.yaml: a token is its SHA-256" bad "token_sha256: expected the 64 hex digits"
printf 'policies: [nosuchpolicy]\n' | conf "$T/bad.yaml"
check "serve.yaml: a policy that does not load stops the service" bad "policy 'nosuchpolicy'"
printf 'policies: [default\n' | conf "$T/bad.yaml"
check "serve.yaml: malformed YAML names the line" bad "$T/bad.yaml:2:"
printf 'workers: 2\n' | conf "$T/bad.yaml"
check "serve.yaml: policies are required" bad "policies: missing"
printf 'policies: [default]\nworkers: 2\nworkers: 3\n' | conf "$T/bad.yaml"
check "serve.yaml: a key given twice is an error naming both lines" bad "bad.yaml:3:1: serve.yaml: 'workers' is given twice (first at line 2)"
printf 'policies: [default]\ncallers:\n  - name: a\n    uid: 0\n    admin: false\n    policies: [default]\n    admin: true\n' | conf "$T/bad.yaml"
check "serve.yaml: ... also inside a caller" bad "'admin' is given twice"
printf 'policies: [default]\n---\npolicies: [strict]\n' | conf "$T/bad.yaml"
check "serve.yaml: a second YAML document is refused" bad "more than one YAML document"
printf 'policies: [default]\ncallers:\n  - name: %0200d\n    uid: 0\n    policies: [default]\n' 0 | conf "$T/bad.yaml"
check "serve.yaml: a caller name longer than the result's label is refused" bad "name: at most 128 characters"
printf 'policies: [default]\n' | conf "$T/bad.yaml"
chmod 0666 "$T/bad.yaml"
check "serve.yaml: a file others may write is refused" bad "writable by group or others"
chmod 0644 "$T/bad.yaml"
ln -s "$T/bad.yaml" "$T/link.yaml"
"$SERVE" serve -c "$T/link.yaml" --socket "$T/bad.sock" >"$T/out" 2>"$T/err" </dev/null
rc=$?
check "serve.yaml: a symlink is not followed" eval 'rc_is 125 && err_has "link.yaml"'
"$SERVE" serve -c "$T/bad.yaml" --socket "$T/bad.sock" extra >"$T/out" 2>"$T/err" </dev/null
rc=$?
check "cordon serve: an unexpected argument is a usage error" eval 'rc_is 2 && err_has "unexpected argument"'
run stop
check "cordon stop needs --all" eval 'rc_is 2 && err_has "expected --all"'

# ---- the service ----
cat <<EOF | conf "$T/serve.yaml"
listen:
  unix: $S
  mode: "0666"
workers: 2
queue: 1
log: $T/service.log
max_input_bytes: 64K
max_input_files: 8
policies: [default, strict]
EOF
check "the service starts and listens on its socket" start "$T/serve.yaml"
req GET /v1/health
check "health: 200 ok" eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\" and j[\"policies\"] == 2"'

req POST /v1/runs '{"code": "print(6 * 7)"}'
check "a run: the CLI's JSON result, under the first policy" \
	eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\" and j[\"stdout\"] == \"42\\n\" and j[\"policy\"] == \"default\""'
check "the result names the caller (the service's own user: owner)" jtrue 'j["caller"] == "owner"'
id=$(sed -n 's/^X-Cordon-Run: *\([0-9a-f]*\).*/\1/ip' "$T/hdr")
check "the run's id is in X-Cordon-Run" [ ${#id} -eq 32 ]
req GET "/v1/runs/$id"
check "GET /v1/runs/ID gives the finished run's result" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"42\\n\""'

req POST /v1/runs '{"policy": "strict", "code": "x = 1\nimport socket\n"}'
check "a denied run: status denied, the finding's line" \
	eval 'code_is 200 && jtrue "j[\"status\"] == \"denied\" and j[\"findings\"][0][\"line\"] == 2"'
req POST /v1/checks '{"policy": "strict", "code": "import subprocess\n"}'
check "a check: verdict deny with its finding" eval 'code_is 200 && jtrue "j[\"verdict\"] == \"deny\" and len(j[\"findings\"]) >= 1"'
req POST /v1/runs '{"code": "import sys\nprint(sys.stdin.read().upper())", "input": "hello"}'
check "input reaches the program's stdin" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"HELLO\\n\""'
req POST /v1/runs '{"argv": ["/bin/echo", "via", "argv"]}'
check "argv runs a command (exec)" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"via argv\\n\""'
req POST /v1/runs '{"code": "import time\ntime.sleep(5)", "tighten": {"limit": {"wall": "1s"}}}'
check "tighten: a per-call wall limit ends the run and is listed" \
	eval 'code_is 200 && jtrue "j[\"status\"] == \"timeout\" and j[\"tightened\"] == [\"limit:wall=1s\"]"'
req POST /v1/runs '{"code": "1", "tighten": {"limit": {"wall": "100000s"}}}'
check "tighten: loosening is refused (400) naming the policy's value" eval 'code_is 400 && jtrue "\"wall\" in j[\"error\"]"'
req POST /v1/runs '{"code": "1", "tighten": {"network": "none"}}'
check "tighten: an unknown key is refused naming it" eval 'code_is 400 && jtrue "\"network\" in j[\"error\"]"'

req POST /v1/runs 'not json'
check "a body that is not JSON: 400" eval 'code_is 400 && jtrue "\"JSON\" in j[\"error\"]"'
req POST /v1/runs '{"code": "1", "colour": "red"}'
check "an unknown key: 400 naming it" eval 'code_is 400 && jtrue "\"colour\" in j[\"error\"]"'
req POST /v1/runs '{"code": "1", "argv": ["/bin/true"]}'
check "code and argv together: 400" code_is 400
req POST /v1/runs '{"policy": "nosuch", "code": "1"}'
check "a policy the service does not keep: 404" eval 'code_is 404 && jtrue "\"nosuch\" in j[\"error\"]"'
req GET /v1/nowhere
check "an unknown path: 404" code_is 404
req PUT /v1/runs
check "a wrong method: 405" code_is 405
req GET /v1/policies
check "policies: the service's, with their language" \
	eval 'code_is 200 && jtrue "[p[\"name\"] for p in j[\"policies\"]] == [\"default\", \"strict\"] and j[\"policies\"][0][\"language\"] == \"python\""'

# Runs in parallel (two workers), then the queue (one place), then 503.
slow='{"code": "import time\ntime.sleep(30)", "wait": false}'
req POST /v1/runs "$slow"
check "wait: false answers 202 at once with the run's id" eval 'code_is 202 && jtrue "len(j[\"id\"]) == 32"'
a=$(json_get 'j["id"]')
req POST /v1/runs "$slow"
b=$(json_get 'j["id"]')
req POST /v1/runs "$slow"
check "a third run waits in the queue" eval 'code_is 202 && jtrue "j[\"state\"] == \"queued\""'
c=$(json_get 'j["id"]')
sleep 0.3
run ps --json --socket "$S"
check "cordon ps: two runs in flight at once (workers do not serialise)" \
	eval 'rc_is 0 && jtrue "sorted(r[\"state\"] for r in j[\"runs\"]) == [\"queued\", \"running\", \"running\"]"'
run ps --socket "$S"
check "cordon ps: a table with id, caller, policy, state" eval "rc_is 0 && out_has '$a' && out_has 'owner' && out_has 'running'"
req POST /v1/runs "$slow"
check "a full queue: 503 with Retry-After" eval 'code_is 503 && hdr_has "^Retry-After:" && jtrue "\"queue\" in j[\"error\"]"'
req DELETE "/v1/runs/$c"
check "DELETE a queued run: it never starts" code_is 409
req DELETE "/v1/runs/$a"
check "DELETE a running run: accepted" code_is 202
i=0
while [ $i -lt 100 ]; do
	req GET "/v1/runs/$a"
	jtrue '"status" in j' && break
	sleep 0.1
	i=$((i + 1))
done
check "the cancelled run's result: killed" jtrue 'j["status"] == "killed" and j["signal"] == 9'

# The kill switch.
run stop --all --socket "$S"
check "cordon stop --all: kills the runs in flight" eval 'rc_is 0 && out_has "1 runs killed"'
req GET "/v1/runs/$b"
i=0
while ! jtrue '"status" in j' && [ $i -lt 100 ]; do
	sleep 0.1
	req GET "/v1/runs/$b"
	i=$((i + 1))
done
check "a run killed by the kill switch reports it" jtrue 'j["status"] == "killed"'
req POST /v1/runs '{"code": "print(1)"}'
check "while stopped, new runs are refused: 503" eval 'code_is 503 && jtrue "\"resume\" in j[\"error\"]"'
req GET /v1/health
check "health says stopped (503)" eval 'code_is 503 && jtrue "j[\"stopped\"] is True"'
run resume --socket "$S"
check "cordon resume" eval 'rc_is 0 && out_has "resumed"'
req POST /v1/runs '{"code": "print(1)"}'
check "after resume, runs are accepted" eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\""'

req GET /metrics
check "metrics: runs by policy and status" grep -q '^cordon_runs_total{policy="default",status="ok"} [1-9]' "$T/out"
check "metrics: denials by rule" grep -q '^cordon_denials_total{rule="pyimport/import-denied"} [1-9]' "$T/out"
check "metrics: the latency histogram and queue depth" \
	eval "grep -q '^cordon_run_latency_seconds_count [1-9]' '$T/out' && grep -q '^cordon_queue_depth 0' '$T/out'"
check "metrics: refusals by status" grep -q '^cordon_refusals_total{code="503"} [1-9]' "$T/out"
check "the service log records the stop, the resume and each refusal" \
	eval "grep -q '\"kind\":\"stop\"' '$T/service.log' && grep -q '\"kind\":\"resume\"' '$T/service.log' && grep -q '\"kind\":\"refused\"' '$T/service.log'"
check "incident records name the caller" eval "grep -q '\"caller\":\"owner\"' '$T/logs/incidents.jsonl'"

# outputs: true - what the program left in /output, kept with the run.
req POST /v1/runs '{"outputs": true, "argv": ["/bin/sh", "-c", "printf \"<svg/>\" >/output/plot.svg; mkdir /output/sub; printf \"a,b\\n\" >/output/sub/d.csv; ln -s /etc/passwd /output/link"]}'
check "outputs: the files are listed in the result with sizes and hashes (a symlink is not collected)" \
	eval 'code_is 200 && jtrue "sorted((o[\"path\"], o[\"size\"]) for o in j[\"outputs\"]) == [(\"plot.svg\", 6), (\"sub/d.csv\", 4)]"'
oid=$(sed -n 's/^X-Cordon-Run: *\([0-9a-f]*\).*/\1/ip' "$T/hdr")
req GET "/v1/runs/$oid/outputs/plot.svg"
check "outputs: GET one gives its bytes, typed by its name, as an attachment" \
	eval 'code_is 200 && [ "$(cat "$T/out")" = "<svg/>" ] && hdr_has "^Content-Type: image/svg+xml" && hdr_has "^Content-Disposition: attachment"'
req GET "/v1/runs/$oid/outputs/sub/d.csv"
check "outputs: a file in a subdirectory" eval 'code_is 200 && [ "$(cat "$T/out")" = "a,b" ]'
code=$(curl -s -m 10 --path-as-is -o "$T/out" -w '%{http_code}' --unix-socket "$S" "http://cordon/v1/runs/$oid/outputs/../../../../etc/passwd")
check "outputs: a path out of the run's directory is refused (404)" eval 'code_is 404 && ! grep -q root: "$T/out"'
req GET "/v1/runs/$oid/outputs/link"
check "outputs: a name that is no collected file: 404" code_is 404
req GET "/v1/runs/$id/outputs/plot.svg"
check "outputs: a run that did not ask for them has none (404, saying how to ask)" eval 'code_is 404 && jtrue "\"outputs\" in j[\"error\"]"'
sdir=$(sed -n 's/.*runs. outputs in \([^;"]*\).*/\1/p' "$T/serve.log" | head -n 1)
check "the service keeps outputs in a private directory of its own (searchable, not listable: 0711; the run's 0700)" \
	eval '[ -n "$sdir" ] && [ "$(stat -c %a "$sdir")" = 711 ]'

# files: written into the run's input directory, read-only at /input.
files='[{"path": "data/a.csv", "content": "x,y\n1,2\n"}, {"path": "b.bin", "content": "AAH/", "encoding": "base64"}]'
req POST /v1/runs '{"files": '"$files"', "code": "import os\nprint(os.environ[\"CORDON_INPUT_DIR\"], open(\"/input/data/a.csv\").read().split(), list(open(\"/input/b.bin\", \"rb\").read()))\ntry:\n    open(\"/input/new\", \"w\")\nexcept OSError as e:\n    print(\"refused\", e.errno)"}'
check "files: text and base64 files are readable at /input in the run" \
	eval 'code_is 200 && jtrue "j[\"stdout\"].splitlines()[0] == \"/input [\x27x,y\x27, \x271,2\x27] [0, 1, 255]\""'
check "files: /input is read-only (EROFS)" jtrue 'j["stdout"].splitlines()[1] == "refused 30"'
nfiles() { ls "$sdir" >"$T/ls" && grep -c cordon-in "$T/ls"; }
check "files: the run's input directory is gone once it has ended" eval '[ "$(nfiles)" = 0 ]'
req POST /v1/runs '{"wait": false, "files": [{"path": "a", "content": "x"}], "code": "import time\ntime.sleep(1.5)"}'
wid=$(json_get 'j["id"]')
check "files: the input directory is kept while the run goes on" eval '[ "$(nfiles)" = 1 ]'
i=0
while req GET "/v1/runs/$wid" && ! jtrue 'j.get("status") == "ok"' 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "files: ... and removed when it ends" eval '[ "$(nfiles)" = 0 ]'
for bad in '"../x"' '"/etc/x"' '"a//b"' '"a/./b"' '"a\u0000b"' '""' '"d/../../x"' '"1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17"'; do
	req POST /v1/runs '{"files": [{"path": '"$bad"', "content": "x"}], "code": "print(1)"}'
	check "files: path $bad is refused (400, naming it)" eval 'code_is 400 && jtrue "\"files[0]: path\" in j[\"error\"]" && [ "$(nfiles)" = 0 ]'
done
req POST /v1/runs '{"files": [{"path": "a", "content": "x"}, {"path": "a", "content": "y"}], "code": "1"}'
check "files: a path given twice is refused (400) and nothing is left behind" eval 'code_is 400 && jtrue "\"twice\" in j[\"error\"]" && [ "$(nfiles)" = 0 ]'
req POST /v1/runs '{"files": [{"path": "a", "content": "x"}, {"path": "a/b", "content": "y"}], "code": "1"}'
check "files: a file that is also a directory of another's path: 400" eval 'code_is 400 && [ "$(nfiles)" = 0 ]'
req POST /v1/runs '{"files": [{"path": "a", "content": "%%%", "encoding": "base64"}], "code": "1"}'
check "files: content that is not base64: 400" eval 'code_is 400 && jtrue "\"base64\" in j[\"error\"]"'
req POST /v1/runs '{"files": [{"path": "a", "content": "x", "encoding": "latin-1"}], "code": "1"}'
check "files: an unknown encoding: 400" code_is 400
req POST /v1/runs '{"files": [{"path": "a", "content": "x", "mode": "0755"}], "code": "1"}'
check "files: an unknown key in an entry: 400" eval 'code_is 400 && jtrue "\"mode\" in j[\"error\"]"'
req POST /v1/runs '{"files": {"a": "x"}, "code": "1"}'
check "files: not a list: 400" code_is 400
big=$(python3 -c 'print("x" * 70000)')
req POST /v1/runs '{"files": [{"path": "big", "content": "'"$big"'"}], "code": "1"}'
check "files: more bytes than max_input_bytes: 413, nothing left behind" eval 'code_is 413 && jtrue "\"bytes\" in j[\"error\"]" && [ "$(nfiles)" = 0 ]'
many=$(python3 -c 'import json; print(json.dumps([{"path": "f%d" % i, "content": ""} for i in range(9)]))')
req POST /v1/runs '{"files": '"$many"', "code": "1"}'
check "files: more files than max_input_files: 413" eval 'code_is 413 && jtrue "\"files\" in j[\"error\"]"'
req POST /v1/checks '{"files": [], "code": "1"}'
check "files: not for a check (400)" code_is 400

# stream: true - the output as server-sent events while it runs, then the result.
sse='{"stream": true, "code": "import sys, time\nprint(\"one\", flush=True)\ntime.sleep(0.2)\nsys.stdout.buffer.write(b\"caf\\xc3\")\nsys.stdout.flush()\ntime.sleep(0.2)\nsys.stdout.buffer.write(b\"\\xa9 \\xff\\n\")\nsys.stdout.flush()\nprint(\"two\", file=sys.stderr)"}'
req POST /v1/runs "$sse"
check "stream: text/event-stream with the run's id" eval 'code_is 200 && hdr_has "^Content-Type: text/event-stream" && hdr_has "^X-Cordon-Run:"'
python3 - "$T/out" >"$T/events" <<'PY'
import json, sys
events, ev = [], None
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("event: "):
        ev = line[7:]
    elif line.startswith("data: "):
        events.append((ev, json.loads(line[6:])))
print(json.dumps(events))
PY
cp "$T/events" "$T/out"
check "stream: stdout events in order, a UTF-8 character split across writes kept whole, an invalid byte as U+FFFD" \
	jtrue '"".join(d for e, d in j if e == "stdout") == "one\ncaf\u00e9 \ufffd\n" and len([e for e, d in j if e == "stdout"]) >= 2'
check "stream: stderr events" jtrue '"".join(d for e, d in j if e == "stderr") == "two\n"'
check "stream: the last event is the result" jtrue 'j[-1][0] == "result" and j[-1][1]["status"] == "ok" and j[-1][1]["stderr"] == "two\n"'
req POST /v1/runs '{"stream": true, "wait": false, "code": "1"}'
check "stream with wait: false is refused" code_is 400

# SIGTERM with a request waiting: the run is cancelled and the caller answered.
curl -s -m 30 -o "$T/waiting" --unix-socket "$S" --data-binary '{"code": "import time\ntime.sleep(20)"}' \
	http://cordon/v1/runs &
cpid=$!
sleep 0.5
kill -TERM "$spid"
wait "$cpid"
cp "$T/waiting" "$T/out"
check "SIGTERM: a waiting caller gets its run's result (killed)" jtrue 'j["status"] == "killed"'
check "SIGTERM: the service ends and removes its socket" eval 'stop_service && [ ! -e "$S" ]'
check "... and its private directory with the runs' outputs" eval '[ ! -e "$sdir" ]'
start "$T/serve.yaml"

# ---- sessions: a Python interpreter whose variables live between cells ----
req POST /v1/sessions '{"policy": "default"}'
check "a session starts (201) once its interpreter is up" eval 'code_is 201 && jtrue "j[\"state\"] == \"ready\" and len(j[\"id\"]) == 32"'
sid=$(json_get 'j["id"]')
cell() { req POST "/v1/sessions/$sid/execute" "$1"; }
cell '{"code": "x = 41\nprint(\"set\")"}'
check "a cell runs: its output" eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\" and j[\"stdout\"] == \"set\\n\" and j[\"cell\"] == 1"'
cell '{"code": "y = x + 1\ny"}'
check "variables live on; a last expression's value comes back as its repr" \
	eval 'code_is 200 && jtrue "j[\"value\"] == \"42\" and j[\"stdout\"] == \"\""'
cell '{"code": "import socket\n"}'
check "a cell the policy's checks deny is never run: denied, with the finding" \
	eval 'code_is 200 && jtrue "j[\"status\"] == \"denied\" and j[\"findings\"][0][\"rule\"] == \"import-denied\""'
cell '{"code": "y"}'
check "... and the session is as it was" eval 'code_is 200 && jtrue "j[\"value\"] == \"42\""'
cell '{"code": "def f():\n    return 1 / 0\nf()"}'
check "an exception: status error, its type, the traceback on stderr (the cell's frames only)" \
	eval 'code_is 200 && jtrue "j[\"status\"] == \"error\" and j[\"error_type\"] == \"ZeroDivisionError\" and \"<cell 4>\" in j[\"stderr\"] and \"_cordon_session\" not in j[\"stderr\"]"'
cell '{"code": "print(\"AKIA\" + \"IOSFODNN7EXAMPL3\")"}'
check "a cell's output is redacted as a run's" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"[REDACTED:aws-access-key-id]\\n\""'
curl -s -m 30 -o "$T/slowcell" --unix-socket "$S" --data-binary '{"code": "import time\ntime.sleep(1.5)\n\"slept\""}' \
	"http://cordon/v1/sessions/$sid/execute" &
cpid=$!
sleep 0.5
cell '{"code": "1"}'
check "one cell at a time: another while one runs is 409" code_is 409
wait "$cpid"
cp "$T/slowcell" "$T/out"
check "... and the running one answers" jtrue "j['value'] == \"'slept'\""
req GET "/v1/sessions/$sid"
check "GET: the session's state and cell count" eval 'code_is 200 && jtrue "j[\"state\"] == \"running\" and j[\"cells\"] == 6"'
cell '{"code": "import sys\nsys.stdin.close()"}'
i=0
while [ $i -lt 50 ]; do
	req GET "/v1/sessions/$sid"
	jtrue '"state" not in j' && break
	sleep 0.1
	i=$((i + 1))
done
cell '{"code": "1"}'
check "when the interpreter is gone, the session has ended: 410" code_is 410
req GET "/v1/sessions/$sid"
check "... and GET gives the session's run result" eval 'code_is 200 && jtrue "j[\"policy\"] == \"default\" and \"status\" in j"'
sdir=$(sed -n 's/.*runs. outputs in \([^;"]*\).*/\1/p' "$T/serve.log" | head -n 1) # the restarted service's
req POST /v1/sessions '{"policy": "default", "files": [{"path": "s.txt", "content": "for the session"}]}'
sid=$(json_get 'j["id"]')
cell '{"code": "print(open(\"/input/s.txt\").read())"}'
check "files: a session's files are at /input in every cell" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"for the session\\n\""'
check "files: the session's input directory is there while it lives" eval '[ "$(nfiles)" = 1 ]'
req DELETE "/v1/sessions/$sid"
check "DELETE ends a session" code_is 202
sleep 0.3
cell '{"code": "1"}'
check "... after which a cell is 410" code_is 410
check "files: the session's input directory is gone once it has ended" eval '[ "$(nfiles)" = 0 ]'
req POST /v1/sessions '{"policy": "strict"}'
check "a policy whose guard refuses the session's interpreter: 422 saying why" \
	eval 'code_is 422 && jtrue "\"could not start\" in j[\"error\"] and \"-c\" in j[\"error\"]"'
req POST /v1/sessions '{"policy": "default", "colour": 1}'
check "a session request with an unknown key: 400" code_is 400
check "the service log records each cell with its session" grep -q "session $sid" "$T/service.log"

# ---- the Model Context Protocol over HTTP: POST /mcp ----
# mcp MESSAGE [CURL-ARGS...]
mcp() {
	_msg=$1
	shift
	code=$(curl -s -m 60 -o "$T/out" -D "$T/hdr" -w '%{http_code}' --unix-socket "$S" -X POST \
		-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' "$@" \
		--data-binary "$_msg" http://cordon/mcp)
}
mcp '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'
check "mcp: initialize answers with the protocol version and the tools capability" \
	eval 'code_is 200 && jtrue "j[\"id\"] == 1 and j[\"result\"][\"protocolVersion\"] == \"2025-06-18\" and \"tools\" in j[\"result\"][\"capabilities\"]"'
mcp '{"jsonrpc":"2.0","method":"notifications/initialized"}'
check "mcp: a notification is 202 with no body" eval 'code_is 202 && [ ! -s "$T/out" ]'
mcp '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
check "mcp: tools/list: execute_code (with outputs), check_code, list_policies, read_output_file" \
	eval 'code_is 200 && jtrue "[t[\"name\"] for t in j[\"result\"][\"tools\"]] == [\"execute_code\", \"check_code\", \"list_policies\", \"read_output_file\"] and \"outputs\" in j[\"result\"][\"tools\"][0][\"inputSchema\"][\"properties\"]"'
mcp '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","code":"print(6*7)"}}}'
check "mcp: execute_code runs (structuredContent is the result, with the caller)" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"isError\"] is False and j[\"result\"][\"structuredContent\"][\"stdout\"] == \"42\\n\" and j[\"result\"][\"structuredContent\"][\"caller\"] == \"owner\""'
mcp '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","policy":"strict","code":"import socket\n"}}}'
check "mcp: a denial is a tool error with the finding's line and the advice" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"isError\"] is True and \"line 1\" in j[\"result\"][\"content\"][0][\"text\"] and \"do not try to work around\" in j[\"result\"][\"content\"][0][\"text\"]"'
mcp '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","policy":"minimal","code":"print(1)"}}}'
check "mcp: a policy the service does not offer is a tool error, nothing runs" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"isError\"] is True and \"not one of this service\" in j[\"result\"][\"content\"][0][\"text\"]"'
mcp '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"list_policies","arguments":{}}}'
check "mcp: list_policies lists the service's policies, and defaults only among them" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"structuredContent\"] == {\"policies\": [\"default\", \"strict\"], \"defaults\": {\"python\": \"default\"}}"'
mcp '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"check_code","arguments":{"language":"python","policy":"strict","code":"import os\n"}}}'
check "mcp: check_code gives the verdict" eval 'code_is 200 && jtrue "j[\"result\"][\"structuredContent\"][\"verdict\"] == \"deny\""'
mcp 'not json'
check "mcp: a parse error is a JSON-RPC error" eval 'code_is 200 && jtrue "j[\"error\"][\"code\"] == -32700"'
mcp '{"jsonrpc":"2.0","id":30,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","outputs":true,"code":"open(\"/output/a.txt\", \"w\").write(\"hello\\n\")\nopen(\"/output/p.png\", \"wb\").write(bytes([137, 80, 78, 71, 13, 10, 26, 10]))\nopen(\"/output/b.bin\", \"wb\").write(bytes([0, 1, 2, 255]))"}}}'
check "mcp: execute_code with outputs: true lists the files and names the run" \
	eval 'code_is 200 && jtrue "len(j[\"result\"][\"structuredContent\"][\"run\"]) == 32 and \"a.txt (6 bytes)\" in j[\"result\"][\"content\"][0][\"text\"]"'
mrun=$(json_get 'j["result"]["structuredContent"]["run"]')
readout() { mcp "{\"jsonrpc\":\"2.0\",\"id\":31,\"method\":\"tools/call\",\"params\":{\"name\":\"read_output_file\",\"arguments\":{\"run\":\"$mrun\",\"path\":\"$1\"}}}"; }
readout a.txt
check "mcp: read_output_file gives a text file as text" eval 'code_is 200 && jtrue "j[\"result\"][\"content\"] == [{\"type\": \"text\", \"text\": \"hello\\n\"}]"'
readout p.png
check "mcp: ... an image as an image (base64, its MIME type)" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"content\"][0] == {\"type\": \"image\", \"data\": \"iVBORw0KGgo=\", \"mimeType\": \"image/png\"}"'
readout b.bin
check "mcp: ... anything else as a base64 blob resource" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"content\"][0][\"resource\"][\"blob\"] == \"AAEC/w==\""'
readout ../../etc/passwd
check "mcp: read_output_file refuses a path out of the run's directory" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"isError\"] is True and \"root:\" not in j[\"result\"][\"content\"][0][\"text\"]"'
mcp '{"jsonrpc":"2.0","id":20,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","code":"x = 20\nx * 2","session":"nb"}}}'
check "mcp: execute_code with a session starts it at the first call; a last expression's value" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"isError\"] is False and \"value: 40\" in j[\"result\"][\"content\"][0][\"text\"]"'
mcp '{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","code":"import socket","session":"nb"}}}'
check "mcp: a denied cell in a session: a tool error with the finding, the session as it was" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"isError\"] is True and \"import-denied\" in j[\"result\"][\"content\"][0][\"text\"] and \"as it was\" in j[\"result\"][\"content\"][0][\"text\"]"'
mcp '{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","code":"x + 1","session":"nb"}}}'
check "mcp: the same name reaches the same session (variables live on)" \
	eval 'code_is 200 && jtrue "\"value: 21\" in j[\"result\"][\"content\"][0][\"text\"] and j[\"result\"][\"structuredContent\"][\"cell\"] == 2"'
mcp '{"jsonrpc":"2.0","id":23,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","code":"x","session":"../nb"}}}'
check "mcp: a session name that is no name: a tool error" eval 'code_is 200 && jtrue "j[\"result\"][\"isError\"] is True and \"session: expected a name\" in j[\"result\"][\"content\"][0][\"text\"]"'
mcp '{"jsonrpc":"2.0","id":24,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","code":"1","session":"st","policy":"strict"}}}'
check "mcp: a session that cannot start under its policy: a tool error saying why" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"isError\"] is True and \"could not start\" in j[\"result\"][\"content\"][0][\"text\"]"'
mcp '{"jsonrpc":"2.0","id":40,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","code":"print(open(\"/input/d/f.txt\").read())","files":[{"path":"d/f.txt","content":"aGk=","encoding":"base64"}]}}}'
check "mcp: execute_code with files: read at /input" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"structuredContent\"][\"stdout\"] == \"hi\\n\""'
check "mcp: ... and its directory is gone after the run" eval '[ "$(nfiles)" = 0 ]'
mcp '{"jsonrpc":"2.0","id":41,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","code":"1","files":[{"path":"../f","content":"x"}]}}}'
check "mcp: execute_code with a file path out of /input: a tool error" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"isError\"] is True and \"files[0]: path\" in j[\"result\"][\"content\"][0][\"text\"]"'
mcp '{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","code":"open(\"/input/s.txt\").read()","session":"fs","files":[{"path":"s.txt","content":"session file"}]}}}'
check "mcp: a session's first call gives its files" \
	eval 'code_is 200 && jtrue "\"session file\" in j[\"result\"][\"content\"][0][\"text\"]"'
mcp '{"jsonrpc":"2.0","id":43,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","code":"1","session":"fs","files":[{"path":"t.txt","content":"late"}]}}}'
check "mcp: files on a later call of the session: a tool error" \
	eval 'code_is 200 && jtrue "j[\"result\"][\"isError\"] is True and \"first call\" in j[\"result\"][\"content\"][0][\"text\"]"'
mcp '{"jsonrpc":"2.0","id":8,"method":"ping"}' -H 'Origin: http://evil.example'
check "mcp: a request with an Origin header is refused (403)" code_is 403
mcp '{"jsonrpc":"2.0","id":9,"method":"ping"}' -H 'MCP-Protocol-Version: 1999-01-01'
check "mcp: an unknown MCP-Protocol-Version is 400" code_is 400
req GET /mcp
check "mcp: GET opens no event stream (405, Allow: POST)" eval 'code_is 405 && hdr_has "^Allow: POST"'

if is_root && command -v setpriv >/dev/null 2>&1; then
	chmod 0711 "$T" # the other user reaches the socket (mode 0666), nothing else
	# (the other user's curl writes to a descriptor this shell opened)
	setpriv --reuid=65534 --regid=65534 --clear-groups curl -s -m 10 -w '\n%{http_code}' \
		--unix-socket "$S" -X POST --data-binary '{"code": "1"}' http://cordon/v1/runs >"$T/raw"
	code=$(tail -n 1 "$T/raw")
	head -n 1 "$T/raw" >"$T/out"
	check "a uid that is not a caller: 403 naming it" eval 'code_is 403 && jtrue "\"uid 65534\" in j[\"error\"]"'
else
	skip "a uid that is not a caller (needs root to call as another user)"
fi
check "SIGTERM: the service ends and removes its socket" eval 'stop_service && [ ! -e "$S" ]'

# ---- callers: permissions, rate limits, tokens on TCP ----
port=$((20000 + $$ % 20000))
token=cordon-test-token-$$
sum=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
head -c 2000000 /dev/zero | tr '\0' x >"$T/big"
cat <<EOF | conf "$T/serve2.yaml"
listen: {unix: $S, tcp: "127.0.0.1:$port"}
max_request: 1M
workers: 2
policies: [default, strict]
callers:
  - name: me-limited
    uid: $me
    policies: [strict]
    runs_per_minute: 1
  - name: api-client
    token_sha256: $sum
    policies: ["*"]
    concurrency: 1
    admin: true
EOF
if start "$T/serve2.yaml"; then
	ok "the service starts with callers and a TCP port"
	req POST /v1/runs '{"policy": "default", "code": "print(1)"}'
	check "a policy the caller may not use: 403 naming the caller and serve.yaml's line" \
		eval 'code_is 403 && jtrue "\"me-limited\" in j[\"error\"] and \"line 6\" in j[\"error\"]"'
	tok() { # METHOD PATH: as api-client, over TCP
		code=$(curl -s -m 60 -o "$T/out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $token" \
			--data-binary '{}' "http://127.0.0.1:$port$2")
	}
	tok POST /v1/stop
	check "an admin caller by token stops the service" code_is 200
	req POST /v1/runs '{"code": "print(1)"}'
	check "while stopped: 503" code_is 503
	tok POST /v1/resume
	check "... and resumes it" code_is 200
	req POST /v1/runs '{"code": "print(1)"}'
	check "without a policy, the caller's first: strict, and its name in the result (the 503 cost no token)" \
		eval 'code_is 200 && jtrue "j[\"policy\"] == \"strict\" and j[\"caller\"] == \"me-limited\""'
	req POST /v1/runs '{"code": "print(1)"}'
	check "runs_per_minute: the second run in a minute is 429 with Retry-After" \
		eval 'code_is 429 && hdr_has "^Retry-After:" && jtrue "\"runs_per_minute\" in j[\"error\"]"'
	run stop --all --socket "$S"
	check "a caller that is not admin cannot stop the service" eval 'rc_is 1 && err_has "admin"'
	code=$(curl -s -m 10 -o "$T/out" -D "$T/hdr" -w '%{http_code}' "http://127.0.0.1:$port/v1/runs" -H 'Expect:' \
		--data-binary "@$T/big")
	check "TCP without a token and a body past max_request: 401 (the body read and dropped), nothing of it kept" code_is 401
	check "... and the connection ends with the answer (Connection: close)" grep -qi '^Connection: close' "$T/hdr"
	code=$(curl -s -m 10 -o "$T/out" -D "$T/hdr" -w '%{http_code}' "http://127.0.0.1:$port/v1/runs" \
		-H 'Expect: 100-continue' --data-binary "@$T/big")
	check "TCP without a token waiting for 100 Continue: 401, no body invited" \
		eval 'code_is 401 && ! grep -q " 100 " "$T/hdr"'
	code=$(curl -s -m 10 -o "$T/out" -w '%{http_code}' "http://127.0.0.1:$port/v1/runs" -H 'Expect:' \
		-H 'Content-Length: 100000000' --data-binary 'x=1&y')
	check "TCP without a token and a Content-Length far past max_request: 401 at once, the body never read" code_is 401
	code=$(curl -s -m 10 -o "$T/out" -w '%{http_code}' "http://127.0.0.1:$port/v1/runs" -H 'Expect:' \
		-H "Authorization: Bearer $token" --data-binary "@$T/big")
	check "a body past max_request (2 MB, 1M): read to its end and dropped, then 413" \
		eval 'code_is 413 && jtrue "\"larger than max_request\" in j[\"error\"]"'
	# a Content-Length past four times max_request: refused at once, the
	# body never read (the client sends 5 bytes and would wait for more)
	code=$(curl -s -m 10 -o "$T/out" -w '%{http_code}' "http://127.0.0.1:$port/v1/runs" -H 'Expect:' \
		-H "Authorization: Bearer $token" -H 'Content-Length: 100000000' --data-binary 'x=1&y')
	check "a Content-Length far past max_request: 413 at once" code_is 413
	tcp() {
		code=$(curl -s -m 60 -o "$T/out" -w '%{http_code}' "$@" "http://127.0.0.1:$port/v1/runs" \
			--data-binary '{"code": "print(2)"}')
	}
	tcp
	check "TCP without a token: 401" code_is 401
	tcp -H "Authorization: Bearer wrong-$token"
	check "TCP with a wrong token: 401" code_is 401
	tcp -H "Authorization: Bearer $token"
	check "TCP with the caller's token: the run, under its name" \
		eval 'code_is 200 && jtrue "j[\"stdout\"] == \"2\\n\" and j[\"caller\"] == \"api-client\""'
	check "and the service stops cleanly" stop_service
else
	if grep -q "Address already in use" "$T/serve.log"; then
		skip_n 12 "port $port is in use on this host"
	else
		not_ok "the service starts with callers and a TCP port"
		diag "$(cat "$T/serve.log")"
	fi
fi

# Idle sessions end; the number of sessions is bounded.
cat <<EOF | conf "$T/serve3.yaml"
listen: {unix: $S}
sessions: 1
session_idle: 1
policies: [default]
EOF
if start "$T/serve3.yaml"; then
	req POST /v1/sessions '{}'
	sid=$(json_get 'j["id"]')
	req POST /v1/sessions '{}'
	check "sessions: 1 - a second session is refused (503)" eval 'code_is 503 && jtrue "\"sessions\" in j[\"error\"]"'
	sleep 2.5
	req POST "/v1/sessions/$sid/execute" '{"code": "1"}'
	check "session_idle: an idle session has ended" code_is 410
	req POST /v1/sessions '{}'
	check "... and its place is free again" code_is 201
	stop_service
else
	not_ok "the service starts with sessions: 1"
	diag "$(cat "$T/serve.log")"
fi

# ---- spare workers: forked ahead with their checker started; each
# takes one run, its checker sees that run's source only ----
printf 'policies: [default]\nspare_workers: 65\n' | conf "$T/bad.yaml"
check "serve.yaml: spare_workers is bounded" bad "spare_workers: expected a whole number from 0 to 64"
mkdir -p "$T/pd"
write_policy "$T/pd/spare.yaml" <<EOF
isolation: none
interpreter: [/bin/sh]
stack:
  - module: $CORDON_TESTBIN/modules/cordon_tm_a.so
    with: {verdict: pid}
EOF
cat <<EOF | conf "$T/spare.yaml"
listen: {unix: $S, mode: "0666"}
workers: 2
spare_workers: 1
policy_dir: $T/pd
policies: [spare]
EOF
# children PID: the pids of PID's children, one a line.
children() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep .; }
# zygote_of: the service's zygote (the child named cordon-zygote, which
# forks the spares); workers: the service's other children, one a line.
zygote_of() {
	for _z in $(children "$spid"); do
		[ "$(cat /proc/"$_z"/comm 2>/dev/null)" = cordon-zygote ] && echo "$_z"
	done
}
workers() {
	for _w in $(children "$spid"); do
		[ "$(cat /proc/"$_w"/comm 2>/dev/null)" = cordon-zygote ] || echo "$_w"
	done
}
# spare_checker: once the service has exactly one child (the spare) and
# that child one (its checker): "SPARE CHECKER"; empty after 10 s.
spare_checker() {
	_i=0
	while [ $_i -lt 200 ]; do
		_sp=$(workers)
		if [ "$(printf '%s\n' "$_sp" | grep -c .)" = 1 ]; then
			_ck=$(children "$_sp")
			if [ "$(printf '%s\n' "$_ck" | grep -c .)" = 1 ]; then
				echo "$_sp $_ck"
				return 0
			fi
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
}
# zombie PID: wait (5 s) until PID has died (its parent has not reaped it).
zombie() {
	_i=0
	while [ $_i -lt 100 ]; do
		case $(sed 's/.*) //' /proc/"$1"/stat 2>/dev/null) in Z*) return 0 ;; esac
		[ -e /proc/"$1" ] || return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
# no_zombies: wait (5 s) until no child of the service is a zombie.
no_zombies() {
	_i=0
	while [ $_i -lt 100 ]; do
		_z=0
		for _c in $(workers); do
			case $(sed 's/.*) //' /proc/"$_c"/stat 2>/dev/null) in Z*) _z=1 ;; esac
		done
		[ $_z = 0 ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
# descendant_running ROOT "CMD ARGS": the pid of a process under ROOT
# whose command line is exactly that, or nothing.
descendant_running() {
	for _c in $(children "$1"); do
		[ "$(tr '\0' ' ' </proc/"$_c"/cmdline 2>/dev/null)" = "$2 " ] && { echo "$_c"; return 0; }
		_d=$(descendant_running "$_c" "$2")
		[ -n "$_d" ] && { echo "$_d"; return 0; }
	done
	return 0
}
# child_of_service PID: PID's ancestor that is a child of the service.
child_of_service() {
	_p=$1
	while [ -n "$_p" ] && [ "$_p" -gt 1 ]; do
		_pp=$(sed 's/.*) [A-Za-z] \([0-9]*\).*/\1/' /proc/"$_p"/stat 2>/dev/null)
		[ "$_pp" = "$spid" ] && { echo "$_p"; return 0; }
		_p=$_pp
	done
}
# spare_bare: once the service has exactly one child (the spare), that
# child has none (no checker) and still has none half a second later.
spare_bare() {
	_i=0
	while [ $_i -lt 200 ]; do
		_sp=$(workers)
		if [ "$(printf '%s\n' "$_sp" | grep -c .)" = 1 ]; then
			sleep 0.5
			[ "$(workers)" = "$_sp" ] && [ -z "$(children "$_sp")" ] && return 0
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
run_pid() { # the checker pid the run's finding reports
	json_get '[f["message"] for f in j["findings"] if f["rule"] == "pid"][0]'
}
if start "$T/spare.yaml"; then
	set -- $(spare_checker)
	sp1=${1:-} ck1=${2:-}
	check "spare workers: one is forked ahead, its checker started" test -n "$ck1"
	req POST /v1/runs '{"code": "echo spare"}'
	check "spare workers: a run is ok" eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\" and j[\"stdout\"] == \"spare\\n\""'
	pid1=$(run_pid)
	check "spare workers: its source was checked by the spare's checker, started ahead" test "$pid1" = "$ck1"
	check "... which had checked only its warm-up source before (its findings dropped)" \
		jtrue '[f["message"] for f in j["findings"] if f["rule"] == "seen"] == ["before: <warm-up>"] and len(j["findings"]) == 2'

	check "spare workers: that checker is gone after the run" test ! -e "/proc/$ck1"
	set -- $(spare_checker)
	sp2=${1:-} ck2=${2:-}
	check "spare workers: a new spare is forked for the next run" eval '[ -n "$sp2" ] && [ "$sp2" != "$sp1" ] && [ "$ck2" != "$ck1" ]'
	req POST /v1/runs '{"code": "echo again"}'
	pid2=$(run_pid)
	check "spare workers: the next run's checker is another process" eval '[ "$pid2" = "$ck2" ] && [ "$pid2" != "$pid1" ]'
	# A check (POST /v1/checks) goes to a spare too: its checker, started
	# ahead and warmed up, checks the code (cordon_check_with).
	set -- $(spare_checker)
	spc=${2:-}
	req POST /v1/checks '{"code": "echo checked"}'
	check "spare workers: a check is checked in a spare's checker, started ahead" \
		eval 'code_is 200 && jtrue "j[\"verdict\"] == \"pass\"" && [ -n "$spc" ] && [ "$(run_pid)" = "$spc" ]'
	check "... which had checked only its warm-up source before" \
		jtrue '[f["message"] for f in j["findings"] if f["rule"] == "seen"] == ["before: <warm-up>"]'
	set -- $(spare_checker)
	sp3=${1:-} ck3=${2:-}
	kill -KILL "$ck3" 2>/dev/null
	check "spare workers: a spare's checker is killed while it waits" zombie "$ck3"
	req POST /v1/runs '{"code": "echo after"}'
	check "... the run is still ok" eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\" and j[\"stdout\"] == \"after\\n\""'
	pid3=$(run_pid)
	check "... its source was checked by a fresh checker" eval '[ -n "$pid3" ] && [ "$pid3" != "$ck3" ]'
	check "... and the result says so" jtrue 'any("had ended before it was used" in w for w in j.get("warnings", []))'
	set -- $(spare_checker)
	sp4=${1:-}
	kill -KILL "$sp4" 2>/dev/null
	check "spare workers: a spare is killed while it waits" zombie "$sp4"
	# Found dead by the loop (reaped, replaced) or when the run came: a
	# worker that is not it takes the run either way.
	req POST /v1/runs '{"code": "echo fresh"}'
	check "... the run gets another worker and is ok" \
		eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\" and j[\"stdout\"] == \"fresh\\n\""'
	# A worker answers at its result's end and is reaped later: none is
	# left a zombie.
	check "workers whose results were read are reaped (no zombie child of the service)" no_zombies
	# A worker killed before its result: the answer is an error naming
	# the signal, given when the worker is reaped.
	req POST /v1/runs '{"code": "exec sleep 29.5", "wait": false}'
	wk=$(json_get 'j["id"]')
	wpid= sl=
	i=0
	while [ $i -lt 100 ] && [ -z "$wpid" ]; do
		sl=$(descendant_running "$spid" "sleep 29.5")
		[ -n "$sl" ] && wpid=$(child_of_service "$sl")
		[ -n "$wpid" ] || sleep 0.05
		i=$((i + 1))
	done
	[ -n "$wpid" ] && kill -KILL "$wpid"
	i=0
	while [ $i -lt 100 ]; do
		req GET "/v1/runs/$wk"
		jtrue '"error" in j or "status" in j' && break
		sleep 0.1
		i=$((i + 1))
	done
	check "a worker killed before its result: 500, the error names the signal" \
		eval '[ -n "$wpid" ] && code_is 500 && jtrue "\"ended without a result (signal 9\" in j[\"error\"]"'
	[ -n "$sl" ] && kill -KILL "$sl" 2>/dev/null
	# After a run without a source (argv), the spares forked next start
	# no checker; a run with a source then starts its own, quietly.
	req POST /v1/runs '{"argv": ["/bin/echo", "bare"]}'
	check "spare workers: an argv run is ok" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"bare\\n\""'
	check "spare workers: after an argv run, the next spare starts no checker" spare_bare
	req POST /v1/runs '{"code": "echo sourced"}'
	check "... a run with a source then checks it in a checker of its own, without a warning" \
		eval 'code_is 200 && jtrue "j[\"stdout\"] == \"sourced\\n\" and not j.get(\"warnings\")" && [ -n "$(run_pid)" ]'
	check "... (a checker started on the run's path checks no warm-up source)" \
		jtrue '[f["message"] for f in j["findings"] if f["rule"] == "seen"] == ["before: "]'
	set -- $(spare_checker)
	check "... and the spares forked after it start their checker again" test -n "${2:-}"
	req GET /metrics
	check "metrics: spares used and discarded" eval \
		'grep -Eq "^cordon_spare_workers_used_total [4-9]$" "$T/out" && grep -q "^cordon_spare_workers_discarded_total 1$" "$T/out"'
	stop_service
	check "spare workers: none is left when the service ends" eval '! kill -0 "$sp4" 2>/dev/null && [ -z "$(children "$spid")" ]'
else
	not_ok "the service starts with spare workers"
	diag "$(cat "$T/serve.log")"
fi

# ---- spare workers fit the job: a command takes a spare without a
# checker, a source one with its checker started, while the pool has
# both kinds ----
cat <<EOF | conf "$T/spare2.yaml"
listen: {unix: $S, mode: "0666"}
workers: 2
spare_workers: 2
policy_dir: $T/pd
policies: [spare]
EOF
# spares_mixed: once the service has exactly two children, one of them
# without a child for half a second (a spare without a checker) and the
# other with exactly one (its checker): "BARE SPARE CHECKER"; empty after
# 10 s.
spares_mixed() {
	_i=0
	while [ $_i -lt 200 ]; do
		_b= _c= _k=
		_sp=$(workers)
		if [ "$(printf '%s\n' "$_sp" | grep -c .)" = 2 ]; then
			for _p in $_sp; do
				_ch=$(children "$_p")
				case $(printf '%s\n' "$_ch" | grep -c .) in
				0) _b=$_p ;;
				1) _c=$_p _k=$_ch ;;
				esac
			done
			if [ -n "$_b" ] && [ -n "$_c" ]; then
				sleep 0.5
				if [ "$(workers | sort)" = "$(printf '%s\n' $_sp | sort)" ] && [ -z "$(children "$_b")" ]; then
					echo "$_b $_c $_k"
					return 0
				fi
			fi
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
}
if start "$T/spare2.yaml"; then
	# Both spares forked at the start have a checker; a command takes
	# one (there is no other kind yet), and the spare forked after it
	# starts none.
	req POST /v1/runs '{"argv": ["/bin/echo", "one"]}'
	check "spares that fit: a command is ok" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"one\\n\""'
	set -- $(spares_mixed)
	bare=${1:-} withck=${2:-} ck=${3:-}
	check "spares that fit: after a command the pool has a spare without a checker and one with" test -n "$ck"
	req POST /v1/runs '{"argv": ["/bin/echo", "two"]}'
	check "spares that fit: the next command is ok" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"two\\n\""'
	check "... it took the spare without a checker: the one with its checker still waits" \
		eval '[ -n "$ck" ] && [ "$(child_of_service "$ck")" = "$withck" ]'
	req POST /v1/runs '{"code": "echo three"}'
	check "spares that fit: a run with a source is ok" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"three\\n\""'
	check "... its source was checked by that waiting spare's checker" eval '[ -n "$ck" ] && [ "$(run_pid)" = "$ck" ]'
	stop_service
else
	not_ok "the service starts with two spare workers"
	diag "$(cat "$T/serve.log")"
fi

# ---- the zygote: a copy of the service made before the first request
# forks the spares, as children of the service; a spare holds nothing of
# any caller; if the zygote ends, the service forks its spares itself ----
# mem_has PID TEXT: "found" when TEXT is in PID's readable memory,
# "clean" when it is not, "unreadable" when no mapping could be read.
# Mappings over 1 GiB are passed over (a sanitizer's shadow memory:
# terabytes reserved, never a caller's data); the rest is read in 1 MiB
# pieces that overlap by the text's length.
mem_has() {
	python3 - "$1" "$2" <<'EOF'
import sys
pid, text = sys.argv[1], sys.argv[2].encode()
found, read = False, 0
try:
    maps = open("/proc/%s/maps" % pid).read().splitlines()
except OSError:
    maps = []
try:
    mem = open("/proc/%s/mem" % pid, "rb", 0)
except OSError:
    mem = None
for line in maps if mem else []:
    f = line.split()
    a, b = (int(x, 16) for x in f[0].split("-"))
    if "r" not in f[1] or b - a > 1 << 30:
        continue
    tail, ok = b"", False
    for at in range(a, b, 1 << 20):
        try:
            mem.seek(at)
            d = mem.read(min(1 << 20, b - at))
        except (OSError, OverflowError, ValueError):
            break
        ok = True
        found = found or text in tail + d
        tail = d[-len(text):]
    read += ok
print("found" if found else "clean" if read else "unreadable")
EOF
}
if start "$T/spare.yaml"; then
	set -- $(spare_checker)
	sp1=${1:-}
	zyg=$(zygote_of)
	check "the zygote: one, beside the spare, which is the service's child, not the zygote's" \
		eval '[ -n "$sp1" ] && [ "$(printf "%s\n" "$zyg" | grep -c .)" = 1 ] && [ -z "$(children "$zyg")" ]'
	marker="zz-$(od -An -N6 -tu2 /dev/urandom | tr -d ' \n')"
	req POST /v1/runs "{\"code\": \"echo $marker\"}"
	check "the zygote: a run through its spare is ok" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"$marker\\n\""'
	set -- $(spare_checker)
	sp2=${1:-}
	held=$( [ -n "$sp2" ] && mem_has "$sp2" "$marker")
	if [ "$held" = unreadable ] || [ -z "$sp2" ]; then
		skip "the zygote: a spare forked after a run holds none of it (its memory cannot be read here${sp2:+: $held})"
	else
		check "the zygote: a spare forked after a run holds none of that run (code, output, result)" test "$held" = clean
		check "... while the service itself still holds it (the probe finds it where it is)" \
			test "$(mem_has "$spid" "$marker")" = found
	fi
	kill -KILL "$zyg" 2>/dev/null
	i=0
	while [ $i -lt 100 ] && [ -e "/proc/$zyg" ]; do
		sleep 0.05
		i=$((i + 1))
	done
	check "the zygote: killed, it is reaped by the service (no zombie left)" test ! -e "/proc/$zyg"
	req POST /v1/runs '{"code": "echo on"}'
	check "... runs still go on" eval 'code_is 200 && jtrue "j[\"stdout\"] == \"on\\n\""'
	set -- $(spare_checker)
	check "... the service forks its spares itself" test -n "${2:-}"
	check "... and its log says so" grep -q "the zygote that forks spare workers ended" "$T/serve.log"
	stop_service
	check "the zygote: nothing of the service is left when it ends" test -z "$(children "$spid")"
else
	not_ok "the service starts with a zygote"
	diag "$(cat "$T/serve.log")"
fi

# ---- each session's cells are checked in a checker of the session's
# own (never the service's one for every session of the policy) ----
write_policy "$T/pd/cellpid.yaml" <<EOF
isolation: none
interpreter: [/usr/bin/python3, -I]
stack:
  - module: $CORDON_TESTBIN/modules/cordon_tm_a.so
    with: {verdict: pid}
EOF
cat <<EOF | conf "$T/cellpid.yaml"
listen: {unix: $S, mode: "0666"}
workers: 2
spare_workers: 0
policy_dir: $T/pd
policies: [cellpid]
EOF
cellpid() { json_get '([f["message"] for f in j.get("findings", []) if f["rule"] == "pid"] + [""])[0]'; }
if start "$T/cellpid.yaml"; then
	req POST /v1/sessions '{"policy": "cellpid"}'
	s1=$(json_get 'j["id"]')
	req POST /v1/sessions '{"policy": "cellpid"}'
	s2=$(json_get 'j["id"]')
	req POST "/v1/sessions/$s1/execute" '{"code": "1"}'
	a1=$(cellpid)
	req POST "/v1/sessions/$s2/execute" '{"code": "2"}'
	b1=$(cellpid)
	req POST "/v1/sessions/$s1/execute" '{"code": "3"}'
	a2=$(cellpid)
	check "sessions: each session's cells are checked in a checker of its own ($a1, $b1)" \
		eval '[ -n "$a1" ] && [ -n "$b1" ] && [ "$a1" != "$b1" ] && [ "$a1" = "$a2" ]'
	req DELETE "/v1/sessions/$s1"
	check "... which ends with its session" zombie "$a1"
	req POST "/v1/sessions/$s2/execute" '{"code": "4"}'
	check "... while the other session's goes on" eval '[ "$(cellpid)" = "$b1" ]'
	stop_service
else
	not_ok "the service starts with a session policy"
	diag "$(cat "$T/serve.log")"
fi

# systemd socket activation: the socket comes as fd 3 (LISTEN_PID,
# LISTEN_FDS) and stays when the service ends (systemd owns it).
printf 'policies: [default]\n' | conf "$T/sa.yaml"
python3 - "$T/sa.sock" "$SERVE" "$T/sa.yaml" <<'PY' >"$T/sa.log" 2>&1 &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDS"] = "1"
os.execv(sys.argv[2], [sys.argv[2], "serve", "-c", sys.argv[3], "--socket", "/nonexistent/unused.sock"])
PY
sapid=$!
i=0
code=000
while [ $i -lt 100 ]; do
	code=$(curl -s -m 5 -o "$T/out" -w '%{http_code}' --unix-socket "$T/sa.sock" http://cordon/v1/health)
	[ "$code" = 200 ] && break
	sleep 0.05
	i=$((i + 1))
done
check "socket activation: the service answers on the socket it was given" code_is 200
kill -TERM "$sapid"
wait "$sapid"
check "socket activation: the socket stays when the service ends (it is systemd's)" test -S "$T/sa.sock"

# The example serve.yaml in contrib/systemd is one the service accepts
# (its socket and group made this test's own).
if getent passwd www-data >/dev/null 2>&1; then
	sed -e "s|/run/cordon/serve.sock|$S|; s|group: cordon|group: $(id -gn)|; s|/var/log/cordon/serve.log|$T/ex.log|" \
		"$CORDON_SRCDIR/contrib/systemd/serve.yaml" | conf "$T/example.yaml"
	if start "$T/example.yaml"; then
		req GET /v1/health
		check "contrib/systemd/serve.yaml: the service starts with it" eval 'code_is 200'
		stop_service
	else
		not_ok "contrib/systemd/serve.yaml: the service starts with it"
		diag "$(cat "$T/serve.log")"
	fi
else
	skip "contrib/systemd/serve.yaml names www-data, which this host does not have"
fi

done_testing
