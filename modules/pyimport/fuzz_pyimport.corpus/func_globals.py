def f(): pass
f.__globals__["__builtins__"]
