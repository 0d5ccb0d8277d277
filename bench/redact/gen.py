#!/usr/bin/env python3
"""bench/redact/gen.py SIZE OUT PLANTED - a program-output stream of SIZE
bytes: ordinary log lines (timestamps, levels, paths, key=value pairs, ids,
JSON) with a secret of some kind on about one line in forty.  The secrets
planted are written one per line to PLANTED so the benchmark can check that
none survives.  Deterministic (fixed seed)."""
import random
import sys

size, out, planted_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rnd = random.Random(20240501)
A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
a = "abcdefghijklmnopqrstuvwxyz"
D = "0123456789"
AN = A + a + D


def s(alpha, n):
    return "".join(rnd.choice(alpha) for _ in range(n))


def luhn_complete(prefix, n):
    body = prefix + s(D, n - len(prefix) - 1)
    for c in D:
        t, dbl = 0, False
        for ch in reversed(body + c):
            d = int(ch)
            if dbl:
                d = d * 2 - 9 if d > 4 else d * 2
            t += d
            dbl = not dbl
        if t % 10 == 0:
            return body + c


def secret():
    k = rnd.randrange(14)
    if k == 0:
        v = "AKIA" + s(A + D, 16)
        return f"aws key id {v}", v
    if k == 1:
        v = s(AN + "/+", 39) + "x"
        return f"aws_secret_access_key = {v}", v
    if k == 2:
        v = "ghp_" + s(AN, 36)
        return f"cloning with token {v}", v
    if k == 3:
        v = "xoxb-" + s(D, 12) + "-" + s(D, 13) + "-" + s(AN, 24)
        return f"slack token={v}", v
    if k == 4:
        v = "sk-proj-" + s(AN, 20) + "7" + s(AN, 27)
        return f"OPENAI_API_KEY: {v}", v
    if k == 5:
        v = "AIza" + s(AN + "_-", 35)
        return f"maps key {v} loaded", v
    if k == 6:
        v = "sk_live_" + s(AN, rnd.randrange(24, 200))
        return f"stripe.api_key = '{v}'", v
    if k == 7:
        v = "eyJhbGciOiJIUzI1NiJ9." + "eyJ" + s(AN + "_-", 40) + "." + s(AN + "_-", 43)
        return f"Authorization: Bearer {v}", v
    if k == 8:
        v = s(a + D, 14)
        return f"connecting to postgres://app:{v}@db.internal:5432/main", v
    if k == 9:
        v = s(AN, 12)
        return f'{{"user": "deploy", "password": "{v}"}}', v
    if k == 10:
        v = luhn_complete("4", 16)
        return f"charged card {v[:4]} {v[4:8]} {v[8:12]} {v[12:]}", v[4:8] + " " + v[8:12]
    if k == 11:
        v = f"{rnd.randrange(100, 600):03d}-{rnd.randrange(10, 99)}-{rnd.randrange(1000, 9999)}"
        return f"applicant ssn {v}", v
    if k == 12:
        body = "\n".join(s(AN + "+/", 64) for _ in range(6))
        return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----", body.split("\n")[2]
    v = s(AN, 24)
    return f"api_key: {v}", v


levels = ["INFO", "DEBUG", "WARN", "INFO", "INFO", "ERROR"]
paths = ["/api/v1/users", "/api/v1/orders", "/healthz", "/static/app.js", "/login", "/api/v2/search"]
planted = []
n = 0
with open(out, "w") as f:
    while n < size:
        t = f"2024-05-{rnd.randrange(1, 29):02d}T{rnd.randrange(24):02d}:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}.{rnd.randrange(1000):03d}Z"
        r = rnd.random()
        if r < 0.025:
            text, v = secret()
            planted.append(v)
            line = f"{t} WARN worker-{rnd.randrange(16)} {text}\n"
        elif r < 0.5:
            line = (f"{t} {rnd.choice(levels)} http method=GET path={rnd.choice(paths)} status={rnd.choice([200, 200, 201, 304, 404, 500])} "
                    f"duration={rnd.randrange(1, 900)}ms bytes={rnd.randrange(100, 90000)} req_id={s(a + D, 16)}\n")
        elif r < 0.75:
            line = (f'{t} INFO {{"event": "order.created", "order_id": {rnd.randrange(10**6, 10**7)}, "amount": {rnd.randrange(100, 99999) / 100}, '
                    f'"currency": "EUR", "customer": "{s(a, 8)}", "items": {rnd.randrange(1, 9)}}}\n')
        else:
            line = (f"{t} DEBUG processed batch {rnd.randrange(10000)} of {rnd.randrange(10000, 20000)} in {rnd.random():.3f}s; "
                    f"cache hits: {rnd.randrange(1000)}, misses: {rnd.randrange(100)} (ratio {rnd.random():.2f}) host=web-{rnd.randrange(40):02d}.internal\n")
        f.write(line)
        n += len(line)
with open(planted_path, "w") as f:
    f.write("\n".join(planted) + "\n")
