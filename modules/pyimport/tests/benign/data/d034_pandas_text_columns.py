import pandas as pd

reviews = pd.read_csv("/data/reviews.csv")
reviews["text"] = reviews["text"].fillna("").str.strip()
reviews["length"] = reviews["text"].str.split().str.len()
reviews["exclaims"] = reviews["text"].str.count("!")
positive = {"great", "love", "excellent", "good", "amazing"}
negative = {"bad", "terrible", "awful", "poor", "hate"}


def score(text: str) -> int:
    words = set(text.lower().replace("!", " ").replace(".", " ").split())
    return len(words & positive) - len(words & negative)


reviews["sentiment"] = reviews["text"].map(score)
print(reviews.groupby("stars")[["length", "exclaims", "sentiment"]].mean().round(2))
print(reviews.sort_values("sentiment").head(3)[["stars", "text"]].to_string(index=False))
reviews.to_csv("/output/reviews_scored.csv", index=False)
