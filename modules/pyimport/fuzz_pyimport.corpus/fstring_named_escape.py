x = f'\N{DIGIT ONE}{x}'
