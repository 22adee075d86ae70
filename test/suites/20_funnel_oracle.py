"""An independent oracle for window_funnel and funnel_times, used by
test/suites/20_funnel_oracle.sh.

Written from the semantics of ClickHouse 26.x windowFunnel (its source,
AggregateFunctionWindowFunnel.cpp) and doc/funnels.md, not from
src/funnel.c:

- every row with a timestamp becomes one event (ts, k) per step k it meets;
  under strict_order a row meeting no step becomes one event (ts, 0);
  events are read sorted by (ts, k), so at one instant the lower step comes
  first and a step-less row before any step; rows meeting the same step at
  the same instant are read in the order of the set of steps each meets,
  as a bitmask (doc/funnels.md: ClickHouse reads them in arrival order, and
  only strict_once with strict_deduplication can tell the difference);
- level 0 for no event; level 1 whenever there is an event and neither
  strict_order is set nor more than one step asked for;
- otherwise one pass keeps, per step, the chain that reached it (its
  step-1 time and its latest time); strict_once keeps every chain with the
  rows it used, so that a row fills at most one step of a chain.

Two further definitions, written as brute force over every chain of rows,
check this simulation where they must agree with it: with no mode, the
level is the longest chain of events meeting steps 1, 2, ... in order,
with non-decreasing times, all within the window of the first; under
strict_once alone, the same with every event from a different row.  And
funnel_times is, by its definition in doc/funnels.md, the lexicographically
smallest list of times among the longest such chains.

Usage: python3 20_funnel_oracle.py WORKDIR SEED NGROUPS
writes WORKDIR/events.csv (g, t, c), WORKDIR/groups.csv (g, nsteps, window,
modes), WORKDIR/expected ("form|g|answer" lines, sorted) and
WORKDIR/queries.sql (the same lines from journey), WORKDIR/summary.
"""
import itertools
import random
import sys

FLAGS = ['strict_order', 'strict_deduplication', 'strict_increase', 'strict_once']


def mode_combinations():
    """Every valid combination: any subset of the four flags, and
    allow_reentry with any subset that holds strict_order."""
    out = []
    for bits in range(16):
        flags = [f for i, f in enumerate(FLAGS) if bits >> i & 1]
        out.append(flags)
        if 'strict_order' in flags:
            out.append(flags + ['allow_reentry'])
    return out


def events_of(rows, nsteps, strict_order):
    """The (ts, step, row) events of a group, in reading order."""
    evs = []
    for rid, (ts, steps) in enumerate(rows):
        if ts is None:
            continue
        met = [k for k in range(1, nsteps + 1) if steps[k - 1] is True]
        mask = sum(1 << (k - 1) for k in met)
        for k in met:
            evs.append((ts, k, mask, rid))
        if not met and strict_order:
            evs.append((ts, 0, 0, rid))
    evs.sort(key=lambda e: e[:3])
    return [(ts, k, rid) for ts, k, mask, rid in evs]


def highest(reached):
    best = 0
    for k, ok in enumerate(reached, 1):
        if ok:
            best = k
    return best


def level_sim(rows, nsteps, window, modes):
    """ClickHouse's one-pass reading, for every mode."""
    strict_order = 'strict_order' in modes
    dedup = 'strict_deduplication' in modes
    increase = 'strict_increase' in modes
    once = 'strict_once' in modes
    reentry = 'allow_reentry' in modes
    evs = events_of(rows, nsteps, strict_order)
    if not evs:
        return 0
    if not strict_order and nsteps == 1:
        return 1
    # chains[k]: chains that reached step k + 1, as (first, last, rows used)
    chains = [[] for _ in range(nsteps)]
    started = False
    for ts, k, rid in evs:
        if k == 0:
            if started:
                break
            continue
        i = k - 1
        if i == 0:
            if once:
                chains[0].append((ts, ts, (rid,)))
            else:
                chains[0] = [(ts, ts, (rid,))]
            started = True
        elif dedup and chains[i]:
            return highest([bool(c) for c in chains])
        elif strict_order and started and not chains[i - 1]:
            if reentry:
                continue
            return next(j for j in range(nsteps) if not chains[j])
        elif chains[i - 1]:
            grown = []
            for first, last, used in chains[i - 1]:
                ok = ts - first <= window
                if increase:
                    ok = ok and last < ts
                if once:
                    ok = ok and rid not in used
                if ok:
                    grown.append((first, ts, used + (rid,)))
            if grown:
                if once:
                    chains[i].extend(grown)
                else:
                    chains[i] = grown
                if i + 1 == nsteps:
                    return nsteps
    return highest([bool(c) for c in chains])


def all_chains(rows, nsteps, window, distinct_rows):
    """Every chain of events meeting steps 1, 2, ..., with non-decreasing
    times within the window of the first, as tuples of times (brute force,
    depth first)."""
    by_step = [[(ts, rid) for rid, (ts, steps) in enumerate(rows)
                if ts is not None and steps[k] is True] for k in range(nsteps)]
    found = []

    def walk(chain, used):
        found.append(tuple(t for t, _ in chain))
        k = len(chain)
        if k == nsteps:
            return
        for ts, rid in by_step[k]:
            if ts < chain[-1][0] or ts - chain[0][0] > window:
                continue
            if distinct_rows and rid in used:
                continue
            walk(chain + [(ts, rid)], used | {rid})

    for ts, rid in by_step[0]:
        walk([(ts, rid)], {rid})
    return found


def level_brute(rows, nsteps, window, distinct_rows):
    return max((len(c) for c in all_chains(rows, nsteps, window, distinct_rows)),
               default=0)


def funnel_times(rows, nsteps, window):
    chains = all_chains(rows, nsteps, window, False)
    if not chains:
        return ()
    top = max(len(c) for c in chains)
    return min(c for c in chains if len(c) == top)


def random_group(rng, nsteps):
    """Rows (t, [step conditions]) of one group: in journey-like order or
    at random, with ties, NULL timestamps and NULL conditions."""
    walking = rng.random() < 0.6
    if walking:
        n = rng.randint(0, 2 * nsteps + 4)
        noise = rng.choice([0, 0.1, 0.25, 0.4])
        extra = rng.choice([0, 0.1, 0.25])
    else:
        n = rng.randint(0, 14)
        extra = 0.2
    rows = []
    t = rng.randint(0, 3)
    k = 0
    for _ in range(n):
        steps = [False] * nsteps
        if walking:
            # the walk goes on to its next step, or a row of noise comes
            # in between: a repeat, another step, or no step at all
            r = rng.random() / max(noise, 1e-9)
            if r >= 1:
                k = k % nsteps + 1
                steps[k - 1] = True
            elif r < 0.4:
                steps[max(k, 1) - 1] = True
            elif r < 0.8:
                steps[rng.randrange(nsteps)] = True
            t += rng.choice([0, 0, 1, 1, 2, 3])
            ts = t
        else:
            for j in range(nsteps):
                steps[j] = rng.random() < 1.5 / nsteps
            ts = rng.randint(0, 10)
        # a second (third) step on the same row, often the next one
        while rng.random() < extra:
            j = k if (walking and k and k < nsteps and rng.random() < 0.6) \
                else rng.randrange(nsteps)
            steps[j] = True
        # NULL conditions count as false
        steps = [None if (not s and rng.random() < 0.05) else s for s in steps]
        if rng.random() < 0.04:
            ts = None
        rows.append((ts, steps))
    rng.shuffle(rows)
    return rows


def main():
    work, seed, ngroups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    combos = mode_combinations()
    groups = []
    for g in range(1, ngroups + 1):
        nsteps = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8, 9, 12])
        if g % 97 == 0:
            nsteps = 32
        window = rng.choice([0, 1, 2, 3, 5, 2 * nsteps, 3 * nsteps, 4 * nsteps, 6 * nsteps])
        flags = list(combos[g % len(combos)])
        rng.shuffle(flags)
        sep = rng.choice([',', ', ', ' , '])
        modes = sep.join(flags)
        if flags and rng.random() < 0.3:
            modes = ' ' + modes + ' '
        groups.append((g, nsteps, window, flags, modes, random_group(rng, nsteps)))

    expected = []
    flag_matters = {}
    differs = {}
    complete = {}
    levels_seen = {}
    oracle_self = 0
    for g, nsteps, window, flags, modes, rows in groups:
        if not rows:
            continue
        level = level_sim(rows, nsteps, window, flags)
        default = level_sim(rows, nsteps, window, [])
        once = level_sim(rows, nsteps, window, ['strict_once'])
        # the simulation against the brute-force definitions
        if nsteps <= 12:
            if default != level_brute(rows, nsteps, window, False):
                sys.exit(f'oracle disagrees with itself (no mode), group {g}')
            if once != level_brute(rows, nsteps, window, True):
                sys.exit(f'oracle disagrees with itself (strict_once), group {g}')
            oracle_self += 1
        times = funnel_times(rows, nsteps, window)
        if len(times) != default:
            sys.exit(f'oracle: funnel_times and the level disagree, group {g}')
        # coverage: groups in which each flag of the combination changes
        # the answer (against the same combination without it)
        key = ','.join(sorted(flags)) or '(none)'
        counts = flag_matters.setdefault(key, {f: 0 for f in flags})
        for f in flags:
            rest = [x for x in flags if x != f and not (f == 'strict_order' and x == 'allow_reentry')]
            if level_sim(rows, nsteps, window, rest) != level:
                counts[f] += 1
        levels_seen.setdefault(key, set()).add(level)
        differs.setdefault(key, 0)
        differs[key] += level != default
        complete.setdefault(nsteps, [0, 0])
        complete[nsteps][0] += 1
        complete[nsteps][1] += level == nsteps
        expected.append(f'v|{g}|{level}')
        if 2 <= nsteps <= 8:
            expected.append(f'f|{g}|{level}')
        if not flags:
            expected.append(f'vn|{g}|{level}')
            if 2 <= nsteps <= 8:
                expected.append(f'fn|{g}|{level}')
        expected.append(f'c|{g}|{level}')
        expected.append(f'p|{g}|{level}')
        expected.append(f't|{g}|{",".join(str(t) for t in times)}')
        if 2 <= nsteps <= 8:
            expected.append(f'tf|{g}|{",".join(str(t) for t in times)}')

    with open(f'{work}/events.csv', 'w') as ev:
        for g, nsteps, window, flags, modes, rows in groups:
            for ts, steps in rows:
                cells = ','.join('NULL' if s is None else ('t' if s else 'f') for s in steps)
                ev.write(f'{g},{"" if ts is None else ts},"{{{cells}}}"\n')
    with open(f'{work}/groups.csv', 'w') as gf:
        for g, nsteps, window, flags, modes, rows in groups:
            gf.write(f'{g},{nsteps},{window},"{modes}"\n')
    with open(f'{work}/expected', 'w') as ef:
        ef.write('\n'.join(sorted(expected)) + '\n')

    # journey's side: the same lines
    sq = []
    base = "'2026-01-01 00:00:00+00'::timestamptz"
    ts = f"{base} + e.t * interval '1 second'"
    win = "g.win * interval '1 second'"
    times_text = ("(SELECT coalesce(string_agg((extract(epoch FROM x - {base}))::bigint::text, ','"
                  " ORDER BY o), '') FROM unnest({agg}) WITH ORDINALITY u(x, o))")

    def conds(k):
        return ', '.join(f'e.c[{i}]' for i in range(1, k + 1))

    # VARIADIC forms, window and modes read from the rows
    sq.append(f"SELECT 'v', e.g, journey.window_funnel({ts}, {win}, g.modes, VARIADIC e.c) "
              f"FROM ev e JOIN grp g USING (g) GROUP BY e.g;")
    sq.append(f"SELECT 'vn', e.g, journey.window_funnel({ts}, {win}, VARIADIC e.c) "
              f"FROM ev e JOIN grp g USING (g) WHERE g.modes = '' GROUP BY e.g;")
    sq.append(f"SELECT 't', e.g, " + times_text.format(
        base=base, agg=f"journey.funnel_times({ts}, {win}, VARIADIC e.c)") +
        " FROM ev e JOIN grp g USING (g) GROUP BY e.g;")
    # conditions written out (2 to 8 steps)
    for k in range(2, 9):
        sq.append(f"SELECT 'f', e.g, journey.window_funnel({ts}, {win}, g.modes, {conds(k)}) "
                  f"FROM ev e JOIN grp g USING (g) WHERE g.nsteps = {k} GROUP BY e.g;")
        sq.append(f"SELECT 'fn', e.g, journey.window_funnel({ts}, {win}, {conds(k)}) "
                  f"FROM ev e JOIN grp g USING (g) WHERE g.nsteps = {k} AND g.modes = '' "
                  f"GROUP BY e.g;")
        sq.append(f"SELECT 'tf', e.g, " + times_text.format(
            base=base, agg=f"journey.funnel_times({ts}, {win}, {conds(k)})") +
            f" FROM ev e JOIN grp g USING (g) WHERE g.nsteps = {k} GROUP BY e.g;")
    # constant window and modes (parsed once per call site)
    for window, modes in sorted({(w, m) for _, _, w, _, m, rows in groups if rows}):
        q = modes.replace("'", "''")
        sq.append(f"SELECT 'c', e.g, journey.window_funnel({ts}, '{window} s', '{q}', VARIADIC e.c) "
                  f"FROM ev e JOIN grp g USING (g) WHERE g.win = {window} AND g.modes = '{q}' "
                  f"GROUP BY e.g;")
    with open(f'{work}/queries.sql', 'w') as qf:
        qf.write('\n'.join(sq) + '\n')

    with open(f'{work}/summary', 'w') as sf:
        sf.write(f'groups {len(groups)}, with rows {sum(1 for x in groups if x[5])}, '
                 f'oracle checked against brute force on {oracle_self}\n')
        for k in sorted(complete):
            sf.write(f'{k} steps: {complete[k][0]} groups, {complete[k][1]} reach the last step\n')
        for key in sorted(flag_matters):
            sf.write(f'{key}: levels {sorted(levels_seen[key])}; groups in which each mode '
                     f'changes the answer: {flag_matters[key]}\n')
    # what the suite asserts: every combination answers differently from
    # no mode in some group, and every mode changes some answer
    with open(f'{work}/coverage', 'w') as cf:
        for key in sorted(differs):
            if key != '(none)':
                cf.write(f'combination {key}: {"some" if differs[key] else "no"} '
                         f'answer differs from no mode\n')
        for f in FLAGS + ['allow_reentry']:
            n = sum(c.get(f, 0) for c in flag_matters.values())
            cf.write(f'mode {f}: {"some" if n else "no"} answer changes without it\n')


if __name__ == '__main__':
    main()
