class A(x=1, *b, **c): pass
