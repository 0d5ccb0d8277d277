from functools import singledispatch
from decimal import Decimal
from datetime import date, datetime
import json


@singledispatch
def to_jsonable(obj):
    raise TypeError(f"cannot serialise {type(obj).__name__}")


@to_jsonable.register
def _(obj: Decimal):
    return str(obj)


@to_jsonable.register
def _(obj: date):
    return obj.isoformat()


@to_jsonable.register(set)
@to_jsonable.register(frozenset)
def _(obj):
    return sorted(obj)


record = {
    "price": Decimal("19.99"),
    "day": date(2024, 3, 14),
    "stamp": datetime(2024, 3, 14, 15, 9, 26),
    "tags": {"b", "a", "c"},
}
print(json.dumps(record, default=to_jsonable, indent=1))
