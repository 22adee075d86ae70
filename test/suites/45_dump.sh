#!/usr/bin/env bash
# test/suites/45_dump.sh: review cycles, hypotheses and assignments survive
# pg_dump and restore (they are extension configuration tables), and the
# identity sequences come back too, so the next hypothesis gets a fresh id.
# Runs against the throwaway cluster of test/check (PGHOST/PGPORT/PGUSER).
set -euo pipefail

BIN=/usr/lib/postgresql/15/bin
SRC=journey_dump_src
DST=journey_dump_dst
WORK=$(mktemp -d /tmp/journey-dump.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

q() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

q -d postgres -c "DROP DATABASE IF EXISTS $SRC" -c "DROP DATABASE IF EXISTS $DST" \
	-c "CREATE DATABASE $SRC" -c "CREATE DATABASE $DST"

q -d "$SRC" -o /dev/null <<'SQL'
CREATE EXTENSION journey;
CREATE TABLE dump_events (customer_id bigint, ts timestamptz, event text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('dump', 'dump_events', 'customer_id', 'ts', 'event');
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('dump', 1, 'visit', 'site_visit'), ('dump', 2, 'signup', 'signup'),
	   ('dump', 3, 'purchase', 'purchase');
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('dump', 'January', '2026-01-01', '2026-01-31'),
	   ('dump', 'February', '2026-02-01', '2026-02-28');
INSERT INTO journey.hypothesis (source, moment, statement, mechanism, target_moment,
								conversion_window, cycle_id, minimum_effect)
VALUES ('dump', 'signup', 'If we send onboarding emails, more customers will purchase.',
		'Reminders bring back customers who stalled.', 'purchase', '3 days', 1, 0.02),
	   ('dump', 'visit', 'If the landing page loads faster, more visitors will sign up.',
		NULL, 'signup', '1 day', 2, 0.01),
	   ('dump', 'visit', 'If the menu is shorter, more visitors will sign up.',
		NULL, NULL, '7 days', NULL, 0.01);
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
SELECT 1, g::text, CASE WHEN g % 2 = 0 THEN 'control' ELSE 'emails' END,
	   '2026-01-05'::timestamptz + g * interval '1 minute'
  FROM generate_series(1, 200) g;
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
SELECT 2, g::text, 'control', '2026-02-05' FROM generate_series(1, 10) g;
SELECT journey.start_hypothesis(1);
SELECT journey.conclude_hypothesis(1, 'iterate', 'Emails helped a little.');
SELECT journey.start_hypothesis(2);
SELECT journey.abandon_hypothesis(3, 'Out of scope this quarter.');
SQL

"$BIN/pg_dump" -d "$SRC" -f "$WORK/dump.sql"
q -d "$DST" -f "$WORK/dump.sql" >/dev/null

snapshot() {
	q -d "$1" -A -t <<'SQL'
SELECT 'cycle', c.* FROM journey.review_cycle c ORDER BY id;
SELECT 'hypothesis', h.* FROM journey.hypothesis h ORDER BY id;
SELECT 'assignment', a.* FROM journey.assignment a ORDER BY hypothesis_id, customer_id;
SELECT 'counts', (SELECT count(*) FROM journey.review_cycle), (SELECT count(*) FROM journey.hypothesis),
	   (SELECT count(*) FROM journey.assignment);
SQL
}
snapshot "$SRC" >"$WORK/src.txt"
snapshot "$DST" >"$WORK/dst.txt"
if ! diff -u "$WORK/src.txt" "$WORK/dst.txt"; then
	echo "45_dump: the restored registry differs from the dumped one" >&2
	exit 1
fi
grep -q '^counts|2|3|210$' "$WORK/dst.txt" || { echo "45_dump: unexpected counts" >&2; cat "$WORK/dst.txt" >&2; exit 1; }

# the sequences were restored: new rows get fresh ids
ids=$(q -d "$DST" -A -t <<'SQL'
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('dump', 'March', '2026-03-01', '2026-03-31') RETURNING id;
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('dump', 'visit', 'If the logo is bigger, more visitors will sign up.') RETURNING id;
SQL
)
ids=$(echo $ids)
if [ "$ids" != "3 4" ]; then
	echo "45_dump: after restore new ids are '$ids', expected '3 4'" >&2
	exit 1
fi

# the rules still hold in the restored database
if q -d "$DST" -c "SELECT journey.start_hypothesis(1)" 2>"$WORK/err.txt"; then
	echo "45_dump: a restored concluded hypothesis could be restarted" >&2
	exit 1
fi
grep -q 'hypothesis 1 is concluded: it cannot become running' "$WORK/err.txt"

q -d postgres -c "DROP DATABASE $SRC" -c "DROP DATABASE $DST"
echo "45_dump: registry restored intact ($(grep -c . "$WORK/src.txt") rows compared)"
