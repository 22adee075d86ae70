#!/usr/bin/env bash
# test/suites/60_security_sessions.sh: the check a reader makes before it
# reads a source (doc/security.md) across sessions.
#
# 1. What was checked is what is read: the check locks the source's
#    relation until the reader's transaction ends, so another session
#    cannot replace the view in between (it waits for the lock).
# 2. A source over another session's temporary table, which only that
#    session can read, is left out of the views (with its reason in
#    journey.source_status) instead of making them fail.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DB=journey_security_sessions
suite_database $DB
suite_q -d $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION journey;
CREATE TABLE ev (cust int, at timestamptz, what text, chan text);
INSERT INTO ev SELECT c, '2026-01-01'::timestamptz + c * interval '1 hour',
                      CASE WHEN c % 3 = 0 THEN 'buy' ELSE 'visit' END, 'Email'
  FROM generate_series(1, 30) c;
CREATE VIEW ev_v AS SELECT * FROM ev;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, conversion_event)
VALUES ('v', 'ev_v', 'cust', 'at', 'what', 'chan', 'buy');
INSERT INTO journey.moment VALUES ('v', 1, 'visit', 'visit'), ('v', 2, 'buy', 'buy');
SQL

# another session that runs "$@" and then sleeps until cancelled, under
# application_name journey_other
other_session() {
	suite_q -d $DB -c "SET application_name = 'journey_other'" "$@" \
		-c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
	other=$!
}
# wait until that session has reached its sleep
wait_for_other() {
	local i
	for i in $(seq 1 300); do
		[ "$(suite_q -d $DB -c "SELECT count(*) FROM pg_stat_activity
		      WHERE application_name = 'journey_other' AND query LIKE 'SELECT pg_sleep%'")" = 1 ] && return 0
		sleep 0.1
	done
	echo "MISMATCH: the other session did not start"; SUITE_FAILED=1
}
end_other() {
	suite_q -d $DB -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	                    WHERE application_name = 'journey_other'" >/dev/null
	wait "$other" || true
}

# 1. the check's lock holds to the end of the reader's transaction
other_session -c "BEGIN" -c "SELECT readable FROM journey.source_status WHERE source = 'v'"
wait_for_other
suite_expect "the reader's session holds a lock on the view it checked" \
	"$(suite_q -d $DB -c "SELECT l.mode FROM pg_locks l JOIN pg_stat_activity a USING (pid)
	                       WHERE a.application_name = 'journey_other'
	                         AND l.relation = 'ev_v'::regclass AND l.granted")" AccessShareLock
suite_expect_error "replacing the checked view waits for the reader's transaction" \
	"canceling statement due to lock timeout" \
	suite_q -d $DB -c "SET lock_timeout = '200ms'" \
	-c "CREATE OR REPLACE VIEW ev_v AS SELECT * FROM ev WHERE cust > 0"
end_other
suite_q -d $DB -c "CREATE OR REPLACE VIEW ev_v AS SELECT * FROM ev WHERE cust > 0" >/dev/null
suite_expect "once it has ended, the view can be replaced" \
	"$(suite_q -d $DB -c "SELECT pg_get_viewdef('ev_v') LIKE '%cust > 0%'")" t

# 2. another session's temporary table
other_session -c "CREATE TEMP TABLE tmp_ev AS SELECT * FROM ev" \
	-c "INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
	                                channel_column, conversion_event)
	    VALUES ('tmp', 'tmp_ev', 'cust', 'at', 'what', 'chan', 'buy')" \
	-c "INSERT INTO journey.moment VALUES ('tmp', 1, 'visit', 'visit'), ('tmp', 2, 'buy', 'buy')"
wait_for_other
suite_expect "the views leave another session's temporary table out" \
	"$(suite_q -d $DB -c "SELECT string_agg(DISTINCT source, ',') FROM journey.channel_attribution" \
	                  -c "SELECT string_agg(DISTINCT source, ',') FROM journey.moment_conversion")" \
	"v
v"
suite_expect "source_status says why" \
	"$(suite_q -d $DB -c "SELECT readable, reason FROM journey.source_status WHERE source = 'tmp'")" \
	'f|relation of source "tmp" is a temporary table of another session'
suite_expect_error "reading it directly is an error" \
	'ERROR:  0A000: relation of source "tmp" is a temporary table of another session' \
	suite_q -d $DB -v VERBOSITY=verbose -c "SELECT * FROM journey.moment_report('tmp')"
end_other
suite_q -d $DB -c "DELETE FROM journey.source WHERE name = 'tmp'" >/dev/null

exit $SUITE_FAILED
