f'{{0.__globals__}}'.format(f)
