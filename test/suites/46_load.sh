#!/usr/bin/env bash
# test/suites/46_load.sh: the registry under load.
#
# pgbench runs 8 clients for 20 seconds over a small sample source: reads of
# every view (moment_conversion, channel_attribution, hypothesis_results,
# review, review_moments), and writes that move the registry (create
# hypotheses, assign customers, reassign and remove them, start, conclude
# and abandon hypotheses, add review cycles, add and remove a source's last
# moment) under READ COMMITTED, REPEATABLE READ and SERIALIZABLE.  Every
# write records what it did in a ledger in the same transaction, and a
# conclusion or abandonment records the assignments it ended with.
# Afterwards:
#  - every committed write is there (the ledger replayed gives the registry);
#  - no rule is broken: a finished hypothesis's assignments are what they
#    were when it ended, and no change of them committed after its end; no
#    review cycles overlap; moments are numbered 1..n; every row agrees with
#    its status; a concluded hypothesis has control and treatment;
#  - the only errors are the documented refusals (each write lists those it
#    may meet) and serialization failures and deadlocks (40001, 40P01, which
#    pgbench retries); any other error aborts a pgbench client and fails the
#    suite.  Reads must never fail.
#
# Settings (outside CI, e.g. for doc/benchmark.md):
#   JOURNEY_LOAD_CUSTOMERS  sample customers (default 2000)
#   JOURNEY_LOAD_SECONDS    pgbench's -T (default 20)
#   JOURNEY_LOAD_CLIENTS    pgbench's -c (default 8)
#   JOURNEY_LOAD_REVIEW_RUNS  when set to N, times the review of a source the
#       load does not write ("fixed": two quarterly cycles, one concluded
#       hypothesis) N times alone, then over and over while the load runs,
#       then N times alone again, and prints the medians
# KEEP_WORK=1 keeps the working folder (the sessions' or pgbench's output).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

customers=${JOURNEY_LOAD_CUSTOMERS:-2000}
seconds=${JOURNEY_LOAD_SECONDS:-20}
clients=${JOURNEY_LOAD_CLIENTS:-8}
review_runs=${JOURNEY_LOAD_REVIEW_RUNS:-0}
DB=journey_load
work=$(mktemp -d /tmp/journey-load.XXXXXX)
chmod 755 "$work"
cleanup() {
	[ -z "${timer_pid:-}" ] || { pkill -P "$timer_pid"; kill "$timer_pid"; } 2>/dev/null || true
	suite_q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
suite_q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" \
	-c "ALTER DATABASE $DB SET client_min_messages = warning" >/dev/null
q() { suite_q -d "$DB" "$@"; }

# ---------------------------------------------------------------------
# The registry, the ledger and the writes
# ---------------------------------------------------------------------
q -v customers="$customers" -o /dev/null <<'SQL'
CREATE EXTENSION journey;
CREATE TABLE events AS SELECT * FROM journey.sample_events(:customers, 17);
ANALYZE events;
CREATE TABLE setting AS SELECT :customers AS customers;

-- shop: written by the load; steps: its last moment comes and goes; fixed:
-- read only (its review is what JOURNEY_LOAD_REVIEW_RUNS times)
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
							channel_column, value_column, conversion_event)
VALUES ('shop', 'events', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('steps', 'events', 'customer_id', 'ts', 'event'),
	   ('fixed', 'events', 'customer_id', 'ts', 'event');
INSERT INTO journey.moment (source, position, name, event_name)
SELECT s, p, e, e
  FROM unnest(ARRAY['shop', 'fixed']) s,
	   unnest(ARRAY['first_contact', 'site_visit', 'signup', 'setup_complete', 'checkout',
					'purchase']) WITH ORDINALITY u(e, p);
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('steps', 1, 'visit', 'site_visit'), ('steps', 2, 'signup', 'signup'),
	   ('steps', 3, 'setup', 'setup_complete');
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('fixed', '2026 Q1', '2026-01-01', '2026-03-31'),
	   ('fixed', '2026 Q2', '2026-04-01', '2026-06-30');
INSERT INTO journey.hypothesis (source, moment, target_moment, statement, conversion_window, cycle_id)
SELECT 'fixed', 'signup', 'setup_complete',
	   'If we send an onboarding sequence after signup, more customers will complete setup.',
	   '72 hours', id
  FROM journey.review_cycle WHERE source = 'fixed' AND name = '2026 Q2';
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
SELECT h.id, e.customer_id::text,
	   CASE WHEN hashtext(e.customer_id::text) & 1 = 0 THEN 'control' ELSE 'treatment' END,
	   min(e.ts)
  FROM events e, journey.hypothesis h
 WHERE e.event = 'signup' AND h.source = 'fixed'
 GROUP BY h.id, e.customer_id;
SELECT journey.start_hypothesis(id) FROM journey.hypothesis WHERE source = 'fixed';
SELECT journey.conclude_hypothesis(id, 'ship', 'Onboarding helps.') FROM journey.hypothesis WHERE source = 'fixed';
ANALYZE journey.assignment;

-- every committed write, in the order of its (id): a write adds its row
-- after its change, holding the locks its change took, so writes that
-- conflict are in the order they committed
CREATE TABLE ledger (
	id bigserial PRIMARY KEY,
	client int NOT NULL,
	op text NOT NULL,
	hypothesis_id bigint,
	customer_id text,
	variant text,
	note text
);
-- the assignments a hypothesis ended with, as its conclusion saw them
CREATE TABLE evidence (hypothesis_id bigint, customer_id text, variant text, assigned_at timestamptz);
-- every write's outcome: ok, none (nothing to do) or a documented refusal
CREATE TABLE outcome (op text, outcome text);
CREATE SEQUENCE idea;

-- One write, chosen by pick (1..100); returns its outcome.  The refusals it
-- may meet under concurrency are caught and counted; any other error
-- (serialization failures and deadlocks included, which pgbench retries)
-- is raised.
CREATE FUNCTION load_write(client int, pick int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	op text := CASE WHEN pick <= 10 THEN 'create' WHEN pick <= 40 THEN 'assign'
					WHEN pick <= 50 THEN 'reassign' WHEN pick <= 55 THEN 'remove'
					WHEN pick <= 65 THEN 'start' WHEN pick <= 75 THEN 'conclude'
					WHEN pick <= 78 THEN 'abandon' WHEN pick <= 88 THEN 'cycle'
					WHEN pick <= 94 THEN 'moment_add' ELSE 'moment_drop' END;
	-- the documented refusals each write may meet when others write too
	allowed text[] := CASE op
		WHEN 'reassign' THEN '{55000}'	-- finished, or the customer converted
		WHEN 'remove' THEN '{55000}'	-- finished
		WHEN 'start' THEN '{55000}'		-- started or ended meanwhile
		WHEN 'conclude' THEN '{55000}'	-- ended meanwhile, or no control and treatment
		WHEN 'abandon' THEN '{55000}'	-- ended meanwhile
		WHEN 'cycle' THEN '{23P01}'		-- overlaps a cycle
		WHEN 'moment_add' THEN '{23505,23514}'	-- position taken, or a gap
		WHEN 'moment_drop' THEN '{23514}'		-- a gap
		ELSE '{}' END;
	h bigint;
	c text;
	v text;
	d date;
	p int;
	result text := 'ok';
BEGIN
	BEGIN
		CASE
		WHEN op = 'create' THEN
			IF (SELECT count(*) FROM journey.hypothesis WHERE source = 'shop') >= 150 THEN
				result := 'none';
			ELSE
				INSERT INTO journey.hypothesis (source, moment, target_moment, statement, conversion_window)
				VALUES ('shop', 'signup', 'setup_complete',
						format('If client %s ships idea %s, more customers will complete setup.',
							   client, nextval('idea')), '3 days')
				RETURNING id INTO h;
				INSERT INTO ledger (client, op, hypothesis_id) VALUES (client, op, h);
			END IF;
		WHEN op = 'assign' THEN
			SELECT id INTO h FROM journey.hypothesis
			 WHERE source = 'shop' AND status IN ('proposed', 'running') ORDER BY random() LIMIT 1;
			IF h IS NULL THEN
				result := 'none';
			ELSE
				WITH added AS (
					INSERT INTO journey.assignment AS a (hypothesis_id, customer_id, variant, assigned_at)
					SELECT h, g::text, CASE WHEN random() < 0.5 THEN 'control' ELSE 'treatment' END,
						   '2026-01-01'::timestamptz + random() * interval '240 days'
					  FROM (SELECT DISTINCT 1 + floor(random() * s.customers)::int AS g
							  FROM setting s, generate_series(1, 5)) x
					ON CONFLICT DO NOTHING
					RETURNING a.customer_id, a.variant)
				INSERT INTO ledger (client, op, hypothesis_id, customer_id, variant)
				SELECT client, op, h, added.customer_id, added.variant FROM added;
			END IF;
		WHEN op IN ('reassign', 'remove') THEN
			-- one of the client's own assignments, in any status
			SELECT l.hypothesis_id, l.customer_id INTO h, c FROM ledger l
			 WHERE l.client = load_write.client AND l.op = 'assign' ORDER BY random() LIMIT 1;
			IF op = 'reassign' THEN
				UPDATE journey.assignment a
				   SET variant = CASE a.variant WHEN 'control' THEN 'treatment' ELSE 'control' END
				 WHERE a.hypothesis_id = h AND a.customer_id = c RETURNING a.variant INTO v;
			ELSE
				DELETE FROM journey.assignment a
				 WHERE a.hypothesis_id = h AND a.customer_id = c RETURNING a.variant INTO v;
			END IF;
			IF FOUND THEN
				INSERT INTO ledger (client, op, hypothesis_id, customer_id, variant)
				VALUES (client, op, h, c, v);
			ELSE
				result := 'none';
			END IF;
		WHEN op IN ('start', 'conclude', 'abandon') THEN
			SELECT id INTO h FROM journey.hypothesis
			 WHERE source = 'shop'
			   AND status = ANY (CASE op WHEN 'start' THEN '{proposed}'
										 WHEN 'conclude' THEN '{running}'
										 ELSE '{proposed,running}' END::text[])
			 ORDER BY random() LIMIT 1;
			IF h IS NULL THEN
				result := 'none';
			ELSE
				IF op = 'start' THEN
					PERFORM journey.start_hypothesis(h);
				ELSIF op = 'conclude' THEN
					PERFORM journey.conclude_hypothesis(h, (ARRAY['ship', 'iterate', 'discard'])[1 + (h % 3)],
														'Learned under load.');
				ELSE
					PERFORM journey.abandon_hypothesis(h, 'Abandoned under load.');
				END IF;
				IF op <> 'start' THEN
					-- (rows locked by changes waiting for this end are skipped:
					-- they will be refused)
					INSERT INTO evidence
					SELECT a.hypothesis_id, a.customer_id, a.variant, a.assigned_at
					  FROM journey.assignment a WHERE a.hypothesis_id = h FOR SHARE SKIP LOCKED;
				END IF;
				INSERT INTO ledger (client, op, hypothesis_id) VALUES (client, op, h);
			END IF;
		WHEN op = 'cycle' THEN
			-- mostly the next month; past 2026, or one time in five, any start
			-- in 2026 (which mostly overlaps)
			SELECT coalesce(max(ends_on), '2025-12-31') + 1 INTO d
			  FROM journey.review_cycle WHERE source = 'shop';
			IF d > '2026-12-31' OR random() < 0.2 THEN
				d := '2026-01-01'::date + floor(random() * 365)::int;
			END IF;
			INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
			VALUES ('shop', format('cycle %s', nextval('idea')), d, d + 27 + floor(random() * 4)::int)
			RETURNING name INTO v;
			INSERT INTO ledger (client, op, note) VALUES (client, op, v);
		ELSE
			-- the last moment of "steps" (checked at the statement, so that a
			-- refusal is caught here)
			SET CONSTRAINTS journey.moment_check IMMEDIATE;
			SELECT max(position) INTO p FROM journey.moment WHERE source = 'steps';
			IF op = 'moment_add' AND p >= 8 THEN
				result := 'none';			-- (a journey has five to eight)
			ELSIF op = 'moment_add' THEN
				INSERT INTO journey.moment (source, position, name, event_name)
				VALUES ('steps', p + 1, format('moment %s', nextval('idea')), 'purchase');
			ELSE
				-- (nothing when another write removed it first)
				DELETE FROM journey.moment WHERE source = 'steps' AND position = p AND p > 1;
				IF NOT FOUND THEN
					result := 'none';
				END IF;
			END IF;
			IF result = 'ok' THEN
				INSERT INTO ledger (client, op, note) VALUES (client, op, p);
			END IF;
		END CASE;
	EXCEPTION WHEN OTHERS THEN
		IF SQLSTATE = ANY (allowed) THEN
			result := SQLSTATE;
		ELSE
			RAISE;
		END IF;
	END;
	INSERT INTO outcome VALUES (op, result);
	RETURN result;
END
$$;
SQL

for view in moment_conversion channel_attribution hypothesis_results review review_moments; do
	# the whole row, so that every column is computed
	echo "SELECT count(*), sum(length(v::text)) FROM journey.$view v;" >"$work/read_$view.sql"
done
# a write transaction: two writes, with up to 50 ms between them (as an
# application that does one thing, then another), so that transactions
# overlap and hold their locks and snapshots while others run
for level in 'READ COMMITTED' 'REPEATABLE READ' SERIALIZABLE; do
	printf '%s\n' '\set first random(1, 100)' '\set second random(1, 100)' \
		'\set pause random(0, 50)' "BEGIN ISOLATION LEVEL $level;" \
		'SELECT load_write(:client_id, :first);' '\sleep :pause ms' \
		'SELECT load_write(:client_id, :second);' 'COMMIT;' >"$work/write_${level// /_}.sql"
done

# ---------------------------------------------------------------------
# The review of "fixed", alone and under load (JOURNEY_LOAD_REVIEW_RUNS)
# ---------------------------------------------------------------------
review_sql="SELECT count(*), sum(length(v::text)) FROM journey.review v WHERE source = 'fixed'"
# time_review N: N timings of the review in milliseconds, one a line
time_review() {
	local i
	for ((i = 0; i < $1; i++)); do
		q -c '\timing on' -c "$review_sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
	done
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.0f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
if [ "$review_runs" -gt 0 ]; then
	alone_before=$(time_review "$review_runs" | median)
	time_review 100000 >"$work/review_under_load" 2>/dev/null &
	timer_pid=$!
fi

# ---------------------------------------------------------------------
# The load
# ---------------------------------------------------------------------
say "load: $clients clients, ${seconds} s, $customers sample customers"
set +e
"$PGBIN/pgbench" -n -c "$clients" -j 2 -T "$seconds" --max-tries=50 --failures-detailed \
	-f "$work/read_moment_conversion.sql@1" -f "$work/read_channel_attribution.sql@1" \
	-f "$work/read_hypothesis_results.sql@1" -f "$work/read_review.sql@1" \
	-f "$work/read_review_moments.sql@1" -f "$work/write_READ_COMMITTED.sql@24" \
	-f "$work/write_REPEATABLE_READ.sql@8" -f "$work/write_SERIALIZABLE.sql@8" \
	"$DB" >"$work/pgbench.out" 2>&1
pgbench_status=$?
set -e
if [ -n "${timer_pid:-}" ]; then
	{ pkill -P "$timer_pid"; kill "$timer_pid"; } 2>/dev/null || true
	wait "$timer_pid" 2>/dev/null || true
	timer_pid=
	under_load=$(median <"$work/review_under_load")
	alone_after=$(time_review "$review_runs" | median)
	echo "review of source \"fixed\" ($customers customers): alone ${alone_before} ms," \
		"under load ${under_load} ms ($(grep -c . "$work/review_under_load") runs), alone again ${alone_after} ms"
fi
# pgbench's summary, one line per script
grep -E '^(number of (transactions|failed|serialization|deadlock)|latency average|tps)' "$work/pgbench.out" || true
awk '/^SQL script/ { sub(/.*\//, ""); sub(/\.sql$/, ""); name = $0 }
	 /^ - [0-9]+ transactions/ { n = $2 }
	 /^ - number of failed/ { failed = $6 }
	 /^ - number of transactions retried/ { retried = $6 }
	 /^ - latency average/ { printf "  %-26s %6d transactions, latency %8.0f ms, %s retried, %s failed\n", name, n, $5, retried, failed }' \
	"$work/pgbench.out"

suite_expect "pgbench ran to the end (no client aborted by an error)" \
	"$pgbench_status $(grep -c 'aborted' "$work/pgbench.out")" "0 0"
if [ "$pgbench_status" -ne 0 ] || grep -q aborted "$work/pgbench.out"; then
	grep -E 'ERROR|error|aborted' "$work/pgbench.out" | head -20
fi

# ---------------------------------------------------------------------
# Every committed write is there, and no rule is broken
# ---------------------------------------------------------------------
echo "outcomes of the writes (op outcome count):"
q -F ' ' -c "SELECT op, outcome, count(*) FROM outcome GROUP BY 1, 2 ORDER BY 1, 2" | sed 's/^/  /'
suite_expect "every kind of write ran (succeeded, or was refused)" \
	"$(q -c "SELECT string_agg(op, ',' ORDER BY op) FROM (SELECT DISTINCT op FROM outcome WHERE outcome <> 'none') o")" \
	"abandon,assign,conclude,create,cycle,moment_add,moment_drop,reassign,remove,start"
suite_expect "no write ended in an error other than a documented refusal" \
	"$(q -c "SELECT string_agg(DISTINCT op || ' ' || outcome, ', ') FROM outcome
			  WHERE outcome NOT IN ('ok', 'none', '55000', '23P01', '23505', '23514')")" ""

check() { suite_expect "$1" "$(q -c "$2")" "${3:-}"; }

check "every hypothesis created is there" \
	"SELECT string_agg(l.hypothesis_id::text, ' ') FROM ledger l
	  WHERE l.op = 'create' AND NOT EXISTS (SELECT 1 FROM journey.hypothesis h WHERE h.id = l.hypothesis_id)"
check "every hypothesis has the status its last committed lifecycle write gave it" \
	"SELECT string_agg(format('%s is %s, not %s', h.id, h.status, x.status), '; ')
	   FROM journey.hypothesis h
	   JOIN (SELECT DISTINCT ON (hypothesis_id) hypothesis_id,
					CASE op WHEN 'create' THEN 'proposed' WHEN 'start' THEN 'running'
							WHEN 'conclude' THEN 'concluded' ELSE 'abandoned' END AS status
			   FROM ledger WHERE op IN ('create', 'start', 'conclude', 'abandon')
			  ORDER BY hypothesis_id, id DESC) x ON x.hypothesis_id = h.id
	  WHERE h.status <> x.status"
check "every hypothesis of the load was created by a committed write" \
	"SELECT string_agg(h.id::text, ' ') FROM journey.hypothesis h
	  WHERE h.source = 'shop' AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.op = 'create' AND l.hypothesis_id = h.id)"
check "every assignment is what its last committed write made it" \
	"WITH last AS (
		SELECT DISTINCT ON (hypothesis_id, customer_id) hypothesis_id, customer_id, op, variant
		  FROM ledger WHERE op IN ('assign', 'reassign', 'remove')
		 ORDER BY hypothesis_id, customer_id, id DESC)
	 SELECT string_agg(format('%s/%s: %s %s, found %s', l.hypothesis_id, l.customer_id, l.op,
							  l.variant, coalesce(a.variant, 'nothing')), '; ')
	   FROM last l
	   FULL JOIN (SELECT * FROM journey.assignment a
				   WHERE a.hypothesis_id IN (SELECT id FROM journey.hypothesis WHERE source = 'shop')) a
		 ON a.hypothesis_id = l.hypothesis_id AND a.customer_id = l.customer_id
	  WHERE l.op IS NULL OR (l.op = 'remove') <> (a.variant IS NULL)
		 OR (l.op <> 'remove' AND a.variant <> l.variant)"
check "every review cycle added is there, and no other" \
	"SELECT string_agg(coalesce(l.note, c.name), ', ')
	   FROM (SELECT note FROM ledger WHERE op = 'cycle') l
	   FULL JOIN (SELECT name FROM journey.review_cycle WHERE source = 'shop') c ON c.name = l.note
	  WHERE l.note IS NULL OR c.name IS NULL"
check "the moments of \"steps\" are as many as were added and removed" \
	"SELECT 3 + count(*) FILTER (WHERE op = 'moment_add') - count(*) FILTER (WHERE op = 'moment_drop')
			- (SELECT count(*) FROM journey.moment WHERE source = 'steps')
	   FROM ledger" 0

check "a finished hypothesis's assignments are those it ended with" \
	"SELECT string_agg(format('%s/%s', e.hypothesis_id, e.customer_id), ' ')
	   FROM evidence e
	  WHERE NOT EXISTS (SELECT 1 FROM journey.assignment a
						 WHERE a.hypothesis_id = e.hypothesis_id AND a.customer_id = e.customer_id
						   AND a.variant = e.variant AND a.assigned_at = e.assigned_at)"
check "no change of a finished hypothesis's assignments committed after its end" \
	"SELECT string_agg(format('%s %s/%s', c.op, c.hypothesis_id, c.customer_id), ' ')
	   FROM ledger c JOIN ledger e ON e.hypothesis_id = c.hypothesis_id
	  WHERE c.op IN ('reassign', 'remove') AND e.op IN ('conclude', 'abandon') AND c.id > e.id"
check "no review cycles overlap" \
	"SELECT string_agg(format('%s and %s', a.name, b.name), ', ')
	   FROM journey.review_cycle a JOIN journey.review_cycle b
		 ON a.source = b.source AND a.id < b.id AND a.starts_on <= b.ends_on AND b.starts_on <= a.ends_on"
check "every source's moments are numbered 1..n" \
	"SELECT string_agg(source, ' ') FROM (SELECT source FROM journey.moment GROUP BY source
										   HAVING max(position) <> count(*)) m"
check "every hypothesis agrees with its status" \
	"SELECT string_agg(id::text, ' ') FROM journey.hypothesis
	  WHERE NOT CASE status
		WHEN 'proposed' THEN started_at IS NULL AND ended_at IS NULL AND decision IS NULL
		WHEN 'running' THEN started_at IS NOT NULL AND ended_at IS NULL AND decision IS NULL
		WHEN 'concluded' THEN started_at IS NOT NULL AND ended_at >= started_at AND decision IS NOT NULL
		WHEN 'abandoned' THEN ended_at IS NOT NULL AND decision IS NULL END"
check "every concluded hypothesis has control and treatment" \
	"SELECT string_agg(h.id::text, ' ') FROM journey.hypothesis h
	  WHERE h.status = 'concluded'
		AND NOT (EXISTS (SELECT 1 FROM journey.assignment a WHERE a.hypothesis_id = h.id AND a.variant = 'control')
				 AND EXISTS (SELECT 1 FROM journey.assignment a WHERE a.hypothesis_id = h.id AND a.variant <> 'control'))"
check "the views still read" \
	"SELECT (SELECT count(*) > 0 FROM journey.review) AND (SELECT count(*) > 0 FROM journey.hypothesis_results)" t

exit $SUITE_FAILED
