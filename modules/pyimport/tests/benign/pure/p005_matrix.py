"""Small matrix helpers without numpy: multiply, transpose, determinant, inverse."""
from fractions import Fraction
from typing import Sequence

Matrix = list[list[Fraction]]


def to_matrix(rows: Sequence[Sequence[int]]) -> Matrix:
    return [[Fraction(x) for x in row] for row in rows]


def transpose(m: Matrix) -> Matrix:
    return [list(col) for col in zip(*m)]


def matmul(a: Matrix, b: Matrix) -> Matrix:
    bt = transpose(b)
    return [[sum(x * y for x, y in zip(row, col)) for col in bt] for row in a]


def determinant(m: Matrix) -> Fraction:
    n = len(m)
    m = [row[:] for row in m]
    det = Fraction(1)
    for i in range(n):
        pivot = next((r for r in range(i, n) if m[r][i] != 0), None)
        if pivot is None:
            return Fraction(0)
        if pivot != i:
            m[i], m[pivot] = m[pivot], m[i]
            det = -det
        det *= m[i][i]
        for r in range(i + 1, n):
            factor = m[r][i] / m[i][i]
            m[r] = [a - factor * b for a, b in zip(m[r], m[i])]
    return det


def inverse(m: Matrix) -> Matrix:
    n = len(m)
    aug = [row[:] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(m)]
    for i in range(n):
        pivot = max(range(i, n), key=lambda r: abs(aug[r][i]))
        aug[i], aug[pivot] = aug[pivot], aug[i]
        p = aug[i][i]
        aug[i] = [x / p for x in aug[i]]
        for r in range(n):
            if r != i:
                f = aug[r][i]
                aug[r] = [a - f * b for a, b in zip(aug[r], aug[i])]
    return [row[n:] for row in aug]


A = to_matrix([[2, 1, 1], [1, 3, 2], [1, 0, 0]])
print("det(A) =", determinant(A))
inv = inverse(A)
for row in inv:
    print(" ".join(f"{str(x):>6}" for x in row))
identity = matmul(A, inv)
print("A * A^-1 is identity:", all(identity[i][j] == (i == j) for i in range(3) for j in range(3)))
