#!/bin/sh
# contrib/python/tests/binding.t - the Python binding against the real cordon:
# runs test_binding.py (unittest, printing TAP) with the package imported
# from the source tree.
. "$(dirname "$0")/../../../tests/lib.sh"

. "$(dirname "$0")/python.sh"

# TMPDIR: files= are written beneath it, and as root the sandbox's user
# (65534) reads them there.
chmod 755 "$T"
# Byte code is not written into the (possibly read-only) source tree.
PYTHONPATH="$CORDON_SRCDIR/contrib/python" PYTHONDONTWRITEBYTECODE=1 TMPDIR="$T" CORDON="$CORDON" \
	python3 "$CORDON_SRCDIR/contrib/python/tests/test_binding.py"
