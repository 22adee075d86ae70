#!/usr/bin/env bash
# test/suites/33_shapley.sh: attribution(..., 'shapley') against the Shapley
# value from its definition (test/suites/33_shapley_oracle.py enumerates
# every ordering of the channels, in exact rational arithmetic) on random
# games of 1 to 7 channels: conversions and value of every channel.
#
# Random: JOURNEY_FUZZ_SEED fixes the seed (a fresh one otherwise, always
# printed), JOURNEY_SHAPLEY_GAMES the number of games (default 120).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

games=${JOURNEY_SHAPLEY_GAMES:-120}
oracle="$(dirname "${BASH_SOURCE[0]}")/33_shapley_oracle.py"
suite_random_database journey_shapley_oracle
seed=$SUITE_SEED work=$SUITE_WORK db=journey_shapley_oracle
echo "seed $seed, $games games (JOURNEY_FUZZ_SEED=$seed repeats this run)"

python3 "$oracle" gen "$work" "$seed" "$games"
suite_q -d "$db" -c "CREATE EXTENSION journey" \
	-c "CREATE TABLE pr (t int, path text[], conv float8, val float8, nulls float8)" \
	-c "\\copy pr FROM '$work/rows.csv' WITH (FORMAT csv)"
suite_q -d "$db" -F '|' >"$work/actual" <<'SQL'
SELECT t, (c).channel, (c).conversions, (c).value
  FROM (SELECT t, unnest(journey.attribution(path, conv, val, nulls, 'shapley')) AS c
          FROM pr GROUP BY t) s
 ORDER BY t, (c).channel COLLATE "C";
SQL
if out=$(python3 "$oracle" check "$work"); then
	echo "$out"
	echo "ok: Shapley credits agree with the enumeration of every ordering"
else
	echo "$out"
	echo "MISMATCH: Shapley credits differ from the enumeration (JOURNEY_FUZZ_SEED=$seed)"
	SUITE_FAILED=1
fi
exit $SUITE_FAILED
