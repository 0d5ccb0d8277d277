x = f'{x:{y}}'
