from itertools import groupby, accumulate, chain, islice, pairwise, zip_longest
from operator import itemgetter, attrgetter
from dataclasses import dataclass


@dataclass
class Sale:
    day: str
    region: str
    amount: int


sales = [
    Sale("mon", "north", 10), Sale("mon", "south", 7), Sale("tue", "north", 12),
    Sale("tue", "south", 3), Sale("wed", "north", 8), Sale("wed", "south", 11),
]

by_region = sorted(sales, key=attrgetter("region"))
for region, group in groupby(by_region, key=attrgetter("region")):
    amounts = [s.amount for s in group]
    print(region, amounts, "running:", list(accumulate(amounts)))

rows = [(s.day, s.amount) for s in sales]
print("best day:", max(rows, key=itemgetter(1)))
print("deltas:", [b - a for a, b in pairwise(s.amount for s in sales)])
print("first three:", list(islice(chain.from_iterable([[1, 2], [3, 4], [5]]), 3)))
print(list(zip_longest("abc", [1, 2], fillvalue="-")))
