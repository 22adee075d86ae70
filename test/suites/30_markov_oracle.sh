#!/usr/bin/env bash
# test/suites/30_markov_oracle.sh: attribution(..., 'markov(order=k)'), k = 1
# to 4, against an independent oracle (test/suites/30_markov_oracle.py: the
# model of doc/attribution.md solved in exact rational arithmetic by dense
# elimination) on random path tables: removal effects, credited conversions
# and credited value, including tables whose value lies only on paths
# without conversions (the value is then split like the conversions).
#
# Random: JOURNEY_FUZZ_SEED fixes the seed (a fresh one otherwise, always
# printed), JOURNEY_MARKOV_TABLES the number of path tables (default 300).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

tables=${JOURNEY_MARKOV_TABLES:-300}
oracle="$(dirname "${BASH_SOURCE[0]}")/30_markov_oracle.py"
suite_random_database journey_markov_oracle
seed=$SUITE_SEED work=$SUITE_WORK db=journey_markov_oracle
echo "seed $seed, $tables path tables (JOURNEY_FUZZ_SEED=$seed repeats this run)"

if ! python3 "$oracle" gen "$work" "$seed" "$tables"; then
	echo "MISMATCH: the random tables miss a case (JOURNEY_FUZZ_SEED=$seed)"
	SUITE_FAILED=1
fi
suite_q -d "$db" -c "CREATE EXTENSION journey" \
	-c "CREATE TABLE pr (t int, path text[], conv float8, val float8, nulls float8)" \
	-c "\\copy pr FROM '$work/rows.csv' WITH (FORMAT csv)"
# every number with all its digits (float8 output is exact by default)
suite_q -d "$db" -F '|' >"$work/actual" <<'SQL'
SELECT t, k, (c).channel, (c).conversions, (c).value, (c).removal_effect
  FROM (SELECT t, k, unnest(journey.attribution(path, conv, val, nulls,
                                                format('markov(order=%s)', k))) AS c
          FROM pr, generate_series(1, 4) k
         GROUP BY t, k) s
 ORDER BY t, k, (c).channel COLLATE "C";
SQL
if out=$(python3 "$oracle" check "$work"); then
	echo "$out"
	echo "ok: Markov credits agree with the exact oracle"
else
	echo "$out"
	echo "MISMATCH: Markov credits differ from the exact oracle (JOURNEY_FUZZ_SEED=$seed)"
	SUITE_FAILED=1
fi
exit $SUITE_FAILED
