#!/usr/bin/env bash
# test/suites/12_paths_around_encoding.sh: the "…" step of path_transform's
# starting_at, ending_at and between is U+2026 in a UTF-8 database and
# three dots where the database encoding cannot hold it (doc/paths.md).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

latin1=journey_around_latin1_$$
q() { PGCLIENTENCODING=UTF8 "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -d postgres -c "DROP DATABASE IF EXISTS journey_around_utf8" \
	-c "CREATE DATABASE journey_around_utf8 TEMPLATE template0 ENCODING 'UTF8'" \
	-c "CREATE DATABASE $latin1 TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'"
trap 'q -d postgres -c "DROP DATABASE IF EXISTS $latin1" -c "DROP DATABASE IF EXISTS journey_around_utf8" || true' EXIT
q -d "$latin1" -c "CREATE EXTENSION journey"
q -d journey_around_utf8 -c "CREATE EXTENSION journey"

for db in journey_around_utf8 "$latin1"; do
	case $db in journey_around_utf8) dots='…' ;; *) dots='...' ;; esac
	suite_expect "$db: starting_at" \
		"$(q -d "$db" -c "SELECT journey.path_transform(ARRAY['a', 'b', 'c'], 'starting_at(a, 1)')")" "{a,$dots}"
	suite_expect "$db: ending_at" \
		"$(q -d "$db" -c "SELECT journey.path_transform(ARRAY['a', 'b', 'c'], 'ending_at(c, 1)')")" "{$dots,c}"
	suite_expect "$db: between" \
		"$(q -d "$db" -c "SELECT journey.path_transform(ARRAY['a', 'b', 'c', 'd'], 'between(a, d, 2)')")" "{a,$dots,d}"
done
exit $SUITE_FAILED
