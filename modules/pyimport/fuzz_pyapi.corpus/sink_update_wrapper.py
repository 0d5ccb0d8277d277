import functools
class Sink:
    pass
s = Sink()
functools.update_wrapper(s, print, assigned=("__self" + "__",), updated=())
print(s.__dict__ if False else "copied")
