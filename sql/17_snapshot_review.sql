-- Review cycles in the snapshot: journey.refresh stores each cycle's
-- figures; review_moments, review and review_details read them while they
-- hold the cycle over its present dates and the source's present
-- definition, else compute live.  Each read below is compared with the live
-- computation (cycle_moments and cycle_action, which always read the
-- events).  Random events and refreshes are in
-- test/suites/17_review_snapshot.sh.
SET timezone = 'UTC';
CREATE TABLE rsnap_ev (customer int, ts timestamptz, event text);
-- February: 4 visit, 3 sign up (one 5 days later: a stall at signup), 2 buy;
-- March: 3 visit, 1 signs up; April (open): 2 visit
INSERT INTO rsnap_ev VALUES
  (1, '2026-02-02 10:00', 'visit'), (1, '2026-02-02 11:00', 'signup'), (1, '2026-02-03 09:00', 'buy'),
  (2, '2026-02-05 10:00', 'visit'), (2, '2026-02-06 10:00', 'signup'), (2, '2026-02-06 12:00', 'buy'),
  (3, '2026-02-10 10:00', 'visit'), (3, '2026-02-15 10:00', 'signup'),
  (4, '2026-02-20 10:00', 'visit'),
  (5, '2026-03-02 10:00', 'visit'), (5, '2026-03-02 10:30', 'signup'),
  (6, '2026-03-10 10:00', 'visit'),
  (7, '2026-03-31 23:00', 'visit'),
  (8, '2026-04-01 10:00', 'visit'), (9, '2026-04-02 10:00', 'visit');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, moment_window)
VALUES ('rsnap', 'rsnap_ev', 'customer', 'ts', 'event', '30 days');
INSERT INTO journey.moment (source, position, name, event_name) VALUES
  ('rsnap', 1, 'visit', 'visit'), ('rsnap', 2, 'signup', 'signup'), ('rsnap', 3, 'buy', 'buy');
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on) VALUES
  ('rsnap', 'feb', '2026-02-01', '2026-02-28'), ('rsnap', 'mar', '2026-03-01', '2026-03-31'),
  ('rsnap', 'apr', '2026-04-01', '2026-04-30');
INSERT INTO journey.note (source, moment, theme, body, noted_at)
VALUES ('rsnap', 'signup', 'price', 'too dear', '2026-02-11');
SELECT id AS c_feb FROM journey.review_cycle WHERE name = 'feb' AND source = 'rsnap' \gset
SELECT id AS c_mar FROM journey.review_cycle WHERE name = 'mar' AND source = 'rsnap' \gset
SELECT id AS c_apr FROM journey.review_cycle WHERE name = 'apr' AND source = 'rsnap' \gset

-- the live figures, per cycle and moment, as the review showed them before
-- the snapshot: cycle_moments, the previous cycle's rate, cycle_action
CREATE FUNCTION rsnap_live() RETURNS TABLE (cycle_id bigint, "position" int, moment text,
	reached bigint, moved_on bigint, rate float8, share_of_first float8, previous_rate float8,
	share_with_data float8, dark bool, stalled bigint, notes bigint)
LANGUAGE sql AS $$
	WITH c AS (SELECT id, lag(id) OVER (ORDER BY starts_on) AS prev
	             FROM journey.review_cycle WHERE source = 'rsnap')
	SELECT c.id, m.position, m.moment, m.reached, coalesce(m.moved_on, 0), m.rate, m.share_of_first,
	       p.rate, a.share_with_data, a.dark, coalesce(a.stalled, 0), a.notes
	  FROM c CROSS JOIN LATERAL journey.cycle_moments(c.id) m
	  LEFT JOIN LATERAL journey.cycle_action(c.id) a ON a.position = m.position
	  LEFT JOIN LATERAL journey.cycle_moments(c.prev) p ON p.position = m.position
$$;
-- rows of review_moments that differ from the live figures (none expected)
CREATE FUNCTION rsnap_differ() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM (
	  (SELECT cycle_id, position, moment, reached, moved_on, rate, share_of_first, previous_rate,
	          share_with_data, dark, stalled, notes
	     FROM journey.review_moments WHERE source = 'rsnap'
	   EXCEPT ALL SELECT * FROM rsnap_live())
	  UNION ALL
	  (SELECT * FROM rsnap_live()
	   EXCEPT ALL
	   SELECT cycle_id, position, moment, reached, moved_on, rate, share_of_first, previous_rate,
	          share_with_data, dark, stalled, notes
	     FROM journey.review_moments WHERE source = 'rsnap')) d
$$;
-- per cycle: read from the snapshot, and computed by the last refresh
CREATE FUNCTION rsnap_cycles() RETURNS TABLE (cycle text, from_snapshot bool, recomputed bool)
LANGUAGE sql AS $$
	SELECT r.cycle, r.from_snapshot,
	       (SELECT x.computed_at = s.computed_at FROM journey.snapshot_cycle x
	          JOIN journey.snapshot s ON s.source = x.source
	         WHERE x.source = 'rsnap' AND x.cycle_id = r.cycle_id)
	  FROM journey.review r WHERE r.source = 'rsnap' ORDER BY r.starts_on
$$;

-- without a snapshot: live
SELECT cycle, position, reached, moved_on, rate, previous_rate, share_with_data, dark, stalled,
       notes, from_snapshot, computed_at
  FROM journey.review_moments WHERE source = 'rsnap' ORDER BY cycle_id, position;
SELECT rebuilt, rows_read, events_until FROM journey.refresh('rsnap');
-- every cycle stored, and read from the snapshot with the same figures
SELECT cycle, position, reached, moved_on, rate, previous_rate, share_with_data, dark, stalled,
       notes, from_snapshot, events_until,
       computed_at = (SELECT computed_at FROM journey.snapshot WHERE source = 'rsnap') AS at_refresh
  FROM journey.review_moments WHERE source = 'rsnap' ORDER BY cycle_id, position;
SELECT rsnap_differ() AS differ;
SELECT cycle, moments, moments_improved, moments_declined, moments_dark, customers_stalled, notes,
       from_snapshot, events_until
  FROM journey.review WHERE source = 'rsnap' ORDER BY starts_on;
SELECT d.moments = (SELECT jsonb_agg(jsonb_build_object(
	                   'moment', l.moment, 'reached', l.reached, 'rate', l.rate,
	                   'previous_rate', l.previous_rate, 'rate_change', l.rate - l.previous_rate,
	                   'share_with_data', l.share_with_data, 'dark', l.dark,
	                   'stalled', l.stalled, 'notes', l.notes) ORDER BY l.position)
	                  FROM rsnap_live() l WHERE l.cycle_id = :c_mar) AS details_as_live,
       d.from_snapshot, d.events_until
  FROM journey.review_details(:c_mar) d;
SELECT source, cycle_id = :c_feb AS feb, since, until FROM journey.snapshot_cycle ORDER BY since;

-- notes are read live: a note said in March shows without a refresh
INSERT INTO journey.note (source, moment, theme, body, noted_at)
VALUES ('rsnap', 'visit', 'slow', 'page slow', '2026-03-05');
SELECT cycle, position, notes, from_snapshot FROM journey.review_moments
 WHERE source = 'rsnap' AND cycle_id = :c_mar ORDER BY position;

-- new rows within the lookback (1 day before events_until): only April,
-- whose period reaches into them, is recomputed
INSERT INTO rsnap_ev VALUES (8, '2026-04-02 09:00', 'signup'), (10, '2026-04-02 11:00', 'visit');
SELECT rebuilt, rows_read, events_until FROM journey.refresh('rsnap');
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
-- nothing new: nothing recomputed
SELECT rows_read FROM journey.refresh('rsnap');
SELECT * FROM rsnap_cycles();
-- a late row of March 31 within the lookback of a raised events_until: March
-- and April are recomputed
INSERT INTO journey.snapshot_setting (source, lookback) VALUES ('rsnap', '3 days');
INSERT INTO rsnap_ev VALUES (7, '2026-03-31 23:30', 'signup');
SELECT rebuilt, rows_read FROM journey.refresh('rsnap');
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;

-- a cycle's dates edited without a refresh: that cycle and the next (whose
-- previous rate it gives) are live, with the live figures
UPDATE journey.review_cycle SET ends_on = '2026-03-20' WHERE id = :c_mar;
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
-- a cycle added without a refresh: live, as the one after it
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('rsnap', 'jan', '2026-01-01', '2026-01-31');
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
-- the next refresh (no new rows) computes the two changed cycles alone
SELECT rows_read FROM journey.refresh('rsnap');
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
-- a cycle removed: the one after it still reads the snapshot (it has no
-- previous cycle now); the next refresh deletes the removed cycle's rows
DELETE FROM journey.review_cycle WHERE name = 'jan' AND source = 'rsnap';
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
SELECT count(*) AS cycles_stored FROM journey.snapshot_cycle WHERE source = 'rsnap';
SELECT rows_read FROM journey.refresh('rsnap');
SELECT count(*) AS cycles_stored FROM journey.snapshot_cycle WHERE source = 'rsnap';

-- the dates read in another time zone are other instants: live
SET timezone = 'America/New_York';
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
SET timezone = 'UTC';
-- another interval style (as some clients set) reads the same
SET intervalstyle = 'iso_8601';
SELECT needs_rebuild FROM journey.snapshot_status WHERE source = 'rsnap';
SELECT * FROM rsnap_cycles();
RESET intervalstyle;

-- a step rule added, then its value changed: the snapshot's definition
-- holds the rules, so it needs a rebuild and the review reads live (and
-- follows the rule) until the next refresh rebuilds and computes every cycle
UPDATE journey.moment SET max_gap = '2 hours' WHERE source = 'rsnap' AND position = 2;
SELECT needs_rebuild FROM journey.snapshot_status WHERE source = 'rsnap';
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
SELECT rebuilt FROM journey.refresh('rsnap');
SELECT * FROM rsnap_cycles();
UPDATE journey.moment SET max_gap = '10 minutes' WHERE source = 'rsnap' AND position = 2;
SELECT needs_rebuild FROM journey.snapshot_status WHERE source = 'rsnap';
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
SELECT cycle, position, reached FROM journey.review_moments
 WHERE source = 'rsnap' AND cycle_id = :c_mar ORDER BY position;
SELECT rebuilt, reason FROM journey.refresh('rsnap');
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
SELECT cycle, position, reached FROM journey.review_moments
 WHERE source = 'rsnap' AND cycle_id = :c_mar ORDER BY position;
UPDATE journey.moment SET max_gap = NULL WHERE source = 'rsnap' AND position = 2;

-- moments changed: the snapshot needs a rebuild, the review is live until it
UPDATE journey.moment SET event_name = 'visit' WHERE source = 'rsnap' AND position = 3;
SELECT needs_rebuild FROM journey.snapshot_status WHERE source = 'rsnap';
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
SELECT rebuilt, reason FROM journey.refresh('rsnap');
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;

-- a role that may read the source but not the snapshot tables reads live
CREATE ROLE regress_rsnap_reader;
GRANT USAGE ON SCHEMA journey, journey_internal TO regress_rsnap_reader;
GRANT SELECT ON journey.source, journey.moment, journey.review_cycle, journey.hypothesis,
      journey.note, journey.review_moments, journey.review, rsnap_ev TO regress_rsnap_reader;
SET ROLE regress_rsnap_reader;
SELECT cycle, count(*) AS moments, bool_or(from_snapshot) AS from_snapshot
  FROM journey.review_moments WHERE source = 'rsnap' GROUP BY cycle, cycle_id ORDER BY cycle_id;
RESET ROLE;
-- with SELECT on the snapshot tables (doc/security.md), from the snapshot
SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY c.relname) AS snapshot_tables
  FROM pg_class c
 WHERE c.relnamespace = 'journey'::regnamespace AND c.relkind = 'r'
   AND c.relname LIKE 'snapshot%' AND c.relname <> 'snapshot_setting' \gset
GRANT SELECT ON :snapshot_tables TO regress_rsnap_reader;
SET ROLE regress_rsnap_reader;
SELECT cycle, count(*) AS moments, bool_and(from_snapshot) AS from_snapshot
  FROM journey.review_moments WHERE source = 'rsnap' GROUP BY cycle, cycle_id ORDER BY cycle_id;
RESET ROLE;
DROP OWNED BY regress_rsnap_reader;
DROP ROLE regress_rsnap_reader;

-- a role that refreshes but may not read the review cycles stores none,
-- and deletes what was stored (the rows it reads may have changed it): the
-- review reads live until a refresh by a role that may
CREATE ROLE regress_rsnap_refresher;
GRANT USAGE ON SCHEMA journey, journey_internal TO regress_rsnap_refresher;
GRANT SELECT ON journey.source, journey.moment, journey.snapshot_setting, rsnap_ev
   TO regress_rsnap_refresher;
GRANT SELECT, INSERT, UPDATE, DELETE ON :snapshot_tables TO regress_rsnap_refresher;
INSERT INTO rsnap_ev VALUES (11, '2026-04-02 12:00', 'visit');
SET ROLE regress_rsnap_refresher;
SELECT rebuilt, rows_read FROM journey.refresh('rsnap');
RESET ROLE;
SELECT count(*) AS cycles_stored FROM journey.snapshot_cycle WHERE source = 'rsnap';
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
SELECT rows_read FROM journey.refresh('rsnap');
SELECT * FROM rsnap_cycles();
SELECT rsnap_differ() AS differ;
DROP OWNED BY regress_rsnap_refresher;
DROP ROLE regress_rsnap_refresher;

-- the review picture reads review_moments
SELECT journey.review_svg('rsnap') LIKE '<svg%</svg>' AS picture;

-- a source without moments stores no cycle
DELETE FROM journey.note WHERE source = 'rsnap';
DELETE FROM journey.moment WHERE source = 'rsnap';
SELECT rebuilt FROM journey.refresh('rsnap');
SELECT count(*) AS cycles_stored FROM journey.snapshot_cycle WHERE source = 'rsnap';
SELECT cycle, moments, from_snapshot FROM journey.review WHERE source = 'rsnap' ORDER BY starts_on;

DELETE FROM journey.review_cycle WHERE source = 'rsnap';
DELETE FROM journey.source WHERE name = 'rsnap';
SELECT count(*) AS left_over FROM journey.snapshot_cycle_moment;
DROP FUNCTION rsnap_live, rsnap_differ, rsnap_cycles;
DROP TABLE rsnap_ev;
