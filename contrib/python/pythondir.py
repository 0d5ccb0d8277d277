"""Print where `make install` puts the Python binding for PREFIX ($1): the
first of PREFIX/lib/python3/dist-packages (Debian's for /usr),
PREFIX/lib/pythonX.Y/dist-packages (Debian's for /usr/local) and
PREFIX/lib/pythonX.Y/site-packages (everyone else's) that this Python has
on sys.path, so that it imports the binding with no PYTHONPATH; the last
one when none is (a private prefix: set PYTHONPATH to it)."""

import sys

if len(sys.argv) != 2 or not sys.argv[1].startswith("/"):
    sys.exit("usage: pythondir.py ABSOLUTE-PREFIX")
prefix = sys.argv[1].rstrip("/") or ""
v = "python%d.%d" % sys.version_info[:2]
candidates = [prefix + "/lib/python3/dist-packages", prefix + "/lib/" + v + "/dist-packages",
              prefix + "/lib/" + v + "/site-packages"]
print(next((d for d in candidates if d in sys.path), candidates[-1]))
