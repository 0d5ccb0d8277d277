#!/bin/sh
# tests/mcp.t - `cordon mcp`, the MCP server on stdio, driven by a scripted
# client (tests/mcp_client.py, standard library only) through the
# specification's JSON-RPC messages: initialize, notifications, ping,
# tools/list, tools/call of each tool (ok, failed, denied with line numbers,
# a timeout under a tightened wall limit, a policy path refused, javascript
# when node is installed) and the protocol errors.
. "$(dirname "$0")/lib.sh"

if [ ! -x /usr/bin/python3 ]; then
	echo "1..0 # SKIP no /usr/bin/python3 (the client, and the policies' interpreter)"
	exit 0
fi
TMPDIR="$T" CORDON="$CORDON" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$CORDON_SRCDIR/tests/mcp_client.py"
