f.__closure__[0].cell_contents
