#!/usr/bin/env bash
# test/suites/22_sequence_regex.sh: sequence_match and sequence_count against
# an independent oracle, Python's regular expressions, on random groups and
# random patterns without time constraints.
#
# Each group's events, in the aggregates' order (timestamp, then condition
# bitmask) and without those for which no condition holds, become a string
# with one letter per bitmask; (?N) becomes the class of letters whose mask
# has bit N-1, "." any letter, ".*" a lazy ".*?".  sequence_match must equal
# "the regex is found"; sequence_count must equal the number of successive
# leftmost matches, each search resuming where the previous match ended (one
# letter further after an empty match).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

BIN=/usr/lib/postgresql/15/bin
db=journey_seqregex_$$
work=$(mktemp -d /tmp/journey-seqregex.XXXXXX)
chmod 755 "$work"

q() { "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
	q -d postgres -c "DROP DATABASE IF EXISTS $db" || true
	rm -rf "$work"
}
trap cleanup EXIT

python3 - "$work" <<'PY'
import random, re, sys

work = sys.argv[1]
rng = random.Random(20261123)
NCOND = 3
letters = {mask: chr(ord('a') + mask) for mask in range(1, 1 << NCOND)}

def cls(bit):
    return '[' + ''.join(c for m, c in letters.items() if m & (1 << bit)) + ']'

def to_regex(elems):
    out = []
    for e in elems:
        if e == '.':
            out.append('.')
        elif e == '.*':
            out.append('.*?')
        else:
            out.append(cls(int(e[2:-1]) - 1))
    return re.compile(''.join(out), re.S)

patterns = set()
while len(patterns) < 24:
    elems = [rng.choice(['(?1)', '(?2)', '(?3)', '(?1)', '(?2)', '.', '.*'])
             for _ in range(rng.randint(1, 5))]
    patterns.add((''.join(elems), tuple(elems)))
patterns = sorted(patterns)

with open(f'{work}/events.csv', 'w') as ev, open(f'{work}/expected', 'w') as exp:
    for g in range(1, 301):
        n = rng.randint(0, 14)
        rows = [(rng.randint(0, 8), rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 1, 2]))
                for _ in range(n)]
        # rows in a scrambled order; the aggregates must not care
        for ts, mask in rows:
            nulls = [('' if rng.random() < 0.1 and not mask & (1 << b) else
                      ('t' if mask & (1 << b) else 'f')) for b in range(NCOND)]
            ev.write(f'{g},{ts},{",".join(nulls)}\n')
        s = ''.join(letters[m] for ts, m in sorted(rows) if m)
        if n == 0:
            continue
        for text, elems in patterns:
            rx = to_regex(elems)
            matched = rx.search(s) is not None
            count, pos = 0, 0
            while pos < len(s):
                m = rx.search(s, pos)
                if not m:
                    break
                count += 1
                pos = m.end() if m.end() > pos else pos + 1
            exp.write(f'{g}|{text}|{"t" if matched else "f"}|{count}\n')
    with open(f'{work}/patterns', 'w') as pf:
        for text, _ in patterns:
            pf.write(text + '\n')
PY

q -d postgres -c "CREATE DATABASE $db"
q -d "$db" -c "CREATE EXTENSION journey"
q -d "$db" -c "CREATE TABLE ev (g int, s int, c1 bool, c2 bool, c3 bool)" \
	-c "CREATE TABLE pat (pattern text)"
q -d "$db" -c "\\copy ev FROM '$work/events.csv' WITH (FORMAT csv)"
q -d "$db" -c "\\copy pat FROM '$work/patterns'"

q -d "$db" >"$work/actual" <<'SQL'
SELECT g, p.pattern,
	   journey.sequence_match(p.pattern, '2026-01-01'::timestamptz + s * interval '1 s', c1, c2, c3),
	   journey.sequence_count(p.pattern, '2026-01-01'::timestamptz + s * interval '1 s', c1, c2, c3)
FROM ev, pat p
GROUP BY g, p.pattern
ORDER BY g, p.pattern COLLATE "C";
SQL

suite_expect "random groups x patterns checked" \
	"$(wc -l <"$work/actual")" "$(wc -l <"$work/expected")"
suite_expect "sequence_match and sequence_count agree with the regex oracle" \
	"$(diff "$work/expected" "$work/actual" | head -5)" ""
suite_expect "some groups match and some do not" \
	"$(cut -d'|' -f3 "$work/actual" | sort -u | tr -d '\n')" "ft"
exit $SUITE_FAILED
