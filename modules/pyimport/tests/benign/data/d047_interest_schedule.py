import csv
from decimal import Decimal, ROUND_HALF_UP


def amortization(principal: Decimal, annual_rate: Decimal, years: int):
    r = annual_rate / 12
    n = years * 12
    payment = (principal * r / (1 - (1 + r) ** -n)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    balance = principal
    for month in range(1, n + 1):
        interest = (balance * r).quantize(Decimal("0.01"), ROUND_HALF_UP)
        principal_part = min(payment - interest, balance)
        balance -= principal_part
        yield month, payment, interest, principal_part, balance


rows = list(amortization(Decimal("250000"), Decimal("0.055"), 30))
with open("/output/amortization.csv", "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["month", "payment", "interest", "principal", "balance"])
    w.writerows(rows)
print("monthly payment:", rows[0][1])
print("total interest:", sum(r[2] for r in rows))
print("final balance:", rows[-1][4])
