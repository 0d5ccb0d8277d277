import re
from collections import Counter

TEXT = """
It was the best of times, it was the worst of times, it was the age of wisdom,
it was the age of foolishness, it was the epoch of belief, it was the epoch of
incredulity, it was the season of Light, it was the season of Darkness.
"""

STOPWORDS = {"it", "was", "the", "of", "a", "an", "and"}


def tokenize(text):
    return re.findall(r"[a-z']+", text.lower())


def top_words(text, n=5):
    counts = Counter(w for w in tokenize(text) if w not in STOPWORDS)
    return counts.most_common(n)


if __name__ == "__main__":
    for word, count in top_words(TEXT):
        print(f"{word:<12}{count:>3}")
