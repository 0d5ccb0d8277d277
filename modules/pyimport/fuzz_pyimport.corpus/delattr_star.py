delattr(*args)
