f'{x:{y.__class__}}'
