from operator import attrgetter
attrgetter("__globals__")(f)
