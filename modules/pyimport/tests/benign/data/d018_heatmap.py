import numpy as np
import matplotlib.pyplot as plt

rng = np.random.default_rng(11)
data = rng.normal(size=(200, 6))
data[:, 1] += data[:, 0] * 0.8
data[:, 4] -= data[:, 2] * 0.6
labels = ["a", "b", "c", "d", "e", "f"]
corr = np.corrcoef(data, rowvar=False)

fig, ax = plt.subplots(figsize=(5, 4))
im = ax.imshow(corr, cmap="coolwarm", vmin=-1, vmax=1)
ax.set_xticks(range(len(labels)), labels)
ax.set_yticks(range(len(labels)), labels)
for i in range(len(labels)):
    for j in range(len(labels)):
        ax.text(j, i, f"{corr[i, j]:.2f}", ha="center", va="center", fontsize=7)
fig.colorbar(im, ax=ax)
ax.set_title("Correlation")
fig.savefig("/output/corr_heatmap.png", bbox_inches="tight")
print(np.round(corr, 2))
