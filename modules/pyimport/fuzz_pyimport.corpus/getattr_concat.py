getattr(__import__, "x" + "y")
