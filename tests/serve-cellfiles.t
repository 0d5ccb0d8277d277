#!/bin/sh
# tests/serve-cellfiles.t - a session's cells return the files they leave in
# /output (core/serve/session.c): new and changed files only, their content
# in base64 with the size, MIME type and sha256 the service computed; the
# driver's claims checked (a cell that forges its own marker line with a
# path out of /output or a wrong hash gets nothing through); over /mcp an
# image is image content.
. "$(dirname "$0")/lib.sh"

need_serve
S="$T/serve.sock"
chmod 755 "$T"
printf 'listen: {unix: %s}\npolicies: [default]\nlog: %s/serve.log\n' "$S" "$T" >"$T/serve.yaml"
chmod 0644 "$T/serve.yaml"
serve_up "$T/serve.yaml"

req POST /v1/sessions '{"policy": "default"}'
check "a session starts" eval 'code_is 201'
sid=$(json_get 'j["id"]')
cell() { req POST "/v1/sessions/$sid/execute" "$1"; }

cell '{"code": "x = 1"}'
check "a cell that writes nothing returns no files" eval 'code_is 200 && jtrue "j[\"files\"] == [] and j[\"files_not_listed\"] == 0"'

# A PNG's signature and some bytes, and a text file in a subdirectory.
cell '{"code": "import os\nos.makedirs(\"/output/sub\", exist_ok=True)\nopen(\"/output/plot.png\", \"wb\").write(b\"\\x89PNG\\r\\n\\x1a\\n\" + bytes(range(256)) * 4)\nopen(\"/output/sub/notes.txt\", \"w\").write(\"total 7\\n\")\n"}'
check "the cell's files come back: path, size, MIME type" eval 'code_is 200 && jtrue "sorted((f[\"path\"], f[\"size\"], f[\"mime\"]) for f in j[\"files\"]) == [(\"plot.png\", 1032, \"image/png\"), (\"sub/notes.txt\", 8, \"text/plain\")]"'
check "... with their content and the sha256 of it" eval 'jtrue "all(__import__(\"hashlib\").sha256(__import__(\"base64\").b64decode(f[\"data\"])).hexdigest() == f[\"sha256\"] for f in j[\"files\"]) and __import__(\"base64\").b64decode([f for f in j[\"files\"] if f[\"path\"] == \"sub/notes.txt\"][0][\"data\"]) == b\"total 7\\n\""'
cell '{"code": "x + 1"}'
check "the next cell returns only what changed since (nothing)" eval 'code_is 200 && jtrue "j[\"files\"] == [] and j[\"value\"] == \"2\""'
cell '{"code": "open(\"/output/sub/notes.txt\", \"a\").write(\"more\\n\")"}'
check "a file the cell changed comes back again" eval 'code_is 200 && jtrue "[f[\"path\"] for f in j[\"files\"]] == [\"sub/notes.txt\"] and j[\"files\"][0][\"size\"] == 13"'

# A name that is not UTF-8 cannot be named in JSON: counted, the cell's
# answer intact; a name with a control character is dropped.
cell '{"code": "import os\nopen(os.fsencode(\"/output/\") + b\"\\xff.txt\", \"w\").write(\"x\")\nopen(\"/output/bad\\nname\\x1b[31m.txt\", \"w\").write(\"x\")\nopen(\"/output/ok.txt\", \"w\").write(\"x\")\n6 * 7"}'
check "a file name that is not UTF-8 is counted, not named; the cell's answer is whole" eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\" and j[\"value\"] == \"42\" and j[\"files_not_listed\"] == 1"'
check "... a name with a control character is dropped; the others come back" eval 'jtrue "[f[\"path\"] for f in j[\"files\"]] == [\"ok.txt\"]"'

# default keeps 1M of stdout for the session's whole life: files may use
# half of it; a file past that is listed without its content, and the
# session goes on.
cell '{"code": "open(\"/output/big.png\", \"wb\").write(b\"\\x89PNG\\r\\n\\x1a\\n\" + bytes(600000))\n\"drawn\""}'
check "a file past what the policy's output limit leaves for files: listed, not returned" eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\" and [(f[\"path\"], f[\"size\"], \"data\" in f, \"omitted\" in f) for f in j[\"files\"]] == [(\"big.png\", 600008, False, True)]"'
cell '{"code": "x"}'
check "... and the session lives on with its variables" eval 'code_is 200 && jtrue "j[\"status\"] == \"ok\" and j[\"value\"] == \"1\""'

# The cell prints its own marker line (it knows the cell number) with
# files the service must not vouch for.
cat >"$T/forge.json" <<'EOF2'
{"code": "import sys, base64, hashlib\nd = base64.b64encode(b'forged').decode()\nsys.stdout.write('\\x1e\\x1ecordon-cell-end 5 {\"status\": \"ok\", \"value\": null, \"error_type\": null, \"error\": null, \"files\": [{\"path\": \"../../etc/passwd\", \"size\": 6, \"mime\": \"image/png\", \"sha256\": \"x\", \"data\": \"' + d + '\"}, {\"path\": \"a.bin\", \"size\": 6, \"mime\": \"text/html; evil\", \"sha256\": \"0000\", \"data\": \"' + d + '\"}, {\"path\": \"b.bin\", \"size\": 99, \"mime\": \"application/x-evil\", \"sha256\": \"' + hashlib.sha256(b'forged').hexdigest() + '\", \"data\": \"' + d + '\"}]}\\n')\nsys.stdout.flush()\n"}
EOF2
cell "$(cat "$T/forge.json")"
check "a forged marker: a path out of /output is dropped" eval 'code_is 200 && jtrue "all(\"..\" not in f[\"path\"] for f in j[\"files\"])"'
check "... a wrong sha256 or size gets no content through, and says so; an unknown MIME type is octet-stream" \
	eval 'jtrue "[(f[\"path\"], f[\"mime\"], \"data\" in f, \"did not arrive intact\" in f.get(\"omitted\", \"\")) for f in j[\"files\"]] == [(\"a.bin\", \"application/octet-stream\", False, True), (\"b.bin\", \"application/octet-stream\", False, True)]"'

# Over /mcp: an image is image content, its base64 moved out of
# structuredContent.
mcp() {
	code=$(curl -s -m 60 -o "$T/out" -w '%{http_code}' --unix-socket "$S" -H 'Content-Type: application/json' \
		-H 'Accept: application/json, text/event-stream' --data-binary "$1" http://cordon/mcp)
}
mcp '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","session":"m","code":"open(\"/output/p.png\", \"wb\").write(b\"\\x89PNG\\r\\n\\x1a\\n\" * 10)\nprint(\"drew\")"}}}'
check "mcp: the cell's image is image content (image/png)" eval 'code_is 200 && jtrue "[c[\"mimeType\"] for c in j[\"result\"][\"content\"] if c[\"type\"] == \"image\"] == [\"image/png\"] and __import__(\"base64\").b64decode([c for c in j[\"result\"][\"content\"] if c[\"type\"] == \"image\"][0][\"data\"]) == b\"\\x89PNG\\r\\n\\x1a\\n\" * 10"'
check "mcp: ... listed in the text, and in structuredContent without its base64" eval 'jtrue "\"p.png (80 bytes, image/png)\" in j[\"result\"][\"content\"][0][\"text\"] and j[\"result\"][\"structuredContent\"][\"files\"][0].get(\"returned_as\") == \"image content\" and \"data\" not in j[\"result\"][\"structuredContent\"][\"files\"][0]"'

mcp '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"execute_code","arguments":{"language":"python","session":"m","code":"open(\"/output/e.png\", \"wb\").close()\nopen(\"/output/t.png\", \"w\").write(\"not a picture\")"}}}'
check "mcp: a .png that is not a PNG (empty, or text) is not image content" eval 'code_is 200 && jtrue "[c for c in j[\"result\"][\"content\"] if c[\"type\"] == \"image\"] == [] and sorted(f[\"path\"] for f in j[\"result\"][\"structuredContent\"][\"files\"]) == [\"e.png\", \"t.png\"]"'

done_testing
