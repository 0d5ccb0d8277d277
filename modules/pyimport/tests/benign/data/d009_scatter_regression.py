import numpy as np
import matplotlib.pyplot as plt

rng = np.random.default_rng(0)
x = rng.uniform(0, 10, 80)
y = 2.3 * x + 4 + rng.normal(0, 2.5, x.size)

slope, intercept = np.polyfit(x, y, 1)
pred = slope * x + intercept
ss_res = np.sum((y - pred) ** 2)
ss_tot = np.sum((y - y.mean()) ** 2)
r2 = 1 - ss_res / ss_tot

fig, ax = plt.subplots()
ax.scatter(x, y, s=15, alpha=0.7, label="observations")
xs = np.linspace(0, 10, 100)
ax.plot(xs, slope * xs + intercept, "r-", label=f"y = {slope:.2f}x + {intercept:.2f}")
ax.set_title(f"Linear fit (R² = {r2:.3f})")
ax.legend()
fig.savefig("/output/regression.png", dpi=100, bbox_inches="tight")
print(f"slope={slope:.3f} intercept={intercept:.3f} r2={r2:.3f}")
