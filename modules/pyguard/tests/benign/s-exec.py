# Code compiled at run time that names nothing banned runs.
ns = {}
exec("def area(w, h):\n    return w * h\n", ns)
print(ns["area"](3, 4), eval("2 ** 10"), compile("x + 1", "<expr>", "eval").co_names)
print("OK exec")
