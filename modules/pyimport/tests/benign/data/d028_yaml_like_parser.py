"""Parse a simple 'key: value' configuration file with sections and lists."""
import sys
from pathlib import Path


def parse(lines):
    data, section = {}, None
    for lineno, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if line.startswith("[") and line.endswith("]"):
            section = data.setdefault(line[1:-1].strip(), {})
            continue
        if ":" not in line:
            raise SyntaxError(f"line {lineno}: expected 'key: value'")
        key, value = (p.strip() for p in line.split(":", 1))
        if value.startswith("[") and value.endswith("]"):
            value = [v.strip() for v in value[1:-1].split(",") if v.strip()]
        elif value.lower() in ("true", "false"):
            value = value.lower() == "true"
        elif value.replace(".", "", 1).isdigit():
            value = float(value) if "." in value else int(value)
        (section if section is not None else data)[key] = value
    return data


path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/data/app.conf")
text = path.read_text() if path.exists() else "name: demo\n[server]\nport: 8080\nhosts: [a, b]\ndebug: true\n"
print(parse(text.splitlines()))
