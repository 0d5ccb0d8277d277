import csv, json
rows = [{"name": "a", "v": 1}, {"name": "b", "v": 2}]
with open("/tmp/data.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["name", "v"])
    w.writeheader()
    w.writerows(rows)
with open("/tmp/data.csv") as f:
    back = list(csv.DictReader(f))
with open("/tmp/out.json", "w") as f:
    json.dump(back, f)
with open("/tmp/out.json", "a") as f:
    f.write("\n")
print(back, open("/tmp/out.json").read().strip())
print("OK files")
