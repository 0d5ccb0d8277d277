#!/bin/sh
# tests/serve-cellaudit.t - every session cell is a record in the policy's
# audit log, as a run would be (cordon_policy_event, the incident_log
# module's event hook): with all_runs every cell, denied ones as
# incidents, each naming the session, the cell, the caller and the cell's
# sha256; the chain still verifies.
. "$(dirname "$0")/lib.sh"
need_serve
S="$T/serve.sock"
chmod 755 "$T"
mkdir "$T/pol"
write_policy "$T/pol/audited.yaml" <<POLICY
interpreter: [/usr/bin/python3, -I, -B]
stack:
  - module: pyimport
    with: {mode: denylist, deny: [socket]}
  - module: rlimit
    with: {wall: 30s}
  - module: incident_log
    with: {path: $T/audit.jsonl, all_runs: true}
POLICY
printf 'listen: {unix: %s}\npolicy_dir: %s\npolicies: [audited]\nlog: %s/serve.log\n' "$S" "$T/pol" "$T" >"$T/serve.yaml"
chmod 0644 "$T/serve.yaml"
serve_up "$T/serve.yaml"

req POST /v1/sessions '{"policy": "audited"}'
check "a session starts" eval 'code_is 201'
sid=$(json_get 'j["id"]')
req POST "/v1/sessions/$sid/execute" '{"code": "x = 41"}'
check "cell 1 runs" eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\""'
req POST "/v1/sessions/$sid/execute" '{"code": "import socket\n"}'
check "the next cell is denied" eval 'code_is 200 && jtrue "j[\"status\"] == \"denied\""'
req POST "/v1/sessions/$sid/execute" '{"code": "1 / 0"}'
check "cell 2 (the denied one never ran) fails" eval 'code_is 200 && jtrue "j[\"status\"] == \"error\" and j[\"cell\"] == 2"'

cells() {
	python3 - "$T/audit.jsonl" "$sid" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cells = [(r.get("cell"), r["status"], r.get("caller"), "denied" in r.get("kinds", []),
          [f.get("rule") for f in r.get("findings", [])]) for r in recs
         if r.get("event") == "session-cell" and r.get("session") == sys.argv[2]]
print(json.dumps(cells))
PY
}
check "each cell is an audit record: the session, the cell, its status, the caller" \
	eval '[ "$(cells)" = "[[1, \"ok\", \"owner\", false, []], [2, \"denied\", \"owner\", true, [\"import-denied\"]], [2, \"error\", \"owner\", false, []]]" ]'
check "... with the sha256 of the cell's code" python3 -c "
import json, hashlib, sys
recs = [json.loads(l) for l in open('$T/audit.jsonl') if l.strip()]
c = [r for r in recs if r.get('event') == 'session-cell' and r.get('cell') == 1]
sys.exit(0 if c and c[0].get('sha256') == hashlib.sha256(b'x = 41').hexdigest() else 1)"
check "the log's chain verifies" "$CORDON" log verify "$T/audit.jsonl"
done_testing
