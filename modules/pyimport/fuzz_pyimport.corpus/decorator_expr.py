@a.b[c](d) + e
def f(): pass
