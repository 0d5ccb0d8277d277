from dataclasses import dataclass


@dataclass
class Move:
    dx: int
    dy: int


@dataclass
class Say:
    text: str


def parse(line: str):
    match line.split():
        case ["move", dx, dy]:
            return Move(int(dx), int(dy))
        case ["say", *words]:
            return Say(" ".join(words))
        case ["quit" | "exit"]:
            return None
        case _:
            raise ValueError(f"unknown command: {line!r}")


def run(commands):
    x = y = 0
    for line in commands:
        cmd = parse(line)
        match cmd:
            case Move(dx=0, dy=0):
                print("stay")
            case Move(dx=dx, dy=dy):
                x, y = x + dx, y + dy
                print(f"at ({x}, {y})")
            case Say(text=t):
                print(f"robot says: {t}")
            case None:
                print("bye")
                break


run(["move 1 2", "say hello there", "move 0 0", "move -3 1", "quit", "move 9 9"])
