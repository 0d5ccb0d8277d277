import pandas as pd
import numpy as np

df = pd.read_csv("/data/hr.csv")
df["tenure_years"] = (pd.Timestamp("2024-12-31") - pd.to_datetime(df["hired"])).dt.days / 365.25
df["band"] = pd.cut(df["salary"], bins=[0, 40_000, 70_000, 100_000, np.inf], labels=["<40k", "40-70k", "70-100k", "100k+"])

pivot = pd.pivot_table(df, index="department", columns="band", values="employee_id", aggfunc="count", fill_value=0, observed=False)
print(pivot)
print()
stats = df.groupby("department").agg(
    headcount=("employee_id", "count"),
    median_salary=("salary", "median"),
    mean_tenure=("tenure_years", "mean"),
)
print(stats.round(1).sort_values("headcount", ascending=False))
stats.to_csv("/output/department_stats.csv")
with open("/output/department_stats.md", "w") as f:
    f.write(stats.round(1).to_markdown() if hasattr(stats, "to_markdown") else stats.to_string())
