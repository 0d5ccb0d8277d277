x = f'{a!=b}'
