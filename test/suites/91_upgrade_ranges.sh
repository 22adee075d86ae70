#!/usr/bin/env bash
# test/suites/91_upgrade_ranges.sh: hypotheses stored under 0.1.0 with test
# parameters 0.2.0 refuses (alpha or power below 1e-300, a minimum effect
# below 1e-7: 0.1.0 took anything strictly between 0 and 1) are kept by
# ALTER EXTENSION journey UPDATE, which warns about each of them with the
# range it breaks; hypotheses within the ranges give no warning.
# journey.hypothesis_results computes the others and gives these the verdict
# "parameters out of range" instead of failing; such a row can still be
# edited and abandoned, and a corrected row is accepted by the new checks.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

db=journey_upgrade_ranges_$$
suite_database "$db" 2>/dev/null

suite_q -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION journey VERSION '0.1.0';
CREATE TABLE ev (customer bigint, at timestamptz, what text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('s', 'ev', 'customer', 'at', 'what');
INSERT INTO journey.moment (source, position, name, event_name) VALUES ('s', 1, 'signup', 'signup');
INSERT INTO journey.hypothesis (source, moment, statement, alpha, power, minimum_effect)
VALUES ('s', 'signup', 'If we do this, that will happen.', 0.05, 0.8, 0.01),
       ('s', 'signup', 'If we do this, that will happen.', 5e-301, 0.8, 0.01),
       ('s', 'signup', 'If we do this, that will happen.', 0.05, 1e-310, 5e-8);
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
SELECT h, g::text, CASE WHEN g % 2 = 0 THEN 'control' ELSE 'b' END, '2026-01-01'
  FROM generate_series(1, 3) h, generate_series(1, 20) g;
SQL

warnings=$(suite_q -d "$db" -c "ALTER EXTENSION journey UPDATE" 2>&1 >/dev/null | grep WARNING)
suite_expect "the update warns about each stored value out of range, and only those" "$warnings" \
"WARNING:  hypothesis 2: alpha must be at least 1e-300 and less than 1
WARNING:  hypothesis 3: power must be at least 1e-300 and less than 1
WARNING:  hypothesis 3: minimum_effect must be at least 1e-7 and less than 1"
suite_expect "the rows are kept as they were" \
	"$(suite_q -d "$db" -c "SELECT string_agg(id || ':' || alpha || ':' || power || ':' || minimum_effect, ' ' ORDER BY id) FROM journey.hypothesis")" \
	"1:0.05:0.8:0.01 2:5e-301:0.8:0.01 3:0.05:1e-310:5e-08"
suite_expect "hypothesis_results computes the others and says what is wrong with these" \
	"$(suite_q -d "$db" -c "SELECT string_agg(hypothesis_id || ' ' || variant || ' ' || units || ' ' || verdict
	                                           || coalesce(' p=' || p_value, ''), ', ' ORDER BY hypothesis_id, variant)
	                          FROM journey.hypothesis_results")" \
	"1 b 10 not enough units p=1, 1 control 10 baseline, 2 b 10 parameters out of range, 2 control 10 parameters out of range, 3 b 10 parameters out of range, 3 control 10 parameters out of range"
suite_expect_error "a new value out of range is refused" \
	"power must be at least 1e-300" \
	suite_q -d "$db" -c "UPDATE journey.hypothesis SET power = 1e-301 WHERE id = 1"
suite_expect "a row out of range can be edited where its values stay, and abandoned" \
	"$(suite_q -d "$db" -c "UPDATE journey.hypothesis SET mechanism = 'x' WHERE id = 3 RETURNING mechanism" \
	   -c "SELECT status FROM journey.abandon_hypothesis(3, 'parameters from 0.1.0')")" \
	"x
abandoned"
suite_expect "a corrected row is accepted" \
	"$(suite_q -d "$db" -c "UPDATE journey.hypothesis SET alpha = 1e-300 WHERE id = 2 RETURNING alpha")" \
	"1e-300"
exit $SUITE_FAILED
