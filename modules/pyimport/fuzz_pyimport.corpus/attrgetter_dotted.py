import operator
operator.attrgetter("a.__class__")(f)
