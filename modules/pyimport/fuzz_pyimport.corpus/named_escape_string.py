s = "\N{LOW LINE}\N{LOW LINE}globals__"
