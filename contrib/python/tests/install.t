#!/bin/sh
# contrib/python/tests/install.t - the binding installed as a newcomer
# installs it: `pip install contrib/python` in a fresh venv with no index
# (nothing fetched: the build backend is the package's own), by the user
# running the suite and by a system account without a home; the copy
# `make install` put where the system Python imports it (the suite's
# unprivileged pass runs against such a copy); and where that is.
. "$(dirname "$0")/../../../tests/lib.sh"

PY=/usr/bin/python3
PKG="$CORDON_SRCDIR/contrib/python"
if [ ! -x "$PY" ]; then
	echo "1..0 # SKIP no system Python ($PY)"
	exit 0
fi
# Byte code is not written into the (possibly read-only) source tree, and
# no pip configuration of the machine's points pip at an index.
export PYTHONDONTWRITEBYTECODE=1 PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
unset PYTHONPATH PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS

tree() { find "$PKG" -name __pycache__ -prune -o -print | sort; }

# venv_install NAME [ENV...]: a fresh venv $T/NAME, the binding installed
# into it with pip and no index; the pip log in $T/NAME.log.
venv_install() {
	_v=$T/$1
	shift
	env "$@" "$PY" -m venv "$_v" >"$_v.log" 2>&1 &&
		(cd "$T" && env "$@" "$_v/bin/pip" install --no-index "$PKG") >>"$_v.log" 2>&1
}

# binding_run PYTHON DIR [ENV...]: PYTHON imports the binding from under DIR
# (not from the source tree) and runs a program with a context under a
# policy of its own (rlimit only: no isolation backend needed).
binding_run() {
	_py=$1 _dir=$2
	shift 2
	(cd "$T" && env "$@" CORDON="$CORDON" "$_py" - "$_dir" "$T/run.yaml" <<'PY'
import sys, cordon
assert cordon.__file__.startswith(sys.argv[1] + "/"), cordon.__file__
with open(sys.argv[2], "w") as f:
    f.write("interpreter: [/usr/bin/python3, -I, -B]\nstack:\n  - module: rlimit\n    with: {wall: 60s}\n")
r = cordon.execute("print(context['n'] * 2)", policy=sys.argv[2], context={"n": 21})
assert (r.status, r.stdout) == ("ok", "42\n"), r.to_dict()
PY
	)
}

version=$("$PY" -c 'import re, sys; print(re.search(r"^__version__ = \"(.*)\"$", open(sys.argv[1]).read(), re.M).group(1))' \
	"$PKG/cordon/__init__.py")

if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
	skip_n 6 "python3 -m venv cannot make a venv with pip here (install python3-venv)"
else
	before=$(tree)
	if venv_install venv; then
		ok "pip install --no-index contrib/python in a fresh venv"
	else
		not_ok "pip install --no-index contrib/python in a fresh venv"
		awk '{ print "# " $0 }' "$T/venv.log" | tail -20
	fi
	check "the venv's python imports the installed binding and runs a program with a context" \
		binding_run "$_v/bin/python" "$_v"
	check "pip knows it as cordon $version" \
		sh -c '"$1/bin/pip" show cordon 2>/dev/null | grep -qx "Version: $2"' sh "$_v" "$version"
	check "building it wrote nothing into the source tree" test "$before" = "$(tree)"
	# A system account without a home (HOME names no directory).
	if venv_install venv-nohome HOME=/nonexistent/home; then
		ok "pip install --no-index contrib/python with HOME naming no directory"
	else
		not_ok "pip install --no-index contrib/python with HOME naming no directory"
		awk '{ print "# " $0 }' "$T/venv-nohome.log" | tail -20
	fi
	check "and it runs there with HOME naming no directory" \
		binding_run "$_v/bin/python" "$_v" HOME=/nonexistent/home
fi

# Where make install puts it: a directory the system Python imports from
# for its own prefix (Debian: /usr/lib/python3/dist-packages).
own=$("$PY" -c 'import sys; print(sys.base_prefix)')
dir=$("$PY" "$PKG/pythondir.py" "$own")
check "make install's directory for $own ($dir) is on the system Python's path" \
	"$PY" -c 'import sys; sys.exit(sys.argv[1] not in sys.path)' "$dir"
check "pythondir.py refuses a relative prefix" sh -c '! "$1" "$2" usr 2>/dev/null' sh "$PY" "$PKG/pythondir.py"

# The copy make install put next to an installed cordon (the suite's
# unprivileged pass runs against one, under a private prefix).
prefix=$(dirname "$(dirname "$CORDON")")
inst=$("$PY" "$PKG/pythondir.py" "$prefix")
if [ -f "$inst/cordon/__init__.py" ]; then
	check "make install's copy ($inst) imports and runs" binding_run "$PY" "$inst" PYTHONPATH="$inst"
	check "with its metadata (cordon $version)" sh -c \
		'cd "$1" && PYTHONPATH="$2" "$3" -c "import importlib.metadata as m, sys; sys.exit(m.version(\"cordon\") != sys.argv[1])" "$4"' \
		sh "$T" "$inst" "$PY" "$version"
else
	skip_n 2 "$CORDON is not an installed copy with the binding beside it"
fi

done_testing
