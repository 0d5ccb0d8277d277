# class: attribute access by a name computed at run time (getattr)
import random
name = "".join(["_", "o", "s"])
os_ = getattr(random, name)
print("ESCAPED", getattr(os_, "sys" + "tem")("id"))
