import pandas as pd
df = pd.DataFrame({"city": ["a", "b", "a", "c"], "v": [1, 2, 3, 4]})
df.to_csv("/tmp/in.csv", index=False)
df = pd.read_csv("/tmp/in.csv")
g = df.groupby("city")["v"].agg(["sum", "mean"])
print(g)
g.to_csv("/output/summary.csv")
print(df.describe().loc["mean", "v"], pd.to_datetime(["2024-01-01"]).year[0])
print("OK pandas")
