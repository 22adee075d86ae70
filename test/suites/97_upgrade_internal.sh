#!/usr/bin/env bash
# test/suites/97_upgrade_internal.sh: updating from 0.1.0 moves the support
# functions to schema journey_internal.  A role that had USAGE on schema
# journey under 0.1.0 is named by the update's warning, with the GRANT to
# run; after it the role reads the moment report again, and aggregates work
# for it before the grant too.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DB=journey_upgrade_internal
ROLE=journey_suite_upgraded
suite_database $DB
trap "suite_q -d postgres -c 'DROP DATABASE IF EXISTS $DB' -c 'DROP ROLE IF EXISTS $ROLE' >/dev/null 2>&1 || true" EXIT
suite_q -d postgres -c "DROP ROLE IF EXISTS $ROLE" -c "CREATE ROLE $ROLE NOLOGIN" >/dev/null

suite_q -d $DB >/dev/null <<SQL
CREATE EXTENSION journey VERSION '0.1.0';
CREATE TABLE ev (cust int, at timestamptz, what text);
INSERT INTO ev VALUES (1, '2026-01-01 10:00+00', 'a'), (1, '2026-01-01 11:00+00', 'b'),
  (2, '2026-01-01 10:00+00', 'a');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('up', 'ev', 'cust', 'at', 'what');
INSERT INTO journey.moment VALUES ('up', 1, 'A', 'a'), ('up', 2, 'B', 'b');
GRANT USAGE ON SCHEMA journey TO $ROLE;
GRANT SELECT ON journey.source, journey.moment, ev TO $ROLE;
SQL
out=$(suite_q -d $DB -c "ALTER EXTENSION journey UPDATE" 2>&1)
suite_expect "the update names the role and the GRANT to run" \
	"$(grep -c "HINT:  GRANT USAGE ON SCHEMA journey_internal TO $ROLE;" <<<"$out")|$(grep -c 'WARNING:  journey 0.2.0 moved its support functions to schema journey_internal' <<<"$out")" "1|1"
suite_expect "the support functions live in journey_internal" \
	"$(suite_q -d $DB -c "SELECT count(*) > 40 FROM pg_proc WHERE pronamespace = 'journey_internal'::regnamespace")" t
as_role() { suite_q -d $DB -c "SET ROLE $ROLE" "$@" 2>&1; }
suite_expect "an aggregate works for the role before the grant" \
	"$(as_role -c "SELECT journey.window_funnel(at, '1 day', what = 'a', what = 'b') FROM ev GROUP BY cust ORDER BY cust" | tr '\n' ' ')" "2 1 "
suite_expect_error "the moment report needs USAGE on journey_internal" \
	"permission denied for schema journey_internal" \
	suite_q -d $DB -c "SET ROLE $ROLE" -c "SELECT * FROM journey.moment_report('up')"
suite_q -d $DB -c "GRANT USAGE ON SCHEMA journey_internal TO $ROLE" >/dev/null
suite_expect "after the grant the role reads the moment report" \
	"$(as_role -c "SELECT position, customers_reached FROM journey.moment_report('up') ORDER BY 1" | tr '\n' ' ')" "1|2 2|1 "
suite_expect "a fresh install warns of nothing" \
	"$(suite_q -d $DB -c "DROP EXTENSION journey" -c "CREATE EXTENSION journey" 2>&1 | grep -c WARNING || true)" 0

exit $SUITE_FAILED
