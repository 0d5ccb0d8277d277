#!/usr/bin/python3
"""tests/reference/split_snippets.py SNIPPETS DIR - write each "### name"
snippet of SNIPPETS to DIR/name.py, replacing the markers that stand for
bytes a text file should not hide."""
import os
import sys

MARKS = {"<CR>": "\r", "<FF>": "\f", "<NUL>": "\0", "<NBSP>": "\u00a0", "<CTRL>": "\x01", "<COMB>": "\u0301"}


def main(src, out):
    name, body = None, []

    def flush():
        if name is None:
            return
        text = "\n".join(body) + "\n"
        for k, v in MARKS.items():
            text = text.replace(k, v)
        with open(os.path.join(out, name + ".py"), "w", encoding="utf-8", newline="") as fh:
            fh.write(text)

    with open(src, encoding="utf-8") as fh:
        for line in fh.read().split("\n"):
            if line.startswith("### "):
                flush()
                name, body = line[4:].strip(), []
            elif name is not None:
                body.append(line)
    flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
