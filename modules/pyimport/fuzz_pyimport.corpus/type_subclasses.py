type.__subclasses__(object)
