x = f'{a==b=}'
