import json
import re
import sys

TOKEN = re.compile(r"\d+(?:\.\d+)?|[A-Za-z_]\w*|\S")

result = []
for lineno, line in enumerate(sys.stdin, 1):
    toks = TOKEN.findall(line)
    if toks:
        result.append({"line": lineno, "tokens": toks, "numbers": [float(t) for t in toks if t[0].isdigit()]})
json.dump(result, sys.stdout, indent=1)
print()
