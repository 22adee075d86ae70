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
#
# An input is one (group, pattern) pair; a batch is 24 random patterns over
# random groups, made by Python from (seed, batch number) alone.
# JOURNEY_FUZZ_SEED (default: a fresh seed, printed), JOURNEY_FUZZ_COUNT
# (default 7200 pairs: 300 groups), JOURNEY_FUZZ_BATCH (default 240000
# pairs per batch).  test/fuzz runs it long.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

BIN=/usr/lib/postgresql/15/bin
db=journey_seqregex_$$
work=$(mktemp -d /tmp/journey-seqregex.XXXXXX)
chmod 755 "$work"
SEED=${JOURNEY_FUZZ_SEED:-$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')}
COUNT=${JOURNEY_FUZZ_COUNT:-7200}
BATCH=${JOURNEY_FUZZ_BATCH:-240000}
NPATTERNS=24

q() { "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
	q -d postgres -c "DROP DATABASE IF EXISTS $db" || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "fuzz seed $SEED, $COUNT (group, pattern) pairs; replay with" \
	"JOURNEY_FUZZ_SEED=$SEED JOURNEY_FUZZ_COUNT=$COUNT bash $0"

# gen BATCH GROUPS: events.csv, patterns and expected of one batch in $work
gen() {
	python3 - "$work" "$SEED" "$1" "$2" "$NPATTERNS" <<'PY'
import random, re, sys

work, seed, batch, ngroups, npatterns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(f'{seed}/{batch}')
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
while len(patterns) < npatterns:
    elems = [rng.choice(['(?1)', '(?2)', '(?3)', '(?1)', '(?2)', '.', '.*'])
             for _ in range(rng.randint(1, 5))]
    patterns.add((''.join(elems), tuple(elems)))
patterns = sorted(patterns)
compiled = [(text, to_regex(elems)) for text, elems in patterns]

with open(f'{work}/events.csv', 'w') as ev, open(f'{work}/expected', 'w') as exp:
    for g in range(1, ngroups + 1):
        # at least one event: a group without rows is no group
        n = rng.randint(1, 14)
        rows = [(rng.randint(0, 8), rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 1, 2]))
                for _ in range(n)]
        # rows in a scrambled order; the aggregates must not care
        for ts, mask in rows:
            nulls = [('' if rng.random() < 0.1 and not mask & (1 << b) else
                      ('t' if mask & (1 << b) else 'f')) for b in range(NCOND)]
            ev.write(f'{g},{ts},{",".join(nulls)}\n')
        s = ''.join(letters[m] for ts, m in sorted(rows) if m)
        for text, rx in compiled:
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
}

q -d postgres -c "CREATE DATABASE $db"
q -d "$db" -c "CREATE EXTENSION journey"
q -d "$db" -c "CREATE TABLE ev (g int, s int, c1 bool, c2 bool, c3 bool)" \
	-c "CREATE TABLE pat (pattern text)"

groups_per_batch=$(((BATCH + NPATTERNS - 1) / NPATTERNS))
total_groups=$(((COUNT + NPATTERNS - 1) / NPATTERNS))
done_groups=0 batch=0 checked=0 differ="" outcomes=""
t0=$(date +%s%N)
while [ "$done_groups" -lt "$total_groups" ]; do
	n=$((total_groups - done_groups))
	[ "$n" -gt "$groups_per_batch" ] && n=$groups_per_batch
	gen "$batch" "$n"
	q -d "$db" -c "TRUNCATE ev, pat" \
		-c "\\copy ev FROM '$work/events.csv' WITH (FORMAT csv)" \
		-c "\\copy pat FROM '$work/patterns'"
	q -d "$db" >"$work/actual" <<'SQL'
SELECT g, p.pattern,
	   journey.sequence_match(p.pattern, '2026-01-01'::timestamptz + s * interval '1 s', c1, c2, c3),
	   journey.sequence_count(p.pattern, '2026-01-01'::timestamptz + s * interval '1 s', c1, c2, c3)
FROM ev, pat p
GROUP BY g, p.pattern
ORDER BY g, p.pattern COLLATE "C";
SQL
	if [ "$(wc -l <"$work/actual")" != "$(wc -l <"$work/expected")" ]; then
		differ="batch $batch: $(wc -l <"$work/actual") results for $(wc -l <"$work/expected") pairs"
		break
	fi
	if ! cmp -s "$work/expected" "$work/actual"; then
		differ="batch $batch: $(diff "$work/expected" "$work/actual" | head -5 | tr '\n' ' ')"
		break
	fi
	checked=$((checked + $(wc -l <"$work/actual")))
	outcomes="$outcomes$(cut -d'|' -f3 "$work/actual" | sort -u | tr -d '\n')"
	done_groups=$((done_groups + n))
	batch=$((batch + 1))
	[ "$total_groups" -gt $((10 * groups_per_batch)) ] &&
		echo "  $(fuzz_rate "sequence patterns" "$checked" "$t0")"
done
fuzz_rate "sequence patterns, (group, pattern) pairs" "$checked" "$t0"

suite_expect "sequence_match and sequence_count agree with the regex oracle (seed $SEED)" \
	"$differ" ""
suite_expect "every pair was checked" "$checked" "$((total_groups * NPATTERNS))"
suite_expect "some groups match and some do not" \
	"$(fold -w1 <<<"$outcomes" | sort -u | tr -d '\n')" "ft"
exit $SUITE_FAILED
