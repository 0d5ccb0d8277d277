x = f'{x:\n}'
