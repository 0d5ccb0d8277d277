ur = br = rb = f = u = b = r = 1
