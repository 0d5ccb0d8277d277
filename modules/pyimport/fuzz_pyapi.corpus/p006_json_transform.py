import json

RAW = """
{"users": [
  {"id": 1, "name": "Ada", "roles": ["admin", "dev"], "active": true},
  {"id": 2, "name": "Linus", "roles": ["dev"], "active": false},
  {"id": 3, "name": "Grace", "roles": ["dev", "ops"], "active": true}
]}
"""


def index_by_role(users):
    out = {}
    for user in users:
        for role in user["roles"]:
            out.setdefault(role, []).append(user["name"])
    return {k: sorted(v) for k, v in sorted(out.items())}


data = json.loads(RAW)
active = [u for u in data["users"] if u["active"]]
summary = {
    "total": len(data["users"]),
    "active": len(active),
    "by_role": index_by_role(data["users"]),
}
print(json.dumps(summary, indent=2, sort_keys=True))
