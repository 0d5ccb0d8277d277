x = a or lambda: 0
