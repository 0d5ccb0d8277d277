@(lambda f: eval)
def x(): pass
