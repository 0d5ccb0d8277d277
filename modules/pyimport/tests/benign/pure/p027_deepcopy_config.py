import copy
import pprint

DEFAULTS = {
    "model": {"layers": [64, 32], "dropout": 0.1},
    "train": {"epochs": 10, "lr": 1e-3, "schedule": {"type": "cosine", "warmup": 2}},
    "tags": ["baseline"],
}


def merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


experiment = merge(DEFAULTS, {"train": {"lr": 3e-4, "schedule": {"warmup": 5}}, "tags": ["lr-sweep"]})
pprint.pprint(experiment, width=60)
assert DEFAULTS["train"]["lr"] == 1e-3, "defaults must stay untouched"
shallow = copy.copy(DEFAULTS)
shallow["tags"].append("oops")
print("shallow copy shares lists:", DEFAULTS["tags"])
