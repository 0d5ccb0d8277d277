import json
import sys

SCHEMA = {
    "name": str,
    "age": int,
    "email": str,
    "tags": list,
}


def validate(obj, schema=SCHEMA):
    errors = []
    for key, typ in schema.items():
        if key not in obj:
            errors.append(f"missing {key}")
        elif not isinstance(obj[key], typ):
            errors.append(f"{key}: expected {typ.__name__}, got {type(obj[key]).__name__}")
    extra = set(obj) - set(schema)
    if extra:
        errors.append(f"unexpected keys: {sorted(extra)}")
    return errors


with open(sys.argv[1] if len(sys.argv) > 1 else "/data/people.json") as f:
    people = json.load(f)
bad = 0
for i, person in enumerate(people):
    errs = validate(person)
    if errs:
        bad += 1
        print(f"record {i}: " + "; ".join(errs))
print(f"{len(people) - bad}/{len(people)} records valid")
