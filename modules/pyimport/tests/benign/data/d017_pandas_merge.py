import pandas as pd

orders = pd.read_csv("/data/orders.csv")
customers = pd.read_csv("/data/customers.csv")
products = pd.read_json("/data/products.json")

merged = (
    orders.merge(customers, on="customer_id", how="left")
    .merge(products, on="product_id", how="left", suffixes=("", "_product"))
)
merged["total"] = merged["quantity"] * merged["price"]
by_country = merged.groupby("country").agg(orders=("order_id", "nunique"), revenue=("total", "sum"))
by_country["avg_order"] = by_country["revenue"] / by_country["orders"]
print(by_country.sort_values("revenue", ascending=False).round(2))

unmatched = merged[merged["name"].isna()]
if not unmatched.empty:
    print(f"warning: {len(unmatched)} orders without a customer")
merged.to_csv("/output/orders_enriched.csv", index=False)
