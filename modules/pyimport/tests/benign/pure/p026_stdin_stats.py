#!/usr/bin/env python3
"""Read numbers from standard input (one per line) and print summary statistics."""
import statistics
import sys


def read_numbers(stream):
    values = []
    for lineno, line in enumerate(stream, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            values.append(float(line))
        except ValueError:
            print(f"line {lineno}: not a number: {line!r}", file=sys.stderr)
    return values


def main() -> int:
    values = read_numbers(sys.stdin)
    if not values:
        print("no data", file=sys.stderr)
        return 1
    print(f"n      {len(values)}")
    print(f"mean   {statistics.fmean(values):.4f}")
    print(f"median {statistics.median(values):.4f}")
    if len(values) > 1:
        print(f"stdev  {statistics.stdev(values):.4f}")
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    print("quartiles", ", ".join(f"{x:.2f}" for x in q))
    return 0


if __name__ == "__main__":
    sys.exit(main())
