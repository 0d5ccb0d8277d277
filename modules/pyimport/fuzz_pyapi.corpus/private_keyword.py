import json
print(list(json.JSONEncoder().iterencode({"a": 1}, _one_shot=True)))
