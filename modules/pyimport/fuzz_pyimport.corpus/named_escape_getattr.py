getattr(x, "\N{LOW LINE}\N{LOW LINE}class__")
