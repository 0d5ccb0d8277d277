import csv
import json
import os
from dataclasses import dataclass, asdict
from typing import Iterable, Protocol


@dataclass
class Row:
    city: str
    population: int
    area_km2: float

    @property
    def density(self) -> float:
        return self.population / self.area_km2 if self.area_km2 else 0.0


class Writer(Protocol):
    def write(self, rows: Iterable[Row], path: str) -> None: ...


class CsvWriter:
    def write(self, rows, path):
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["city", "population", "area_km2", "density"])
            for r in rows:
                w.writerow([r.city, r.population, r.area_km2, round(r.density, 1)])


class JsonWriter:
    def write(self, rows, path):
        with open(path, "w") as fh:
            json.dump([dict(asdict(r), density=round(r.density, 1)) for r in rows], fh, indent=2)


def load(path):
    with open(path, newline="") as fh:
        return [Row(r["city"], int(r["population"]), float(r["area_km2"])) for r in csv.DictReader(fh)]


rows = sorted(load("/data/cities.csv"), key=lambda r: r.density, reverse=True)
out = "/output"
for writer, name in ((CsvWriter(), "cities.csv"), (JsonWriter(), "cities.json")):
    writer.write(rows, os.path.join(out, name))
    print(f"{type(writer).__name__} -> {name}")
