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

# Every test: the core's (tests/), each module's (modules/NAME/tests/) and
# each contrib part's (contrib/NAME/tests/).
# $1: tests build dir, $2: source tree
suite_files() {
	for f in "$1"/unit_* "$1"/*/unit_* "$2"/tests/*.t "$2"/modules/*/tests/*.t "$2"/contrib/*/tests/*.t; do
		[ -e "$f" ] && printf '%s\n' "$f"
	done
}

echo "== cordon tests as $(id -un) (uid $(id -u)), build tree"
# A failing first pass does not stop the second: both are reported, and
# the suite fails if either failed.
first=0
# shellcheck disable=SC2046
CORDON="$CORDON_BUILD/bin/cordon" CORDON_TESTBIN="$CORDON_BUILD/tests" CORDON_SRCDIR="$CORDON_SRC" \
	prove -f --timer $(suite_files "$CORDON_BUILD/tests" "$CORDON_SRC") || first=$?

if [ "$(id -u)" -ne 0 ]; then
	exit "$first"
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
# A copy of the source tree (tests read their data from $CORDON_SRCDIR).
mkdir "$tmp/src"
tar -C "$CORDON_SRC" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$tmp/src" -xf -
chmod -R a+rX "$tmp"
echo "== cordon tests as uid 65534, installed copy"
cd "$tmp"
# shellcheck disable=SC2046
second=0
setpriv --reuid=65534 --regid=65534 --clear-groups \
	env HOME=/tmp TMPDIR=/tmp CORDON="$tmp/prefix/bin/cordon" CORDON_TESTBIN="$tmp/build/tests" \
	CORDON_SRCDIR="$tmp/src" prove -f --timer $(suite_files "$tmp/build/tests" "$tmp/src") || second=$?

if [ "$first" -ne 0 ] || [ "$second" -ne 0 ]; then
	echo "== FAILED: as $(id -un) (build tree): $([ "$first" -eq 0 ] && echo passed || echo "failed ($first)");" \
		"as uid 65534 (installed copy): $([ "$second" -eq 0 ] && echo passed || echo "failed ($second)")" >&2
	exit 1
fi
echo "== both passes succeeded"
