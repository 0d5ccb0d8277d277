import os
import json

DEFAULT_CONFIG = {"threshold": 0.5, "window": 7, "verbose": False}


def load_config():
    cfg = dict(DEFAULT_CONFIG)
    path = os.getenv("CONFIG_PATH", "/data/config.json")
    if os.path.exists(path):
        with open(path) as f:
            cfg.update(json.load(f))
    if "THRESHOLD" in os.environ:
        cfg["threshold"] = float(os.environ["THRESHOLD"])
    cfg["verbose"] = os.environ.get("VERBOSE", "0") == "1" or cfg["verbose"]
    return cfg


config = load_config()
print("effective config:", config)
values = [0.2, 0.7, 0.4, 0.9, 0.55, 0.1, 0.8]
window = config["window"]
flags = [v > config["threshold"] for v in values[:window]]
print(f"{sum(flags)} of {len(flags)} above {config['threshold']}")
if config["verbose"]:
    print("HOME is", os.environ.get("HOME"))
