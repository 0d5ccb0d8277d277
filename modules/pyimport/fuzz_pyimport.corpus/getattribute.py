object.__getattribute__(x, "y")
