def f():
    global __builtins__
