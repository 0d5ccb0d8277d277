from dataclasses import dataclass, field, asdict, replace
import re

EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")


@dataclass
class User:
    name: str
    email: str
    age: int = 0
    tags: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.name = self.name.strip().title()
        if not EMAIL.match(self.email):
            raise ValueError(f"invalid email: {self.email}")
        if not 0 <= self.age < 150:
            raise ValueError(f"invalid age: {self.age}")


rows = [
    {"name": " ada lovelace ", "email": "ada@example.org", "age": 36},
    {"name": "bob", "email": "bob-at-example", "age": 40},
    {"name": "carol", "email": "carol@example.co.uk", "age": 200},
    {"name": "dan", "email": "dan+test@example.com", "tags": ["beta"]},
]
valid = []
for row in rows:
    try:
        valid.append(User(**row))
    except (TypeError, ValueError) as exc:
        print("rejected:", exc)
for u in valid:
    print(asdict(u))
older = replace(valid[0], age=37)
print(older)
