f'{{0.__glo{"bals"}__}}'.format(f)
