from itertools import product

GLIDER = {(1, 0), (2, 1), (0, 2), (1, 2), (2, 2)}


def neighbours(cell):
    x, y = cell
    for dx, dy in product((-1, 0, 1), repeat=2):
        if dx or dy:
            yield x + dx, y + dy


def step(live):
    counts = {}
    for cell in live:
        for n in neighbours(cell):
            counts[n] = counts.get(n, 0) + 1
    return {c for c, k in counts.items() if k == 3 or (k == 2 and c in live)}


def render(live, w=8, h=8):
    return "\n".join("".join("#" if (x, y) in live else "." for x in range(w)) for y in range(h))


board = GLIDER
for gen in range(4):
    print(f"generation {gen}:")
    print(render(board))
    board = step(board)
