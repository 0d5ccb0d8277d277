import random
import re
from collections import defaultdict

with open("/data/corpus.txt", encoding="utf-8") as fh:
    words = re.findall(r"\w+|[.!?]", fh.read().lower())

chain = defaultdict(list)
for a, b, c in zip(words, words[1:], words[2:]):
    chain[(a, b)].append(c)

random.seed(7)
state = random.choice([k for k in chain if k[0] == "."] or list(chain))
out = []
for _ in range(60):
    nxt = random.choice(chain.get(state, ["."]))
    out.append(nxt)
    state = (state[1], nxt)
text = " ".join(out).replace(" .", ".").replace(" !", "!").replace(" ?", "?")
print(text.capitalize())
