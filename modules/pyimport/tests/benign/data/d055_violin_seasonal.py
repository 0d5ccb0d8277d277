import pandas as pd
import matplotlib.pyplot as plt

df = pd.read_csv("/data/bike_rentals.csv", parse_dates=["date"])
df["season"] = df["date"].dt.month % 12 // 3
season_names = {0: "winter", 1: "spring", 2: "summer", 3: "autumn"}
groups = [df.loc[df["season"] == s, "rentals"].values for s in range(4)]

fig, ax = plt.subplots(figsize=(7, 4))
parts = ax.violinplot(groups, showmedians=True)
ax.set_xticks(range(1, 5), [season_names[s] for s in range(4)])
ax.set_ylabel("daily rentals")
fig.savefig("/output/rentals_by_season.png")
print(df.groupby(df["season"].map(season_names))["rentals"].median())
