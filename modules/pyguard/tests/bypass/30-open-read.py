# class: reading a file outside the policy's paths through an allowed module
import json
print("ESCAPED", json.codecs.open("/etc/passwd").read())
