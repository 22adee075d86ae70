-- Snapshots (journey.refresh): a small source worked by hand, and every
-- error.  Concurrency, cancellation, late rows and random changes are in
-- test/suites/15_refresh_sessions.sh.
SET timezone = 'UTC';
CREATE TABLE snap_ev (customer text, ts timestamptz, event text, channel text, revenue numeric);
INSERT INTO snap_ev VALUES
  -- c1: visit, signup 1 hour later, purchase (Email, then Search)
  ('c1', '2026-01-01 10:00', 'visit', 'Email', NULL),
  ('c1', '2026-01-01 11:00', 'signup', 'Search', NULL),
  ('c1', '2026-01-01 12:00', 'purchase', 'Search', 30),
  -- c2: visit, signup 3 hours later
  ('c2', '2026-01-01 10:00', 'visit', 'Search', NULL),
  ('c2', '2026-01-01 13:00', 'signup', 'Search', NULL),
  -- c3: visit only
  ('c3', '2026-01-02 09:00', 'visit', 'Email', NULL);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('snap', 'snap_ev', 'customer', 'ts', 'event', 'channel', 'revenue', 'purchase');
INSERT INTO journey.moment (source, position, name, event_name) VALUES
  ('snap', 1, 'visit', 'visit'), ('snap', 2, 'signup', 'signup'), ('snap', 3, 'purchase', 'purchase');
SELECT rebuilt, reason, rows_read, customers_changed, events_until FROM journey.refresh('snap');
-- visit 3, signup 2 (c1, c2), purchase 1 (c1); median visit->signup of 1 h
-- and 3 h: 2 h; signup->purchase: 1 h
SELECT position, moment, customers_reached, customers_next, conversion_rate, median_time_to_next
  FROM journey.snapshot_moment_report('snap');
-- paths: {Email,Search,Search} (c1), {Search,Search} (c2), {Email} (c3)
SELECT path, customers, share, rank FROM journey.snapshot_path_report('snap');
-- c1's conversion path {Email,Search,Search} (value 30); c2 and c3 do not convert
SELECT path, conversions, value, nulls FROM journey.snapshot_attribution_paths('snap');
-- c3 signs up 2 hours after her visit (within the default 1 day lookback):
-- signup 3, the median visit->signup 2 h; purchase 1 of 3
INSERT INTO snap_ev VALUES ('c3', '2026-01-02 11:00', 'signup', 'Search', NULL);
SELECT rebuilt, rows_read, customers_changed, events_until FROM journey.refresh('snap');
SELECT position, customers_reached, customers_next, median_time_to_next
  FROM journey.snapshot_moment_report('snap');
-- the view reads the snapshot and says so
SELECT position, customers_reached, from_snapshot, events_until
  FROM journey.moment_conversion WHERE source = 'snap';
-- nothing new: nothing read
SELECT rows_read FROM journey.refresh('snap');
-- a change of moments makes the snapshot stale: the view reads live until
-- the next refresh rebuilds
DELETE FROM journey.moment WHERE source = 'snap' AND position = 3;
SELECT needs_rebuild FROM journey.snapshot_status WHERE source = 'snap';
SELECT position, customers_reached, from_snapshot FROM journey.moment_conversion WHERE source = 'snap';
SELECT rebuilt, reason FROM journey.refresh('snap');
SELECT position, customers_reached, from_snapshot FROM journey.moment_conversion WHERE source = 'snap';
-- a visit at -infinity: its path is in no period, live or from the snapshot
INSERT INTO snap_ev VALUES ('c4', '-infinity', 'visit', 'Email', NULL);
SELECT rebuilt FROM journey.refresh('snap', full => true);
SELECT path, conversions, value, nulls FROM journey.attribution_paths('snap');
SELECT (SELECT array_agg(a ORDER BY a.path) FROM journey.attribution_paths('snap') a)::text
     = (SELECT array_agg(a ORDER BY a.path) FROM journey.attribution_paths('snap', since => '-infinity') a)::text
       AS same_as_live;
-- exact_numeric: a float8's every binary digit
SELECT journey.exact_numeric(0.1), journey.exact_numeric(-2.5), journey.exact_numeric(0);

-- Moments with step rules: the snapshot's funnel states follow them as
-- moment_report does.  signup at most 2 hours after visit: c1 (1 hour) and
-- c3 (2 hours, the edge) reach it, c2 (3 hours) does not; purchase, with
-- no visit strictly between signup and purchase: c1.
UPDATE journey.moment SET max_gap = '2 hours' WHERE source = 'snap' AND position = 2;
INSERT INTO journey.moment (source, position, name, event_name, excluded_events)
VALUES ('snap', 3, 'purchase', 'purchase', ARRAY['visit']);
-- (a change of rules makes the snapshot stale: the view reads live)
SELECT needs_rebuild FROM journey.snapshot_status WHERE source = 'snap';
SELECT position, customers_reached, from_snapshot FROM journey.moment_conversion WHERE source = 'snap';
SELECT rebuilt, reason FROM journey.refresh('snap');
CREATE FUNCTION pg_temp.snap_same() RETURNS bool LANGUAGE sql AS $$
  SELECT (SELECT array_agg(row(r.segment, r.position, r.moment, r.customers_reached, r.customers_next,
                               r.conversion_rate, r.drop_off_rate, r.median_time_to_next)
                           ORDER BY r.position)::text
            FROM journey.snapshot_moment_report('snap') r)
       = (SELECT array_agg(r ORDER BY r.position)::text FROM journey.moment_report('snap') r) $$;
SELECT position, customers_reached, customers_next, median_time_to_next, pg_temp.snap_same() AS same_as_live
  FROM journey.snapshot_moment_report('snap');
SELECT position, customers_reached, from_snapshot FROM journey.moment_conversion WHERE source = 'snap';
-- a late visit of c1 between her signup (11:00) and purchase (12:00),
-- read incrementally: her purchase no longer counts
INSERT INTO snap_ev VALUES ('c1', '2026-01-01 11:30', 'visit', 'Email', NULL);
SELECT rebuilt, rows_read, customers_changed FROM journey.refresh('snap');
SELECT position, customers_reached, customers_next, pg_temp.snap_same() AS same_as_live
  FROM journey.snapshot_moment_report('snap');
-- a longer max_gap is a change of the rules (not only of how many there
-- are): a rebuild, after which c2 reaches signup
UPDATE journey.moment SET max_gap = '3 hours' WHERE source = 'snap' AND position = 2;
SELECT needs_rebuild FROM journey.snapshot_status WHERE source = 'snap';
SELECT rebuilt, reason FROM journey.refresh('snap');
SELECT position, customers_reached, customers_next, pg_temp.snap_same() AS same_as_live
  FROM journey.snapshot_moment_report('snap');
-- the definition does not depend on the session's IntervalStyle
SET intervalstyle = 'iso_8601';
SELECT needs_rebuild FROM journey.snapshot_status WHERE source = 'snap';
RESET intervalstyle;

-- Errors.
SELECT * FROM journey.refresh('nope');
SELECT * FROM journey.refresh('snap', NULL);
SELECT * FROM journey.snapshot_path_report('snap', -1);
SELECT * FROM journey.snapshot_transition_report('snap', 0);
SELECT * FROM journey.snapshot_transition_report('snap', 5, 1.5);
SELECT journey.exact_numeric('NaN');
SELECT journey.exact_numeric('Infinity');
INSERT INTO journey.snapshot_setting (source, lookback) VALUES ('snap', '-1 day');
INSERT INTO journey.snapshot_setting (source, lookback) VALUES ('nope', '1 day');
-- a role that may read the source but not the snapshot tables reads live;
-- refreshing needs the snapshot tables
CREATE ROLE regress_snap_reader;
GRANT USAGE ON SCHEMA journey, journey_internal TO regress_snap_reader;
GRANT SELECT ON journey.source, journey.moment, journey.moment_conversion, snap_ev TO regress_snap_reader;
SET ROLE regress_snap_reader;
SELECT position, customers_reached, from_snapshot FROM journey.moment_conversion WHERE source = 'snap';
SELECT * FROM journey.refresh('snap');
RESET ROLE;
DROP OWNED BY regress_snap_reader;
DROP ROLE regress_snap_reader;
DELETE FROM journey.source WHERE name = 'snap';
SELECT count(*) AS snapshots_left FROM journey.snapshot;
DROP TABLE snap_ev;

-- a snapshot of a source without events yet (no event time read) is a
-- current snapshot for every dashboard alike
CREATE TABLE snap_empty (c text, ts timestamptz, e text, ch text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, conversion_event)
VALUES ('empty', 'snap_empty', 'c', 'ts', 'e', 'ch', 'buy');
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('empty', 1, 'visit', 'visit'), ('empty', 2, 'buy', 'buy');
SELECT rebuilt, rows_read, events_until FROM journey.refresh('empty');
SELECT 'moment_conversion' AS dashboard, bool_and(from_snapshot) FROM journey.moment_conversion WHERE source = 'empty'
UNION ALL SELECT 'top_paths', bool_and(from_snapshot) FROM journey.top_paths WHERE source = 'empty'
UNION ALL SELECT 'sankey_edges', bool_and(from_snapshot) FROM journey.sankey_edges WHERE source = 'empty'
UNION ALL SELECT 'channel_attribution', bool_and(from_snapshot) FROM journey.channel_attribution WHERE source = 'empty'
UNION ALL SELECT 'dashboard_path_report', bool_and(from_snapshot) FROM journey_internal.dashboard_path_report('empty');
DELETE FROM journey.source WHERE name = 'empty';
DROP TABLE snap_empty;
