import logging
import csv
import os
import sys

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
log = logging.getLogger("pipeline")


def extract(path):
    log.info("reading %s", path)
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def transform(rows):
    out = []
    for i, row in enumerate(rows):
        try:
            row["price"] = float(row["price"])
            row["qty"] = int(row["qty"])
        except (ValueError, KeyError) as exc:
            log.warning("row %d dropped: %s", i, exc)
            continue
        row["total"] = round(row["price"] * row["qty"], 2)
        out.append(row)
    log.info("%d of %d rows kept", len(out), len(rows))
    return out


def load(rows, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    log.info("wrote %s", path)


if __name__ == "__main__":
    data = transform(extract(os.environ.get("SOURCE", "/data/items.csv")))
    if data:
        load(data, "/output/items_clean.csv")
