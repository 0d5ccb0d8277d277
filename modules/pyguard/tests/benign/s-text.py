import re, string, textwrap, json, csv, pprint, datetime
text = "The quick brown fox jumps over the lazy dog. " * 3
words = re.findall(r"[a-z]+", text.lower())
freq = {}
for w in words:
    freq[w] = freq.get(w, 0) + 1
print(textwrap.fill(" ".join(sorted(freq)), width=40))
print(string.Template("$n words").substitute(n=len(words)), "{:>8.2f}".format(3.14159), f"{len(words):05d}")
doc = json.loads(json.dumps({"freq": freq, "when": datetime.date(2024, 1, 2).isoformat()}))
pprint.pprint(doc["when"])
d = datetime.datetime.strptime("2024-03-04 05:06", "%Y-%m-%d %H:%M")
print(d + datetime.timedelta(days=1), "caf\u00e9".encode("latin-1"), b"\xe9".decode("cp1252"))
print("OK text")
