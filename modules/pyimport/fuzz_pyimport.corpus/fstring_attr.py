f'{f.__globals__}'
