import json
try:
    json.loads("{bad")
except json.JSONDecodeError as e:
    print("caught", e.msg)
try:
    {}["x"]
except KeyError as e:
    print("caught", repr(e))
try:
    open("/tmp/does-not-exist")
except FileNotFoundError:
    print("caught missing file")
print("OK errors")
