#!/bin/sh
# modules/egress/tests/egress.t - network egress through the supervisor's
# proxy, proved from inside the sandbox (client.py) against "remote" hosts
# that are loopback servers this test owns (servers.py): names are mapped
# to them with `resolve:`.  Runs as root and as an unprivileged user.
. "$(dirname "$0")/../../../tests/lib.sh"

D="$CORDON_SRCDIR/modules/egress/tests"
chmod 755 "$T"
CLIENT=$(cat "$D/client.py")

python3 "$D/servers.py" "$T/ports" >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/ports" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -s "$T/ports" ]; then
	echo "1..0 # SKIP the loopback test servers did not start (127.0.0.2 unusable?)"
	exit 0
fi
read -r PORT SILENT <"$T/ports"

# policy FILE [EXTRA-EGRESS-LINES]: the sandbox with an egress entry.
policy() {
	_f=$1
	shift
	{
		cat <<EOF2
interpreter: [/usr/bin/python3, -I, -B]
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8, HOME: /tmp}
stack:
  - module: rlimit
    with: {wall: 60s, cpu: 20s}
  - module: namespaces
  - module: egress
    with:
      dns: false
      resolve: {api.test: 127.0.0.1, bad.test: 127.0.0.1, other.test: 127.0.0.1, rebind.test: 127.0.0.2,
                inner.test: 10.0.0.1, meta.test: 169.254.169.254}
EOF2
		for l in "$@"; do printf '      %s\n' "$l"; done
	} | write_policy "$_f"
}
policy "$T/p.yaml" 'allow: ["*.test:*"]' 'deny: ["bad.test"]' 'allow_ips: [127.0.0.1]'
P="$T/p.yaml"
# The same with short timeouts, for the tests of those alone (a loaded
# machine must not make the others flaky).
policy "$T/short.yaml" 'allow: ["*.test:*"]' 'allow_ips: [127.0.0.1]' 'header_timeout: 1s' 'idle_timeout: 1s'

cl() { run exec -p "$P" --json -- /usr/bin/python3 -c "$CLIENT" "$@"; }
stdout_is() { json_is 'j["stdout"].strip()' "$1"; }
stdout_has() { jtrue "$(printf '%s in j["stdout"]' "$(python3 -c 'import sys; print(repr(sys.argv[1]))' "$1")")"; }
finding_has() { # RULE TEXT: a finding of that rule whose message contains TEXT
	jtrue "any(f['rule'] == '$1' and $(python3 -c 'import sys; print(repr(sys.argv[1]))' "$2") in f['message'] for f in j['findings'])"
}

# --- allowed ---
cl connect api.test "$PORT"
check "CONNECT to an allowed name: tunnel established, the server answers" \
	eval 'rc_is 0 && stdout_has "200 Connection established" && stdout_has "hello from api.test /hello.txt"'
check "the connection is reported: host:port, the rule, the address, bytes both ways, ms" \
	finding_has egress-allowed "CONNECT api.test:$PORT allowed by '*.test:*' via 127.0.0.1:"
check "the report counts the bytes (in > 0) and the time" \
	jtrue "any(f['rule']=='egress-allowed' and ' bytes in, ' in f['message'] and ' 0 bytes in' not in f['message'] and f['message'].endswith(' ms') for f in j['findings'])"
check "the result's connections: CONNECT api.test, allowed by its rule, the address, bytes both ways, ms" \
	jtrue "[(c['method'], c['host'], c['port'], c['verdict'], c['rule'], c['address'].startswith('127.0.0.1'), c['bytes_in'] > 0, c['bytes_out'] > 0, c['ms'] >= 0, c['reason']) for c in j['connections']] == [('CONNECT', 'api.test', $PORT, 'allowed', '*.test:*', True, True, True, True, None)]"

cl get "http://api.test:$PORT/plain?q=1"
check "plain HTTP through HTTP_PROXY (urllib): forwarded in origin form" stdout_is "200 hello from api.test:$PORT /plain?q=1"
check "plain HTTP is reported with its method" finding_has egress-allowed "GET api.test:$PORT allowed"

# --- denied ---
cl connect nowhere.example "$PORT"
check "a name not allowed: 403, the run itself goes on (exit 0)" eval 'rc_is 0 && stdout_has "HTTP/1.1 403 Forbidden"'
check "the client reads why, in words a model understands" stdout_has "network: nowhere.example is not in this policy's allow list"
check "the denial is a finding (egress-denied) with the same reason" \
	finding_has egress-denied "CONNECT nowhere.example:$PORT denied: network: nowhere.example is not in this policy's allow list"
check "a denied connection does not fail the run" json_is 'j["status"]' ok
check "the result's connections: denied, with the reason a model reads, no address" \
	jtrue "[(c['host'], c['verdict'], c['address'], c['reason']) for c in j['connections']] == [('nowhere.example', 'denied', None, \"network: nowhere.example is not in this policy's allow list\")]"

cl get "http://bad.test:$PORT/x"
check "deny wins over allow (plain HTTP): 403 naming the deny rule" \
	stdout_is "403 network: bad.test:$PORT is denied by this policy's deny rule 'bad.test'"

cl connect 127.0.0.2 "$PORT"
check "an IP literal not in allow_ips is refused" \
	stdout_has "network: 127.0.0.2 is a loopback address and not in this policy's allow_ips"
cl connect 169.254.169.254 80
check "the metadata address is refused" stdout_has "169.254.169.254 is a link-local address"
cl connect 127.0.0.1 "$PORT"
check "an IP literal listed in allow_ips is reached" stdout_has "hello from 127.0.0.1 /hello.txt"

cl connect inner.test 80
check "an allowed name that resolves to a private address is refused" \
	stdout_has "network: inner.test resolves to 10.0.0.1, a private (10.0.0.0/8) address"
cl connect rebind.test "$PORT"
check "DNS rebinding: an allowed name that resolves to loopback is refused (the server there is not reached)" \
	eval 'stdout_has "rebind.test resolves to 127.0.0.2, a loopback address" && ! stdout_has secret'
cl connect meta.test 80
check "an allowed name that resolves to the metadata address is refused" \
	stdout_has "meta.test resolves to 169.254.169.254, a link-local address"

cl connect ::1 "$PORT"
check "an IPv6 literal (CONNECT [::1]:port) is judged as an address" \
	stdout_has "network: ::1 is the loopback address and not in this policy's allow_ips"
cl raw 'GET https://api.test/ HTTP/1.1\r\nHost: api.test\r\n\r\n'
check "an https:// URL in a plain request: 400 with a hint" \
	stdout_is "$(printf 'HTTP/1.1 400 Bad Request\nnetwork: an https:// URL goes through CONNECT (set HTTPS_PROXY)')"
cl raw "GET http://api.test:$PORT/vh HTTP/1.1\\r\\nHost: internal.example\\r\\n\\r\\n"
check "absolute form: the Host header becomes the URL's host (no other site of the server by a Host of its own)" \
	stdout_has "hello from api.test:$PORT /vh"
cl raw 'HELLO\r\n\r\n'
check "not an HTTP request: 400" stdout_has "network: the proxy expects an HTTP/1.x request"
cl raw "GET / HTTP/1.1\\r\\nHost: api.test:$PORT\\r\\nProxy-Authorization: Basic eA==\\r\\n\\r\\n"
check "origin form with a Host header is forwarded (hop-by-hop headers dropped)" \
	stdout_has "hello from api.test:$PORT /"
cl raw "CONNECT user@api.test:$PORT HTTP/1.1\\r\\n\\r\\n"
check "a CONNECT target with userinfo is refused" stdout_has "network: CONNECT needs host:port"

cl socks api.test "$PORT"
check "SOCKS5 (no authentication, a name): connected, the server answers" \
	stdout_is "$(printf 'method 0500\nrep 0\nhello from api.test /hello.txt')"
check "... reported as SOCKS5" finding_has egress-allowed "SOCKS5 api.test:$PORT allowed by '*.test:*'"
cl socks nowhere.example "$PORT"
check "SOCKS5 to a name not allowed: reply 2 (not allowed by the ruleset)" stdout_is "$(printf 'method 0500\nrep 2')"
check "... and the result says why" \
	finding_has egress-denied "SOCKS5 nowhere.example:$PORT denied: network: nowhere.example is not in this policy's allow list"
cl socks 169.254.169.254 80
check "SOCKS5 to the metadata address: reply 2" stdout_is "$(printf 'method 0500\nrep 2')"

cl garbage 300 7
check "300 random heads (HTTP and SOCKS5 starts, cut anywhere): each answered or closed, the run ok" \
	eval 'stdout_is "answered 300" && json_is "j[\"status\"]" ok && json_is "len(j[\"warnings\"])" 0'
check "... the result stays bounded: 200 records (records' default) and the summary counting 300" \
	jtrue "len(j['findings']) == 201 and j['findings'][-1]['message'].startswith('300 connections: ')"

# The namespaces module with a cgroup path (pid 1 joins it; not a cgroup v2
# directory here, so only a warning): the listener is made the same way.
sed 's|^  - module: namespaces$|  - module: namespaces\n    with: {cgroup: {path: '"$T"'}}|' "$P" >"$T/cgpath.yaml"
chmod 644 "$T/cgpath.yaml"
run exec -p "$T/cgpath.yaml" --json -- /usr/bin/python3 -c "$CLIENT" connect api.test "$PORT"
check "with the namespaces module's cgroup path: the proxy works too" \
	eval 'stdout_has "hello from api.test /hello.txt" && grep -q "cgroup: {path:" "$T/cgpath.yaml"'

# The system resolver (a forked getaddrinfo): localhost is in /etc/hosts.
policy "$T/dns.yaml" 'dns: true' 'allow: ["localhost:*"]'
sed -i '/^      dns: false$/d' "$T/dns.yaml"
run exec -p "$T/dns.yaml" --json -- /usr/bin/python3 -c "$CLIENT" connect localhost "$PORT"
check "a name looked up by the system resolver, resolving to loopback, is refused" \
	jtrue "'network: localhost resolves to ' in j['stdout'] and 'loopback' in j['stdout']"

# --- no way around the proxy ---
cl direct 127.0.0.1 "$PORT"
check "proxy variables unset, a direct connection to the host's loopback server fails" stdout_is ECONNREFUSED
cl direct 192.0.2.1 80
check "proxy variables unset, a direct connection out has no route" stdout_is ENETUNREACH

# --- limits ---
P="$T/short.yaml"
cl slow
check "a slowloris client gets 408 after header_timeout" \
	eval 'stdout_has "408 Request Timeout" && stdout_has "did not arrive within header_timeout (1000 ms)"'
check "... reported" finding_has egress-bad-request "header_timeout"
cl idle 127.0.0.1 "$SILENT"
check "an idle tunnel is closed after idle_timeout" \
	jtrue "j['stdout'].split('\n')[1].startswith('closed ') and 0.5 < float(j['stdout'].split()[-1]) < 5"
check "... reported with the reason" finding_has egress-allowed "ended: idle for idle_timeout (1000 ms)"

P="$T/p.yaml"
cl many 24 api.test "$PORT"
check "24 tunnels open at once all work" stdout_is "200 bodies=24"

policy "$T/lim.yaml" 'allow: ["*.test:*"]' 'allow_ips: [127.0.0.1]' 'max_connections: 4'
run exec -p "$T/lim.yaml" --json -- /usr/bin/python3 -c "$CLIENT" many 8 api.test "$PORT"
check "max_connections 4: the others get 503, the four work" stdout_is "200 503 bodies=4"
check "... and the refusals say why" finding_has egress-limit "too many connections at once (this policy's max_connections is 4)"

policy "$T/bytes.yaml" 'allow: ["*.test:*"]' 'allow_ips: [127.0.0.1]' 'max_bytes: 4K'
run exec -p "$T/bytes.yaml" --json -- /usr/bin/python3 -c "$CLIENT" connect api.test "$PORT" /big
check "max_bytes: a 64K download through a 4K budget is cut" \
	jtrue "len(j['stdout']) < 5000 and any('max_bytes 4096' in f['message'] for f in j['findings'])"

# --- audit mode ---
policy "$T/audit.yaml" 'allow: [api.test]' 'allow_ips: [127.0.0.1]'
run exec -p "$T/audit.yaml" --audit --json -- /usr/bin/python3 -c "$CLIENT" connect other.test "$PORT"
check "audit mode: a name the policy would deny is let through" stdout_has "hello from other.test"
check "... and reported as what would have been denied" \
	finding_has egress-audit "(audit mode; would be denied: network: other.test is not in this policy's allow list)"
run exec -p "$T/audit.yaml" --json -- /usr/bin/python3 -c "$CLIENT" connect api.test "$PORT"
check "a rule without :PORT allows 80 and 443 only, and the refusal says so" \
	stdout_has "network: port $PORT of api.test is not in this policy's allow list (a rule without ':PORT' allows 80 and 443)"

# --- the shipped presets' commented examples, uncommented, work ---
mkdir -p "$T/pd"
cp -r "$CORDON_SRCDIR/policies.d/." "$T/pd/"
for f in data_science development; do
	python3 - "$T/pd/$f.yaml" <<'EOF2'
import re, sys
p = sys.argv[1]
s = open(p).read()
s, n = re.subn(r'\n  # - module: egress\n((?:  #   .*\n)+)',
               lambda m: '\n  - module: egress\n' + m.group(1).replace('  #   ', '    '), s)
assert n == 1, 'no commented egress entry in ' + p
s = s.replace('disable: [py-file-write, py-os-environ]', 'disable: [py-file-write, py-os-environ, py-network, py-socket]')
s = s.replace('    with:\n      allow: [', '    with:\n      resolve: {api.test: 127.0.0.1}\n      allow_ips: [127.0.0.1]\n      allow: ["api.test:*", ')
open(p, 'w').write(s)
EOF2
done
chmod -R go-w "$T/pd"
printf 'import urllib.request\nprint(urllib.request.urlopen("http://api.test:%s/x").read().decode().strip())\n' "$PORT" >"$T/fetch.py"
for f in data_science development; do
	run --policy-dir "$T/pd" run -p "$f" --json "$T/fetch.py"
	check "$f with its egress example uncommented: urllib reaches an allowed host under seccomp and caps" \
		eval 'rc_is 0 && stdout_is "hello from api.test:$PORT /x" && finding_has egress-allowed "GET api.test:$PORT allowed"'
done

# --- the incident log keeps the connections (all_runs: every run a record) ---
policy "$T/ilog.yaml" 'allow: ["api.test:*"]' 'allow_ips: [127.0.0.1]'
printf '  - module: incident_log\n    with: {path: %s/inc.jsonl, all_runs: true}\n' "$T" >>"$T/ilog.yaml"
run exec -p "$T/ilog.yaml" -- /usr/bin/python3 -c "$CLIENT" connect other.test "$PORT"
check "the incident record carries each connection (incident_log after egress)" \
	python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readlines()[-1]); sys.exit(0 if any(f["rule"]=="egress-denied" and "other.test" in f["message"] for f in r["findings"]) else 1)' "$T/inc.jsonl"

# A refused connection is an incident of its own (kind network), without
# all_runs; an allowed one alone is not.
policy "$T/ilog2.yaml" 'allow: ["api.test:*"]' 'allow_ips: [127.0.0.1]'
printf '  - module: incident_log\n    with: {path: %s/inc2.jsonl}\n' "$T" >>"$T/ilog2.yaml"
run exec -p "$T/ilog2.yaml" --json -- /usr/bin/python3 -c "$CLIENT" connect api.test "$PORT"
check "an allowed connection alone is no incident (the run went through, nothing logged)" \
	eval 'rc_is 0 && stdout_has "200 Connection established" && test ! -s "$T/inc2.jsonl"'
run exec -p "$T/ilog2.yaml" -- /usr/bin/python3 -c "$CLIENT" connect other.test "$PORT"
check "a refused connection is an incident: kinds [network]" \
	python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readlines()[-1]); sys.exit(0 if r["kinds"]==["network"] else 1)' "$T/inc2.jsonl"

# --- a call that takes the network away ---
run exec -p "$P" --no-network --json -- /usr/bin/python3 -c "$CLIENT" connect api.test "$PORT"
check "--no-network sets egress's network: none: every connection refused, saying why" \
	stdout_has "network: this run has no network access (network: none), api.test is not reachable"
run exec -p "$P" --no-network --audit --json -- /usr/bin/python3 -c "$CLIENT" connect api.test "$PORT"
check "... in audit mode too (isolation, not a policy decision)" stdout_has "HTTP/1.1 403 Forbidden"

# --- stacks that cannot work, bad rules ---
write_policy "$T/nons.yaml" <<'EOF2'
stack:
  - module: egress
    with: {allow: [example.com]}
EOF2
run exec -p "$T/nons.yaml" -- true
check "egress without an isolation backend before it: a policy error, nothing runs (125)" \
	eval 'rc_is 125 && err_has "egress needs the namespaces module (with network: none) or bwrap earlier"'
write_policy "$T/ll.yaml" <<'EOF2'
stack:
  - module: landlock
  - module: egress
    with: {allow: [example.com]}
EOF2
printf 'stack:\n  - module: landlock\n' | write_policy "$T/llonly.yaml"
if "$CORDON" policy lint "$T/llonly.yaml" >/dev/null 2>&1; then
	run exec -p "$T/ll.yaml" -- true
	check "egress under landlock alone: refused, saying landlock filters TCP by port only" \
		eval 'rc_is 125 && err_has "landlock cannot make it so"'
else
	skip "landlock does not load on this host"
fi

write_policy "$T/host.yaml" <<'EOF2'
stack:
  - module: namespaces
    with: {network: host}
  - module: egress
    with: {allow: [example.com]}
EOF2
run exec -p "$T/host.yaml" -- true
check "namespaces network: host is refused when the run starts (125)" \
	eval 'rc_is 125 && err_has "runs in the host'"'"'s network namespace"'

# --- under bubblewrap: egress makes the network namespace, bwrap keeps it ---
if [ -x /usr/bin/bwrap ] && /usr/bin/bwrap --unshare-all --ro-bind / / true 2>/dev/null; then
	bwpolicy() {
		_f=$1
		_net=$2
		shift 2
		{
			cat <<EOF2
interpreter: [/usr/bin/python3, -I, -B]
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8, HOME: /tmp}
stack:
  - module: rlimit
    with: {wall: 60s, cpu: 20s}
  - module: bwrap
    with: {network: $_net}
  - module: egress
    with:
      dns: false
      resolve: {api.test: 127.0.0.1, bad.test: 127.0.0.1, meta.test: 169.254.169.254}
      allow: ["*.test:*"]
      deny: ["bad.test"]
      allow_ips: [127.0.0.1]
EOF2
			for l in "$@"; do printf '%s\n' "$l"; done
		} | write_policy "$_f"
	}
	bwpolicy "$T/bw.yaml" none
	bwpolicy "$T/bwsec.yaml" none '  - module: seccomp'
	bwpolicy "$T/bwhost.yaml" host
	for bp in bw bwsec; do
		P="$T/$bp.yaml"
		cl connect api.test "$PORT"
		check "bwrap ($bp): CONNECT to an allowed name through the proxy" \
			eval 'rc_is 0 && stdout_has "200 Connection established" && stdout_has "hello from api.test /hello.txt"'
		check "bwrap ($bp): reported in the result's connections" \
			jtrue 'any(c["verdict"] == "allowed" and c["host"] == "api.test" for c in j["connections"])'
		cl connect bad.test "$PORT"
		check "bwrap ($bp): a denied name gets 403 with the reason" stdout_has "denied by this policy's deny rule 'bad.test'"
		cl connect meta.test 80
		check "bwrap ($bp): an allowed name resolving to the metadata address is refused" \
			stdout_has "169.254.169.254, a link-local address"
		cl direct 127.0.0.1 "$PORT"
		check "bwrap ($bp): no direct connection to the host's loopback" stdout_is ECONNREFUSED
		cl direct 192.0.2.1 80
		check "bwrap ($bp): no route out but the proxy" stdout_is ENETUNREACH
	done
	run exec -p "$T/bw.yaml" --json -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; id -u'
	check "bwrap: the program's network namespace holds only lo; it runs as uid 65534" json_is 'j["stdout"]' "$(printf 'lo\n65534\n')"
	P="$T/bwhost.yaml"
	cl direct 192.0.2.1 80
	check "bwrap network: host with egress: still only the proxy (egress owns the namespace)" stdout_is ENETUNREACH
	write_policy "$T/bwafter.yaml" <<'EOF2'
stack:
  - module: egress
    with: {allow: [example.com]}
  - module: bwrap
EOF2
	run exec -p "$T/bwafter.yaml" -- true
	check "egress before bwrap in the stack: a policy error" eval 'rc_is 125 && err_has "or bwrap earlier"'
	write_policy "$T/bwopt.yaml" <<'EOF2'
stack:
  - module: bwrap
  - module: egress
    control: optional
    with: {allow: [example.com]}
EOF2
	run exec -p "$T/bwopt.yaml" -- true
	check "egress under bwrap as control: optional: a policy error (a skipped failure would share the host's network)" \
		eval 'rc_is 125 && err_has "cannot be control: optional"'
	P="$T/p.yaml"
else
	skip_n 16 "bubblewrap is missing or cannot make its namespaces on this host"
fi

for bad in '192.0.2.7' 'exa*mple.com' 'example.com:0' 'example.com:http' '*example.com'; do
	write_policy "$T/bad.yaml" <<EOF2
stack:
  - module: namespaces
  - module: egress
    with:
      allow: ["$bad"]
EOF2
	run policy lint "$T/bad.yaml"
	check "allow: '$bad' is a policy error naming the line" eval 'rc_not 0 && err_has "bad.yaml:5"'
done
write_policy "$T/badip.yaml" <<'EOF2'
stack:
  - module: namespaces
  - module: egress
    with: {allow_ips: [10.0.0.0/33]}
EOF2
run policy lint "$T/badip.yaml"
check "allow_ips: a prefix longer than 32 is a policy error" eval 'rc_not 0 && err_has "prefix length of 0..32"'

done_testing
