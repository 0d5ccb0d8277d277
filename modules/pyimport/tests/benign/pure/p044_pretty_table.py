from typing import Any, Sequence


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cols = list(zip(*([headers] + [[str(c) for c in r] for r in rows])))
    widths = [max(len(str(x)) for x in col) for col in cols]

    def fmt(row):
        cells = []
        for value, w in zip(row, widths):
            s = str(value)
            cells.append(s.rjust(w) if isinstance(value, (int, float)) else s.ljust(w))
        return "| " + " | ".join(cells) + " |"

    sep = "+-" + "-+-".join("-" * w for w in widths) + "-+"
    lines = [sep, fmt(headers), sep.replace("-", "=")]
    lines += [fmt(r) for r in rows]
    lines.append(sep)
    return "\n".join(lines)


data = [("python", 1991, 3.12), ("c", 1972, 23), ("rust", 2010, 1.79), ("go", 2009, 1.22)]
print(table(sorted(data, key=lambda r: r[1]), ["language", "year", "version"]))
