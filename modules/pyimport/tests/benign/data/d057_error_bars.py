import numpy as np
import matplotlib.pyplot as plt
import csv

groups, means, errs = [], [], []
with open("/data/trials.csv", newline="") as fh:
    data = {}
    for row in csv.DictReader(fh):
        data.setdefault(row["condition"], []).append(float(row["score"]))
for cond, vals in sorted(data.items()):
    arr = np.array(vals)
    groups.append(cond)
    means.append(arr.mean())
    errs.append(1.96 * arr.std(ddof=1) / np.sqrt(arr.size))

fig, ax = plt.subplots()
ax.bar(groups, means, yerr=errs, capsize=6, color="tab:purple", alpha=0.8)
ax.set_ylabel("mean score (95% CI)")
fig.savefig("/output/conditions.png")
for g, m, e in zip(groups, means, errs):
    print(f"{g:<10} {m:6.2f} ± {e:.2f}")
