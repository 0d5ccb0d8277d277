#!/usr/bin/env python3
"""bench/redact/pyredact.py IN OUT - the peer: the same detectors as cordon's
redact module written as one Python `re.sub` with a callback (Luhn and SSN
ranges checked in Python), over the whole input at once.  No streaming, no
escape-sequence handling: the easy case for Python."""
import re
import sys

KW = r"(?:[A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|secret_?key|secret_?access_?key|api_?key|access_?key|private_?key|authorization)|(?:[A-Za-z0-9_.-]*_)?(?:pass|pwd|token))"
PAT = re.compile(
    r"(?P<pem>-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----(?:.*?-----END[A-Z0-9 ]{0,64}-{0,5}|.*\Z))"
    r"|(?P<aws>(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA|A3T[A-Z0-9])[A-Z0-9]{16,})"
    r"|(?P<google>AIza[A-Za-z0-9_-]{35,})"
    r"|(?<![A-Za-z0-9])(?P<ghpat>github_pat_[A-Za-z0-9_]{22,})"
    r"|(?<![A-Za-z0-9])(?P<gh>gh[pousr]_[A-Za-z0-9]{36,})"
    r"|(?<![A-Za-z0-9])(?P<hook>hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{10,})"
    r"|(?<![A-Za-z0-9])(?P<stripe>(?:(?:sk|rk)_(?:live|test|prod)|pk_(?:live|test))_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,})"
    r"|(?<![A-Za-z0-9])(?P<ant>sk-ant-[A-Za-z0-9_-]{20,})"
    r"|(?<![A-Za-z0-9])(?P<openai>sk-(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,})"
    r"|(?<![A-Za-z0-9])(?P<slack>(?:xox[abeoprs]|xoxe\.xox[bp]|xapp)-[A-Za-z0-9-]{10,})"
    r"|(?<![A-Za-z0-9])(?P<jwt>eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_=-]+)*)"
    r"|(?<=[A-Za-z0-9+.-]://)(?P<url>[^\s/?#\"'`<>\\:@]*:)(?P<urlpw>[^\s/?#\"'`<>\\]+)(?=@)"
    r"|(?P<kw>" + KW + r"[\"'`]?\s{0,4}(?:==|=>|:=|=|:)(?!//)\s{0,16})(?P<q>[\"'`]?)(?P<kwv>(?:Bearer |Basic |Token )?[^\s,;&\"'`)\]}<>]{1,512})"
    r"|(?<![A-Za-z0-9.])(?P<card>[2-6][0-9]{3}(?:([ -]?)[0-9]{2,6}){2,4})(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9.-])(?P<ssn>[0-9]{3}-[0-9]{2}-[0-9]{4})(?![A-Za-z0-9-])",
    re.S | re.I * 0,
)
PLACEHOLDER = {"null", "none", "nil", "undefined", "true", "false"}
NAMES = {"pem": "private-key", "aws": "aws-access-key-id", "google": "google-api-key", "ghpat": "github-fine-grained-token",
         "gh": "github-token", "hook": "slack-webhook", "stripe": "stripe-key", "ant": "anthropic-api-key",
         "openai": "openai-api-key", "slack": "slack-token", "jwt": "jwt"}
KWRE = re.compile(KW, re.I)


def luhn(d):
    t, dbl = 0, False
    for ch in reversed(d):
        x = int(ch)
        if dbl:
            x = x * 2 - 9 if x > 4 else x * 2
        t += x
        dbl = not dbl
    return t % 10 == 0


counts = {}


def count(rule):
    counts[rule] = counts.get(rule, 0) + 1


def sub(m):
    g = m.lastgroup
    if g in NAMES:
        count(NAMES[g])
        return f"[REDACTED:{NAMES[g]}]"
    if g == "urlpw":
        count("url-password")
        return m.group("url") + "[REDACTED:url-password]"
    if g == "kwv":
        v = m.group("kwv")
        if v.lower() in PLACEHOLDER or v.startswith("${"):
            return m.group(0)
        rule = "password-assignment" if re.search("pass|pwd", m.group("kw"), re.I) else "secret-assignment"
        count(rule)
        return m.group("kw") + m.group("q") + f"[REDACTED:{rule}]"
    if g == "card" or m.group("card"):
        d = re.sub(r"[ -]", "", m.group("card"))
        if 13 <= len(d) <= 19 and luhn(d):
            count("credit-card")
            return "[REDACTED:credit-card]"
        return m.group(0)
    if g == "ssn":
        v = m.group("ssn")
        if v[:3] in ("000", "666") or v[0] == "9" or v[4:6] == "00" or v[7:] == "0000":
            return v
        count("us-ssn")
        return "[REDACTED:us-ssn]"
    return m.group(0)


data = open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read()
out = PAT.sub(sub, data)
with open(sys.argv[2], "w", encoding="utf-8", errors="surrogateescape") as f:
    f.write(out)
print(sum(counts.values()), file=sys.stderr)
