import sys
import re
from collections import Counter


def analyse(text: str) -> dict:
    sentences = [s for s in re.split(r"[.!?]+\s*", text) if s.strip()]
    words = re.findall(r"\b[\w']+\b", text.lower())
    syllables = sum(max(1, len(re.findall(r"[aeiouy]+", w))) for w in words)
    n_w, n_s = max(len(words), 1), max(len(sentences), 1)
    return {
        "sentences": len(sentences),
        "words": len(words),
        "unique": len(set(words)),
        "avg_word_len": round(sum(map(len, words)) / n_w, 2),
        "flesch": round(206.835 - 1.015 * (n_w / n_s) - 84.6 * (syllables / n_w), 1),
        "top": Counter(words).most_common(3),
    }


text = sys.stdin.read() if not sys.stdin.isatty() else ""
if not text.strip():
    text = "Readability formulas are crude. Still, they help! Short sentences read easily."
for key, value in analyse(text).items():
    print(f"{key:>13}: {value}")
