match = case = _ = 1
