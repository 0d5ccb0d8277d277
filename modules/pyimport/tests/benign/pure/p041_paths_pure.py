import os.path

FILES = [
    "/data/raw/2024/sales_january.csv",
    "reports/summary.final.pdf",
    "./notes/todo.txt",
    "archive.tar.gz",
    "/tmp/../data/./raw/readme",
]

for f in FILES:
    base = os.path.basename(f)
    stem, ext = os.path.splitext(base)
    print(f"{f:<36} dir={os.path.dirname(f) or '.':<16} stem={stem:<16} ext={ext or '-'}")

print(os.path.normpath("/tmp/../data/./raw/readme"))
print(os.path.join("out", "plots", "fig1.png"))
print(os.path.commonpath(["/data/raw/a.csv", "/data/raw/b.csv", "/data/clean/c.csv"]))
print(os.path.isabs("reports/x"), os.path.relpath("/data/raw/a.csv", "/data"))
