import re
import sys
from collections import Counter
from pathlib import Path

source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/data/book.txt")
text = source.read_text(encoding="utf-8", errors="replace")
words = re.findall(r"[A-Za-z']+", text.lower())
counts = Counter(words)

print(f"{source.name}: {len(words)} words, {len(counts)} distinct")
for word, n in counts.most_common(20):
    print(f"{n:7d}  {word}")

out = Path("/output") / f"{source.stem}_top100.txt"
out.write_text("\n".join(f"{w}\t{n}" for w, n in counts.most_common(100)) + "\n")
print("written to", out)
