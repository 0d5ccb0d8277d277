type(x).__dict__["y"]
