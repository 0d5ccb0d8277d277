import pandas as pd
import matplotlib.pyplot as plt

ts = pd.read_csv("/data/temperature.csv", index_col="date", parse_dates=True)["temp_c"]
ts = ts.asfreq("D").interpolate()
weekly = ts.rolling(7, center=True).mean()
monthly = ts.resample("M").agg(["mean", "min", "max"])
print(monthly.round(1).head(12))

anomalies = ts[(ts - weekly).abs() > 2 * ts.std()]
print(f"{len(anomalies)} anomalous days")

fig, ax = plt.subplots(figsize=(10, 4))
ts.plot(ax=ax, alpha=0.4, label="daily")
weekly.plot(ax=ax, label="7-day mean")
ax.scatter(anomalies.index, anomalies.values, color="red", s=10, label="anomalies", zorder=3)
ax.legend()
ax.set_ylabel("°C")
fig.savefig("/output/temperature.png", dpi=110)
