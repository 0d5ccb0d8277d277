import matplotlib.pyplot as plt
import pandas as pd

df = pd.read_csv("/data/heights.csv")
fig, ax = plt.subplots(figsize=(7, 4))
for sex, group in df.groupby("sex"):
    ax.hist(group["height_cm"], bins=30, alpha=0.6, label=f"{sex} (n={len(group)})")
ax.axvline(df["height_cm"].mean(), color="k", linestyle=":", label="overall mean")
ax.set_xlabel("height (cm)")
ax.set_ylabel("count")
ax.legend()
ax.set_title("Height distribution")
plt.tight_layout()
plt.savefig("/output/heights_hist.png")
print(df.groupby("sex")["height_cm"].agg(["mean", "std", "count"]).round(1))
