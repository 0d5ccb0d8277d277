import csv
import io
from collections import defaultdict
from statistics import mean, median

DATA = """region,month,sales
north,2024-01,1200
north,2024-02,1350
south,2024-01,980
south,2024-02,1010
east,2024-01,1500
east,2024-02,1420
"""

reader = csv.DictReader(io.StringIO(DATA))
by_region = defaultdict(list)
for row in reader:
    by_region[row["region"]].append(int(row["sales"]))

out = io.StringIO()
writer = csv.writer(out)
writer.writerow(["region", "mean", "median", "total"])
for region, values in sorted(by_region.items()):
    writer.writerow([region, round(mean(values), 1), median(values), sum(values)])
print(out.getvalue())
