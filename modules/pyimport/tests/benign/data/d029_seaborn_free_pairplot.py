import pandas as pd
import matplotlib.pyplot as plt

iris = pd.read_csv("/data/iris.csv")
features = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
species = iris["species"].unique()
colors = dict(zip(species, ["tab:blue", "tab:orange", "tab:green"]))

fig, axes = plt.subplots(len(features), len(features), figsize=(10, 10))
for i, fy in enumerate(features):
    for j, fx in enumerate(features):
        ax = axes[i, j]
        if i == j:
            for s in species:
                ax.hist(iris.loc[iris.species == s, fx], bins=15, alpha=0.5, color=colors[s])
        else:
            for s in species:
                sub = iris[iris.species == s]
                ax.scatter(sub[fx], sub[fy], s=5, color=colors[s])
        if i == len(features) - 1:
            ax.set_xlabel(fx)
        if j == 0:
            ax.set_ylabel(fy)
fig.savefig("/output/pairplot.png", dpi=80)
print(iris.groupby("species")[features].mean().round(2))
