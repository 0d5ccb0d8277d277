"""Sieve of Eratosthenes and a few statistics about the primes below a bound."""
import math
import statistics


def sieve(limit: int) -> list[int]:
    """Return all primes below limit."""
    is_prime = [True] * limit
    is_prime[0:2] = [False, False]
    for n in range(2, math.isqrt(limit) + 1):
        if is_prime[n]:
            is_prime[n * n::n] = [False] * len(range(n * n, limit, n))
    return [i for i, p in enumerate(is_prime) if p]


def main() -> None:
    primes = sieve(10_000)
    gaps = [b - a for a, b in zip(primes, primes[1:])]
    print(f"{len(primes)} primes below 10000")
    print(f"largest: {primes[-1]}")
    print(f"mean gap: {statistics.mean(gaps):.3f}, max gap: {max(gaps)}")
    print(f"twin primes: {sum(1 for g in gaps if g == 2)}")


if __name__ == "__main__":
    main()
