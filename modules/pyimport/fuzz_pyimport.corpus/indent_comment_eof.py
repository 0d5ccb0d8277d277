if x:
    pass
    # trailing
