"""A brute-force oracle for window_funnel and funnel_times with step rules
(exclusions, per-step windows, object_key), used by
test/suites/21_funnel_rules_oracle.sh.

Written from doc/funnels.md ("Step rules"), not from src/funnel_rules.c:
it enumerates every chain of events instead of keeping chains as it reads.

- A row with a timestamp becomes one event (ts, k) per step k it meets; a
  row meeting no step is one event (ts, 0) under strict_order.  Events are
  read sorted by (ts, k, the row's step bitmask, its exclusion bitmask).
  With object_key, each key is its own funnel: its rows' events, plus the
  exclusion events of every row (whatever its key), which meet no step;
  rows without key take part only through their exclusions.
- A chain is a list of events meeting steps 1, 2, ..., m, in reading
  order, with t_m - t_1 <= window, every max_gap(k, g): t_k - t_(k-1) <= g,
  every min_gap(k, g): t_k - t_(k-1) >= g, strictly increasing times under
  strict_increase, distinct rows under strict_once, and for every
  exclude(i, j) with j <= m no exclusion event strictly between t_i and t_j
  (unless drop_excluded).
- The strict modes: reading stops at the first event where window_funnel
  stops (a row meeting no step after a step-1 event under strict_order,
  before anything of its instant; a step-k event when the best chain so far
  already reached k under strict_deduplication, or reached less than k - 1
  under strict_order, which allow_reentry turns into skipping the event);
  "the best chain so far" is this brute force on the events before it.
- The level is the longest chain; the chain reported is the
  lexicographically smallest list of times among the longest chains (then
  the first key).  drop_excluded: the level ignores exclusions and the
  customer is dropped (-1, times NULL) when the reported chain has an
  exclusion event strictly between its steps i and j, or, when it stops
  before step j, after its step i and at most the window after its first.

Usage: python3 21_funnel_rules_oracle.py WORKDIR SEED NGROUPS
"""
import random
import sys

MODE_SETS = [[], ['strict_increase'], ['strict_once'], ['strict_order'],
             ['strict_deduplication'], ['strict_order', 'allow_reentry'],
             ['strict_increase', 'strict_once'], ['strict_order', 'strict_deduplication']]


def parse_rules(rules):
    modes, excl, maxg, ming, drop = [], [], {}, {}, False
    for item in rules:
        name = item[0]
        if name == 'exclude':
            excl.append((item[1], item[2]))
        elif name == 'max_gap':
            maxg[item[1]] = item[2]
        elif name == 'min_gap':
            ming[item[1]] = item[2]
        elif name == 'drop_excluded':
            drop = True
        else:
            modes.append(name)
    return modes, excl, maxg, ming, drop


def stream(rows, nsteps, strict_order, key, keyed):
    """(ts, k, rowid) events in reading order, and per exclusion the list of
    exclusion instants."""
    evs = []
    xs = {}
    for rid, (ts, steps, ex, k) in enumerate(rows):
        if ts is None:
            continue
        for e, v in enumerate(ex):
            if v is True:
                xs.setdefault(e, []).append(ts)
        own = (not keyed) or (k is not None and k == key)
        if not own:
            continue
        met = [s for s in range(1, nsteps + 1) if steps[s - 1] is True]
        smask = sum(1 << (s - 1) for s in met)
        xmask = sum(1 << e for e, v in enumerate(ex) if v is True)
        for s in met:
            evs.append((ts, s, smask, xmask, rid))
        if not met and strict_order:
            evs.append((ts, 0, 0, xmask, rid))
    evs.sort(key=lambda e: e[:4])
    return [(ts, s, rid) for ts, s, _, _, rid in evs], xs


def between(xs, a, b, inclusive_end=False):
    return any(a < x < b or (inclusive_end and a < x <= b) for x in xs)


def chains(evs, nsteps, window, modes, excl, maxg, ming, xs, use_excl):
    """Every valid chain (as lists of (ts, rowid)) of the events."""
    out = []

    def ok_ext(chain, ev):
        ts, s, rid = ev
        k = len(chain) + 1
        t1 = chain[0][0]
        last = chain[-1][0]
        if ts - t1 > window or ts < last:
            return False
        if k in maxg and ts - last > maxg[k]:
            return False
        if k in ming and ts - last < ming[k]:
            return False
        if 'strict_increase' in modes and not last < ts:
            return False
        if 'strict_once' in modes and any(r == rid for _, r in chain):
            return False
        if use_excl:
            for e, (i, j) in enumerate(excl):
                if j == k and between(xs.get(e, []), chain[i - 1][0], ts):
                    return False
        return True

    def dfs(chain, pos):
        out.append(list(chain))
        if len(chain) == nsteps:
            return
        for p in range(pos + 1, len(evs)):
            ev = evs[p]
            if ev[1] == len(chain) + 1 and ok_ext(chain, ev):
                chain.append((ev[0], ev[2]))
                dfs(chain, p)
                chain.pop()

    for p, ev in enumerate(evs):
        if ev[1] == 1:
            dfs([(ev[0], ev[2])], p)
    return out


def best(chs):
    if not chs:
        return 0, None
    L = max(len(c) for c in chs)
    return L, min([t for t, _ in c] for c in chs if len(c) == L)


def solve_key(rows, nsteps, window, rules, key, keyed):
    modes, excl, maxg, ming, drop = parse_rules(rules)
    evs, xs = stream(rows, nsteps, 'strict_order' in modes, key, keyed)
    use_excl = not drop

    def level_of(prefix):
        return best(chains(prefix, nsteps, window, modes, excl, maxg, ming, xs, use_excl))[0]

    # the strict modes' stop, and allow_reentry's skipped events
    kept = []
    started = False
    strict = 'strict_order' in modes or 'strict_deduplication' in modes
    idx = 0
    while strict and idx < len(evs):
        ts, s, rid = evs[idx]
        if s == 0:
            if started:
                break
            kept.append(evs[idx])
            idx += 1
            continue
        if s == 1:
            started = True
            kept.append(evs[idx])
            idx += 1
            continue
        lv = level_of(kept)
        if 'strict_deduplication' in modes and lv >= s:
            break
        if 'strict_order' in modes and started and lv < s - 1:
            if 'allow_reentry' in modes:
                idx += 1
                continue
            break
        kept.append(evs[idx])
        idx += 1
    if not strict:
        kept = evs
    kept = [e for e in kept if e[1] != 0]
    L, times = best(chains(kept, nsteps, window, modes, excl, maxg, ming, xs, use_excl))
    dropped = False
    if drop and L > 0:
        for e, (i, j) in enumerate(excl):
            if i > L:
                continue
            if j <= L:
                hit = between(xs.get(e, []), times[i - 1], times[j - 1])
            else:
                hit = between(xs.get(e, []), times[i - 1], times[0] + window, True)
            if hit:
                dropped = True
    return L, times, dropped


def solve(rows, nsteps, window, rules, keyed):
    if not keyed:
        L, times, dropped = solve_key(rows, nsteps, window, rules, None, False)
    else:
        L, times, dropped = 0, None, False
        for key in sorted({r[3] for r in rows if r[3] is not None and r[0] is not None}):
            l2, t2, d2 = solve_key(rows, nsteps, window, rules, key, True)
            if l2 > L or (l2 == L and l2 > 0 and t2 < times):
                L, times, dropped = l2, t2, d2
    if dropped:
        return -1, None
    return L, times or []


def rules_text(rules):
    parts = []
    for item in rules:
        if item[0] == 'exclude':
            parts.append('exclude(%d, %d)' % item[1:])
        elif item[0] in ('max_gap', 'min_gap'):
            parts.append('%s(%d, %d seconds)' % item)
        else:
            parts.append(item[0])
    return ', '.join(parts)


def gen_group(rnd):
    nsteps = rnd.choice([1, 2, 2, 3, 3, 3, 4, 4])
    window = rnd.choice([0, 1, 2, 3, 5, 8, 12, 100])
    rules = [(m,) for m in rnd.choice(MODE_SETS)]
    nexcl = rnd.choice([0, 0, 1, 1, 2, 3]) if nsteps > 1 else 0
    for _ in range(nexcl):
        i = rnd.randint(1, nsteps - 1)
        j = rnd.randint(i + 1, nsteps)
        rules.append(('exclude', i, j))
    for k in range(2, nsteps + 1):
        lo = hi = None
        if rnd.random() < 0.35:
            hi = rnd.choice([0, 1, 2, 3, 5])
            rules.append(('max_gap', k, hi))
        if rnd.random() < 0.25:
            lo = rnd.choice([0, 1, 2, 3])
            if hi is None or lo <= hi:
                rules.append(('min_gap', k, lo))
    if nexcl and rnd.random() < 0.35:
        rules.append(('drop_excluded',))
    rnd.shuffle(rules)
    keyed = rnd.random() < 0.3
    rows = []
    span = rnd.choice([4, 8, 15])
    for _ in range(rnd.randint(0, 9)):
        ts = None if rnd.random() < 0.03 else rnd.randint(0, span)
        steps = [rnd.random() < 0.4 if rnd.random() > 0.05 else None for _ in range(nsteps)]
        ex = [rnd.random() < 0.2 if rnd.random() > 0.05 else None for _ in range(nexcl)]
        key = rnd.choice([None, 'k1', 'k2', 'k2']) if keyed else None
        rows.append((ts, steps, ex, key))
    return nsteps, window, rules, keyed, rows


def pgbool(v):
    return 'NULL' if v is None else ('t' if v else 'f')


def main():
    work, seed, ngroups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    expected = []
    levels = {}
    with open(work + '/events.csv', 'w') as ev, open(work + '/groups.csv', 'w') as gr:
        for g in range(ngroups):
            nsteps, window, rules, keyed, rows = gen_group(rnd)
            text = rules_text(rules)
            gr.write('%d,%d,%d,"%s",%s\n' % (g, nsteps, window, text, 't' if keyed else 'f'))
            for ts, steps, ex, key in rows:
                ev.write('%d,%s,"{%s}","{%s}",%s\n' % (
                    g, '' if ts is None else ts, ','.join(pgbool(v) for v in steps),
                    ','.join(pgbool(v) for v in ex), '' if key is None else key))
            L, times = solve(rows, nsteps, window, rules, keyed)
            levels[L] = levels.get(L, 0) + 1
            expected.append('l|%d|%d' % (g, L))
            expected.append('t|%d|%s' % (g, 'NULL' if times is None else ','.join(str(t) for t in times)))
    with open(work + '/expected', 'w') as f:
        f.write('\n'.join(sorted(expected)) + '\n')
    with open(work + '/summary', 'w') as f:
        f.write('levels: %s\n' % ' '.join('%d:%d' % kv for kv in sorted(levels.items())))


if __name__ == '__main__':
    main()
