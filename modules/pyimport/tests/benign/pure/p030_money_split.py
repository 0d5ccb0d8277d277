from decimal import Decimal, getcontext, ROUND_DOWN

getcontext().prec = 28


def split_bill(total: Decimal, weights: dict[str, int]) -> dict[str, Decimal]:
    """Split total by weights; leftover cents go to the largest shares first."""
    cent = Decimal("0.01")
    wsum = sum(weights.values())
    shares = {k: (total * w / wsum).quantize(cent, rounding=ROUND_DOWN) for k, w in weights.items()}
    leftover = total - sum(shares.values())
    for name in sorted(weights, key=lambda k: (-weights[k], k)):
        if leftover <= 0:
            break
        shares[name] += cent
        leftover -= cent
    return shares


bill = Decimal("100.00")
split = split_bill(bill, {"ann": 3, "ben": 2, "cai": 2})
for name, amount in split.items():
    print(f"{name}: {amount}")
assert sum(split.values()) == bill
print("tax at 8.25%:", (bill * Decimal("0.0825")).quantize(Decimal("0.01")))
