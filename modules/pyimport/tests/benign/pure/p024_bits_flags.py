from enum import Flag, IntEnum, auto


class Perm(Flag):
    READ = auto()
    WRITE = auto()
    EXEC = auto()
    ALL = READ | WRITE | EXEC


class Level(IntEnum):
    DEBUG = 10
    INFO = 20
    WARNING = 30
    ERROR = 40


def describe(p: Perm) -> str:
    return "".join(ch if flag in p else "-" for ch, flag in zip("rwx", (Perm.READ, Perm.WRITE, Perm.EXEC)))


for p in (Perm.READ, Perm.READ | Perm.WRITE, Perm.ALL):
    print(f"{p!s:<20} {describe(p)}")

msgs = [(Level.INFO, "started"), (Level.DEBUG, "x=1"), (Level.ERROR, "disk full"), (Level.WARNING, "slow")]
threshold = Level.INFO
for level, msg in sorted(msgs, key=lambda m: m[0], reverse=True):
    if level >= threshold:
        print(f"[{level.name}] {msg}")
print(bin(0b1011 & 0b0110), bin(0b1011 ^ 0b0110), (255).bit_length(), bin(42).count("1"))
