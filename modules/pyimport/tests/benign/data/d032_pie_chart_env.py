import os
import matplotlib.pyplot as plt

budget = {"rent": 1450, "food": 620, "transport": 180, "savings": 900, "fun": 300, "other": 150}
out_dir = os.environ.get("PLOT_DIR", "/output")
os.makedirs(out_dir, exist_ok=True)

fig, ax = plt.subplots(figsize=(6, 6))
wedges, texts, autotexts = ax.pie(budget.values(), labels=budget.keys(), autopct="%1.0f%%", startangle=90)
ax.set_title("Monthly budget")
path = os.path.join(out_dir, "budget_pie.png")
fig.savefig(path)
print("saved", path, "total:", sum(budget.values()))
