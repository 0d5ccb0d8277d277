fmt = '{0.__glo' + 'bals__}'
fmt.format(f)
