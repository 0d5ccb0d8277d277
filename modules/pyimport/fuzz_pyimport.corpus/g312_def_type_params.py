def first[T: int, *Ts, **P](x: T, *a: *Ts) -> T:
    return x
