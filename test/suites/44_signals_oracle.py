#!/usr/bin/env python3
"""Oracle for test/suites/44_signals_oracle.sh (standard library only).

Usage: 44_signals_oracle.py gen WORK SEED TABLES CURVES
       44_signals_oracle.py check WORK

gen writes WORK/fisher.csv (id, a, b, c, d) and WORK/km.csv (curve,
elapsed, converted) of random inputs, and WORK/expected_fisher (id, p) and
WORK/expected_km (curve, elapsed, at_risk, conversions, censored, share,
se) computed here: Fisher's exact two-sided p from exact binomial
coefficients (fractions, so every probability is exact and "no more
likely" is decided exactly, then R's relative tolerance 1e-7 applied), and
Kaplan-Meier with Greenwood's error written from the textbook definitions
(each time's risk set counted from the raw times).  check reads
WORK/actual_fisher and WORK/actual_km (the extension's answers) and prints
the mismatches at a relative 1e-9.
"""
import csv
import math
import random
import sys
from fractions import Fraction


def fisher(a, b, c, d):
    r1, r2, c1 = a + b, c + d, a + c
    n = r1 + r2
    if r1 == 0 or r2 == 0 or c1 == 0 or c1 == n:
        return 1.0
    total = math.comb(n, c1)
    probs = {x: Fraction(math.comb(r1, x) * math.comb(r2, c1 - x), total)
             for x in range(max(0, c1 - r2), min(r1, c1) + 1)}
    limit = probs[a] * Fraction(10000001, 10000000)
    return float(min(Fraction(1), sum(p for p in probs.values() if p <= limit)))


def km(times):
    """times: list of (elapsed, converted); one row per distinct time."""
    rows, s, gw = [], 1.0, 0.0
    for t in sorted({e for e, _ in times}):
        n = sum(1 for e, _ in times if e >= t)
        d = sum(1 for e, c in times if e == t and c)
        cens = sum(1 for e, c in times if e == t and not c)
        if d:
            s *= 1 - d / n
            if d < n:
                gw += d / (n * (n - d))
        se = s * math.sqrt(gw) if 0 < s < 1 else (0.0 if s == 1 else None)
        rows.append((t, n, d, cens, 1 - s, se))
    return rows


def gen(work, seed, tables, curves):
    rng = random.Random(seed)
    with open(f"{work}/fisher.csv", "w", newline="") as f, \
         open(f"{work}/expected_fisher", "w") as e:
        w = csv.writer(f)
        for i in range(tables):
            kind = rng.random()
            if kind < 0.2:      # symmetric tables: ties with the observed one
                a = rng.randint(0, 30); b = rng.randint(0, 30)
                cells = (a, b, b, a)
            elif kind < 0.3:    # zero cells and empty margins
                cells = tuple(rng.choice([0, 0, rng.randint(0, 20)]) for _ in range(4))
            else:
                top = rng.choice([10, 60, 400])
                cells = tuple(rng.randint(0, top) for _ in range(4))
            w.writerow((i,) + cells)
            e.write(f"{i}|{fisher(*cells)!r}\n")
    with open(f"{work}/km.csv", "w", newline="") as f, \
         open(f"{work}/expected_km", "w") as e:
        w = csv.writer(f)
        for g in range(curves):
            size = rng.randint(1, 60)
            ties = rng.choice([3, 10, 1000])   # few distinct times: many ties
            times = [(float(rng.randint(0, ties)), rng.random() < rng.random())
                     for _ in range(size)]
            for t, c in times:
                w.writerow((g, t, "t" if c else "f"))
            for t, n, d, cens, share, se in km(times):
                e.write(f"{g}|{t!r}|{n}|{d}|{cens}|{share!r}|{se!r}\n")


def close(x, y):
    if x == "None" or y == "":
        return x == "None" and y == ""
    x, y = float(x), float(y)
    return x == y or abs(x - y) <= 1e-9 * max(abs(x), abs(y)) or abs(x - y) < 1e-300


def check(work):
    bad = 0
    exp = dict(l.strip().split("|", 1) for l in open(f"{work}/expected_fisher"))
    act = dict(l.strip().split("|", 1) for l in open(f"{work}/actual_fisher"))
    for k, v in exp.items():
        if k not in act or not close(v, act[k]):
            bad += 1
            if bad <= 10:
                print(f"fisher {k}: expected {v}, got {act.get(k)}")
    exp = [l.strip().split("|") for l in open(f"{work}/expected_km")]
    act = {(r[0], float(r[1])): r for r in (l.strip().split("|") for l in open(f"{work}/actual_km"))}
    if len(act) != len(exp):
        print(f"km: {len(exp)} rows expected, {len(act)} given")
        bad += 1
    for r in exp:
        a = act.get((r[0], float(r[1])))
        ok = a is not None and a[2:5] == r[2:5] and close(r[5], a[5]) and close(r[6], a[6])
        if not ok:
            bad += 1
            if bad <= 10:
                print(f"km {r}: got {a}")
    print(f"{bad} mismatches")


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        check(sys.argv[2])
