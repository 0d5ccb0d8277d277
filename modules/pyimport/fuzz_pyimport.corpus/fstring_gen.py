x = f'{y for y in z}'
