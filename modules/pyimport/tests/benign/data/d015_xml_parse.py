import xml.etree.ElementTree as ET
import csv

tree = ET.parse("/data/catalog.xml")
root = tree.getroot()
books = []
for book in root.iter("book"):
    books.append({
        "id": book.get("id"),
        "title": book.findtext("title", "").strip(),
        "author": book.findtext("author", "").strip(),
        "price": float(book.findtext("price", "0") or 0),
        "year": int(book.findtext("publish_date", "0000")[:4] or 0),
    })

books.sort(key=lambda b: (b["author"], b["year"]))
for b in books:
    print(f"{b['id']:<6} {b['year']} {b['price']:>7.2f}  {b['title']} — {b['author']}")

with open("/output/catalog.csv", "w", newline="") as fh:
    writer = csv.DictWriter(fh, fieldnames=["id", "title", "author", "price", "year"])
    writer.writeheader()
    writer.writerows(books)
