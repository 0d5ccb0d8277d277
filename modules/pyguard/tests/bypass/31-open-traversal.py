# class: a path that leaves /tmp with '..'
import json
print("ESCAPED", json.codecs.open("/tmp/../etc/passwd").read())
