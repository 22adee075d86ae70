-- attribution_paths (the one reader of a source's paths for attribution),
-- channel_attribution(source, models, since, until) and GA4's
-- conversion-path report.
SET TimeZone = 'UTC';
\set SHOW_CONTEXT never
CREATE TABLE ga_events (cust int, at timestamptz, what text, chan text, rev float8);
-- Customers 1 to 8 convert in March on paths of 1 to 8 touches: the k-th
-- touch is on channel pk, k - 1 days after the first, at noon; the last
-- touch is the purchase.
INSERT INTO ga_events
SELECT n, '2026-03-01 12:00+00'::timestamptz + (k - 1) * interval '1 day',
       CASE WHEN k = n THEN 'purchase' ELSE 'visit' END, 'p' || k,
       CASE WHEN k = n THEN 10 * n END
  FROM generate_series(1, 8) n, generate_series(1, n) k WHERE k <= n;
-- Periods: [2026-05-01, 2026-06-01)
INSERT INTO ga_events VALUES
  (20, '2026-04-30 23:00+00', 'visit', 'A', NULL),     -- converts exactly at since: in
  (20, '2026-05-01 00:00+00', 'purchase', 'B', 5),
  (21, '2026-05-31 23:00+00', 'visit', 'C', NULL),     -- converts exactly at until: out;
  (21, '2026-06-01 00:00+00', 'purchase', 'D', 7),     -- at until its path was open (a null)
  (22, '2026-04-20 00:00+00', 'visit', 'E', NULL),     -- before since, within the lookback
  (22, '2026-05-10 00:00+00', 'purchase', 'F', 9),
  (23, '2026-03-01 00:00+00', 'visit', 'G', NULL),     -- beyond the 30-day lookback
  (23, '2026-05-10 00:00+00', 'purchase', 'H', 11),
  (24, '2026-04-30 23:59+00', 'visit', 'I', NULL);     -- no conversion, last touch before since: out
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('ga', 'ga_events', 'cust', 'at', 'what', 'chan', 'rev', 'purchase');

SELECT * FROM journey.attribution_paths('ga', '2026-05-01', '2026-06-01') ORDER BY path;
SELECT path, conversions, value, nulls, touch_times, converted_at
  FROM journey.attribution_paths('ga', '2026-05-01', '2026-06-01', with_times => true) ORDER BY path;
-- unbounded: customer 21 converts (C > D), customer 24 is a null; the
-- March paths too
SELECT path, conversions, value, nulls
  FROM journey.attribution_paths('ga') WHERE NOT (path[1] ~ '^p') ORDER BY path;
SELECT count(*) AS march_paths, sum(conversions) AS conversions, sum(value) AS value
  FROM journey.attribution_paths('ga', until => '2026-04-01');

-- GA4's positions.  A path of n touches: the last ceil(n/4) are late, the
-- first round(n/4) (half up) early, the rest middle:
--   n = 1: late; 2: early, late; 3: 1/1/1; 4: 1/2/1; 5: 1/2/2; 6: 2/2/2;
--   7: 2/3/2; 8: 2/4/2.
-- Over the eight March paths: 10 early, 14 middle, 12 late touches.
-- Channel pk is the k-th touch of the paths of k touches or more; by hand
-- (e.g. p2: early in n = 6, 7, 8; middle in n = 3, 4, 5; late in n = 2)
-- and the mean touches over those paths ((k + 8) / 2) and days to
-- conversion (one less):
CREATE TEMP TABLE ga_expected (channel text, paths bigint, early bigint, middle bigint,
                               late bigint, early_share float8, middle_share float8,
                               late_share float8, touches float8, days float8);
INSERT INTO ga_expected VALUES
  ('p1', 8, 7, 0, 1, 7/10., 0, 1/12., 4.5, 3.5),
  ('p2', 7, 3, 3, 1, 3/10., 3/14., 1/12., 5.0, 4.0),
  ('p3', 6, 0, 5, 1, 0, 5/14., 1/12., 5.5, 4.5),
  ('p4', 5, 0, 3, 2, 0, 3/14., 2/12., 6.0, 5.0),
  ('p5', 4, 0, 2, 2, 0, 2/14., 2/12., 6.5, 5.5),
  ('p6', 3, 0, 1, 2, 0, 1/14., 2/12., 7.0, 6.0),
  ('p7', 2, 0, 0, 2, 0, 0, 2/12., 7.5, 6.5),
  ('p8', 1, 0, 0, 1, 0, 0, 1/12., 8.0, 7.0);
SELECT * FROM journey.conversion_path_report('ga', '2026-03-01', '2026-04-01');
SELECT count(*) AS rows_that_differ
  FROM journey.conversion_path_report('ga', '2026-03-01', '2026-04-01') r
  FULL JOIN ga_expected e USING (channel)
 WHERE r.channel IS NULL OR e.channel IS NULL
    OR (r.converting_paths, r.early_touches, r.middle_touches, r.late_touches)
       <> (e.paths, e.early, e.middle, e.late)
    OR abs(r.early_share - e.early_share) > 1e-12 OR abs(r.middle_share - e.middle_share) > 1e-12
    OR abs(r.late_share - e.late_share) > 1e-12
    OR abs(r.mean_touches - e.touches) > 1e-12 OR abs(r.mean_days - e.days) > 1e-12;
-- May: single touches are late; a two-touch path is early and late
SELECT * FROM journey.conversion_path_report('ga', '2026-05-01', '2026-06-01');

-- channel_attribution computes only the models asked for, over the period
SELECT model, channel, conversions, value, removal_effect, conversion_share, value_share
  FROM journey.channel_attribution('ga', ARRAY['last_touch', 'time_decay(half_life=1 day)'],
                                   '2026-05-01', '2026-06-01');
-- A model asked twice is computed once: the same rows as asked once, and
-- its shares still add up to 1
SELECT (SELECT array_agg(x ORDER BY x::text) FROM journey.channel_attribution('ga', ARRAY['last_touch', 'last_touch'],
                                                         '2026-05-01', '2026-06-01') x)
     = (SELECT array_agg(x ORDER BY x::text) FROM journey.channel_attribution('ga', ARRAY['last_touch'],
                                                         '2026-05-01', '2026-06-01') x) AS same_rows,
       (SELECT sum(conversion_share) FROM journey.channel_attribution('ga', ARRAY['last_touch', 'last_touch'],
                                                         '2026-05-01', '2026-06-01')) AS shares;
-- Only the models asked for are computed, and the source is read once.
-- Sample events where Markov of order 2 needs more elimination work than
-- the limit allows: asking for it fails, asking for the others does not
-- compute it.
CREATE TABLE ga_sample AS SELECT * FROM journey.sample_events(300, 4);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('ga sample', 'ga_sample', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase');
SET journey.max_markov_work = 1;
SELECT count(*) FROM journey.channel_attribution('ga sample', ARRAY['last_touch', 'markov(order=2)']);
SELECT count(*) FROM journey.channel_attribution('ga sample', ARRAY['last_touch', 'time_decay', 'shapley']);
RESET journey.max_markov_work;
-- attribution_paths, counted by track_functions: once per call
SET track_functions = 'all';
CREATE TEMP TABLE calls (step int, calls bigint);
CREATE FUNCTION pg_temp.count_calls(step int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO calls SELECT step, coalesce((SELECT s.calls FROM pg_stat_xact_user_functions s
                                            WHERE s.schemaname = 'journey'
                                              AND s.funcname = 'attribution_paths'), 0) $$;
BEGIN;
SELECT pg_temp.count_calls(0);
SELECT count(*) FROM journey.channel_attribution('ga', ARRAY['linear', 'markov', 'time_decay']);
SELECT pg_temp.count_calls(1);
COMMIT;
SELECT max(calls) - min(calls) AS attribution_paths_calls FROM calls;
RESET track_functions;
-- errors
SELECT * FROM journey.channel_attribution('ga', ARRAY[]::text[]);
SELECT * FROM journey.channel_attribution('ga', ARRAY['linear', NULL]);
SELECT * FROM journey.channel_attribution('ga', NULL);
SELECT * FROM journey.channel_attribution('ga', ARRAY['linear'], '2026-06-01', '2026-05-01');
SELECT * FROM journey.channel_attribution('ga', ARRAY['bogus']);
SELECT * FROM journey.attribution_paths('nope');
SELECT * FROM journey.conversion_path_report('nope');

-- Infinite times: customer 1 converts at noon; customer 2 only visits at
-- -infinity, customer 3 converts at -infinity, customer 4 at infinity
-- (its visit is beyond the lookback).  Only customer 1's path belongs to a
-- period; the others are in none, and time_decay (which needs finite touch
-- times) runs on what remains.
CREATE TABLE inf_events (cust int, at timestamptz, what text, chan text, rev float8);
INSERT INTO inf_events VALUES
  (1, '2026-05-01 10:00+00', 'visit', 'A', NULL), (1, '2026-05-01 12:00+00', 'purchase', 'B', 3),
  (2, '-infinity', 'visit', 'C', NULL),
  (3, '-infinity', 'visit', 'D', NULL), (3, '-infinity', 'purchase', 'E', 5),
  (4, '2026-05-01 10:00+00', 'visit', 'F', NULL), (4, 'infinity', 'purchase', 'G', 7);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('inf', 'inf_events', 'cust', 'at', 'what', 'chan', 'rev', 'purchase');
SELECT * FROM journey.attribution_paths('inf', NULL, NULL, true);
SELECT model, channel, conversions, value
  FROM journey.channel_attribution('inf', ARRAY['time_decay', 'linear']);
SELECT channel, converting_paths, late_touches FROM journey.conversion_path_report('inf');
SELECT DISTINCT source FROM journey.channel_attribution WHERE source = 'inf';
DELETE FROM journey.source WHERE name = 'inf';
DROP TABLE inf_events;

DELETE FROM journey.source WHERE name IN ('ga', 'ga sample');
DROP TABLE ga_events, ga_sample;
