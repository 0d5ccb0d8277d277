vars()["x"]
