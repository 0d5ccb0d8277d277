kw = {"metaclass": type}
class C(**kw):
    pass
#
# Class: annotations that typing and singledispatch evaluate.
