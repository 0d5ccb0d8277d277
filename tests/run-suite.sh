#!/bin/sh
# tests/run-suite.sh - run the whole TAP suite with prove.
#
# 1. against the build tree ($CORDON_BUILD) as the invoking user;
# 2. when that user is root: again as uid 65534 (setpriv), against a copy
#    built and installed into a world-readable temporary prefix, since the
#    unprivileged user cannot read a checkout under /root and users run
#    cordon both ways.
set -eu
: "${CORDON_BUILD:?}" "${CORDON_SRC:?}"
MAKE=${MAKE:-make}
SANITIZE=${SANITIZE:-}
cd "$CORDON_SRC"

suite() {
	# $1: cordon binary, $2: tests build dir, $3: tests source dir
	CORDON=$1 CORDON_TESTBIN=$2 prove -f --timer $2/unit_* $3/*.t
}

echo "== cordon tests as $(id -un) (uid $(id -u)), build tree"
suite "$CORDON_BUILD/bin/cordon" "$CORDON_BUILD/tests" "$CORDON_SRC/tests"

if [ "$(id -u)" -ne 0 ]; then
	exit 0
fi
if ! command -v setpriv >/dev/null 2>&1; then
	echo "setpriv not found: the unprivileged pass cannot run (install util-linux)" >&2
	exit 1
fi
tmp=$(mktemp -d /tmp/cordon-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
echo "== building an installed copy in $tmp for the unprivileged pass"
$MAKE -s BUILD="$tmp/build" PREFIX="$tmp/prefix" SANITIZE="$SANITIZE" install tests >/dev/null
cp -R tests "$tmp/src-tests"
chmod -R a+rX "$tmp"
echo "== cordon tests as uid 65534, installed copy"
cd "$tmp"
setpriv --reuid=65534 --regid=65534 --clear-groups \
	env HOME=/tmp TMPDIR=/tmp CORDON="$tmp/prefix/bin/cordon" CORDON_TESTBIN="$tmp/build/tests" \
	prove -f --timer "$tmp/build/tests"/unit_* "$tmp/src-tests"/*.t
