"""bench/scan/compare.py - the same rules, the same files, two engines.

cordon: `cordon check --json` with a policy holding only pattern_scan and
the rule file, comment blanking off (skip_comments: false) so that both
engines see the same bytes, findings uncapped (max_findings: 10000), every
rule at threshold info.  The time is the whole command: start-up, policy
load, PCRE2 compilation and JIT, reading and sealing each file, scanning,
writing the JSON.

Python: the same YAML, each pattern compiled once with re.compile over
bytes (ASCII semantics, as PCRE2 without UTF) and re.MULTILINE (as
PCRE2_MULTILINE); every file read and every rule run over it with
finditer, counting matches.  Compilation is outside the timed loop.

Both count every match of every rule in every file; the counts are compared
rule by rule.  Two more cordon figures, for information: with the prefilter
off (`prefilter: false`: every rule over the whole source, the engine
before the one-pass scan; same matches), and with comment blanking on (the
default: a lexer pass more, fewer matches).
"""
import argparse
import collections
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import yaml


def files_of(corpus):
    out = []
    for d, _, names in os.walk(corpus):
        for n in names:
            if n.endswith(".py"):
                p = os.path.join(d, n)
                if os.path.isfile(p) and not os.path.islink(p):
                    out.append(p)
    out.sort()
    return out


def child_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_cordon(cordon, policy, files, out_path):
    """Wall and CPU (user + system) seconds of one `cordon check` run."""
    c0 = child_cpu()
    t0 = time.perf_counter()
    with open(out_path, "wb") as out:
        r = subprocess.run([cordon, "check", "--json", "-p", policy] + files, stdout=out,
                           stderr=subprocess.PIPE)
    dt = (time.perf_counter() - t0, child_cpu() - c0)
    if r.returncode not in (0, 126):
        sys.exit("bench/scan: cordon check failed (%d): %s" % (r.returncode, r.stderr.decode()[-2000:]))
    return dt


def cordon_counts(out_path):
    counts = collections.Counter()
    with open(out_path, "rb") as f:
        results = json.load(f)
    for res in results:
        for fd in res["findings"]:
            if fd["rule"] == "more-findings":
                sys.exit("bench/scan: a file exceeded max_findings: %s" % res["file"])
            if fd["rule"] == "error":
                sys.exit("bench/scan: %s: %s" % (res["file"], fd["message"]))
            counts[fd["rule"]] += 1
    return counts


def run_re(rules, files):
    counts = collections.Counter()
    c0 = time.process_time()
    t0 = time.perf_counter()
    for p in files:
        with open(p, "rb") as f:
            data = f.read()
        for rid, rx in rules:
            n = 0
            for _ in rx.finditer(data):
                n += 1
            if n:
                counts[rid] += n
    return (time.perf_counter() - t0, time.process_time() - c0), counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cordon", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()

    with open(a.rules, "rb") as f:
        spec = yaml.safe_load(f)
    rules = [(r["id"], re.compile(r["pattern"].encode(), re.MULTILINE)) for r in spec["rules"]
             if "python" in r["languages"]]
    files = files_of(a.corpus)
    size = sum(os.path.getsize(p) for p in files)
    mb = size / 1e6

    tmp = tempfile.mkdtemp(prefix="cordon-bench-scan.")
    try:
        pol = {}
        for name, skip, pf in (("raw", "false", "true"), ("strip", "true", "true"), ("plain", "false", "false")):
            pol[name] = os.path.join(tmp, name + ".yaml")
            with open(pol[name], "w") as f:
                f.write("stack:\n  - module: pattern_scan\n    with:\n"
                        "      rules: [%s]\n      threshold: info\n      max_findings: 10000\n"
                        "      skip_comments: %s\n      prefilter: %s\n" % (os.path.abspath(a.rules), skip, pf))
            os.chmod(pol[name], 0o644)
        out = os.path.join(tmp, "out.json")

        for p in files:  # warm the page cache for both
            with open(p, "rb") as f:
                f.read()
        t_c, t_s, t_n, t_p = [], [], [], []  # (wall, cpu) per run
        for _ in range(a.runs):
            t_c.append(run_cordon(a.cordon, pol["raw"], files, out))
            c_counts = cordon_counts(out)
            t_n.append(run_cordon(a.cordon, pol["plain"], files, out))
            n_counts = cordon_counts(out)
            t_s.append(run_cordon(a.cordon, pol["strip"], files, out))
            s_counts = cordon_counts(out)
            dt, p_counts = run_re(rules, files)
            t_p.append(dt)
    finally:
        for n in os.listdir(tmp):
            os.unlink(os.path.join(tmp, n))
        os.rmdir(tmp)

    def med(v, k):
        return statistics.median(x[k] for x in v)

    print("corpus: %s: %d files, %.1f MB; %d rules (%s); median of %d runs"
          % (a.corpus, len(files), mb, len(rules), os.path.basename(a.rules), a.runs))
    print("%-40s %8s %8s %8s %8s %9s" % ("scanner", "wall s", "MB/s", "CPU s", "MB/s", "matches"))
    rows = (("Python re (%s)" % sys.version.split()[0], t_p, p_counts),
            ("cordon pattern_scan (comments kept)", t_c, c_counts),
            ("cordon, prefilter off (comments kept)", t_n, n_counts),
            ("cordon pattern_scan (comments blanked)", t_s, s_counts))
    for name, t, cnt in rows:
        print("%-40s %8.2f %8.1f %8.2f %8.1f %9d" % (name, med(t, 0), mb / med(t, 0), med(t, 1),
                                                       mb / med(t, 1), sum(cnt.values())))
    for k, what in ((0, "wall"), (1, "CPU")):
        print("throughput ratio cordon / Python re (%s time): %.1fx comments kept, %.1fx comments blanked; "
              "prefilter off: %.1fx" % (what, med(t_p, k) / med(t_c, k), med(t_p, k) / med(t_s, k),
                                        med(t_p, k) / med(t_n, k)))
    print("load average at the end: %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    if n_counts != c_counts:
        print("match counts differ between prefilter on and off")
        return 1
    diff = {k: (c_counts.get(k, 0), p_counts.get(k, 0)) for k in set(c_counts) | set(p_counts)
            if c_counts.get(k, 0) != p_counts.get(k, 0)}
    if diff:
        print("match counts differ (rule: cordon, re):")
        for k in sorted(diff):
            print("  %s: %d, %d" % (k, diff[k][0], diff[k][1]))
        return 1
    print("match counts agree rule by rule (%d rules with matches; prefilter on and off alike)" % len(p_counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
