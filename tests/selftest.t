#!/bin/sh
# tests/selftest.t - `cordon selftest`: the probes, what the policy
# requires, the table, --json and the exit status.
. "$(dirname "$0")/lib.sh"

chmod 755 "$T"

# jc PYEXPR: evaluate over the JSON in $T/out as j, its checks by name as c.
jc() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); c={k["name"]: k for k in j["checks"]}; print(eval(sys.argv[2]))' "$T/out" "$1"
}
jc_is() { [ "$(jc "$1")" = "$2" ]; }

# ---- the default policy holds on this host ----
run selftest
check "default: exit 0" rc_is 0
check "default: the table says every required check holds" out_has "cordon selftest: ok: all"
check "default: no required check fails" sh -c "! grep -q '^  FAIL' '$T/out'"
for name in "network: only loopback" "network: host TCP listener unreachable" \
	"network: host abstract unix socket unreachable" "filesystem: root read-only" \
	"processes: host processes invisible" "capabilities: none effective or permitted" \
	"capabilities: bounding set empty" "no_new_privs" "seccomp: filter active" "limit: cpu" \
	"limit: memory" "limit: open_files" "limit: file_size" "redaction: a fake cloud key in the output"; do
	check "default: '$name' required and passes" grep -q "^  pass    required      $name " "$T/out"
done
check "default: pattern_scan listed as not probed" grep -q "skipped not required  module pattern_scan " "$T/out"

run selftest --json
check "--json: exit 0" rc_is 0
check "--json: one object with policy, mode, ok, checks" jc_is 'sorted(j)' "['checks', 'mode', 'ok', 'policy']"
check "--json: policy name" jc_is 'j["policy"]' default
check "--json: ok" jc_is 'j["ok"]' True
check "--json: each check has name, required, result, detail" \
	jc_is 'all(sorted(k)==["detail","name","required","result"] and isinstance(k["required"],bool) and k["result"] in ("pass","fail","skipped") and isinstance(k["detail"],str) for k in j["checks"])' True
check "--json: the foreign ABIs" jc_is '[c[n]["required"] for n in ("seccomp: i386 ABI blocked", "seccomp: x32 ABI blocked")]' "[True, True]"
check "--json: foreign ABI calls did not go through" \
	jc_is 'all("went through" not in c[n]["detail"] for n in ("seccomp: i386 ABI blocked", "seccomp: x32 ABI blocked"))' True
check "--json: the probe saw only its own processes" jc_is 'int(c["processes: host processes invisible"]["detail"].split("; ")[1].split()[0]) <= 4' True
check "--json: redaction counted" jc_is '"1 redaction" in c["redaction: a fake cloud key in the output"]["detail"]' True

# ---- a policy with only rlimit: isolation not required, the probes show it ----
write_policy "$T/rl.yaml" <<'P'
isolation: none
name: rl
stack:
  - module: rlimit
    with: {cpu: 3s, memory: 1G, open_files: 100, file_size: 1M}
P
run selftest -p "$T/rl.yaml"
check "rlimit only: exit 0" rc_is 0
check "rlimit only: network not required" grep -q "not required  network: only loopback " "$T/out"
check "rlimit only: root not required" grep -q "not required  filesystem: root read-only " "$T/out"
check "rlimit only: pids not required" grep -q "not required  processes: host processes invisible " "$T/out"
check "rlimit only: capabilities not required" grep -q "not required  capabilities: none effective or permitted " "$T/out"
check "rlimit only: seccomp not required" grep -q "not required  seccomp: filter active " "$T/out"
check "rlimit only: redaction not required" grep -q "not required  redaction: a fake cloud key in the output " "$T/out"
check "rlimit only: limits required and pass" grep -q "^  pass    required      limit: open_files .*EMFILE" "$T/out"
check "rlimit only: no_new_privs still required (the core sets it)" grep -q "^  pass    required      no_new_privs " "$T/out"
run selftest -p "$T/rl.yaml" --json
# The same probes that pass under default fail here: they can fail.
check "rlimit only: the host TCP listener is reachable" jc_is 'c["network: host TCP listener unreachable"]["result"]' fail
check "rlimit only: the host abstract socket is reachable" jc_is 'c["network: host abstract unix socket unreachable"]["result"]' fail
check "rlimit only: cordon's pid visible" jc_is 'c["processes: host processes invisible"]["result"]' fail
check "rlimit only: no seccomp filter" jc_is 'c["seccomp: filter active"]["result"]' fail
check "rlimit only: the key is not redacted" jc_is 'c["redaction: a fake cloud key in the output"]["result"]' fail
check "rlimit only: ok" jc_is 'j["ok"]' True

# ---- a stack without an isolation backend, not on purpose: a required FAIL ----
write_policy "$T/nobe.yaml" <<'P'
name: nobe
stack:
  - module: rlimit
    with: {cpu: 3s}
P
run selftest -p "$T/nobe.yaml"
check "no isolation backend (not isolation: none): exit 1" rc_is 1
check "... a required FAIL naming the fix" sh -c 'grep -E "FAIL +required +isolation backend" "$1" | grep -q "isolation: none"' sh "$T/out"

# ---- a required property that does not hold: exit 1 ----
# A redactor whose replacement is the fake key itself: the key stays in the output.
write_policy "$T/leak.yaml" <<'P'
isolation: none
name: leak
stack:
  - module: redact
    with: {replacement: AKIAIOSFODNN7SELFTEST}
P
run selftest -p "$T/leak.yaml"
check "leaking redactor: exit 1" rc_is 1
check "leaking redactor: FAIL line" grep -q "^  FAIL    required      redaction: a fake cloud key in the output " "$T/out"
check "leaking redactor: summary" out_has "cordon selftest: FAILED: 1 of 2 required checks do not hold"
run selftest -p "$T/leak.yaml" --json
check "leaking redactor: --json exit 1" rc_is 1
check "leaking redactor: --json ok false" jc_is 'j["ok"]' False

if is_root; then
	# RLIMIT_NPROC does not apply to host root: without namespaces it does not hold.
	write_policy "$T/nproc.yaml" <<'P'
name: nproc
stack:
  - module: rlimit
    with: {processes: 50}
P
	run selftest -p "$T/nproc.yaml"
	check "processes limit as host root: exit 1" rc_is 1
	check "processes limit as host root: says why" out_has "RLIMIT_NPROC does not apply"
else
	skip "processes limit as host root: exit 1 (root only)"
	skip "processes limit as host root: says why (root only)"
fi

# ---- namespaces with the host network: network lines not required ----
write_policy "$T/hostnet.yaml" <<'P'
name: hostnet
stack:
  - module: namespaces
    with: {network: host}
P
run selftest -p "$T/hostnet.yaml" --json
check "network: host: exit 0" rc_is 0
check "network: host: network not required" jc_is 'c["network: only loopback"]["required"]' False
check "network: host: root still required" jc_is 'c["filesystem: root read-only"]["required"]' True
check "network: host: the host's abstract socket is reachable" jc_is 'c["network: host abstract unix socket unreachable"]["result"]' fail

# ---- audit mode: seccomp reports foreign-ABI calls instead of blocking ----
write_policy "$T/aud.yaml" <<'EOF2'
mode: audit
include: [default]
EOF2
run selftest -p "$T/aud.yaml" --json
check "audit mode: exit 0 (what the policy asks for holds)" rc_is 0
check "audit mode: --json says mode audit" jc_is 'j["mode"]' audit
check "audit mode: foreign ABIs not required to be blocked" \
	jc_is '(c["seccomp: i386 ABI blocked"]["required"], c["seccomp: x32 ABI blocked"]["required"])' "(False, False)"
check "audit mode: the filter itself is still required" jc_is 'c["seccomp: filter active"]["required"]' True
run selftest -p "$T/aud.yaml"
check "audit mode: the table's heading says so" out_has "audit mode: checks and seccomp report, they do not deny"

# ---- requirements come from the modules (ABI 1.5), not from the command ----
# A module selftest has never heard of promises a property: it is probed,
# and here it does not hold (no isolation backend, on purpose).
write_policy "$T/req.yaml" <<'P'
isolation: none
name: req
stack:
  - module: reqmod
    with: {require: [processes.host_invisible, "limit.open_files=100"]}
P
run selftest -p "$T/req.yaml" --json
check "a module's requirement: exit 1 (it does not hold)" rc_is 1
check "a module's requirement: required and probed" \
	jc_is '(c["processes: host processes invisible"]["required"], c["processes: host processes invisible"]["result"])' "(True, 'fail')"
check "a module's limit: required, at the module's value" \
	jc_is '(c["limit: open_files"]["required"], c["limit: open_files"]["detail"].startswith("policy 100;"))' "(True, True)"
check "a module's requirement: what nobody promised stays not required" \
	jc_is 'c["filesystem: root read-only"]["required"]' False
check "a module that promises something is not listed as not probed" jc_is '"module reqmod" in c' False

# The same promise where it holds: namespaces and rlimit provide it.
write_policy "$T/req-ok.yaml" <<'P'
name: req-ok
stack:
  - module: rlimit
    with: {open_files: 100}
  - module: namespaces
  - module: reqmod
    with: {require: [filesystem.root_read_only, "capabilities.none=no: testing a waiver"]}
P
run selftest -p "$T/req-ok.yaml" --json
check "a module's requirement that holds: exit 0" rc_is 0
check "... root read-only required and passes" \
	jc_is '(c["filesystem: root read-only"]["required"], c["filesystem: root read-only"]["result"])' "(True, 'pass')"
check "a waiver wins over another module's promise, and says why" \
	jc_is '(c["capabilities: none effective or permitted"]["required"], c["capabilities: none effective or permitted"]["detail"].endswith(" (testing a waiver)"))' "(False, True)"

# A module that promises nothing (here one of ABI 1.2, which has no hook).
write_policy "$T/req-old.yaml" <<'P'
isolation: none
name: req-old
stack:
  - module: abi12
P
run selftest -p "$T/req-old.yaml" --json
check "a module without requirements: exit 0" rc_is 0
check "... listed as not probed, saying it promises nothing" \
	jc_is '(c["module abi12"]["result"], "promises no property" in c["module abi12"]["detail"])' "('skipped', True)"
check "... and no limit: the limits line says no module promises one" \
	jc_is '"no module of the policy promises a resource limit" in c["limits"]["detail"]' True

# The other isolation backends promise what they provide, like namespaces.
for be in bwrap landlock; do
	write_policy "$T/be-$be.yaml" <<P
name: be-$be
stack:
  - module: $be
P
	run exec -p "$T/be-$be.yaml" -- /bin/true
	if [ "$rc" -ne 0 ]; then
		skip_n 2 "$be: backend not available here ($(head -n 1 "$T/err"))"
		continue
	fi
	run selftest -p "$T/be-$be.yaml" --json
	check "$be: root read-only required and holds" \
		jc_is '(c["filesystem: root read-only"]["required"], c["filesystem: root read-only"]["result"], "module '$be'" in c)' "(True, 'pass', False)"
	if [ "$be" = bwrap ]; then
		check "bwrap: its pid namespace and network promised and holding" \
			jc_is 'all(c[n]["required"] and c[n]["result"] == "pass" for n in ("processes: host processes invisible", "network: only loopback", "network: host TCP listener unreachable"))' True
	else
		# No pid namespace: Landlock does not promise it (and it does not hold).
		check "landlock: host processes not promised" \
			jc_is 'c["processes: host processes invisible"]["required"]' False
	fi
done

# A property selftest does not know: an error naming the module and the name.
write_policy "$T/req-unknown.yaml" <<'P'
isolation: none
name: req-unknown
stack:
  - module: reqmod
    with: {require: [network.telepathy]}
P
run selftest -p "$T/req-unknown.yaml"
check "an unknown property: 125" rc_is 125
check "... naming the module and the property" err_has "module 'reqmod' requires the selftest property 'network.telepathy', which cordon selftest does not know"
check "... and listing the ones it knows" err_has "network.loopback_only"
check "... nothing is printed on stdout" sh -c "[ ! -s '$T/out' ]"

# Values a property does not take: 125 naming the module, the property and the value.
while IFS='|' read -r item want; do
	write_policy "$T/req-value.yaml" <<P
isolation: none
name: req-value
stack:
  - module: reqmod
    with: {require: ["$item"]}
P
	run selftest -p "$T/req-value.yaml"
	check "a requirement '$item': 125 naming the module" sh -c '[ "$1" -eq 125 ] && grep -qF -- "$2" "$3"' sh "$rc" "module 'reqmod' $want" "$T/err"
done <<'CASES'
filesystem.root_read_only=yes|requires filesystem.root_read_only with the value 'yes'
limit.cpu=soon|requires limit.cpu to be 'soon'
CASES

write_policy "$T/req-name.yaml" <<'P'
isolation: none
name: req-name
stack:
  - module: reqmod
    with: {require: [Network]}
P
run selftest -p "$T/req-name.yaml"
check "a malformed property name: 125" rc_is 125
check "... naming the stack entry, the module and why" \
	err_has "req-name.yaml:4:5: module 'reqmod' could not state its selftest requirements: require: 'Network' is not a property name"

write_policy "$T/req-fail.yaml" <<'P'
isolation: none
name: req-fail
stack:
  - module: reqmod
    with: {fail: true}
P
run selftest -p "$T/req-fail.yaml"
check "a failing requirements hook: 125 with the module's reason" \
	err_has "module 'reqmod' could not state its selftest requirements: asked to fail"

# ---- errors ----
run selftest -p no-such-policy
check "unknown policy: 125" rc_is 125
check "unknown policy: says so" err_has "no-such-policy"
run selftest --frobnicate
check "unknown option: 125" rc_is 125
run selftest extra
check "unexpected argument: 125" rc_is 125
check "unexpected argument: named" err_has "unexpected argument 'extra'"
run selftest --help
check "--help: 0" rc_is 0
check "--help: usage" out_has "usage: cordon selftest"
run --help
check "cordon --help lists selftest" out_has "cordon selftest [-p POLICY] [--json]"

done_testing
