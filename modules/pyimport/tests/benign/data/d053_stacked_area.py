import numpy as np
import matplotlib.pyplot as plt

years = np.arange(2010, 2025)
rng = np.random.default_rng(21)
sources = {
    "coal": np.linspace(45, 20, years.size) + rng.normal(0, 1, years.size),
    "gas": np.linspace(25, 30, years.size) + rng.normal(0, 1, years.size),
    "wind": np.linspace(3, 18, years.size) + rng.normal(0, 0.5, years.size),
    "solar": np.geomspace(0.5, 15, years.size),
}
total = sum(sources.values())
shares = {k: v / total * 100 for k, v in sources.items()}

fig, ax = plt.subplots(figsize=(9, 5))
ax.stackplot(years, *shares.values(), labels=shares.keys(), alpha=0.85)
ax.set_ylabel("share of generation (%)")
ax.set_xlim(years[0], years[-1])
ax.legend(loc="upper left", ncol=2)
fig.savefig("/output/energy_mix.svg")
print({k: round(float(v[-1]), 1) for k, v in shares.items()})
