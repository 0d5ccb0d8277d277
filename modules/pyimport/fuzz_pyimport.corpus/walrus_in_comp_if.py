[y for x in z if y := x]
