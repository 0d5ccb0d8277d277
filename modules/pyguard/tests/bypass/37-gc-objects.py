# class: gc's walks over every object (gc.get_objects, get_referrers)
m = __builtins__.__import__("gc")
print("ESCAPED", len(m.get_objects()))
