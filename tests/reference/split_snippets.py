#!/usr/bin/python3
"""tests/reference/split_snippets.py SNIPPETS DIR - write each "### name
[word...]" snippet of SNIPPETS to DIR/name.py and print its header words
(name and the rest) one snippet a line.  Markers stand for bytes that a
text file should not hide: <CR> <FF> <NUL> <NBSP> <CTRL> <COMB> <ZWJ> and <XFF>
(a raw 0xff byte, invalid UTF-8)."""
import os
import sys

MARKS = {"<CR>": "\r", "<FF>": "\f", "<NUL>": "\0", "<NBSP>": "\u00a0", "<CTRL>": "\x01", "<COMB>": "\u0301",
         "<ZWJ>": "\u200d"}


def main(src, out):
    head, body = None, []

    def flush():
        if head is None:
            return
        text = "\n".join(body) + "\n"
        for k, v in MARKS.items():
            text = text.replace(k, v)
        data = text.encode("utf-8").replace(b"<XFF>", b"\xff")
        with open(os.path.join(out, head[0] + ".py"), "wb") as fh:
            fh.write(data)
        print(" ".join(head))

    with open(src, encoding="utf-8") as fh:
        for line in fh.read().split("\n"):
            if line.startswith("### "):
                flush()
                head, body = line[4:].split(), []
            elif head is not None:
                body.append(line)
    flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
