import pandas as pd

RAW = "/data/customers.csv"

df = pd.read_csv(RAW)
print("raw shape:", df.shape)
df.columns = [c.strip().lower().replace(" ", "_") for c in df.columns]
df = df.drop_duplicates(subset=["email"])
df["email"] = df["email"].str.strip().str.lower()
df["signup_date"] = pd.to_datetime(df["signup_date"], errors="coerce")
df["age"] = pd.to_numeric(df["age"], errors="coerce")
df.loc[(df["age"] < 0) | (df["age"] > 120), "age"] = pd.NA
df["country"] = df["country"].fillna("unknown").str.upper()

missing = df.isna().sum()
print("missing values per column:")
print(missing[missing > 0])
print(df.describe(include="all").T[["count", "unique", "mean"]])
df.to_csv("/output/customers_clean.csv", index=False)
print("clean shape:", df.shape)
