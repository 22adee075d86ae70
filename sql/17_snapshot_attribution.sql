-- Attribution kept in a snapshot (src/sql/31_attribution_snapshot.sql): the
-- stored credits and Markov chain of a small source worked by hand, the
-- same bits as the live computation after a rebuild and after a refresh,
-- time_decay over more touches than one group may hold, and every error of
-- the internal entries.  Random sources refreshed many times are in
-- test/suites/31_attribution_snapshot.sh.
SET timezone = 'UTC';
CREATE TABLE sa_ev (customer text, ts timestamptz, event text, channel text, revenue float8);
INSERT INTO sa_ev VALUES
  -- c1 converts (value 30) after Email, Search, Search
  ('c1', '2026-01-01 10:00', 'visit', 'Email', NULL),
  ('c1', '2026-01-01 11:00', 'visit', 'Search', NULL),
  ('c1', '2026-01-01 12:00', 'purchase', 'Search', 30),
  -- c2 converts (value 10) after Search (its path: Search, Search)
  ('c2', '2026-01-01 10:00', 'visit', 'Search', NULL),
  ('c2', '2026-01-01 13:00', 'purchase', 'Search', 10),
  -- c3 does not convert after Email
  ('c3', '2026-01-02 09:00', 'visit', 'Email', NULL);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('sa', 'sa_ev', 'customer', 'ts', 'event', 'channel', 'revenue', 'purchase');
SELECT rebuilt FROM journey.refresh('sa');
-- per model and channel, exact sums of conversions x w and value x w:
-- first_touch gives c1 to Email and c2 to Search; linear a third of c1 to
-- Email; shapley half of c1 to each of its two channels; time_decay weighs
-- c1's touches 2^(-age / 7 days) from its newest touch
SELECT model, channel, conversions, value FROM journey.snapshot_attr_credit
 WHERE source = 'sa' ORDER BY model, channel COLLATE "C";
-- the chain of order 1: c1 walks Email -> Search (the repeat collapsed),
-- c2 Search, c3 Email; each with weight 1.  fractribution: c1's path
-- without Email is c2's, which converts as surely: Email adds nothing
SELECT channel, start_w, tot, conv_end, value_end, stepsum FROM journey.snapshot_markov_node
 WHERE source = 'sa' ORDER BY channel COLLATE "C";
SELECT from_label, to_label, w FROM journey.snapshot_markov_edge WHERE source = 'sa';
SELECT dropped, path FROM journey.snapshot_attr_drop WHERE source = 'sa' ORDER BY 1, 2;
-- the view reads the snapshot; every default model equals live bit for bit
SELECT model, channel, conversions, value, removal_effect, conversion_share, value_share, from_snapshot
  FROM journey.channel_attribution WHERE source = 'sa' ORDER BY model, channel;
CREATE VIEW sa_same AS
SELECT (SELECT array_agg(a::text ORDER BY a::text) FROM journey.channel_attribution('sa') a)
     = (SELECT array_agg(a::text ORDER BY a::text)
          FROM journey.channel_attribution('sa', since => '-infinity') a) AS same_as_live;
SELECT * FROM sa_same;
-- c3 comes back through Search and converts (value 5.5); c4 is new
INSERT INTO sa_ev VALUES
  ('c3', '2026-01-02 10:00', 'visit', 'Search', NULL),
  ('c3', '2026-01-02 11:00', 'purchase', 'Search', 5.5),
  ('c4', '2026-01-02 11:30', 'visit', 'Direct', NULL);
SELECT rebuilt, rows_read FROM journey.refresh('sa');
SELECT * FROM sa_same;
-- fractribution: c3's path is now c1's, and still Email adds nothing
-- to it: Search gets every conversion
SELECT channel, conversions, value FROM journey.channel_attribution('sa', ARRAY['fractribution']);
-- participation reads shapley's credits; a spec with parameters computes
-- from the snapshot's paths, the same bits
SELECT a.model, a.channel, a.conversions, a.value
  FROM journey.channel_attribution('sa', ARRAY['participation', 'markov(order=1)', 'Markov']) a;
-- a model the snapshot does not keep, and bad ones, as live
SELECT model, channel, conversions FROM journey.channel_attribution('sa', ARRAY['last_non_direct']);
\set VERBOSITY terse
SELECT * FROM journey.channel_attribution('sa', ARRAY['bogus']);
SELECT * FROM journey.channel_attribution('sa', ARRAY['linear', 'time_decay(half_life=0 days)']);
-- every spec is checked whatever the period holds: none of these periods
-- has a path
SELECT * FROM journey.channel_attribution('sa', ARRAY['bogus'], since => '2000-01-01', until => '2000-01-02');
SELECT * FROM journey.channel_attribution('sa', ARRAY['time_decay(half_life=-3)'], until => '2000-01-02');
SELECT * FROM journey.channel_attribution('sa', ARRAY['markov(order=9)'], since => '2100-01-01');
\set VERBOSITY default
-- a spec with the default parameters, in any case or unit, reads the
-- stored credits; other parameters compute from the snapshot's paths
SELECT m, journey_internal.snapshot_attribution_key(m) AS stored_as
  FROM unnest(ARRAY['Linear', 'markov(order=1)', 'markov(order=2)', 'time_decay(half_life=168 hours)',
                    'time_decay(half_life=7.5 days)', 'POSITION_BASED(first=0.4, last=0.4)',
                    'position_based(first=0.5)', 'participation', 'last_non_direct']) m;
SELECT (SELECT array_agg(a::text ORDER BY a.channel)
          FROM journey.channel_attribution('sa', ARRAY['time_decay(half_life=168 hours)']) a)
     = (SELECT array_agg(replace(a::text, '(time_decay,', '("time_decay(half_life=168 hours)",') ORDER BY a.channel)
          FROM journey.channel_attribution('sa', ARRAY['time_decay'], since => '-infinity') a)
       AS stored_time_decay_equals_live;

-- time_decay is additive: channel_attribution works when the customer
-- paths hold more touches than one group of attribution() may (their
-- weighted keys are all distinct), and equals the sum over the customer
-- paths of touch_weights
SET journey.max_events_per_group = 4;
SELECT count(*) FROM journey.attribution_paths('sa', since => '-infinity', with_times => true);
SELECT unnest(journey.attribution(ARRAY[ROW(path, touch_times, conversions > 0, value, converted_at)::journey.conversion_path],
                                  'time_decay'))
  FROM journey.attribution_paths('sa', since => '-infinity', with_times => true);
SELECT channel, conversions, value FROM journey.channel_attribution('sa', ARRAY['time_decay'], since => '-infinity');
SELECT x.label, journey.exact_sum(x.w) AS conversions, journey.exact_sum(p.value * x.w) AS value
  FROM journey.attribution_paths('sa', since => '-infinity', with_times => true) p,
       unnest(p.path, journey.touch_weights(p.path, 'time_decay', p.touch_times, p.converted_at)) x(label, w)
 WHERE p.conversions > 0 GROUP BY 1 ORDER BY 1;
RESET journey.max_events_per_group;

-- The internal entries' errors.
SELECT journey_internal.fractribution_shares(0.5, ARRAY[0.2, 0.5]);
SELECT journey_internal.fractribution_shares(0.5, ARRAY[0.7, 0.9]);
SELECT journey_internal.fractribution_shares(0.25, ARRAY[0]);
SELECT journey_internal.fractribution_shares(NULL, ARRAY[0.1]);
SELECT journey_internal.fractribution_shares(1.5, ARRAY[0.1]);
SELECT journey_internal.fractribution_shares('NaN', ARRAY[0.1]);
SELECT journey_internal.fractribution_shares(0.5, ARRAY[]::float8[]);
SELECT journey_internal.fractribution_shares(0.5, ARRAY[0.1, NULL]);
SELECT journey_internal.fractribution_shares(0.5, ARRAY[0.1, 'Infinity']);
SELECT journey_internal.fractribution_shares(0.5, NULL);
-- a chain Email -> Search as stored above: the same as markov over its paths
SELECT (c).* FROM unnest(journey_internal.markov_stored_credit(ARRAY['Email', 'Search'],
  ARRAY[2, 1], ARRAY[2, 2], ARRAY[0, 2], ARRAY[0, 40], ARRAY[3, 2], ARRAY[1], ARRAY[2], ARRAY[1], 2, 40)) c;
SELECT (c).* FROM (SELECT unnest(journey.attribution(path, conversions, value, nulls, 'markov')) c
  FROM (VALUES (ARRAY['Email', 'Search'], 1, 30, 0), (ARRAY['Search'], 1, 10, 0),
               (ARRAY['Email'], 0, 0, 1)) v(path, conversions, value, nulls)) x;
SELECT journey_internal.markov_stored_credit(ARRAY['a'], ARRAY[1], ARRAY[1, 2], ARRAY[1], ARRAY[0], ARRAY[1],
  '{}', '{}', '{}', 1, 0);
-- weights whose sums pass float8
SELECT journey_internal.markov_stored_credit(ARRAY['a', 'b'], ARRAY[1e308, 1e308], ARRAY[1e308, 1e308],
  ARRAY[1e308, 1e308], ARRAY[0, 0], ARRAY[1, 1], '{}', '{}', '{}', 1, 0);
SELECT journey_internal.markov_stored_credit(ARRAY['a'], ARRAY[1], ARRAY[0], ARRAY[1], ARRAY[0], ARRAY[1],
  '{}', '{}', '{}', 1, 0);
SELECT journey_internal.markov_stored_credit(ARRAY['a'], ARRAY[-1], ARRAY[1], ARRAY[1], ARRAY[0], ARRAY[1],
  '{}', '{}', '{}', 1, 0);
SELECT journey_internal.markov_stored_credit(ARRAY['a', 'b'], ARRAY[1, 0], ARRAY[1, 1], ARRAY[0, 1], ARRAY[0, 0],
  ARRAY[2, 1], ARRAY[1], ARRAY[3], ARRAY[1], 1, 0);
SELECT journey_internal.markov_stored_credit(ARRAY['a', 'b'], ARRAY[1, 0], ARRAY[1, 1], ARRAY[0, 1], ARRAY[0, 0],
  ARRAY[2, 1], ARRAY[1], ARRAY[1], ARRAY[1], 1, 0);
SELECT journey_internal.markov_stored_credit(ARRAY['a', 'b'], ARRAY[1, 0], ARRAY[1, 1], ARRAY[0, 1], ARRAY[0, 0],
  ARRAY[2, 1], ARRAY[1, 1], ARRAY[2, 2], ARRAY[1, 1], 1, 0);
SELECT journey_internal.markov_stored_credit(ARRAY['a', 'b'], ARRAY[1, 0], ARRAY[1, 1], ARRAY[0, 1], ARRAY[0, 0],
  ARRAY[2, 1], ARRAY[1, 2], ARRAY[2], ARRAY[1, 1], 1, 0);
SELECT journey_internal.markov_stored_credit(ARRAY['a', 'a'], ARRAY[1, 0], ARRAY[1, 1], ARRAY[0, 1], ARRAY[0, 0],
  ARRAY[2, 1], '{}', '{}', '{}', 1, 0);
SELECT journey_internal.markov_stored_credit(ARRAY['a'], ARRAY[1], ARRAY[1], ARRAY[1], ARRAY[0], ARRAY[1],
  '{}', '{}', '{}', 'Infinity', 0);
SELECT journey_internal.markov_stored_credit(NULL, ARRAY[1], ARRAY[1], ARRAY[1], ARRAY[0], ARRAY[1],
  '{}', '{}', '{}', 1, 0);
SELECT journey_internal.markov_stored_credit(ARRAY['a'], ARRAY[1], ARRAY[1], ARRAY[1], ARRAY[0], ARRAY[1],
  '{}', NULL, '{}', 1, 0);

-- a rebuild starts the stored attribution over; dropping the source drops it
SELECT rebuilt FROM journey.refresh('sa', full => true);
SELECT * FROM sa_same;
DROP VIEW sa_same;
DELETE FROM journey.source WHERE name = 'sa';
SELECT (SELECT count(*) FROM journey.snapshot_attr_credit) + (SELECT count(*) FROM journey.snapshot_markov_node)
     + (SELECT count(*) FROM journey.snapshot_markov_edge) + (SELECT count(*) FROM journey.snapshot_attr_drop)
       AS rows_left;
DROP TABLE sa_ev;

-- exact_sum_numeric: the exact sum as numeric, every binary digit, equal
-- to the numeric sum of each value's exact_numeric; the same under a
-- parallel plan
CREATE TABLE sa_x AS
SELECT (CASE WHEN i % 3 = 0 THEN -1 ELSE 1 END) * (i * 0.1 + 1e-300 * (i % 7)) AS x
  FROM generate_series(1, 30000) i;
INSERT INTO sa_x VALUES (1e300), (-1e300), (5e-324), (0.1), (-0.3);
ANALYZE sa_x;
SELECT journey_internal.exact_sum_numeric(x) = sum(journey.exact_numeric(x)) AS exact,
       journey_internal.exact_sum_numeric(x)::float8 = journey.exact_sum(x) AS rounds_as_exact_sum
  FROM sa_x;
SELECT journey_internal.exact_sum_numeric(x) FROM sa_x WHERE false;
SELECT journey_internal.exact_sum_numeric(x) FROM (VALUES (0.5::float8), (0.25)) v(x);
SELECT journey_internal.exact_sum_numeric(x) FROM (VALUES ('NaN'::float8)) v(x);
SELECT journey_internal.exact_sum_numeric(x) FROM (VALUES (1.7e308::float8), (1.7e308)) v(x);
CREATE TABLE sa_serial AS SELECT journey_internal.exact_sum_numeric(x) AS s FROM sa_x;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT journey_internal.exact_sum_numeric(x) FROM sa_x;
SELECT journey_internal.exact_sum_numeric(x) = (SELECT s FROM sa_serial) AS same_in_parallel FROM sa_x;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE sa_x, sa_serial;
