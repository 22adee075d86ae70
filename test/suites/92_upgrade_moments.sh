#!/usr/bin/env bash
# test/suites/92_upgrade_moments.sh: a 0.1.0 registry with a source of more
# than 32 moments (0.1.0 stored them, though no report could follow them) is
# refused by ALTER EXTENSION journey UPDATE with what to change; a source of
# exactly 32 is not; once the extra moments are deleted the update goes
# through and keeps every moment.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

db=journey_upgrade_moments_$$
suite_database "$db" 2>/dev/null

suite_q -d "$db" >/dev/null 2>&1 <<'SQL'
CREATE EXTENSION journey VERSION '0.1.0';
CREATE TABLE ev (customer bigint, at timestamptz, what text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('long', 'ev', 'customer', 'at', 'what'), ('full', 'ev', 'customer', 'at', 'what');
INSERT INTO journey.moment (source, position, name, event_name)
SELECT 'long', g, 'm' || g, 'e' || g FROM generate_series(1, 34) g
UNION ALL
SELECT 'full', g, 'm' || g, 'e' || g FROM generate_series(1, 32) g;
SQL

suite_expect_error "a source of 34 moments stops the update" \
	'ERROR:  journey 0.2.0 allows at most 32 moments per source
DETAIL:  Sources with more: "long" (34 moments).
HINT:  Delete the moments past position 32' \
	suite_q -d "$db" -c "ALTER EXTENSION journey UPDATE"
suite_expect "nothing changed" \
	"$(suite_q -d "$db" -c "SELECT extversion || ' ' || (SELECT count(*) FROM journey.moment) FROM pg_extension WHERE extname = 'journey'")" \
	"0.1.0 66"
suite_q -d "$db" -c "DELETE FROM journey.moment WHERE position > 32" >/dev/null 2>&1
suite_q -d "$db" -c "ALTER EXTENSION journey UPDATE" >/dev/null 2>&1
suite_expect "with 32 moments per source the update goes through and keeps them" \
	"$(suite_q -d "$db" -c "SELECT extversion || ' ' || (SELECT count(*) FROM journey.moment) FROM pg_extension WHERE extname = 'journey'")" \
	"0.2.0 64"
exit $SUITE_FAILED
