x = {(y := 1): 2 for z in w}
