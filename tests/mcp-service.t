#!/bin/sh
# tests/mcp-service.t - `cordon mcp` on stdio with sessions and outputs
# through a private service of its own (core/serve/mcpstdio.c), driven by
# the scripted client of tests/mcp_service.py; and `cordon mcp` without
# cordon-serve beside it.
. "$(dirname "$0")/lib.sh"

if [ ! -x /usr/bin/python3 ]; then
	echo "1..0 # SKIP no /usr/bin/python3 (the client, and the policies' interpreter)"
	exit 0
fi
serve=$(dirname "$CORDON")/cordon-serve
if [ ! -x "$serve" ]; then
	echo "1..0 # SKIP no cordon-serve beside $CORDON"
	exit 0
fi
# A cordon with no cordon-serve beside it: a copy in a directory of its
# own, its libraries where its run path ($ORIGIN/../lib) looks.
alone=
libdir=$(dirname "$(dirname "$CORDON")")/lib
if [ -d "$libdir" ]; then
	mkdir -p "$T/alone/bin"
	cp "$CORDON" "$T/alone/bin/cordon"
	ln -s "$libdir" "$T/alone/lib"
	"$T/alone/bin/cordon" --version >/dev/null 2>&1 && alone=$T/alone/bin/cordon
fi
chmod 755 "$T"
MCP_ALONE="$alone" TMPDIR="$T" CORDON="$CORDON" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$CORDON_SRCDIR/tests/mcp_service.py"
