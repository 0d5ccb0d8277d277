import pandas as pd
import numpy as np

df = pd.read_csv("/data/sales.csv", parse_dates=["date"])
df["month"] = df["date"].dt.to_period("M")
df["revenue"] = df["units"] * df["unit_price"]

monthly = (
    df.groupby(["month", "region"], as_index=False)["revenue"]
    .sum()
    .pivot(index="month", columns="region", values="revenue")
    .fillna(0)
)
print(monthly.round(2))
print()
print("growth (%):")
print((monthly.pct_change() * 100).round(1).iloc[1:])

top = df.nlargest(5, "revenue")[["date", "region", "product", "revenue"]]
print(top.to_string(index=False))
monthly.to_csv("/output/monthly_revenue.csv")
print("correlation units/price:", np.corrcoef(df["units"], df["unit_price"])[0, 1].round(3))
