#!/usr/bin/env bash
# test/suites/25_registry_dump.sh: the source and moment registry, and the
# notes tied to its moments, survive pg_dump and restore.  Runs against the throwaway cluster of test/check
# (PGHOST, PGPORT, PGUSER exported): creates a database with an event table
# and registry rows, dumps it, restores the dump into a fresh database and
# compares the registry rows and a moment_report on both sides.
set -euo pipefail

BIN=/usr/lib/postgresql/15/bin
SRC_DB=journey_dump_src
DST_DB=journey_dump_dst
DUMP=$(mktemp /tmp/journey-dump.XXXXXX)
trap 'rm -f "$DUMP"' EXIT

q() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

q -d postgres -c "DROP DATABASE IF EXISTS $SRC_DB" -c "DROP DATABASE IF EXISTS $DST_DB" \
	-c "CREATE DATABASE $SRC_DB" -c "CREATE DATABASE $DST_DB"

q -d "$SRC_DB" <<'SQL'
CREATE EXTENSION journey;
CREATE SCHEMA shop;
CREATE TABLE shop."Events" (cust int, at timestamptz, what text, chan text, amount numeric);
INSERT INTO shop."Events" VALUES
  (1, '2026-03-01 10:00+00', 'visit', 'Email', NULL), (1, '2026-03-01 11:00+00', 'signup', 'Email', NULL),
  (1, '2026-03-02 10:00+00', 'buy', 'Email', 20), (2, '2026-03-01 10:00+00', 'visit', 'Paid', NULL);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event, moment_window)
VALUES ('shop''s "main"', 'shop."Events"', 'cust', 'at', 'what', 'chan', 'amount', 'buy', '3 days');
BEGIN;
INSERT INTO journey.moment VALUES ('shop''s "main"', 3, 'Buy', 'buy'),
  ('shop''s "main"', 1, 'Visit', 'visit'), ('shop''s "main"', 2, 'Sign up', 'signup');
COMMIT;
INSERT INTO journey.note (source, moment, customer_id, noted_at, origin, theme, body, recorded_at)
VALUES ('shop''s "main"', 'Sign up', '1', '2026-03-01 11:05+00', 'survey', 'price',
        'Too "expensive"; can''t justify it.', '2026-03-02 09:00+00'),
       ('shop''s "main"', 'Buy', NULL, NULL, NULL, 'delivery', 'Slow.', '2026-03-03 09:00+00');
-- a note removed leaves a gap in the numbers: the sequence must come back as is
DELETE FROM journey.note WHERE theme = 'delivery';
SQL

"$BIN/pg_dump" -d "$SRC_DB" -Fc -f "$DUMP"
"$BIN/pg_restore" -d "$DST_DB" --exit-on-error "$DUMP"

report() {
	q -d "$1" -At <<'SQL'
SELECT 'source', name, relation::text, customer_column, time_column, event_column, channel_column,
       value_column, conversion_event, moment_window, attribution_lookback
  FROM journey.source ORDER BY name;
SELECT 'moment', source, position, name, event_name FROM journey.moment ORDER BY source, position;
SELECT 'report', * FROM journey.moment_conversion;
SELECT 'note', id, source, moment, customer_id, noted_at, origin, theme, body, recorded_at
  FROM journey.note ORDER BY id;
SELECT 'note_next', nextval('journey.note_id_seq');
SQL
}

before=$(report "$SRC_DB")
after=$(report "$DST_DB")
status=0
if [ "$before" != "$after" ]; then
	echo "registry differs after dump and restore:"
	diff <(echo "$before") <(echo "$after") || true
	status=1
fi
# guard against comparing two empty answers
if [ "$(grep -c '^moment|' <<<"$after")" -ne 3 ] || [ "$(grep -c '^report|' <<<"$after")" -ne 3 ] ||
	[ "$(grep -c '^note|' <<<"$after")" -ne 1 ] || ! grep -q '^note_next|3$' <<<"$after"; then
	echo "restored registry lacks its rows:"
	echo "$after"
	status=1
fi
echo "$after"

q -d postgres -c "DROP DATABASE $SRC_DB" -c "DROP DATABASE $DST_DB"
exit $status
