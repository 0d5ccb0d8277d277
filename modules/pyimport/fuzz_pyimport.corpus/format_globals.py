'{0.__globals__}'.format(f)
