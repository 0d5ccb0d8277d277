setattr(x, name, 1)
