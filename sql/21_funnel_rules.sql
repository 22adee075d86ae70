-- window_funnel and funnel_times with step rules: exclusions, per-step
-- windows, one object held through the funnel.  Every answer below is
-- worked out by hand in the comment before it; test/suites/
-- 21_funnel_rules_oracle.sh checks random groups against a brute force.
SET timezone = 'UTC';
CREATE TABLE fr (c int, t timestamptz, ev text, k text);
-- customer 1: a, x (the exclusion event), b, c, then a, b, c again
INSERT INTO fr VALUES
  (1, '2026-01-01 10:00', 'a', 'o1'), (1, '2026-01-01 10:05', 'x', NULL),
  (1, '2026-01-01 10:10', 'b', 'o1'), (1, '2026-01-01 10:20', 'c', 'o1'),
  (1, '2026-01-01 11:00', 'a', 'o2'), (1, '2026-01-01 11:10', 'b', 'o2'),
  (1, '2026-01-01 11:20', 'c', 'o1');

-- No rule: the same answers as window_funnel and funnel_times.
SELECT journey.window_funnel(t, '1 hour', '', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL) AS rules,
       journey.window_funnel(t, '1 hour', ev = 'a', ev = 'b', ev = 'c') AS plain,
       journey.funnel_times(t, '1 hour', '', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL) = 
       journey.funnel_times(t, '1 hour', ev = 'a', ev = 'b', ev = 'c') AS same_times
  FROM fr;

-- Exclusions (Mixpanel's): x between a and b voids the 10:00 chain at b;
-- the 11:00 chain (a 11:00, b 11:10, c 11:20) has no x in it: level 3.
-- exclude(1, 3) likewise; exclude(2, 3): x is before b, so nothing is
-- voided and the earliest chain (10:00, 10:10, 10:20) is reported.
SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 2)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x']) AS ex12,
       journey.funnel_times(t, '1 hour', 'exclude(1, 2)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x']) AS ex12_times,
       journey.funnel_times(t, '1 hour', 'exclude(2, 3)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x']) AS ex23_times
  FROM fr;
-- only the first three rows: the chain is voided at b and cannot start
-- again, so the level is 1 (a reached); drop_excluded (PostHog's) drops the
-- customer instead: -1, and funnel_times NULL.
SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 2)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x']) AS ex12,
       journey.window_funnel(t, '1 hour', 'exclude(1, 2), drop_excluded', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x']) AS dropped,
       journey.funnel_times(t, '1 hour', 'exclude(1, 2), drop_excluded', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x']) AS dropped_times
  FROM fr WHERE t <= '2026-01-01 10:10';
-- drop_excluded when the chain stops before step j: a at 10:00, x at
-- 10:05 within the hour's window, no b: dropped; with a window of 4
-- minutes x lies after the window's end and the customer stays at 1.
SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 2), drop_excluded', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x']) AS in_window,
       journey.window_funnel(t, '4 minutes', 'exclude(1, 2), drop_excluded', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x']) AS after_window,
       journey.window_funnel(t, '5 minutes', 'exclude(1, 2), drop_excluded', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x']) AS at_window_edge
  FROM fr WHERE t < '2026-01-01 10:10';

-- An exclusion at the same instant as a step is not strictly between.
CREATE TABLE fr_tie (t timestamptz, ev text);
INSERT INTO fr_tie VALUES ('2026-01-01 10:00', 'a'), ('2026-01-01 10:00', 'x'),
  ('2026-01-01 10:30', 'b'), ('2026-01-01 10:30', 'x');
-- x at a's instant and at b's: level 2; one microsecond after a: level 1
SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 2)', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x']) AS at_steps,
       (SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 2)', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x'])
          FROM (SELECT t, ev FROM fr_tie WHERE ev <> 'x'
                UNION ALL SELECT timestamptz '2026-01-01 10:00:00.000001', 'x') s) AS just_after
  FROM fr_tie;
-- several exclusions: the second (y between b and c) alone decides here
SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 2), exclude(2, 3)',
                             ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'z', ev = 'y']) AS two_rules
  FROM (VALUES ('2026-01-01 10:00'::timestamptz, 'a'), ('2026-01-01 10:01', 'b'),
               ('2026-01-01 10:02', 'y'), ('2026-01-01 10:03', 'c')) v(t, ev);

-- Per-step windows: b at most 10 minutes after a, inclusive, to the
-- microsecond.  a 10:00, b 10:10: the gap is exactly 10 minutes.
SELECT journey.window_funnel(t, '1 hour', 'max_gap(2, 10 minutes)', ARRAY[ev = 'a', ev = 'b'], NULL) AS at_edge,
       journey.window_funnel(t, '1 hour', 'max_gap(2, 9 minutes 59.999999 seconds)', ARRAY[ev = 'a', ev = 'b'], NULL) AS one_usec_short,
       journey.window_funnel(t, '1 hour', 'min_gap(2, 10 minutes)', ARRAY[ev = 'a', ev = 'b'], NULL) AS min_at_edge,
       journey.window_funnel(t, '1 hour', 'min_gap(2, 10 minutes 0.000001 seconds)', ARRAY[ev = 'a', ev = 'b'], NULL) AS min_one_usec_over
  FROM fr WHERE c = 1 AND t < '2026-01-01 11:00';
-- both windows hold: c must come within 15 minutes of b and within the
-- funnel's window of a.  Chain a 10:00, b 10:10, c 10:20: gap 10 min.
-- max_gap(3, 9 minutes): c 10:20 is 10 min after b 10:10 and c 11:20 is
-- 10 min after b 11:10: level 2.  With a whole window of 19 minutes and
-- max_gap(3, 1 hour): the chains' c come 20 minutes after their a: 2.
SELECT journey.window_funnel(t, '1 hour', 'max_gap(3, 15 minutes)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL) AS gap15,
       journey.window_funnel(t, '1 hour', 'max_gap(3, 9 minutes)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL) AS gap9,
       journey.window_funnel(t, '19 minutes', 'max_gap(3, 1 hour)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL) AS window19,
       journey.window_funnel(t, '20 minutes', 'max_gap(3, 10 minutes)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL) AS both_at_edge
  FROM fr;
-- with modes: under strict_increase a gap of 0 needs a later instant
SELECT journey.window_funnel(t, '1 hour', 'max_gap(2, 0 seconds)', ARRAY[ev = 'a', ev = 'b'], NULL) AS gap0,
       journey.window_funnel(t, '1 hour', 'strict_increase, max_gap(2, 0 seconds)', ARRAY[ev = 'a', ev = 'b'], NULL) AS gap0_increase
  FROM (VALUES ('2026-01-01 10:00'::timestamptz, 'a'), ('2026-01-01 10:00', 'b')) v(t, ev);
-- a later a restarts the chain: a 10:00, a 10:50, b 11:00 with
-- max_gap(2, 15 minutes): the 10:50 chain makes it
SELECT journey.window_funnel(t, '1 hour', 'max_gap(2, 15 minutes)', ARRAY[ev = 'a', ev = 'b'], NULL) AS restarted,
       journey.funnel_times(t, '1 hour', 'max_gap(2, 15 minutes)', ARRAY[ev = 'a', ev = 'b'], NULL) AS times
  FROM (VALUES ('2026-01-01 10:00'::timestamptz, 'a'), ('2026-01-01 10:50', 'a'), ('2026-01-01 11:00', 'b')) v(t, ev);

-- One object through the funnel: o1 has a 10:00, b 10:10, c 10:20 and
-- c 11:20; o2 has a 11:00, b 11:10 and no c: level 3 by o1.  With the
-- 10:20 row gone, o1's c comes 80 minutes after its a (past the hour) and
-- o2 has no c: level 2, whereas without the key a 11:00, b 11:10,
-- c 11:20 (o1) reaches 3.  A row without key is in no chain.
SELECT journey.window_funnel(t, '1 hour', '', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL, k) AS keyed,
       journey.funnel_times(t, '1 hour', '', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL, k) AS keyed_times
  FROM fr;
SELECT journey.window_funnel(t, '1 hour', '', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL, k) AS keyed,
       journey.window_funnel(t, '1 hour', '', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL) AS unkeyed
  FROM fr WHERE t <> '2026-01-01 10:20';
SELECT journey.window_funnel(t, '1 hour', '', ARRAY[ev = 'a', ev = 'b'], NULL, NULL::text) AS all_null_keys
  FROM fr;
-- the key changes mid-chain: a (k1), b (k2), c (k1): no key has b: 1
SELECT journey.window_funnel(t, '1 hour', '', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL, k) AS changed
  FROM (VALUES ('2026-01-01 10:00'::timestamptz, 'a', 'k1'), ('2026-01-01 10:01', 'b', 'k2'),
               ('2026-01-01 10:02', 'c', 'k1')) v(t, ev, k);
-- exclusions apply to every key: x (no key) voids o1's and o2's chains
SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 2)', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x'], k) AS keyed_excluded
  FROM (VALUES ('2026-01-01 10:00'::timestamptz, 'a', 'o1'), ('2026-01-01 10:00', 'a', 'o2'),
               ('2026-01-01 10:01', 'x', NULL), ('2026-01-01 10:02', 'b', 'o1'),
               ('2026-01-01 10:02', 'b', 'o2')) v(t, ev, k);

-- Time to convert comes from the chain that gave the level: a customer who
-- re-enters (a 10:00, a 10:50, b 11:00 with b within 15 minutes of a) is
-- 10 minutes from a to b, not 60.
SELECT t2[2] - t2[1] AS a_to_b
  FROM (SELECT journey.funnel_times(t, '1 hour', 'max_gap(2, 15 minutes)', ARRAY[ev = 'a', ev = 'b'], NULL) AS t2
          FROM (VALUES ('2026-01-01 10:00'::timestamptz, 'a'), ('2026-01-01 10:50', 'a'),
                       ('2026-01-01 11:00', 'b')) v(t, ev)) s;

-- Errors.
SELECT journey.window_funnel(t, '1 hour', 'exclude(2, 1)', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x']) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'exclude(2, 2)', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x']) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 3)', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x']) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'exclude(0, 2)', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x']) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'exclude(1)', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x']) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'max_gap(1, 1 hour)', ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'max_gap(2, -1 minute)', ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'min_gap(2, -1 minute)', ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'max_gap(2, soon)', ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'max_gap(2)', ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'max_gap(2, 1 minute), max_gap(2, 2 minutes)', ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'min_gap(2, 2 minutes), max_gap(2, 1 minute)', ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'min_gap(2, 1 minute), max_gap(2, 1 minute)', ARRAY[ev = 'a', ev = 'b'], NULL) AS min_equals_max FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'hold(k)', ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'allow_reentry', ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', NULL, ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, NULL, '', ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', '', NULL::bool[], NULL) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 2)', ARRAY[ev = 'a', ev = 'b'], ARRAY[ev = 'x', ev = 'y']) FROM fr;
SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 2)', ARRAY[ev = 'a', ev = 'b'], ARRAY[[true], [false]]) FROM fr;
-- one element, but in two dimensions
SELECT journey.window_funnel(t, '1 hour', 'exclude(1, 2)', ARRAY[ev = 'a', ev = 'b'], ARRAY[[true]]) FROM fr;
SELECT journey.window_funnel(t, CASE WHEN ev = 'a' THEN interval '1 hour' ELSE interval '2 hours' END, '',
                             ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
-- too many exclusions: 33 rules
SELECT journey.window_funnel(t, '1 hour', (SELECT string_agg('exclude(1, 2)', ', ') FROM generate_series(1, 33)),
                             ARRAY[ev = 'a', ev = 'b'], NULL) FROM fr;
-- 32 exclusions are fine
SELECT journey.window_funnel(t, '1 hour', (SELECT string_agg('exclude(1, 2)', ', ') FROM generate_series(1, 32)),
                             ARRAY[ev = 'a', ev = 'b'], array_fill(false, ARRAY[32])) AS thirty_two FROM fr;

-- The work is bounded: with both a minimum and a maximum gap before step 3
-- no chain at step 2 dominates another (each is best for some later c), so
-- 12,000 b after one a keep 12,000 chains, each new one compared with those
-- kept (about 144 million steps of work, past the bound of 50 million).
SELECT journey.window_funnel(t, '1 day', 'max_gap(3, 1 day), min_gap(3, 10 seconds)',
                             ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL)
  FROM (SELECT timestamptz '2026-01-01' + make_interval(secs => i) AS t,
               CASE WHEN i = 0 THEN 'a' ELSE 'b' END AS ev
          FROM generate_series(0, 12000) i) s;
-- and that work answers a cancel: the same group under a 100 ms timeout
-- (it runs for more than a second before the bound stops it)
SET statement_timeout = '100ms';
SELECT journey.window_funnel(t, '1 day', 'max_gap(3, 1 day), min_gap(3, 10 seconds)',
                             ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL)
  FROM (SELECT timestamptz '2026-01-01' + make_interval(secs => i) AS t,
               CASE WHEN i = 0 THEN 'a' ELSE 'b' END AS ev
          FROM generate_series(0, 12000) i) s;
SELECT journey.funnel_times(t, '1 day', 'max_gap(3, 1 day), min_gap(3, 10 seconds)',
                            ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL)
  FROM (SELECT timestamptz '2026-01-01' + make_interval(secs => i) AS t,
               CASE WHEN i = 0 THEN 'a' ELSE 'b' END AS ev
          FROM generate_series(0, 12000) i) s;
RESET statement_timeout;
-- with only a maximum gap the latest chain dominates: the same group is quick
SELECT journey.window_funnel(t, '1 day', 'max_gap(3, 1 day)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL)
  FROM (SELECT timestamptz '2026-01-01' + make_interval(secs => i) AS t,
               CASE WHEN i = 0 THEN 'a' ELSE 'b' END AS ev
          FROM generate_series(0, 12000) i) s;

-- Forced parallel: the same answers per customer as a serial plan.
CREATE TABLE fr_big AS
SELECT c, timestamptz '2026-01-01' + make_interval(mins => (c * 37 + i * 11) % 240) AS t,
       (ARRAY['a', 'b', 'c', 'x', 'b', 'c'])[1 + abs(hashint4(c * 100 + i)) % 6] AS ev, 'o' || abs(hashint4(c * 100 + i + 7)) % 2 AS k
  FROM generate_series(1, 500) c, generate_series(1, 10) i;
ANALYZE fr_big;
CREATE TABLE fr_serial AS
SELECT c, journey.window_funnel(t, '2 hours', 'exclude(1, 3), max_gap(2, 30 minutes)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x'], k) AS l,
       journey.funnel_times(t, '2 hours', 'exclude(1, 2), drop_excluded, min_gap(3, 5 minutes)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x']) AS ft
  FROM fr_big GROUP BY c;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET enable_hashagg = off; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT journey.window_funnel(t, '2 hours', 'exclude(1, 3)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x'], k)
  FROM fr_big;
SELECT count(*) AS customers, count(*) FILTER (WHERE s.l = p.l AND s.ft IS NOT DISTINCT FROM p.ft) AS same,
       count(*) FILTER (WHERE p.l = 2) AS level2, count(*) FILTER (WHERE p.l = 3) AS level3,
       count(*) FILTER (WHERE cardinality(p.ft) = 3) AS times3, count(*) FILTER (WHERE p.ft IS NULL) AS dropped
  FROM fr_serial s JOIN (
    SELECT c, journey.window_funnel(t, '2 hours', 'exclude(1, 3), max_gap(2, 30 minutes)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x'], k) AS l,
           journey.funnel_times(t, '2 hours', 'exclude(1, 2), drop_excluded, min_gap(3, 5 minutes)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], ARRAY[ev = 'x']) AS ft
      FROM fr_big GROUP BY c) p USING (c);
RESET ALL;

-- time_to_convert: the distribution of the time from step a to step b,
-- checked against PostgreSQL's own avg, percentile_cont and width_bucket
-- over the same gaps (the buckets run from the shortest to the longest
-- gap, which goes in the last bucket).
CREATE TABLE fr_times AS
SELECT c, journey.funnel_times(t, '2 hours', 'max_gap(2, 90 minutes)', ARRAY[ev = 'a', ev = 'b', ev = 'c'], NULL) AS ft
  FROM fr_big GROUP BY c;
SELECT (journey.time_to_convert(ft, 1, 3, '{0, 0.25, 0.9, 1}', 5)).* FROM fr_times;
SELECT count(*) AS customers, avg(x) AS mean_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS median_seconds,
       percentile_cont(ARRAY[0, 0.25, 0.9, 1]) WITHIN GROUP (ORDER BY x) AS percentile_seconds
  FROM (SELECT extract(epoch FROM ft[3] - ft[1])::float8 AS x FROM fr_times WHERE cardinality(ft) >= 3) s;
SELECT array_agg(n ORDER BY b) AS bucket_customers
  FROM (SELECT least(width_bucket(x, lo, hi, 5), 5) AS b, count(*) AS n
          FROM (SELECT extract(epoch FROM ft[3] - ft[1])::float8 AS x FROM fr_times WHERE cardinality(ft) >= 3) s,
               (SELECT min(extract(epoch FROM ft[3] - ft[1]))::float8 AS lo, max(extract(epoch FROM ft[3] - ft[1]))::float8 AS hi
                  FROM fr_times WHERE cardinality(ft) >= 3) m
         GROUP BY 1) s;
-- steps 2 to 3, no percentile, no bucket; one customer; none
SELECT (journey.time_to_convert(ft, 2, 3, NULL, 0)).customers FROM fr_times;
SELECT (journey.time_to_convert(ft, 1, 2, '{0.5}', 3)).*
  FROM (VALUES (ARRAY['2026-01-01 10:00'::timestamptz, '2026-01-01 10:01:30'])) v(ft);
SELECT (journey.time_to_convert(ft, 1, 2, '{0.5}', 3)).*
  FROM (VALUES (ARRAY['2026-01-01 10:00'::timestamptz]), (NULL)) v(ft);
-- the same under a forced parallel plan
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
ANALYZE fr_times;
EXPLAIN (COSTS OFF) SELECT journey.time_to_convert(ft, 1, 3, '{0.25}', 5) FROM fr_times;
SELECT (journey.time_to_convert(ft, 1, 3, '{0, 0.25, 0.9, 1}', 5)).* FROM fr_times;
RESET ALL;
-- errors
SELECT journey.time_to_convert(ft, 2, 2, NULL, 0) FROM fr_times;
SELECT journey.time_to_convert(ft, 0, 2, NULL, 0) FROM fr_times;
SELECT journey.time_to_convert(ft, 1, 33, NULL, 0) FROM fr_times;
SELECT journey.time_to_convert(ft, 1, 2, '{1.5}', 0) FROM fr_times;
SELECT journey.time_to_convert(ft, 1, 2, '{NaN}', 0) FROM fr_times;
SELECT journey.time_to_convert(ft, 1, 2, NULL, -1) FROM fr_times;
SELECT journey.time_to_convert(ft, 1, 2, NULL, 1001) FROM fr_times;
SELECT journey.time_to_convert(ft, 1, 2, '{{0.5}}', 0) FROM fr_times;
SELECT journey.time_to_convert(ft, 1, 2, array_fill(0.5::float8, ARRAY[101]), 0) FROM fr_times;
SELECT journey.time_to_convert(ARRAY[ft], 1, 2, NULL, 0) FROM fr_times;
SELECT journey.time_to_convert(ft, 1, 2, NULL, NULL) FROM fr_times;
SELECT journey.time_to_convert(ARRAY['2026-01-02'::timestamptz, '2026-01-01'], 1, 2, NULL, 0);
SELECT journey.time_to_convert(ARRAY['2026-01-02'::timestamptz, 'infinity'], 1, 2, NULL, 0);
-- the widest span: from the first timestamp PostgreSQL has, 2^63 - 1
-- microseconds fit in the gap; one more does not
SELECT (journey.time_to_convert(ARRAY[t, t + w], 1, 2, '{0.5}', 1)).*
  FROM (SELECT timestamptz '4714-11-24 00:00:00+00 BC' AS t,
               interval '9223372036854 seconds' + interval '775807 microseconds' AS w) x;
SELECT journey.time_to_convert(ARRAY[t, t + w + interval '1 microsecond'], 1, 2, NULL, 0)
  FROM (SELECT timestamptz '4714-11-24 00:00:00+00 BC' AS t,
               interval '9223372036854 seconds' + interval '775807 microseconds' AS w) x;
SELECT journey.time_to_convert(ft, 1, c % 2 + 2, NULL, 0) FROM fr_times;

-- The moment report with step rules of registered moments (journey.moment's
-- max_gap, min_gap, excluded_events, excluded_since).
CREATE TABLE mr (customer text, ts timestamptz, event text);
INSERT INTO mr VALUES
  ('c1', '2026-01-01 10:00', 'visit'), ('c1', '2026-01-01 10:05', 'support'),
  ('c1', '2026-01-01 10:10', 'cart'), ('c1', '2026-01-01 10:20', 'pay'),
  ('c2', '2026-01-01 10:00', 'visit'), ('c2', '2026-01-01 12:00', 'cart'),
  ('c2', '2026-01-01 12:30', 'pay'),
  ('c3', '2026-01-01 10:00', 'visit'), ('c3', '2026-01-01 10:30', 'cart');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('rules', 'mr', 'customer', 'ts', 'event');
-- (three moments: the registry's notice about fewer than five is not shown)
SET client_min_messages = warning;
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('rules', 1, 'Visit', 'visit'), ('rules', 2, 'Cart', 'cart'), ('rules', 3, 'Pay', 'pay');
-- no rule (the report engine): 3, 3 and 2 customers; visit to cart takes
-- 10 min, 2 h, 30 min (median 30 min), cart to pay 10 and 30 min (20)
SELECT * FROM journey.moment_report('rules');
-- a rule that changes nothing (computed by SQL): the same rows
UPDATE journey.moment SET max_gap = '100 days' WHERE source = 'rules' AND position = 2;
SELECT * FROM journey.moment_report('rules');
-- cart at most 2 hours after visit, inclusive: c2's cart is exactly 2
-- hours after; one microsecond less and c2 stops at Visit (3, 2, 1;
-- medians 20 min and 10 min)
UPDATE journey.moment SET max_gap = '2 hours' WHERE source = 'rules' AND position = 2;
SELECT position, customers_reached FROM journey.moment_report('rules');
UPDATE journey.moment SET max_gap = '1 hour 59 minutes 59.999999 seconds' WHERE source = 'rules' AND position = 2;
SELECT * FROM journey.moment_report('rules');
-- and support between visit and cart voids c1's chain at cart (3, 1, 0)
UPDATE journey.moment SET excluded_events = '{support}' WHERE source = 'rules' AND position = 2;
SELECT * FROM journey.moment_report('rules');
-- the exclusion from visit to pay instead (excluded_since 1): c1 reaches
-- cart but not pay (3, 3, 1); a minimum of 15 minutes from cart to pay
-- leaves c1's 10 minutes out as well (3, 3, 1)
UPDATE journey.moment SET excluded_events = NULL, max_gap = NULL WHERE source = 'rules' AND position = 2;
UPDATE journey.moment SET excluded_events = '{support}', excluded_since = 1 WHERE source = 'rules' AND position = 3;
SELECT position, customers_reached, customers_next FROM journey.moment_report('rules');
UPDATE journey.moment SET excluded_events = NULL, excluded_since = NULL, min_gap = '15 minutes'
 WHERE source = 'rules' AND position = 3;
SELECT position, customers_reached, customers_next FROM journey.moment_report('rules');
-- the view reads the rules as well
SELECT position, customers_reached FROM journey.moment_conversion WHERE source = 'rules';
-- rules the registry refuses
UPDATE journey.moment SET max_gap = '1 hour' WHERE source = 'rules' AND position = 1;
UPDATE journey.moment SET max_gap = '-1 hour' WHERE source = 'rules' AND position = 2;
UPDATE journey.moment SET min_gap = '2 hours', max_gap = '1 hour' WHERE source = 'rules' AND position = 2;
UPDATE journey.moment SET excluded_events = '{support}', excluded_since = 3 WHERE source = 'rules' AND position = 3;
UPDATE journey.moment SET excluded_since = 1 WHERE source = 'rules' AND position = 3;
UPDATE journey.moment SET excluded_events = '{}' WHERE source = 'rules' AND position = 3;
UPDATE journey.moment SET excluded_events = '{a, NULL}' WHERE source = 'rules' AND position = 3;
-- more than 32 exclusions in all
UPDATE journey.moment SET excluded_events = array_fill('support'::text, ARRAY[17])
 WHERE source = 'rules' AND position IN (2, 3);
SELECT * FROM journey.moment_report('rules');
DELETE FROM journey.source WHERE name = 'rules';
DROP TABLE mr;
RESET client_min_messages;

-- A damaged state is refused by the final functions: a test hook (not in
-- the install script) builds a state from its parameters (window, steps,
-- mode bits: 512 marks the rules forms, 1024 a key, 256 funnel_times;
-- rules text) and its events (times in microseconds, steps met as a
-- bitmask, exclusions as the value, keys), then answers as the final
-- function does.  A valid one first: a at 0 s, x at 1 s, b at 2 s.
CREATE FUNCTION rules_check(bigint, int, int, text, bigint[], int[], float8[], text[], bool)
  RETURNS text AS 'journey', 'journey_funnel_rules_check' LANGUAGE C STRICT;
SELECT rules_check(10000000, 2, 512, 'exclude(1, 2)', '{0,1000000,2000000}', '{1,0,2}',
                   '{0,1,0}', '{NULL,NULL,NULL}', true) AS valid;
SELECT rules_check(10000000, 2, 512, 'exclude(1, 2)', '{0,1000000,2000000}', '{1,0,2}',
                   '{0,2,0}', '{NULL,NULL,NULL}', false) AS exclusion_beyond_the_rules;
SELECT rules_check(10000000, 2, 512, 'exclude(1, 2)', '{0,1000000,2000000}', '{1,0,2}',
                   '{0,0.5,0}', '{NULL,NULL,NULL}', false) AS exclusion_not_a_mask;
SELECT rules_check(10000000, 2, 0, 'exclude(1, 2)', '{0}', '{1}', '{0}', '{NULL}', false) AS not_a_rules_state;
SELECT rules_check(10000000, 2, 512 | 4096, '', '{0}', '{1}', '{0}', '{NULL}', false) AS unknown_bits;
SELECT rules_check(10000000, 0, 512, '', '{0}', '{1}', '{0}', '{NULL}', false) AS no_steps;
-- keys: o1 reaches both steps, o2 only the first
SELECT rules_check(10000000, 2, 512 | 1024, '', '{0,1,2}', '{1,1,2}', '{0,0,0}', '{o2,o1,o1}', true) AS keyed;
-- time_to_convert: mode bits 65536 mark the state, plus to_step; from_step
-- as the number of conditions, buckets as the interval, the percentiles'
-- doubles as the text; one event per customer, its time the gap.
CREATE FUNCTION ttc_check(bigint, int, int, text, bigint[], int[], float8[], text[])
  RETURNS journey.conversion_time AS 'journey', 'journey_time_to_convert_check' LANGUAGE C STRICT;
SELECT (ttc_check(2, 1, 65536 | 2, '', '{1000000,3000000}', '{0,0}', '{0,0}', '{NULL,NULL}')).* ;
SELECT ttc_check(2, 1, 65536 | 2, '', '{-1000000}', '{0}', '{0}', '{NULL}') AS negative_time;
SELECT ttc_check(-1, 1, 65536 | 2, '', '{1000000}', '{0}', '{0}', '{NULL}') AS negative_buckets;
SELECT ttc_check(1001, 1, 65536 | 2, '', '{1000000}', '{0}', '{0}', '{NULL}') AS too_many_buckets;
SELECT ttc_check(2, 2, 65536 | 2, '', '{1}', '{0}', '{0}', '{NULL}') AS steps_out_of_order;
SELECT ttc_check(2, 1, 2, '', '{1}', '{0}', '{0}', '{NULL}') AS not_a_time_to_convert_state;
SELECT ttc_check(2000, 1, 65536 | 2, '', '{1}', '{0}', '{0}', '{NULL}') AS too_many_buckets;
SELECT ttc_check(2, 1, 65536 | 2, 'abc', '{1}', '{0}', '{0}', '{NULL}') AS percentiles_cut;
SELECT ttc_check(2, 1, 65536 | 2, 'AAAAAAAA', '{1}', '{0}', '{0}', '{NULL}') AS percentile_out_of_range;
