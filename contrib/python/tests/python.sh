# contrib/python/tests/python.sh - sourced by the binding's tests after
# tests/lib.sh: skip the whole file, saying why, on a host where the
# binding cannot be tested (no python3 3.9 or later, or no /usr/bin/python3,
# which the test policies run).
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
# The command, not a service named by the caller's environment.
unset CORDON_SOCKET CORDON_URL CORDON_TOKEN
