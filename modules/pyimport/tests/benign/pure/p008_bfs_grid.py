from collections import deque

GRID = """\
S.#.......
.##.####..
....#...#.
.##...#.#.
...##.#...
.#....#.#E
"""


def parse(grid):
    cells = [list(line) for line in grid.splitlines()]
    start = end = None
    for r, row in enumerate(cells):
        for c, ch in enumerate(row):
            if ch == "S":
                start = (r, c)
            elif ch == "E":
                end = (r, c)
    return cells, start, end


def shortest_path(cells, start, end):
    rows, cols = len(cells), len(cells[0])
    queue = deque([start])
    prev = {start: None}
    while queue:
        r, c = queue.popleft()
        if (r, c) == end:
            break
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < rows and 0 <= nc < cols and cells[nr][nc] != "#" and (nr, nc) not in prev:
                prev[(nr, nc)] = (r, c)
                queue.append((nr, nc))
    if end not in prev:
        return None
    path = []
    node = end
    while node is not None:
        path.append(node)
        node = prev[node]
    return path[::-1]


cells, start, end = parse(GRID)
path = shortest_path(cells, start, end)
print("steps:", len(path) - 1)
for r, c in path[1:-1]:
    cells[r][c] = "*"
print("\n".join("".join(row) for row in cells))
