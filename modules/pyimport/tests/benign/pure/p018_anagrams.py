from collections import defaultdict
from itertools import combinations

WORDS = """listen silent enlist google elgoog inlets banana stone tones notes
onset seton rat tar art evil vile live veil""".split()

groups = defaultdict(set)
for w in WORDS:
    groups["".join(sorted(w))].add(w)

anagram_sets = sorted((sorted(g) for g in groups.values() if len(g) > 1), key=len, reverse=True)
for g in anagram_sets:
    print(", ".join(g))

pairs = sum(len(list(combinations(g, 2))) for g in anagram_sets)
print("anagram pairs:", pairs)
