#!/usr/bin/env bash
# test/suites/44_signals_oracle.sh: fisher_exact_test and kaplan_meier
# against an independent oracle (test/suites/44_signals_oracle.py, the
# standard library only: Fisher's p from exact binomial coefficients in
# fractions, Kaplan-Meier and Greenwood from the textbook definitions) on
# random inputs: symmetric tables (ties with the observed one), zero cells
# and empty margins, counts up to 400; curves of 1 to 60 customers with
# many tied times, censorings at the times of conversions, nobody or
# everybody converting.  Every answer must agree at a relative 1e-9.
#
# Random: JOURNEY_FUZZ_SEED fixes the seed (a fresh one otherwise, always
# printed); JOURNEY_SIGNALS_TABLES and JOURNEY_SIGNALS_CURVES the sizes
# (default 3000 and 400).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

tables=${JOURNEY_SIGNALS_TABLES:-3000}
curves=${JOURNEY_SIGNALS_CURVES:-400}
suite_random_database journey_signals_oracle
seed=$SUITE_SEED work=$SUITE_WORK db=journey_signals_oracle
oracle="$(dirname "${BASH_SOURCE[0]}")/44_signals_oracle.py"
echo "seed $seed, $tables tables, $curves curves (JOURNEY_FUZZ_SEED=$seed repeats this run)"

python3 "$oracle" gen "$work" "$seed" "$tables" "$curves"
suite_q -d "$db" -c "CREATE EXTENSION journey" \
	-c "CREATE TABLE fisher (id int, a bigint, b bigint, c bigint, d bigint)" \
	-c "CREATE TABLE km (curve int, elapsed float8, converted bool)"
suite_q -d "$db" -c "\\copy fisher FROM '$work/fisher.csv' WITH (FORMAT csv)" \
	-c "\\copy km FROM '$work/km.csv' WITH (FORMAT csv)"

# float8 text output is the shortest exact form (extra_float_digits 1)
"$PGBIN/psql" -X -q -At -F '|' -d "$db" \
	-c "SELECT id, journey.fisher_exact_test(a, b, c, d) FROM fisher" \
	>"$work/actual_fisher" 2>"$work/errors"
"$PGBIN/psql" -X -q -At -F '|' -d "$db" \
	-c "SELECT k.curve, r.elapsed, r.at_risk, r.conversions, r.censored, r.share_converted, r.std_error
		  FROM (SELECT curve, array_agg(elapsed) AS t, array_agg(converted) AS c FROM km GROUP BY curve) k,
			   journey.kaplan_meier(k.t, k.c) r" \
	>"$work/actual_km" 2>>"$work/errors"
suite_expect "every query ran without error" "$(head -3 "$work/errors")" ""
result=$(python3 "$oracle" check "$work")
echo "$result" | head -12
suite_expect "fisher_exact_test and kaplan_meier agree with the oracle (seed $seed)" \
	"$(tail -1 <<<"$result")" "0 mismatches"
exit $SUITE_FAILED
