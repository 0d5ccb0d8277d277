# class: an import statement inside code compiled at run time
src = "imp" + "ort os as o\nr = o.getpid()"
ns = {}
exec(src, ns)
print("ESCAPED", ns["r"])
