import pandas as pd
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

df = pd.read_csv("/data/web_metrics.csv", parse_dates=["day"])
fig, axes = plt.subplots(2, 2, figsize=(12, 7))
(ax1, ax2), (ax3, ax4) = axes

ax1.plot(df["day"], df["visits"], color="tab:blue")
ax1.set_title("Visits")
ax2.plot(df["day"], df["conversion_rate"] * 100, color="tab:green")
ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.1f}%"))
ax2.set_title("Conversion")
ax3.bar(df["day"].dt.day_name().str[:3], df["revenue"])
ax3.set_title("Revenue by weekday")
ax4.scatter(df["visits"], df["revenue"], alpha=0.6)
ax4.set_xlabel("visits")
ax4.set_ylabel("revenue")
fig.suptitle("Weekly dashboard")
fig.tight_layout()
fig.savefig("/output/dashboard.png", dpi=100)
print(df[["visits", "revenue"]].describe().round(1))
