def f(): x = (yield from a)
