#!/usr/bin/env bash
# test/suites/20_funnel_oracle.sh: window_funnel and funnel_times against an
# independent oracle (test/suites/20_funnel_oracle.py: ClickHouse's
# windowFunnel reading written again in Python, itself checked against
# brute-force definitions) on random groups: every mode and every valid
# combination of modes, 1 to 12 steps and 32, ties, several steps met by
# one row, rows meeting no step, NULL timestamps and conditions, windows of
# 0 and events exactly at the window's edge.
#
# Each group is computed by the VARIADIC forms with window and modes read
# from the rows, by the forms with the conditions written out (2 to 8),
# by the VARIADIC form with a constant window and modes, and by a
# parallel plan; every answer must equal the oracle's.
#
# Random: JOURNEY_FUZZ_SEED fixes the seed (a fresh one otherwise, always
# printed), JOURNEY_FUNNEL_GROUPS the number of groups (default 4000).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

groups=${JOURNEY_FUNNEL_GROUPS:-4000}
suite_random_database journey_funnel_oracle
seed=$SUITE_SEED work=$SUITE_WORK db=journey_funnel_oracle
echo "seed $seed, $groups groups (JOURNEY_FUZZ_SEED=$seed repeats this run)"

python3 "$(dirname "${BASH_SOURCE[0]}")/20_funnel_oracle.py" "$work" "$seed" "$groups"
cat "$work/summary"

suite_q -d "$db" -c "CREATE EXTENSION journey" \
	-c "CREATE TABLE ev (g int, t int, c bool[])" \
	-c "CREATE TABLE grp (g int PRIMARY KEY, nsteps int, win int, modes text)"
suite_q -d "$db" -c "\\copy ev FROM '$work/events.csv' WITH (FORMAT csv)" \
	-c "\\copy grp FROM '$work/groups.csv' WITH (FORMAT csv)" \
	-c "ANALYZE ev, grp"

{
	echo "SET timezone = 'UTC';"
	cat "$work/queries.sql"
	# the VARIADIC form again under a parallel plan (partial states
	# serialized, combined and deserialized)
	echo "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"
	echo "SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;"
	echo "SET enable_hashagg = off;"
	grep "^SELECT 'v'," "$work/queries.sql" | sed "s/^SELECT 'v',/SELECT 'p',/"
} >"$work/run.sql"
# every query runs, even after one fails; a failure is reported below
"$PGBIN/psql" -X -q -At -F '|' -d "$db" -f "$work/run.sql" 2>"$work/errors" | sort >"$work/actual"
suite_expect "every query ran without error" "$(head -3 "$work/errors")" ""

plan=$(suite_q -d "$db" -c "SET parallel_setup_cost = 0" -c "SET parallel_tuple_cost = 0" \
	-c "SET min_parallel_table_scan_size = 0" -c "SET max_parallel_workers_per_gather = 2" \
	-c "SET enable_hashagg = off" \
	-c "EXPLAIN (COSTS OFF) $(grep "^SELECT 'v'," "$work/queries.sql")")
suite_expect "the parallel run has a Partial Aggregate" \
	"$(grep -c 'Partial' <<<"$plan")" "1"

for form in v vn f fn c p t tf; do
	suite_expect "answers of form $form: as many as the oracle's" \
		"$(grep -c "^$form|" "$work/actual")" "$(grep -c "^$form|" "$work/expected")"
done
suite_expect "window_funnel and funnel_times agree with the oracle ($(comm -23 "$work/expected" "$work/actual" | wc -l) of $(wc -l <"$work/expected") answers differ)" \
	"$(diff "$work/expected" "$work/actual" | head -8)" ""
# the random groups are not trivial: every level from 0 to 5 occurs, each
# of the 23 combinations answers differently from no mode in some group,
# and each mode changes some answer when it is left out
suite_expect "levels 0 to 5 all occur" \
	"$(grep '^v|' "$work/expected" | cut -d'|' -f3 | sort -un | head -6 | tr '\n' ' ')" "0 1 2 3 4 5 "
suite_expect "combinations and modes covered" \
	"$(grep -c ': some ' "$work/coverage") $(grep ': no ' "$work/coverage")" "28 "
if [ "$SUITE_FAILED" != 0 ]; then
	echo "failed with JOURNEY_FUZZ_SEED=$seed JOURNEY_FUNNEL_GROUPS=$groups"
fi
exit $SUITE_FAILED
