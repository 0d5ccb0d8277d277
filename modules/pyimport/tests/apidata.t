#!/bin/sh
# modules/pyimport/tests/apidata.t - the API data of allowlist mode
# describes the interpreter it says it describes: gen_python_api.py run
# again with the installed /usr/bin/python3 gives policies.d/rules/
# python-api-VERSION.yaml byte for byte, and what the data says holds in
# that interpreter (a sample of names, module-valued names, metaclasses).
. "$(dirname "$0")/../../../tests/lib.sh"

PY=/usr/bin/python3
RULES="$CORDON_SRCDIR/policies.d/rules"
if ! [ -x "$PY" ]; then
	skip "no $PY to compare the API data with"
	done_testing
	exit 0
fi
ver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
data="$RULES/python-api-$ver.yaml"
if ! [ -f "$data" ]; then
	skip "no API data for Python $ver (policies.d/rules/gen_python_api.py makes it)"
	done_testing
	exit 0
fi

(cd "$T" && "$PY" -I "$RULES/gen_python_api.py") >"$T/gen.yaml" 2>"$T/err"
check "the generator runs with $PY ($ver)" [ -s "$T/gen.yaml" ]
if cmp -s "$T/gen.yaml" "$data"; then
	ok "python-api-$ver.yaml is what the generator gives for this interpreter"
else
	not_ok "python-api-$ver.yaml differs from the generator's output (regenerate it)"
	diff "$data" "$T/gen.yaml" | head -20 | sed 's/^/# /'
fi

# What the data says, checked in the interpreter itself.
"$PY" -I - "$data" >"$T/facts" 2>&1 <<'PY'
import importlib, re, sys, types

text = open(sys.argv[1]).read()
mods = {}
for m in re.finditer(r"^  ([\w.]+):\n    api: \[(.*)\]\n    modules: \{(.*)\}$", text, re.M):
    api = [x for x in m.group(2).split(", ") if x]
    modmap = dict(kv.split(": ") for kv in m.group(3).split(", ") if kv)
    mods[m.group(1)] = (api, modmap)
bad = 0
for name in mods:  # as the generator: submodules are attributes once loaded
    importlib.import_module(name)
for name, (api, modmap) in mods.items():
    mod = importlib.import_module(name)
    for a in api:
        if a.startswith("_") or not hasattr(mod, a) or isinstance(getattr(mod, a), types.ModuleType):
            print("api name wrong:", name, a)
            bad += 1
    for a, target in modmap.items():
        v = getattr(mod, a, None)
        if not isinstance(v, types.ModuleType) or v.__name__ != target:
            print("module name wrong:", name, a, target)
            bad += 1
metas = re.search(r"^metaclasses: \[(.*)\]$", text, re.M).group(1).split(", ")
for q in metas:
    m, _, a = q.rpartition(".")
    if not issubclass(getattr(importlib.import_module(m), a), type):
        print("not a metaclass:", q)
        bad += 1
print("modules", len(mods), "bad", bad)
PY
check "every api name exists, is public and is no module; every module name is the module it says" \
	grep -q "bad 0$" "$T/facts"
sed 's/^/# /' "$T/facts" | tail -3
check "the data covers the modules strict allows" \
	sh -c "grep -q '^  statistics:' '$data' && grep -q '^  os.path:' '$data' && grep -q '^  typing:' '$data'"
check "enum hands over builtins (bltns): recorded" grep -q "bltns: builtins" "$data"

done_testing
