#!/bin/sh
# contrib/kubernetes/tests/manifests.t - the manifests parse, and say what
# cordon serve needs: the command and its serve.yaml (a file, not the
# ConfigMap's symlink, which cordon refuses), the serve.yaml itself (the
# service starts with it), the port the probes and the Service use, the
# probes (health over HTTP, `cordon selftest` before traffic), the
# security context and the writable places under a read-only root.
. "$(dirname "$0")/../../../tests/lib.sh"

if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
	echo "1..0 # SKIP python3-yaml is not installed (Debian package python3-yaml)"
	exit 0
fi
M="$CORDON_SRCDIR/contrib/kubernetes/cordon.yaml"

# q EXPR: a Python expression over the manifests (docs: a list; by(kind),
# ds: the DaemonSet's container, conf: serve.yaml parsed) is true.
q() {
	/usr/bin/python3 - "$M" "$1" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
def by(kind):
    return [d for d in docs if d.get("kind") == kind]
dsobj = by("DaemonSet")[0]
pod = dsobj["spec"]["template"]["spec"]
ds = pod["containers"][0]
conf = yaml.safe_load(by("ConfigMap")[0]["data"]["serve.yaml"])
def port(name):
    return [p["containerPort"] for p in ds["ports"] if p["name"] == name][0]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

check "the manifests parse: a Namespace, a ConfigMap, a DaemonSet, a Service" \
	q 'sorted(d["kind"] for d in docs) == ["ConfigMap", "DaemonSet", "Namespace", "Service"]'
check "the container runs cordon serve with /etc/cordon/serve.yaml" \
	q 'ds["command"][-3:] == ["serve", "-c", "/etc/cordon/serve.yaml"] and ds["command"][0].endswith("/cordon")'
check "serve.yaml is mounted as a file (subPath), read-only, mode 0644 (cordon refuses a symlink or a writable file)" \
	q 'any(m["mountPath"] == "/etc/cordon/serve.yaml" and m.get("subPath") == "serve.yaml" and m.get("readOnly") for m in ds["volumeMounts"]) and [v for v in pod["volumes"] if v["name"] == "config"][0]["configMap"]["defaultMode"] & 0o22 == 0'
check "serve.yaml's TCP port is the container's port named http" \
	q 'int(conf["listen"]["tcp"].rsplit(":", 1)[1]) == port("http")'
check "the Service sends to that port" \
	q 'by("Service")[0]["spec"]["ports"][0]["targetPort"] in ("http", port("http")) and by("Service")[0]["spec"]["selector"] == dsobj["spec"]["template"]["metadata"]["labels"]'
check "readiness and liveness: GET /v1/health on that port" \
	q 'all(ds[p]["httpGet"]["path"] == "/v1/health" and ds[p]["httpGet"]["port"] in ("http", port("http")) for p in ("readinessProbe", "livenessProbe"))'
check "before traffic: the startup probe runs cordon selftest under a served policy" \
	q 'ds["startupProbe"]["exec"]["command"][1:3] == ["selftest", "-p"] and ds["startupProbe"]["exec"]["command"][3] in conf["policies"]'
check "the security context cordon needs: root in the host's user namespace, unconfined by the runtime's seccomp and AppArmor, an unmasked /proc" \
	q 'ds["securityContext"]["runAsUser"] == 0 and pod.get("hostUsers", True) is True and ds["securityContext"]["seccompProfile"]["type"] == "Unconfined" and ds["securityContext"]["appArmorProfile"]["type"] == "Unconfined" and ds["securityContext"]["privileged"] is True'
check "a read-only root, with the places cordon writes as volumes (/tmp, /var/tmp, /run/cordon, /var/log/cordon)" \
	q 'ds["securityContext"]["readOnlyRootFilesystem"] and {"/tmp", "/var/tmp", "/run/cordon", "/var/log/cordon"} <= {m["mountPath"] for m in ds["volumeMounts"]}'
check "resource requests for CPU and memory, a memory limit" \
	q 'ds["resources"]["requests"]["cpu"] and ds["resources"]["requests"]["memory"] and ds["resources"]["limits"]["memory"]'
check "no service account token in the pod (it calls no API)" q 'pod["automountServiceAccountToken"] is False'

# The serve.yaml itself: the service starts with it (socket and port made
# this test's own) and answers on /v1/health.
SERVE="$(dirname "$CORDON")/cordon-serve"
port=$((20000 + ($$ + 7) % 20000))
/usr/bin/python3 - "$M" "$T/serve.yaml" "$T/s.sock" "$port" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
text = [d for d in docs if d["kind"] == "ConfigMap"][0]["data"]["serve.yaml"]
text = text.replace("/run/cordon/serve.sock", sys.argv[3]).replace("0.0.0.0:8750", "127.0.0.1:" + sys.argv[4])
open(sys.argv[2], "w").write(text)
PY
chmod 0644 "$T/serve.yaml"
if [ -x "$SERVE" ]; then
	"$SERVE" serve -c "$T/serve.yaml" >"$T/serve.log" 2>&1 &
	spid=$!
	i=0
	code=000
	while [ $i -lt 100 ] && kill -0 $spid 2>/dev/null; do
		code=$(curl -s -m 5 -o "$T/out" -w '%{http_code}' "http://127.0.0.1:$port/v1/health" 2>/dev/null)
		[ "$code" = 200 ] && break
		sleep 0.05
		i=$((i + 1))
	done
	if grep -q "Address already in use" "$T/serve.log"; then
		skip "port $port is in use on this host"
	else
		check "the ConfigMap's serve.yaml: the service starts with it and /v1/health answers on the TCP port" [ "$code" = 200 ]
	fi
	kill -TERM $spid 2>/dev/null
	wait $spid 2>/dev/null
else
	skip "cordon-serve is not built"
fi

done_testing
