#!/usr/bin/env bash
# test/suites/15_refresh_sessions.sh: journey.refresh under concurrency,
# cancellation and late rows, with two psql sessions driven step by step
# (a statement that must wait is seen waiting in pg_stat_activity, never
# by sleeping).
#
#  - late rows within the lookback are read once: a second refresh reads
#    nothing, and every dashboard table equals the live reports;
#  - rows of a transaction still open when a refresh ran are read by the
#    next refresh (the transaction horizon), not lost;
#  - two refreshes at once: the second waits for the first and then reads
#    only what the first did not (READ COMMITTED), or fails with 40001
#    (REPEATABLE READ); nothing is counted twice;
#  - a refresh cancelled (statement_timeout in the middle of its work, or
#    pg_cancel_backend while its transaction waits) leaves the previous
#    snapshot exactly as it was;
#  - updates, deletes and TRUNCATE are detected and rebuild in full.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DB=journey_refresh_sessions
work=$(mktemp -d /tmp/journey-refresh.XXXXXX)
chmod 755 "$work"
declare -A session_fd session_pid
cleanup() {
	local s
	for s in "${!session_fd[@]}"; do
		exec {session_fd[$s]}>&- 2>/dev/null || true
		wait "${session_pid[$s]}" 2>/dev/null || true
	done
	suite_q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
suite_q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null

# sessions: psql reading a FIFO; after each statement a marker with its SQLSTATE
session_open() {
	local fd
	mkfifo "$work/$1.in"
	PGAPPNAME=journey_refresh_$1 "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=0 -d "$DB" \
		<"$work/$1.in" >"$work/$1.out" 2>&1 &
	session_pid[$1]=$!
	exec {fd}>"$work/$1.in"
	session_fd[$1]=$fd
	echo 0 >"$work/$1.sent"
}
session_send() {
	local n=$(($(cat "$work/$1.sent") + 1))
	echo "$n" >"$work/$1.sent"
	printf '%s;\n\\echo @@sync %d :SQLSTATE\n' "$2" "$n" >&"${session_fd[$1]}"
}
session_done() { grep -q "^@@sync $(cat "$work/$1.sent") " "$work/$1.out"; }
# the SQLSTATE of the session's last statement, once it has ended
session_state() {
	local i
	for ((i = 0; i < 6000; i++)); do
		session_done "$1" && break
		sleep 0.01
	done
	grep "^@@sync $(cat "$work/$1.sent") " "$work/$1.out" | awk '{print $3}'
}
# succeed once the session's statement waits for a lock
session_waits() {
	local i
	for ((i = 0; i < 6000; i++)); do
		[ "$(suite_q -d postgres -c "SELECT count(*) FROM pg_stat_activity
			WHERE application_name = 'journey_refresh_$1' AND wait_event_type = 'Lock'")" = 1 ] \
			&& return 0
		session_done "$1" && return 1
		sleep 0.01
	done
	return 1
}
expect_waits() {
	if session_waits "$2"; then echo "ok: $1 waits"; else
		echo "MISMATCH: $1 did not wait"; SUITE_FAILED=1; fi
}
q() { suite_q -d "$DB" "$@"; }

# the snapshot against the live reports: one line, "same" when all agree
compare="
SELECT CASE WHEN m AND p AND t AND a THEN 'same'
            ELSE format('moments %s paths %s transitions %s attribution %s', m, p, t, a) END
  FROM (SELECT
    (SELECT array_agg((x.segment, x.position, x.moment, x.customers_reached, x.customers_next,
                       x.conversion_rate, x.drop_off_rate, x.median_time_to_next) ORDER BY x.position)::text
       FROM journey.snapshot_moment_report('shop') x)
    IS NOT DISTINCT FROM (SELECT array_agg(x ORDER BY x.position)::text FROM journey.moment_report('shop') x) AS m,
    (SELECT array_agg((x.path, x.customers, x.share, x.rank) ORDER BY x.rank)::text
       FROM journey.snapshot_path_report('shop', 1000000) x)
    IS NOT DISTINCT FROM (SELECT array_agg(x ORDER BY x.rank)::text FROM journey.path_report('shop', 1000000) x) AS p,
    (SELECT array_agg((x.step, x.from_label, x.to_label, x.customers, x.share))::text
       FROM journey.snapshot_transition_report('shop', 1000) x)
    IS NOT DISTINCT FROM (SELECT array_agg(x)::text FROM journey.transition_report('shop', 1000) x) AS t,
    (SELECT array_agg((x.path, x.conversions, x.value, x.nulls) ORDER BY x.path COLLATE \"C\")::text
       FROM journey.snapshot_attribution_paths('shop') x)
    IS NOT DISTINCT FROM (
      WITH p AS (SELECT unnest(journey.paths_to_conversion(channel, ts, event = 'purchase', revenue::float8, '30 days')) p
                   FROM ev GROUP BY customer_id)
      SELECT array_agg((r.path, r.c, r.v, r.n) ORDER BY r.path COLLATE \"C\")::text
        FROM (SELECT (p).path, count(*) FILTER (WHERE (p).converted)::float8 c,
                     coalesce(journey.exact_sum((p).value) FILTER (WHERE (p).converted), 0) v,
                     count(*) FILTER (WHERE NOT (p).converted)::float8 n
                FROM p GROUP BY 1) r) AS a) x"
# what the snapshot holds, to see that a failed refresh changed nothing
holdings="SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
  SELECT format('%s %s %s %s', s.computed_at, s.events_until, s.seen, s.refreshes) x FROM journey.snapshot s
  UNION ALL SELECT format('%s %s %s %s', c.customer, c.funnel, c.path, c.conv) FROM journey.snapshot_customer c
  UNION ALL SELECT format('%s %s', l.level, l.customers) FROM journey.snapshot_level l
  UNION ALL SELECT format('%s %s %s', g.position, g.gap, g.customers) FROM journey.snapshot_gap g
  UNION ALL SELECT format('%s %s %s', g.position, g.bucket, g.customers) FROM journey.snapshot_gap_count g
  UNION ALL SELECT format('%s %s', p.path, p.customers) FROM journey.snapshot_path p
  UNION ALL SELECT format('%s %s %s %s', e.step, e.from_label, e.to_label, e.customers) FROM journey.snapshot_edge e
  UNION ALL SELECT format('%s %s %s %s', a.path, a.conversions, a.value, a.nulls) FROM journey.snapshot_attr_path a
  UNION ALL SELECT format('%s %s %s %s', a.model, a.channel, a.conversions, a.value) FROM journey.snapshot_attr_credit a
  UNION ALL SELECT format('%s %s %s %s %s %s', n.channel, n.start_w, n.tot, n.conv_end, n.value_end, n.stepsum)
              FROM journey.snapshot_markov_node n
  UNION ALL SELECT format('%s %s %s', e.from_label, e.to_label, e.w) FROM journey.snapshot_markov_edge e
  UNION ALL SELECT format('%s %s', d.dropped, d.path) FROM journey.snapshot_attr_drop d) y"
# new events for existing customers (every 7th of the first n) and n/10 new
# customers, their times from "at" on
new_rows() {	# $1: n, $2: at, $3: seed
	echo "INSERT INTO ev
	SELECT CASE WHEN customer_id <= $1 / 10 THEN customer_id + 1000000 ELSE customer_id * 7 END,
	       timestamptz '$2' + (ts - timestamptz '2026-01-01') / 50, event, channel, revenue
	  FROM journey.sample_events($1, $3)"
}
rows_read() { q -c "SELECT rows_read FROM journey.snapshot WHERE source = 'shop'"; }
# wait until the statistics show the updates and deletes made so far (they
# reach the cumulative statistics when the writing session flushes them)
stats_flushed() {
	local i
	for ((i = 0; i < 3000; i++)); do
		[ "$(q -c "SELECT journey_internal.snapshot_changes('ev') > changes FROM journey.snapshot")" = t ] && return 0
		sleep 0.01
	done
	echo "MISMATCH: the statistics never showed the change"; SUITE_FAILED=1
}

q -o /dev/null <<SQL
CREATE EXTENSION journey;
CREATE TABLE ev AS SELECT customer_id, ts, event, channel, revenue FROM journey.sample_events(3000);
CREATE INDEX ON ev (ts);
CREATE TABLE blocker (x int);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('shop', 'ev', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase');
INSERT INTO journey.moment (source, position, name, event_name) VALUES
  ('shop', 1, 'visit', 'site_visit'), ('shop', 2, 'signup', 'signup'),
  ('shop', 3, 'setup', 'setup_complete'), ('shop', 4, 'checkout', 'checkout'),
  ('shop', 5, 'purchase', 'purchase');
INSERT INTO journey.snapshot_setting (source, lookback) VALUES ('shop', '10 days');
SQL

suite_expect "first refresh rebuilds" "$(q -c "SELECT rebuilt, reason FROM journey.refresh('shop')")" "t|first refresh"
suite_expect "snapshot = live reports" "$(q -c "$compare")" "same"
until=$(q -c "SELECT events_until FROM journey.snapshot")

# late rows: times from 5 days before the highest seen (within the lookback)
q -c "$(new_rows 300 "$(q -c "SELECT timestamptz '$until' - interval '5 days'")" 5)"
n_late=$(q -c "SELECT count(*) FROM ev WHERE ts >= timestamptz '$until' - interval '5 days'")
suite_expect "late rows within the lookback: refreshed incrementally" \
	"$(q -c "SELECT rebuilt FROM journey.refresh('shop')")" "f"
suite_expect "  every late row read" "$(rows_read)" \
	"$(q -c "SELECT count(*) FROM journey.sample_events(300, 5)")"
suite_expect "  snapshot = live reports" "$(q -c "$compare")" "same"
suite_expect "a second refresh reads nothing (late rows counted once)" \
	"$(q -c "SELECT rows_read FROM journey.refresh('shop')")" "0"
suite_expect "  snapshot = live reports" "$(q -c "$compare")" "same"

# the transaction horizon: rows of a transaction open during a refresh
session_open a
session_open b
session_send a "BEGIN"
session_send a "$(new_rows 200 "$until" 6)"
suite_expect "a transaction inserts and stays open" "$(session_state a)" "00000"
suite_expect "a refresh meanwhile reads none of its rows" \
	"$(q -c "SELECT rows_read FROM journey.refresh('shop')")" "0"
session_send a "COMMIT"
session_state a >/dev/null
suite_expect "the next refresh reads them all" \
	"$(q -c "SELECT rows_read FROM journey.refresh('shop')")" \
	"$(q -c "SELECT count(*) FROM journey.sample_events(200, 6)")"
suite_expect "  snapshot = live reports" "$(q -c "$compare")" "same"

# two refreshes at once (READ COMMITTED): the second waits, then reads
# only the rows committed after the first's snapshot
q -c "$(new_rows 200 "$until" 7)"
session_send a "BEGIN"
session_send a "SELECT rows_read FROM journey.refresh('shop')"
suite_expect "refresh in session a" "$(session_state a)" "00000"
q -c "$(new_rows 100 "$until" 8)"
session_send b "SELECT rows_read FROM journey.refresh('shop')"
expect_waits "a second refresh of the same source" b
session_send a "COMMIT"
suite_expect "the first commits" "$(session_state a)" "00000"
suite_expect "the second then succeeds" "$(session_state b)" "00000"
suite_expect "  and read only the rows committed after the first's snapshot" \
	"$(grep -B1 "^@@sync $(cat "$work/b.sent") " "$work/b.out" | head -1)" \
	"$(q -c "SELECT count(*) FROM journey.sample_events(100, 8)")"
suite_expect "  snapshot = live reports (nothing counted twice)" "$(q -c "$compare")" "same"

# REPEATABLE READ: a refresh whose snapshot predates another's commit fails
q -c "$(new_rows 100 "$until" 9)"
session_send b "BEGIN ISOLATION LEVEL REPEATABLE READ"
session_send b "SELECT 1"
session_state b >/dev/null
session_send a "BEGIN"
session_send a "SELECT rows_read FROM journey.refresh('shop')"
session_state a >/dev/null
session_send b "SELECT rows_read FROM journey.refresh('shop')"
expect_waits "a second refresh under REPEATABLE READ" b
session_send a "COMMIT"
session_state a >/dev/null
suite_expect "  fails with a serialization error once the first commits" "$(session_state b)" "40001"
session_send b "ROLLBACK"
session_state b >/dev/null
suite_expect "  snapshot = live reports" "$(q -c "$compare")" "same"

# cancelled refreshes leave the snapshot as it was
q -c "$(new_rows 300 "$until" 10)"
before=$(q -c "$holdings")
# (the events locked by session b, so that the rebuild, having emptied the
# snapshot's tables, waits to read them and the timeout always comes first,
# however fast the machine)
session_send b "BEGIN"
session_send b "LOCK TABLE ev IN ACCESS EXCLUSIVE MODE"
session_state b >/dev/null
suite_expect "a full rebuild stopped by statement_timeout fails" \
	"$(q -c "SET statement_timeout = '100ms'" -c "SELECT * FROM journey.refresh('shop', full => true)" 2>&1 | grep -o 'canceling statement due to statement timeout')" \
	"canceling statement due to statement timeout"
session_send b "COMMIT"
session_state b >/dev/null
suite_expect "  the snapshot is as it was" "$(q -c "$holdings")" "$before"
session_send b "BEGIN"
session_send b "LOCK TABLE blocker"
session_state b >/dev/null
session_send a "BEGIN"
session_send a "SELECT rows_read > 0 FROM journey.refresh('shop')"
suite_expect "a refresh in an open transaction" "$(session_state a)" "00000"
session_send a "LOCK TABLE blocker"
expect_waits "  which then" a
q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'journey_refresh_a'" >/dev/null
suite_expect "  is cancelled" "$(session_state a)" "57014"
session_send a "ROLLBACK"
session_state a >/dev/null
session_send b "COMMIT"
session_state b >/dev/null
suite_expect "  the snapshot is as it was" "$(q -c "$holdings")" "$before"
suite_expect "the next refresh reads the rows once" "$(q -c "SELECT rebuilt FROM journey.refresh('shop')")" "f"
suite_expect "  snapshot = live reports" "$(q -c "$compare")" "same"

# changes that an incremental refresh cannot follow rebuild in full
q -c "UPDATE ev SET channel = 'Email' WHERE customer_id = 7" >/dev/null
stats_flushed
suite_expect "an update is detected" "$(q -c "SELECT reason FROM journey.refresh('shop')")" \
	"rows were updated or deleted since the last refresh"
suite_expect "  snapshot = live reports" "$(q -c "$compare")" "same"
q -c "DELETE FROM ev WHERE customer_id = 14" >/dev/null
stats_flushed
suite_expect "a delete is detected" "$(q -c "SELECT reason FROM journey.refresh('shop')")" \
	"rows were updated or deleted since the last refresh"
q -c "CREATE TABLE ev_copy AS SELECT * FROM ev" -c "TRUNCATE ev" -c "INSERT INTO ev SELECT * FROM ev_copy" >/dev/null
suite_expect "TRUNCATE is detected" "$(q -c "SELECT reason FROM journey.refresh('shop')")" \
	"the relation was rewritten (TRUNCATE, VACUUM FULL, CLUSTER)"
suite_expect "  snapshot = live reports" "$(q -c "$compare")" "same"
q -c "UPDATE journey.moment SET event_name = 'purchase' WHERE source = 'shop' AND position = 4" \
	-c "DELETE FROM journey.moment WHERE source = 'shop' AND position = 5" >/dev/null 2>&1
suite_expect "a change of moments is detected" "$(q -c "SELECT reason FROM journey.refresh('shop')")" \
	"the source or its moments changed"
suite_expect "  snapshot = live reports" "$(q -c "$compare")" "same"

# the dashboard views: from the snapshot they give the rows they give live
views="SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
  SELECT format('m %s %s %s %s %s %s %s %s %s %s %s %s', source, segment, position, moment, customers_reached,
                customers_next, customers_dropped, share_of_first, conversion_rate, drop_off_rate,
                median_time_to_next, median_time_to_next_seconds) x FROM journey.moment_conversion
  UNION ALL SELECT format('s %s %s %s %s %s %s', source, step, from_label, to_label, customers, share) FROM journey.sankey_edges
  UNION ALL SELECT format('t %s %s %s %s %s %s %s', source, rank, is_other, path, touchpoints, customers, share) FROM journey.top_paths
  UNION ALL SELECT format('a %s %s %s %s %s %s %s %s', source, model, channel, conversions, value, removal_effect,
                          conversion_share, value_share) FROM journey.channel_attribution) y"
from="SELECT string_agg(DISTINCT v::text, ',') FROM (
  SELECT from_snapshot v FROM journey.moment_conversion UNION ALL SELECT from_snapshot FROM journey.sankey_edges
  UNION ALL SELECT from_snapshot FROM journey.top_paths UNION ALL SELECT from_snapshot FROM journey.channel_attribution) z"
q -c "SELECT rows_read FROM journey.refresh('shop')" >/dev/null
suite_expect "the views read the snapshot" "$(q -c "$from")" "true"
snapshot_views=$(q -c "$views")
q -c "DELETE FROM journey.snapshot" >/dev/null
suite_expect "without it they read live" "$(q -c "$from")" "false"
suite_expect "  and give the same rows (every model, time_decay included)" "$(q -c "$views")" "$snapshot_views"

exit $SUITE_FAILED
