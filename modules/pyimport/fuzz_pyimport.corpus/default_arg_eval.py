def f(e=eval): return e("1")
