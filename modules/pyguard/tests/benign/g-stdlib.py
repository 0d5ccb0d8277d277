import os, os.path, pathlib, logging, traceback, tempfile, io, sqlite3, time, operator, difflib, unicodedata, warnings, sys
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(levelname)s %(funcName)s %(message)s")
log = logging.getLogger("x")
log.info("start")
p = pathlib.Path("/tmp") / "g.txt"
p.write_text("hello\n")
print(p.read_text().strip(), os.path.exists(str(p)), os.path.join("a", "b"), os.getenv("HOME"), sorted(os.listdir("/tmp"))[:1])
try:
    1 / 0
except ZeroDivisionError:
    s = traceback.format_exc()
    log.exception("handled")
print("ZeroDivisionError" in s)
with tempfile.TemporaryDirectory() as d:
    with open(os.path.join(d, "f"), "w") as f:
        f.write("x")
    print(len(os.listdir(d)))
db = sqlite3.connect("/tmp/t.db")
db.execute("create table if not exists t(x)")
db.execute("insert into t values (1)")
print(db.execute("select count(*) from t").fetchone()[0] >= 1)
db.close()
warnings.warn("careful")
print(io.StringIO("a\nb").readlines(), operator.itemgetter(1)([1, 2]), difflib.SequenceMatcher(None, "abc", "abd").ratio())
print(unicodedata.name("a"), time.strftime("%Y", time.gmtime(0)))
print("OK stdlib")
