#!/bin/sh
# contrib/python/tests/binding.t - the Python binding against the real cordon:
# runs test_binding.py (unittest, printing TAP) with the package imported
# from the source tree.
. "$(dirname "$0")/../../../tests/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not found"
	exit 0
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then
	echo "1..0 # SKIP the binding needs Python 3.9 or later"
	exit 0
fi
if [ ! -x /usr/bin/python3 ]; then
	echo "1..0 # SKIP the test policies run /usr/bin/python3"
	exit 0
fi

# Byte code is not written into the (possibly read-only) source tree.
PYTHONPATH="$CORDON_SRCDIR/contrib/python" PYTHONDONTWRITEBYTECODE=1 TMPDIR="$T" CORDON="$CORDON" \
	python3 "$CORDON_SRCDIR/contrib/python/tests/test_binding.py"
