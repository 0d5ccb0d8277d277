#!/bin/sh
# contrib/celery/tests/celery.t - cordon runs as Celery tasks: a Redis on
# loopback (a port of the test's own, no persistence), a cordon-serve on a
# private socket, two Celery workers; runs routed by policy, a service
# that refuses for a while (retried until it accepts), and a worker whose
# task process is killed mid-run (the task runs again on a worker, never
# lost).
. "$(dirname "$0")/../../../tests/lib.sh"

SERVE="$(dirname "$CORDON")/cordon-serve"
if ! command -v redis-server >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import celery, redis' 2>/dev/null; then
	echo "1..0 # SKIP needs redis-server and python3-celery, python3-redis (Debian packages)"
	exit 0
fi
if [ ! -x "$SERVE" ]; then
	echo "1..0 # SKIP cordon-serve is not built"
	exit 0
fi
unset CORDON_URL CORDON_TOKEN
PYTHONPATH="$CORDON_SRCDIR/contrib/python:$CORDON_SRCDIR/contrib/celery" PYTHONDONTWRITEBYTECODE=1 HOME="$T" \
	CORDON_SERVE="$SERVE" CORDON_TEST_DIR="$T" /usr/bin/python3 "$CORDON_SRCDIR/contrib/celery/tests/test_celery.py"
