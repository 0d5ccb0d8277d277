x = 1e5j + 0j + 0.j
