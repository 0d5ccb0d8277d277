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
# TMPDIR: execute_code's files are written beneath it, and as root the
# sandbox's user (65534) opens them there.
chmod 755 "$T"
# A policy of the test's own, found through mcp's --policy-dir.
mkdir "$T/pol"
printf 'interpreter: [/usr/bin/python3, -I, -B]\nstack:\n  - module: rlimit\n    with: {wall: 5s, memory: 256M}\n' |
	write_policy "$T/pol/mine.yaml"
MCP_POLICY_DIR="$T/pol" TMPDIR="$T" CORDON="$CORDON" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$CORDON_SRCDIR/tests/mcp_client.py"
