"""Oracle for attribution(..., 'shapley'): the Shapley value from its
definition, by enumerating every ordering of the channels.

The game (Zhao et al. 2018): v(S) = the conversions (or value) of the path
rows whose set of channels is a subset of S.  A channel's Shapley value is
its marginal contribution v(P + i) - v(P), P the channels before it,
averaged over all n! orderings.  Computed here in exact rational
arithmetic, with no use of the closed form the extension uses.

  gen WORK SEED TABLES   write WORK/rows.csv (t, path, conv, val, nulls)
  check WORK             compare WORK/actual (t|channel|conv|value) with
                         the oracle; exit 1 on any difference
"""
import csv
import itertools
import random
import sys
from fractions import Fraction


def gen(work, seed, tables):
    rng = random.Random(seed)
    with open(f'{work}/rows.csv', 'w', newline='') as f:
        w = csv.writer(f)
        for t in range(tables):
            n = rng.randint(1, 7)
            chans = [f'c{k}' for k in range(n)]
            for _ in range(rng.randint(1, 12)):
                length = rng.randint(1, 6)
                path = [rng.choice(chans) for _ in range(length)]
                conv = rng.choice([0, 1, 2, 3, 0.5, 7.25, 1000])
                val = rng.choice([0, 1, 2.5, 99.99, 1e6, 0.1])
                nulls = rng.choice([0, 1, 4])
                w.writerow([t, '{' + ','.join(path) + '}', repr(float(conv)),
                            repr(float(val)), repr(float(nulls))])


def shapley(rows, field):
    chans = sorted({c for r in rows for c in r['path']})
    sets = [(frozenset(r['path']), r[field]) for r in rows]

    memo = {}

    def v(coalition):
        if coalition not in memo:
            memo[coalition] = sum((x for s, x in sets if s <= coalition), Fraction(0))
        return memo[coalition]

    total = {c: Fraction(0) for c in chans}
    count = 0
    for order in itertools.permutations(chans):
        before = set()
        prev = Fraction(0)
        for c in order:
            before.add(c)
            cur = v(frozenset(before))
            total[c] += cur - prev
            prev = cur
        count += 1
    return {c: total[c] / count for c in chans}


def check(work):
    rows = {}
    with open(f'{work}/rows.csv') as f:
        for t, path, conv, val, nulls in csv.reader(f):
            rows.setdefault(int(t), []).append({
                'path': path.strip('{}').split(','),
                'conv': Fraction(float(conv)), 'val': Fraction(float(val))})
    actual = {}
    with open(f'{work}/actual') as f:
        for line in f:
            t, ch, conv, val = line.rstrip('\n').split('|')
            actual[(int(t), ch)] = (float(conv), float(val))
    bad = 0
    checked = 0
    for t, rs in sorted(rows.items()):
        for field, k in (('conv', 0), ('val', 1)):
            want = shapley(rs, field)
            # efficiency, in the oracle itself: the values add up to v(N)
            assert sum(want.values()) == sum(r[field] for r in rs)
            for ch, x in want.items():
                got = actual.get((t, ch))
                checked += 1
                if got is None or abs(got[k] - float(x)) > 1e-12 * max(1.0, abs(float(x))):
                    bad += 1
                    if bad <= 10:
                        print(f'table {t} channel {ch} {field}: got '
                              f'{None if got is None else got[k]!r}, oracle {float(x)!r}')
        extra = {ch for (tt, ch) in actual if tt == t} - {c for r in rs for c in r['path']}
        if extra:
            bad += 1
            print(f'table {t}: channels not in the game: {sorted(extra)}')
    print(f'{checked} credits of {len(rows)} games compared, {bad} differ')
    return bad == 0


if __name__ == '__main__':
    if sys.argv[1] == 'gen':
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(0 if check(sys.argv[2]) else 1)
