-- Limits exactly at their boundary: a group of journey.max_events_per_group
-- events is accepted and one more event is an error, for every aggregate
-- that holds a group's events (path_agg, paths_to_conversion,
-- window_funnel, funnel_times, sequence_match, sequence_count) and for the
-- touches of attribution's distinct paths; serially, and where partial
-- states of a parallel plan are combined.  retention keeps a bitmask per
-- group, not events, so no limit applies to it.  (The pattern budget's
-- boundary is in 22_sequence.sql.)
SET journey.max_events_per_group = 4;
-- group 1 has exactly 4 events, group 2 has 5; rows with a NULL timestamp or
-- label are no events; row 'x' of group 3 meets no funnel step or sequence
-- condition
CREATE TABLE lim (g int, i int, ts timestamptz, label text);
INSERT INTO lim VALUES
  (1, 1, '2026-01-01 10:00', 'a'), (1, 2, '2026-01-01 11:00', 'b'),
  (1, 3, '2026-01-01 12:00', 'a'), (1, 4, '2026-01-01 13:00', 'c'),
  (1, 5, NULL, 'a'), (1, 6, '2026-01-01 14:00', NULL),
  (2, 1, '2026-01-01 10:00', 'a'), (2, 2, '2026-01-01 11:00', 'b'),
  (2, 3, '2026-01-01 12:00', 'a'), (2, 4, '2026-01-01 13:00', 'c'),
  (2, 5, '2026-01-01 14:00', 'c'),
  (3, 1, '2026-01-01 10:00', 'a'), (3, 2, '2026-01-01 11:00', 'b'),
  (3, 3, '2026-01-01 12:00', 'x'), (3, 4, '2026-01-01 13:00', 'a'),
  (3, 5, '2026-01-01 14:00', 'c');
SELECT g, count(ts) FILTER (WHERE label IS NOT NULL) AS events FROM lim GROUP BY g ORDER BY g;

-- path_agg: 4 labels, then 5
SELECT journey.path_agg(label, ts) AS exactly_4 FROM lim WHERE g = 1;
SELECT journey.path_agg(label, ts) AS five FROM lim WHERE g = 2;
-- paths_to_conversion: every row with a label and a timestamp is held
SELECT journey.paths_to_conversion(label, ts, label = 'c', 1, '7 days') AS exactly_4 FROM lim WHERE g = 1;
SELECT journey.paths_to_conversion(label, ts, label = 'c', 1, '7 days') AS five FROM lim WHERE g = 2;
-- window_funnel and funnel_times hold the rows meeting a step
SELECT journey.window_funnel(ts, '1 day', label = 'a', label = 'b', label = 'c') AS exactly_4 FROM lim WHERE g = 1;
SELECT journey.window_funnel(ts, '1 day', label = 'a', label = 'b', label = 'c') AS five FROM lim WHERE g = 2;
SELECT journey.funnel_times(ts, '1 day', label = 'a', label = 'b', label = 'c') AS exactly_4 FROM lim WHERE g = 1;
SELECT journey.funnel_times(ts, '1 day', label = 'a', label = 'b', label = 'c') AS five FROM lim WHERE g = 2;
-- ... and under strict_order every row with a timestamp: group 3's 'x' row
-- (and group 1's row with a NULL label) are held then.  Group 3 without
-- strict_order holds 4 events, with it 5.
SELECT journey.window_funnel(ts, '1 day', label = 'a', label = 'b', label = 'c') AS x_not_held FROM lim WHERE g = 3;
SELECT journey.window_funnel(ts, '1 day', 'strict_order', label = 'a', label = 'b', label = 'c') AS x_held FROM lim WHERE g = 3;
SELECT journey.window_funnel(ts, '1 day', 'strict_order', label = 'a', label = 'b', label = 'c') AS exactly_4
  FROM lim WHERE g = 1 AND label IS NOT NULL;
SELECT journey.window_funnel(ts, '1 day', 'strict_order', label = 'a', label = 'b', label = 'c') AS five FROM lim WHERE g = 1;
-- sequence_match and sequence_count hold the rows meeting a condition
-- (group 3: 4 of its 5 rows)
SELECT g, journey.sequence_match('(?1).*(?3)', ts, label = 'a', label = 'b', label = 'c') AS exactly_4,
       journey.sequence_count('(?1)', ts, label = 'a', label = 'b', label = 'c') AS count_4
  FROM lim WHERE g IN (1, 3) GROUP BY g ORDER BY g;
SELECT journey.sequence_match('(?1).*(?3)', ts, label = 'a', label = 'b', label = 'c') AS five FROM lim WHERE g = 2;
SELECT journey.sequence_count('(?1)', ts, label = 'a', label = 'b', label = 'c') AS five FROM lim WHERE g = 2;
-- retention: no events are held, no limit
SELECT journey.retention(label = 'a', label = 'c') AS any_size FROM lim WHERE g = 2;

-- attribution: the distinct paths of a group hold at most 4 touches; a
-- repeated path counts once.  a > b > c and a count 4 touches; a path of one
-- more touch is a fifth.
SELECT (c).channel, (c).conversions
  FROM unnest((SELECT journey.attribution(p, 1, 0, 0, 'linear')
                 FROM (VALUES (ARRAY['a','b','c']), (ARRAY['a']), (ARRAY['a','b','c']),
                              (ARRAY['a'])) v(p))) c;
SELECT journey.attribution(p, 1, 0, 0, 'linear')
  FROM (VALUES (ARRAY['a','b','c']), (ARRAY['a']), (ARRAY['b'])) v(p);
-- the same through the conversion_path[] form
SELECT (c).channel, (c).conversions
  FROM unnest((SELECT journey.attribution(ARRAY[ROW(p, NULL, true, 1, NULL)::journey.conversion_path], 'linear')
                 FROM (VALUES (ARRAY['a','b','c']), (ARRAY['a'])) v(p))) c;
SELECT journey.attribution(ARRAY[ROW(p, NULL, true, 1, NULL)::journey.conversion_path], 'linear')
  FROM (VALUES (ARRAY['a','b','c']), (ARRAY['a','b'])) v(p);

-- Partial states of a parallel plan: each worker's share of one group is
-- under the limit; combined they hold exactly the limit, or one more.
SET journey.max_events_per_group = 3000;
CREATE TABLE lim_par (g int, ts timestamptz, label text);
INSERT INTO lim_par
  SELECT g, '2026-01-01'::timestamptz + i * interval '1 minute', (ARRAY['a','b','c'])[1 + i % 3]
    FROM generate_series(1, 2) g, generate_series(1, 3000) i;
INSERT INTO lim_par VALUES (2, '2026-01-10', 'a');
ANALYZE lim_par;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF) SELECT cardinality(journey.path_agg(label, ts)) FROM lim_par WHERE g = 1;
SELECT cardinality(journey.path_agg(label, ts)) AS exactly_3000,
       journey.window_funnel(ts, '1 day', label = 'a', label = 'b', label = 'c') AS funnel,
       journey.sequence_count('(?1)(?2)(?3)', ts, label = 'a', label = 'b', label = 'c') AS sequences
  FROM lim_par WHERE g = 1;
SELECT cardinality(journey.path_agg(label, ts)) AS one_more FROM lim_par WHERE g = 2;
SELECT journey.window_funnel(ts, '1 day', label = 'a', label = 'b', label = 'c') AS one_more FROM lim_par WHERE g = 2;
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
RESET journey.max_events_per_group;
DROP TABLE lim, lim_par;
