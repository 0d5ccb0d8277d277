#!/bin/sh
# contrib/python/tests/service.t - the Python binding over `cordon serve`:
# runs test_service.py, which starts a cordon-serve (next to $CORDON) on a
# private socket and makes the binding's calls to it.
. "$(dirname "$0")/../../../tests/lib.sh"

. "$(dirname "$0")/python.sh"
serve=$(dirname "$CORDON")/cordon-serve
if [ ! -x "$serve" ]; then
	echo "1..0 # SKIP no cordon-serve next to $CORDON"
	exit 0
fi

PYTHONPATH="$CORDON_SRCDIR/contrib/python" PYTHONDONTWRITEBYTECODE=1 TMPDIR="$T" CORDON="$CORDON" \
	CORDON_SERVE="$serve" python3 "$CORDON_SRCDIR/contrib/python/tests/test_service.py"
