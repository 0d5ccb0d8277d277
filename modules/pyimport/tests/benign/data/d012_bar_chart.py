import json
import matplotlib
matplotlib.use("Agg")
from matplotlib import pyplot as plt

with open("/data/survey.json") as fh:
    survey = json.load(fh)

answers = {}
for response in survey["responses"]:
    lang = response.get("favourite_language", "other")
    answers[lang] = answers.get(lang, 0) + 1

labels, counts = zip(*sorted(answers.items(), key=lambda kv: kv[1], reverse=True))
fig, ax = plt.subplots(figsize=(8, 4))
bars = ax.bar(labels, counts, color="steelblue")
ax.bar_label(bars)
ax.set_ylabel("responses")
ax.set_title(f"Favourite language (n={sum(counts)})")
plt.xticks(rotation=30, ha="right")
plt.tight_layout()
plt.savefig("/output/languages.png")
plt.close(fig)
print(dict(zip(labels, counts)))
