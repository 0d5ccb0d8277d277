from enum import Enum, auto
from dataclasses import dataclass
from typing import Dict


class Category(Enum):
    TOOLS = auto()
    FOOD = auto()
    BOOKS = auto()


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    category: Category
    price_cents: int


class Inventory:
    def __init__(self) -> None:
        self._stock: Dict[str, int] = {}
        self._items: Dict[str, Item] = {}

    def add(self, item: Item, qty: int = 1) -> None:
        self._items[item.sku] = item
        self._stock[item.sku] = self._stock.get(item.sku, 0) + qty

    def remove(self, sku: str, qty: int = 1) -> None:
        have = self._stock.get(sku, 0)
        if qty > have:
            raise ValueError(f"only {have} of {sku} in stock")
        self._stock[sku] = have - qty

    def value_by_category(self) -> Dict[Category, int]:
        totals: Dict[Category, int] = {c: 0 for c in Category}
        for sku, qty in self._stock.items():
            item = self._items[sku]
            totals[item.category] += item.price_cents * qty
        return totals

    def __len__(self) -> int:
        return sum(self._stock.values())


inv = Inventory()
inv.add(Item("H-1", "hammer", Category.TOOLS, 1599), 3)
inv.add(Item("B-7", "cookbook", Category.BOOKS, 2450))
inv.add(Item("F-2", "coffee", Category.FOOD, 899), 10)
inv.remove("F-2", 4)
print("items in stock:", len(inv))
for cat, cents in inv.value_by_category().items():
    print(f"{cat.name.title():<6} ${cents / 100:,.2f}")
