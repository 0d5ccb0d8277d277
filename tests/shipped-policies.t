#!/bin/sh
# tests/shipped-policies.t - policies.d/default.yaml and strict.yaml do what
# their comments promise: the static checks deny, the isolation holds, the
# output is redacted and the audit log records, with every shipped module
# stacked together.
. "$(dirname "$0")/lib.sh"

if [ ! -x /usr/bin/python3 ]; then
	skip "python3 is not installed: the shipped policies run Python"
	done_testing
	exit 0
fi

log="$LOGS_DIRECTORY/incidents.jsonl"

# ---- default ----
run run --json "$CORDON_SRCDIR/contrib/examples/untrusted.py"
check "default: the example script runs (ok)" jtrue 'j["status"] == "ok" and "mean 4 median 4" in j["stdout"]'
check "default: it runs as uid 65534 and sees two processes" jtrue '"uid: 65534 | processes it can see: 2" in j["stdout"]'
check "default: every module of the stack took part" \
	jtrue '[m["name"] for m in j["modules"]] == ["pyimport", "pattern_scan", "rlimit", "namespaces", "caps", "seccomp", "redact", "incident_log"]'

printf 'import subprocess\nsubprocess.run(["id"])\n' >"$T/sub.py"
run run --json "$T/sub.py"
check "default: import subprocess is denied before anything runs (126)" \
	jtrue 'j["status"] == "denied" and any(f["rule"] == "import-denied" for f in j["findings"])'
check "default: denied exits 126" rc_is 126

printf 'e = eval\nprint(e("6*7"))\n' >"$T/alias.py"
run run --json "$T/alias.py"
check "default: an alias of eval is denied" jtrue 'j["status"] == "denied" and any(f["rule"] == "banned-builtin" for f in j["findings"])'

printf 'print("key AKIA" + "Q3EGRIB7AVZKX2DN" + " end")\n' >"$T/key.py"
run run --json "$T/key.py"
check "default: an AWS key id in the output is redacted" \
	jtrue '"AKIAQ3EGRIB7AVZKX2DN" not in j["stdout"] and "[REDACTED:aws-access-key-id]" in j["stdout"] and j["redactions"][0]["rule"] == "aws-access-key-id"'

run exec --json -p default -- unshare -r true
check "default: a denied system call is reported by name (seccomp)" \
	jtrue 'any(f["module"] == "seccomp" and "unshare(" in f["message"] for f in j["findings"])'

check "default: incidents reach the audit log" test -s "$log"
check "default: the log records the denial, the redaction and the seccomp denial" \
	sh -c "grep -q '\"denied\"' '$log' && grep -q '\"redaction\"' '$log' && grep -q '\"seccomp\"' '$log'"
run log verify "$log"
check "default: the audit log verifies" eval 'rc_is 0 && out_has "OK: "'

# ---- strict ----
printf 'import math, statistics\nprint(round(math.sqrt(2), 3), statistics.mean([1, 2, 3]))\n' >"$T/pure.py"
run run --json -p strict "$T/pure.py"
check "strict: pure computation runs" jtrue 'j["status"] == "ok" and j["stdout"] == "1.414 2\n"'
n_before=$(wc -l <"$log")

printf 'import os\nprint(os.getcwd())\n' >"$T/os.py"
run run --json -p strict "$T/os.py"
check "strict: an import outside the allowlist is denied" \
	jtrue 'j["status"] == "denied" and any(f["rule"] == "import-denied" and "os" in f["message"] for f in j["findings"])'

printf 'import random\nprint(random._os.getcwd())\n' >"$T/handover.py"
run run --json -p strict "$T/handover.py"
check "strict: a denied module reached through an allowed one is denied" jtrue 'j["status"] == "denied"'

run run --json -p strict "$T/pure.py"
n_after=$(wc -l <"$log")
check "strict: every run is logged, not only incidents" test "$n_after" -ge $((n_before + 2))
run log verify "$log"
check "strict: the audit log still verifies" rc_is 0

done_testing
