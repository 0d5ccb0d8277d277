'{x.__class__.__base__}'.format_map({'x': 1})
