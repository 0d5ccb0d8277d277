import json.decoder
print(json.decoder.scanner.__name__, json.decoder.re, json.codecs)
