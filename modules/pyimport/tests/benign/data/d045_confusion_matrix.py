import numpy as np
import matplotlib.pyplot as plt

data = np.genfromtxt("/data/predictions.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
labels = sorted(set(data["actual"]) | set(data["predicted"]))
index = {l: i for i, l in enumerate(labels)}
cm = np.zeros((len(labels), len(labels)), dtype=int)
for a, p in zip(data["actual"], data["predicted"]):
    cm[index[a], index[p]] += 1

precision = np.diag(cm) / np.maximum(cm.sum(axis=0), 1)
recall = np.diag(cm) / np.maximum(cm.sum(axis=1), 1)
f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
for l, p, r, f in zip(labels, precision, recall, f1):
    print(f"{l:<10} precision={p:.2f} recall={r:.2f} f1={f:.2f}")
print("accuracy:", np.trace(cm) / cm.sum())

fig, ax = plt.subplots()
ax.imshow(cm, cmap="Blues")
ax.set_xticks(range(len(labels)), labels, rotation=45)
ax.set_yticks(range(len(labels)), labels)
for (i, j), v in np.ndenumerate(cm):
    ax.text(j, i, v, ha="center", va="center")
fig.savefig("/output/confusion.png", bbox_inches="tight")
