import numpy as np

rng = np.random.default_rng(seed=2024)
samples = rng.normal(loc=50, scale=12, size=(1000, 3))
print("shape:", samples.shape)
print("mean per column:", samples.mean(axis=0).round(2))
print("std per column:", samples.std(axis=0, ddof=1).round(2))
print("percentiles:", np.percentile(samples[:, 0], [5, 25, 50, 75, 95]).round(1))

corr = np.corrcoef(samples, rowvar=False)
print("correlation matrix:\n", corr.round(3))

# z-score outliers
z = (samples - samples.mean(axis=0)) / samples.std(axis=0)
outliers = np.argwhere(np.abs(z) > 3)
print("outliers (row, col):", outliers[:10].tolist(), "... total", len(outliers))
hist, edges = np.histogram(samples[:, 1], bins=10)
for count, lo in zip(hist, edges):
    print(f"{lo:6.1f} {'*' * (count // 10)}")
np.savetxt("/tmp/samples.csv", samples, delimiter=",", fmt="%.3f")
