"""An independent oracle for attribution(..., 'markov(order=k)'), used by
test/suites/30_markov_oracle.sh.

Written from the model's definition in doc/attribution.md, not from
src/markov.c, and solved another way: in exact rational arithmetic
(fractions.Fraction), by dense Gauss-Jordan elimination of (I - Q) x = b
over the states that are not removed, for the conversion probability and
for the expected value alike.  journey solves in float8 by sparse
elimination in Markowitz order; the two must agree to 1e-9.

The model: rows of the same path are added up first (a path row is one
distinct path).  The states of a path are its windows of k touches (the
whole path when it is shorter), consecutive repeats collapsed.  A path
with c conversions, u nulls and value v walks START -> s1 -> ... -> sm with weight
c + u per step, then sm -> CONV with weight c and sm -> NULL with weight u
(a path with c + u = 0 takes no part in the chain); v is collected on the
CONV step when c > 0.  P (V) is the probability of CONV (the expected value
collected) from START; removing channel x sends every state whose window
holds x to NULL.  Removal effect 1 - P_x / P (0 when P = 0), value removal
effect 1 - V_x / V (0 when V = 0).  Conversions are split in proportion to
the removal effects; value in proportion to the value removal effects, or,
when those are all 0 (no value reaches CONV), like the conversions.

Usage:
  python3 30_markov_oracle.py gen WORKDIR SEED NTABLES
      writes WORKDIR/rows.csv (t, path, conv, value, nulls) and
      WORKDIR/expected.txt (t|k|channel|conv|value|removal as fractions)
  python3 30_markov_oracle.py check WORKDIR
      compares WORKDIR/actual (t|k|channel|conv|value|removal from
      journey) with the expected answers; prints the first mismatches and a
      summary; exits 1 on a mismatch
"""
import random
import sys
from fractions import Fraction

ORDERS = (1, 2, 3, 4)


def states_of(path, k):
    if len(path) <= k:
        wins = [tuple(path)]
    else:
        wins = [tuple(path[i:i + k]) for i in range(len(path) - k + 1)]
    walk = []
    for w in wins:
        if not walk or walk[-1] != w:
            walk.append(w)
    return walk


def solve(n, a, b):
    """x with (I - A) x = b, A an n x n list of dicts, by Gauss-Jordan in
    exact arithmetic."""
    m = [[(Fraction(1) if i == j else Fraction(0)) - a[i].get(j, 0) for j in range(n)] + [b[i]]
         for i in range(n)]
    for col in range(n):
        piv = next(r for r in range(col, n) if m[r][col] != 0)
        m[col], m[piv] = m[piv], m[col]
        p = m[col][col]
        row = [v / p for v in m[col]]
        m[col] = row
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col]
                m[r] = [x - f * y for x, y in zip(m[r], row)]
    return [m[i][n] for i in range(n)]


def markov(rows, k):
    """rows: (path, conv, value, nulls) with Fraction numbers.  Returns
    {channel: (conversions, value, removal_effect)}."""
    channels = sorted({c for path, *_ in rows for c in path}, key=lambda s: s.encode())
    # a path row is one distinct path: rows of the same path add up first
    merged = {}
    for path, conv, value, nulls in rows:
        c0, v0, u0 = merged.get(tuple(path), (0, 0, 0))
        merged[tuple(path)] = (c0 + conv, v0 + value, u0 + nulls)
    rows = [(list(p), c, v, u) for p, (c, v, u) in merged.items()]
    index = {}
    start_w = {}
    edges = {}          # (s, t) -> weight
    tot = {}
    conv_end = {}
    value_end = {}
    for path, conv, value, nulls in rows:
        w = conv + nulls
        if w <= 0:
            continue
        walk = [index.setdefault(s, len(index)) for s in states_of(path, k)]
        start_w[walk[0]] = start_w.get(walk[0], 0) + w
        for i, s in enumerate(walk):
            tot[s] = tot.get(s, 0) + w
            if i + 1 < len(walk):
                edges[(s, walk[i + 1])] = edges.get((s, walk[i + 1]), 0) + w
        last = walk[-1]
        conv_end[last] = conv_end.get(last, 0) + conv
        if conv > 0:
            value_end[last] = value_end.get(last, 0) + value
    start_tot = sum(start_w.values())
    windows = {i: s for s, i in index.items()}

    def absorb(removed):
        keep = [s for s in range(len(index)) if removed is None or removed not in windows[s]]
        pos = {s: i for i, s in enumerate(keep)}
        a = [dict() for _ in keep]
        for (s, t), w in edges.items():
            if s in pos and t in pos:
                a[pos[s]][pos[t]] = w / tot[s]
        xp = solve(len(keep), a, [Fraction(conv_end.get(s, 0)) / tot[s] for s in keep])
        xv = solve(len(keep), a, [Fraction(value_end.get(s, 0)) / tot[s] for s in keep])
        if start_tot == 0:
            return Fraction(0), Fraction(0)
        return (sum(start_w.get(s, 0) * xp[pos[s]] for s in keep) / start_tot,
                sum(start_w.get(s, 0) * xv[pos[s]] for s in keep) / start_tot)

    p, v = absorb(None)
    re, vre = {}, {}
    for c in channels:
        pc, vc = absorb(c)
        re[c] = 1 - pc / p if p > 0 else Fraction(0)
        vre[c] = 1 - vc / v if v > 0 else Fraction(0)
    total_conv = sum(r[1] for r in rows)
    total_value = sum(r[2] for r in rows)
    vweights = vre if sum(vre.values()) > 0 else re

    def split(total, weights):
        s = sum(weights.values())
        return {c: (total * weights[c] / s if s > 0 else Fraction(0)) for c in channels}

    conv = split(total_conv, re)
    value = split(total_value, vweights)
    return {c: (conv[c], value[c], re[c]) for c in channels}, (v == 0, vre != re)


def random_table(rng):
    nch = rng.randint(1, 5)
    chans = ['a', 'b', 'c', 'd', 'e'][:nch]
    rows = []
    value_mode = rng.choice(['converting', 'mixed', 'nonconverting', 'none'])
    for _ in range(rng.randint(1, 9)):
        n = rng.randint(1, 6)
        path = [rng.choice(chans) for _ in range(n)]
        # some repeats, so that windows collapse
        if rng.random() < 0.3 and n > 1:
            i = rng.randrange(n - 1)
            path[i + 1] = path[i]
        conv = rng.choice([0, 0, 1, 1, 2, 3])
        nulls = rng.choice([0, 1, 1, 2, 5])
        if value_mode == 'none':
            value = 0
        elif value_mode == 'nonconverting':
            value = rng.choice([0, 7, 10, 25]) if conv == 0 else 0
        elif value_mode == 'converting':
            value = rng.choice([5, 10, 12.5, 40]) if conv > 0 else 0
        else:
            value = rng.choice([0, 5, 10, 12.5, 40])
        rows.append((path, conv, value, nulls))
    return rows


def gen(work, seed, ntables):
    rng = random.Random(seed)
    fallback = by_value = differs = 0
    with open(f'{work}/rows.csv', 'w') as rf, open(f'{work}/expected.txt', 'w') as ef:
        for t in range(1, ntables + 1):
            rows = random_table(rng)
            for path, conv, value, nulls in rows:
                rf.write(f'{t},"{{{",".join(path)}}}",{conv},{value},{nulls}\n')
            exact = [(p, Fraction(c), Fraction(v), Fraction(u)) for p, c, v, u in rows]
            first = None
            for k in ORDERS:
                credit, (no_value, own_split) = markov(exact, k)
                has_both = sum(r[2] for r in exact) > 0 and sum(r[1] for r in exact) > 0
                fallback += no_value and has_both
                by_value += (not no_value) and own_split
                if first is None:
                    first = credit
                differs += credit != first
                for ch, (c, v, re) in credit.items():
                    ef.write(f'{t}|{k}|{ch}|{c}|{v}|{re}\n')
    print(f'{ntables} path tables, orders {ORDERS[0]} to {ORDERS[-1]}: {fallback} table-orders '
          f'with value but none of it reaching CONV (split like the conversions), '
          f'{by_value} whose value removal effects differ from the removal effects, '
          f'{differs} at orders 2 to 4 whose credits differ from order 1')
    return fallback > 0 and by_value > 0 and differs > 0


def check(work):
    expected = {}
    with open(f'{work}/expected.txt') as ef:
        for line in ef:
            t, k, ch, c, v, re = line.rstrip('\n').split('|')
            expected[(int(t), int(k), ch)] = tuple(Fraction(x) for x in (c, v, re))
    actual = {}
    with open(f'{work}/actual') as af:
        for line in af:
            t, k, ch, c, v, re = line.rstrip('\n').split('|')
            actual[(int(t), int(k), ch)] = tuple(float(x) for x in (c, v, re))
    bad = []
    for key in sorted(set(expected) | set(actual)):
        e, a = expected.get(key), actual.get(key)
        if e is None or a is None:
            bad.append(f'{key}: expected {e}, journey {a}')
            continue
        for name, x, y in zip(('conversions', 'value', 'removal_effect'), e, a):
            if abs(float(x) - y) > 1e-9 * (1 + abs(float(x))):
                bad.append(f'{key} {name}: expected {float(x)!r} ({x}), journey {y!r}')
    by_order = {}
    for (t, k, ch) in expected:
        by_order[k] = by_order.get(k, 0) + 1
    print(f'channel credits compared: {len(expected)} '
          f'({", ".join(f"order {k}: {n}" for k, n in sorted(by_order.items()))})')
    for b in bad[:8]:
        print(f'MISMATCH: {b}')
    print(f'{len(bad)} mismatches')
    return 1 if bad else 0


if __name__ == '__main__':
    if sys.argv[1] == 'gen':
        # exits 2 when the random tables miss a case the check must cover
        sys.exit(0 if gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])) else 2)
    else:
        sys.exit(check(sys.argv[2]))
