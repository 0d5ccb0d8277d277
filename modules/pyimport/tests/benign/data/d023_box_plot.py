import pandas as pd
import matplotlib.pyplot as plt

df = pd.read_csv("/data/experiment.csv")
groups = [g["response_ms"].dropna().values for _, g in df.groupby("variant")]
names = sorted(df["variant"].unique())

fig, ax = plt.subplots(figsize=(6, 4))
ax.boxplot(groups, labels=names, showmeans=True)
ax.set_ylabel("response time (ms)")
ax.set_title("A/B test response times")
fig.tight_layout()
fig.savefig("/output/boxplot.png")

summary = df.groupby("variant")["response_ms"].describe()[["mean", "50%", "std"]]
print(summary.round(1))
a, b = groups[0], groups[1]
diff = b.mean() - a.mean()
pooled = ((a.var(ddof=1) / len(a)) + (b.var(ddof=1) / len(b))) ** 0.5
print(f"difference {diff:.1f} ms, t = {diff / pooled:.2f}")
