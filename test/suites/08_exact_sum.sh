#!/usr/bin/env bash
# test/suites/08_exact_sum.sh: sums that do not depend on the order of the
# rows, against an independent oracle.
#
# Python builds sets of doubles meant to break naive sums (cancellation of
# huge values leaving small ones, 1e16 + 1 + 1, values spread over the
# whole exponent range, subnormals, currency amounts, ties of the final
# rounding, partial sums beyond float8 whose total is not) and computes each
# set's exact sum with fractions.Fraction, rounded once to the nearest
# double (ties to even) by Python's own correctly rounded int / int
# division.  exact_sum must give exactly those bits (compared through
# float8send) for the rows in their order, reversed, sorted both ways and
# shuffled, and under forced parallel plans (Partial Aggregate, states
# serialized and combined).  attribution, whose per-path totals are such
# sums, must give bit-identical credits for the same rows in any order,
# split over workers or not.
#
# JOURNEY_SUM_SEED picks the random sets (a fresh one is printed when the
# suite fails); JOURNEY_SUM_SETS how many random sets (default 12).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

db=journey_exact_sum_$$
work=$(mktemp -d /tmp/journey-exact-sum.XXXXXX)
chmod 755 "$work"
seed=${JOURNEY_SUM_SEED:-$(date +%s)}
sets=${JOURNEY_SUM_SETS:-12}
suite_database "$db" 2>/dev/null
trap 'suite_q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

python3 - "$work" "$seed" "$sets" <<'PY'
import math, random, struct, sys
from fractions import Fraction

work, seed, nsets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)

def exact(vals):
    s = sum(Fraction(v) for v in vals)
    try:
        return struct.pack('>d', float(s)).hex()   # correctly rounded
    except OverflowError:
        return 'overflow'

fixed = {
    'cancel_1e16': [1e16, 1.0, -1e16],
    'plus_ones': [1e16, 1.0, 1.0],
    'tie_to_even_down': [2.0**53, 1.0],
    'tie_to_even_up': [2.0**53 + 2, 1.0],
    'tie_broken_by_sticky': [2.0**53, 1.0, 2.0**-1000],
    'subnormals': [5e-324] * 7 + [-5e-324] * 2 + [2.2250738585072014e-308, -1e-310],
    'huge_cancel': [1.7976931348623157e308, 1.7976931348623157e308, -1.7976931348623157e308, 1e-300],
    'beyond_then_back': [1e308] * 10 + [-1e308] * 9 + [3.0],
    'overflow': [1e308, 1e308],
    'negative': [-0.1, -0.2, -0.3, 1e-20],
    'zero': [0.5, -0.25, -0.25, 1e300, -1e300],
    'negative_zero': [-0.0, -0.0],
    'high_digit': [3e9 * 2.0**40, 3e9 * 2.0**40, 1.0],
    'currency': [round(rng.uniform(0, 500), 2) for _ in range(5000)],
}
sets = dict(fixed)
for k in range(nsets):
    vals = []
    kind = k % 4
    for _ in range(rng.randint(1, 3000)):
        r = rng.random()
        if kind == 0:      # the whole exponent range, both signs
            v = math.ldexp(rng.uniform(-1, 1), rng.randint(-1074, 1000))
        elif kind == 1:    # big values that cancel, leaving small ones
            v = rng.choice([1e16, -1e16, 1e300, -1e300, 2.0**60, -2.0**60]) if r < 0.5 \
                else rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 5)
        elif kind == 2:    # amounts with cents
            v = round(rng.uniform(-1000, 100000), 2)
        else:              # near the ends of float8 (the huge ones cancel in pairs)
            v = rng.choice([5e-324, -5e-324, 2.2250738585072014e-308, 8.98846567431158e307,
                            rng.uniform(-1, 1) * 1e-310])
            if v > 1e307:
                vals.append(-v)
        vals.append(v)
    sets['random_%d_%d' % (k, kind)] = vals

with open(f'{work}/vals.csv', 'w') as f:
    for name, vals in sets.items():
        for i, v in enumerate(vals):
            f.write('%s,%d,%r\n' % (name, i, v))
with open(f'{work}/expected', 'w') as f:
    for name in sorted(sets):
        f.write('%s|%s\n' % (name, exact(sets[name])))
PY

suite_q -d "$db" <<SQL
CREATE EXTENSION journey;
CREATE TABLE vals (name text, i int, x float8);
\copy vals FROM '$work/vals.csv' WITH (FORMAT csv)
ANALYZE vals;
-- a parallel-friendly copy: many rows per set, in many pages
CREATE TABLE wide_vals AS SELECT v.* FROM vals v, generate_series(1, 4) g WHERE v.name LIKE 'random%';
ANALYZE wide_vals;
CREATE FUNCTION sum_hex(name text, ord text) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE r text;
BEGIN
	EXECUTE format('SELECT coalesce(encode(float8send(journey.exact_sum(x)), ''hex''), ''null'')
					  FROM (SELECT x FROM vals WHERE name = %L ORDER BY %s) s', name, ord)
	   INTO r;
	RETURN r;
EXCEPTION WHEN numeric_value_out_of_range THEN
	RETURN 'overflow';
END
\$\$;
SQL

orders=("i" "i DESC" "x" "x DESC" "md5(i::text)" "md5(x::text || i)")
for ord in "${orders[@]}"; do
	suite_q -d "$db" -c "SELECT name || '|' || sum_hex(name, '$ord') FROM (SELECT DISTINCT name FROM vals) n ORDER BY name" \
		>"$work/got"
	if diff -u "$work/expected" "$work/got" >"$work/diff"; then
		echo "ok: exact_sum of $(wc -l <"$work/expected") sets, rows ordered by $ord, equals the correctly rounded exact sum"
	else
		echo "MISMATCH: exact_sum, rows ordered by $ord (seed $seed):"
		head -20 "$work/diff"
		SUITE_FAILED=1
	fi
done

# forced parallel plans: states of workers serialized and combined
parallel="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;"
plan=$(suite_q -d "$db" -c "$parallel EXPLAIN (COSTS OFF) SELECT name, journey.exact_sum(x) FROM wide_vals GROUP BY name")
if [[ "$plan" == *"Partial"* ]]; then
	echo "ok: the parallel plan has a partial aggregate"
else
	echo "MISMATCH: no partial aggregate in: $plan"
	SUITE_FAILED=1
fi
serial=$(suite_q -d "$db" -c "SET max_parallel_workers_per_gather = 0;
	SELECT name, encode(float8send(journey.exact_sum(x)), 'hex') FROM wide_vals GROUP BY name ORDER BY name")
in_parallel=$(suite_q -d "$db" -c "$parallel
	SELECT name, encode(float8send(journey.exact_sum(x)), 'hex') FROM wide_vals GROUP BY name ORDER BY name")
# four copies of each random set: four times the exact sum, rounded once
expected4=$(python3 - "$work" <<'PY'
import struct, sys
from fractions import Fraction
work = sys.argv[1]
sets = {}
for line in open(f'{work}/vals.csv'):
    name, i, v = line.rstrip('\n').split(',')
    if name.startswith('random'):
        sets.setdefault(name, []).append(float(v))
for name in sorted(sets):
    s = 4 * sum(Fraction(v) for v in sets[name])
    try:
        print('%s|%s' % (name, struct.pack('>d', float(s)).hex()))
    except OverflowError:
        print('%s|overflow' % name)
PY
)
suite_expect "exact_sum serial equals parallel, bit for bit" "$in_parallel" "$serial"
suite_expect "exact_sum of four copies equals the exact fourfold sum" \
	"$(echo "$serial" | sort)" "$(echo "$expected4" | sort)"

# attribution: the same path rows in any order and split give the same bits
suite_q -d "$db" <<'SQL'
CREATE TABLE attr_rows AS
SELECT string_to_array((ARRAY['a', 'a b', 'b c a', 'c'])[1 + i % 4], ' ') AS path,
       (ARRAY[1.0, 1e16, 0.1, 3.0])[1 + (i / 4) % 4]::float8 AS conversions,
       (ARRAY[1e16, 1.0, 0.1, 12.34, 5e-324])[1 + (i / 3) % 5]::float8 AS value,
       (i % 7)::float8 AS nulls, i
  FROM generate_series(1, 20000) i;
ANALYZE attr_rows;
SQL
# one line per model: every channel's conversions and value as hex bits
attr_query() {
	local from=$1 m out=""
	for m in linear position_based markov shapley fractribution; do
		out+="SELECT '$m', string_agg((c).channel || ':' || encode(float8send((c).conversions), 'hex')
		                              || ':' || encode(float8send((c).value), 'hex'), ' ' ORDER BY (c).channel)
		        FROM unnest((SELECT journey.attribution(path, conversions, value, nulls, '$m') FROM $from)) c;"
	done
	echo "$out"
}
first=$(suite_q -d "$db" -c "SET max_parallel_workers_per_gather = 0; $(attr_query "(SELECT * FROM attr_rows ORDER BY i) r")")
for ord in "i DESC" "md5(i::text)" "value, conversions" "value DESC, i"; do
	got=$(suite_q -d "$db" -c "SET max_parallel_workers_per_gather = 0; $(attr_query "(SELECT * FROM attr_rows ORDER BY $ord) r")")
	suite_expect "attribution credits bit-identical with rows ordered by $ord" "$got" "$first"
done
plan=$(suite_q -d "$db" -c "$parallel EXPLAIN (COSTS OFF) SELECT journey.attribution(path, conversions, value, nulls, 'linear') FROM attr_rows")
if [[ "$plan" == *"Partial Aggregate"* ]]; then
	echo "ok: attribution runs as a partial aggregate"
else
	echo "MISMATCH: no partial aggregate in: $plan"
	SUITE_FAILED=1
fi
got=$(suite_q -d "$db" -c "$parallel $(attr_query attr_rows)")
suite_expect "attribution credits bit-identical under a parallel plan" "$got" "$first"
# and the naive sums do depend on the order here (so the test can fail)
naive=$(suite_q -d "$db" -c "SELECT count(DISTINCT s) > 1 FROM (
	SELECT (SELECT encode(float8send(sum(value)), 'hex') FROM (SELECT value FROM attr_rows ORDER BY i) r) AS s
	UNION ALL SELECT (SELECT encode(float8send(sum(value)), 'hex') FROM (SELECT value FROM attr_rows ORDER BY value) r)
	UNION ALL SELECT (SELECT encode(float8send(sum(value)), 'hex') FROM (SELECT value FROM attr_rows ORDER BY value DESC) r)) d")
suite_expect "a naive float sum of the same values depends on their order" "$naive" "t"

if [ "$SUITE_FAILED" != 0 ]; then
	echo "(rerun with JOURNEY_SUM_SEED=$seed to repeat these sets)"
fi
exit $SUITE_FAILED
