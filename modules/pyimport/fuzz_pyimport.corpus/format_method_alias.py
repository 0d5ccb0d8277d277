m = ('{0.__gl' + 'obals__}').format
m(f)
