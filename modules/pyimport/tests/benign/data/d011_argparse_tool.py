#!/usr/bin/env python3
import argparse
import csv
import statistics
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Column statistics for a CSV file")
    p.add_argument("csv_path", nargs="?", default="/data/measurements.csv")
    p.add_argument("--column", "-c", default="value")
    p.add_argument("--delimiter", default=",")
    p.add_argument("--precision", type=int, default=3)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    values = []
    with open(args.csv_path, newline="") as f:
        for row in csv.DictReader(f, delimiter=args.delimiter):
            try:
                values.append(float(row[args.column]))
            except (KeyError, ValueError):
                pass
    if not values:
        print(f"no numeric values in column {args.column!r}", file=sys.stderr)
        return 2
    fmt = f"{{:.{args.precision}f}}"
    print("count", len(values))
    print("mean ", fmt.format(statistics.mean(values)))
    print("min  ", fmt.format(min(values)))
    print("max  ", fmt.format(max(values)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
