from dataclasses import dataclass, field
from decimal import Decimal, ROUND_HALF_UP
from datetime import date
from typing import List


class InsufficientFunds(Exception):
    pass


@dataclass
class Transaction:
    when: date
    amount: Decimal
    memo: str = ""


@dataclass
class Account:
    owner: str
    balance: Decimal = Decimal("0.00")
    history: List[Transaction] = field(default_factory=list)

    def deposit(self, amount: Decimal, memo: str = "deposit") -> None:
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        self.history.append(Transaction(date(2024, 1, 1), amount, memo))

    def withdraw(self, amount: Decimal, memo: str = "withdrawal") -> None:
        if amount > self.balance:
            raise InsufficientFunds(f"{self.owner} has only {self.balance}")
        self.balance -= amount
        self.history.append(Transaction(date(2024, 1, 2), -amount, memo))

    def apply_interest(self, rate: Decimal) -> Decimal:
        interest = (self.balance * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        self.balance += interest
        return interest

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(owner={self.owner!r}, balance={self.balance})"


acct = Account("alice")
acct.deposit(Decimal("100.00"))
acct.withdraw(Decimal("30.50"), "groceries")
print("interest:", acct.apply_interest(Decimal("0.035")))
print(acct)
try:
    acct.withdraw(Decimal("1000"))
except InsufficientFunds as exc:
    print("refused:", exc)
for t in acct.history:
    print(t.when.isoformat(), f"{t.amount:>8}", t.memo)
