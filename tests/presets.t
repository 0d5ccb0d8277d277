#!/bin/sh
# tests/presets.t - the shipped presets: each lints, shows, runs a hello
# script; what each allows and denies; data_science plots into /output.
. "$(dirname "$0")/lib.sh"

chmod 755 "$T"
MINE="minimal development production educational data_science"
# strict.yaml (the lead's) joins the common checks once it exists.
PRESETS=$MINE
[ -f "$CORDON_SRCDIR/policies.d/strict.yaml" ] && PRESETS="$PRESETS strict"
POLICY_DIR="$CORDON_SRCDIR/policies.d"

printf 'print("hello from", __name__)\n' >"$T/hello.py"
printf 'import socket\nprint("network-y")\n' >"$T/net.py"
printf 'import urllib.request\nprint("fetch")\n' >"$T/fetch.py"
printf 'with open("/tmp/x", "w") as f:\n    f.write("x")\nprint("wrote")\n' >"$T/write.py"
printf 'import os\nos.system("id")\n' >"$T/system.py"
chmod 644 "$T"/*.py

for p in $PRESETS; do
	run policy lint "$POLICY_DIR/$p.yaml"
	check "$p: lints" rc_is 0
	run policy show "$p"
	check "$p: shows" rc_is 0
	check "$p: show names it" out_has "name: $p"
	check "$p: show resolves the included interpreter" out_has "interpreter: [/usr/bin/python3"
	run run -p "$p" "$T/hello.py"
	check "$p: hello runs" rc_is 0
	check "$p: hello's output" out_is "hello from __main__"
	run run -p "$p" "$T/system.py"
	check "$p: os.system denied (126)" rc_is 126
done
for p in $MINE; do
	run run -p "$p" "$T/system.py"
	check "$p: the finding names the rule" err_has "py-os-system"
done

# The shared pieces are pieces: not policies on the list.
run policy list
check "policy list: base pieces not listed" sh -c "! grep -q base '$T/out'"
check "policy list: the presets are" sh -c "for p in $MINE; do grep -q \"^\$p \" '$T/out' || exit 1; done"

# Every preset is built from the shared pieces, not copies.
for p in development production educational data_science; do
	run policy show "$p"
	check "$p: isolation from base/isolation.yaml" grep -q "base/isolation.yaml:.*cordon_namespaces" "$T/out"
	check "$p: redact and incident_log from base/audit.yaml" sh -c "grep -q 'base/audit.yaml:.*cordon_redact' '$T/out' && grep -q 'base/audit.yaml:.*cordon_incident_log' '$T/out'"
	# production and educational adjust base/audit.yaml's redact entry
	# (override: true): host paths rewritten.
	case $p in production | educational)
		check "$p: redact rewrites host paths, set by the preset's override" grep -q "host_paths: true  # .*/$p.yaml:" "$T/out" ;;
	esac
done

# minimal allows more: sockets and HTTP clients are reported, not denied.
run run -p minimal "$T/net.py"
check "minimal: import socket runs" rc_is 0
check "minimal: ... and is reported" err_has "py-socket"
run run -p minimal "$T/fetch.py"
check "minimal: urllib runs" rc_is 0
# The others deny network-y code before it runs.
for p in $PRESETS; do
	[ "$p" = minimal ] && continue
	run run -p "$p" "$T/net.py"
	check "$p: import socket denied (126)" rc_is 126
	run run -p "$p" "$T/fetch.py"
	check "$p: urllib denied (126)" rc_is 126
done
for p in development production educational data_science; do
	run run -p "$p" --json "$T/fetch.py"
	check "$p: urllib denied" json_is 'j["status"]' denied
	check "$p: ... by py-network" json_is '[f["rule"] for f in j["findings"]]' "['py-network']"
done

# Writing a file under /tmp: every preset's isolation confines writes to
# the sandbox's own /tmp and /output, so none of them flags it as if the
# host were exposed (their pattern_scan entries leave py-file-write and
# py-os-environ out).
for p in $MINE; do
	run run -p "$p" "$T/write.py"
	check "$p: open('/tmp/x', 'w') runs" rc_is 0
	check "$p: ... and is not reported" sh -c "! grep -q py-file-write '$T/err'"
done

# production's check is requisite: it stops at the first denial.
printf 'import socket\nimport os\nos.system("x")\n' >"$T/two.py"
chmod 644 "$T/two.py"
run run -p production --json "$T/two.py"
check "production: denied" json_is 'j["status"]' denied
check "production: pattern_scan requisite" json_is '[m["control"] for m in j["modules"] if m["name"]=="pattern_scan"]' "['requisite']"
run run -p educational --json "$T/two.py"
check "educational: every finding reported at once" json_is 'sorted(set(f["rule"] for f in j["findings"]))' "['py-os-system', 'py-socket']"

# educational's small limits end a runaway loop with the limit named.
printf 'while True:\n    pass\n' >"$T/spin.py"
chmod 644 "$T/spin.py"
run run -p educational --json "$T/spin.py"
check "educational: a spinning loop is stopped by cpu or wall" json_is 'j["limit"] in ("cpu", "wall")' True

# Isolation in every preset but minimal's network.
printf 'import os\nprint(os.getuid(), sorted(os.listdir("/")) == sorted(set(os.listdir("/")) - {"home", "root", "var"}))\n' >"$T/who.py"
chmod 644 "$T/who.py"
for p in $MINE; do
	run run -p "$p" "$T/who.py"
	check "$p: runs as 65534 with no /home, /root, /var" out_is "65534 True"
done

# data_science: numpy, pandas and matplotlib, a PNG into --output-dir.
if /usr/bin/python3 -c 'import numpy, pandas, matplotlib' 2>/dev/null; then
	mkdir -p "$T/outdir"
	chmod 777 "$T/outdir"
	cat >"$T/ds.py" <<'PY'
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
rng = np.random.default_rng(7)
df = pd.DataFrame({"x": np.arange(200), "y": rng.normal(size=200).cumsum()})
df["smooth"] = df["y"].rolling(10, min_periods=1).mean()
print("rows", len(df), "mean x", df["x"].mean())
ax = df.plot(x="x", y=["y", "smooth"], title="random walk")
ax.figure.savefig("/output/walk.png")
print("saved")
PY
	chmod 644 "$T/ds.py"
	run run -p data_science --output-dir "$T/outdir" "$T/ds.py"
	check "data_science: the analysis runs" rc_is 0
	check "data_science: its output" out_is "$(printf 'rows 200 mean x 99.5\nsaved')"
	check "data_science: a PNG in --output-dir" sh -c "head -c 8 '$T/outdir/walk.png' | od -An -c | grep -q 'P   N   G'"
	printf 'import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.savefig("/tmp/../etc/x.png")\n' >"$T/ds_etc.py"
	chmod 644 "$T/ds_etc.py"
	run run -p data_science "$T/ds_etc.py"
	check "data_science: a plot outside /tmp and /output fails" rc_not 0
	check "data_science: ... on the read-only root" err_has "Read-only file system"
else
	for i in 1 2 3 4 5; do
		skip "data_science: numpy, pandas or matplotlib not installed (python3-numpy python3-pandas python3-matplotlib)"
	done
fi

done_testing
