import re
import unicodedata

with open("/data/article.txt", encoding="utf-8") as f:
    text = unicodedata.normalize("NFC", f.read())

ABBREV = {"e.g.", "i.e.", "mr.", "mrs.", "dr.", "etc.", "vs."}
tokens = re.split(r"(?<=[.!?])\s+", text.strip())
sentences, buf = [], ""
for tok in tokens:
    buf = f"{buf} {tok}".strip() if buf else tok
    last = buf.split()[-1].lower() if buf.split() else ""
    if last not in ABBREV:
        sentences.append(buf)
        buf = ""
if buf:
    sentences.append(buf)

with open("/output/sentences.txt", "w", encoding="utf-8") as out:
    for i, s in enumerate(sentences, 1):
        out.write(f"{i:03d}\t{s}\n")
print(len(sentences), "sentences; longest:", max(sentences, key=len)[:80])
