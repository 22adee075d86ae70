-- The report engine: funnel_report, path_report, transition_report and
-- sequence_report.  Each report is shown on a small source, then checked
-- against its GROUP BY customer form written out here (disagreements:
-- expect none), through the engine (a table) and through SQL (a view of
-- the same rows).
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET extra_float_digits = 0;
CREATE TABLE rep (cust int, at timestamptz, what text, chan text);
-- 1: a b c d within a day (Paid, then Email); 2: a b, c after 9 days;
-- 3: a only; 4: b c without a; 5: a x b c, d after 15 days;
-- 6: a b c d within 40 minutes, b and c at the same instant as a;
-- 7: a twice, b an hour after the second; NULL customer: a b;
-- 8: only rows without a time, or without an event
INSERT INTO rep VALUES
  (1, '2026-03-01 10:00', 'a', 'Paid'), (1, '2026-03-01 11:00', 'b', 'Paid'),
  (1, '2026-03-01 12:00', 'c', 'Email'), (1, '2026-03-01 13:00', 'd', 'Email'),
  (2, '2026-03-02 10:00', 'a', 'Email'), (2, '2026-03-02 10:30', 'b', 'Email'),
  (2, '2026-03-11 10:00', 'c', 'Email'),
  (3, '2026-03-03 09:00', 'a', 'Paid'),
  (4, '2026-03-04 09:00', 'b', 'Email'), (4, '2026-03-04 10:00', 'c', NULL),
  (5, '2026-03-05 09:00', 'a', 'Paid'), (5, '2026-03-05 09:30', 'x', 'Paid'),
  (5, '2026-03-06 09:00', 'b', 'Paid'), (5, '2026-03-07 09:00', 'c', 'Paid'),
  (5, '2026-03-20 09:00', 'd', 'Paid'),
  (6, '2026-03-08 08:00', 'c', 'Email'), (6, '2026-03-08 08:00', 'b', 'Paid'),
  (6, '2026-03-08 08:00', 'a', 'Paid'), (6, '2026-03-08 08:40', 'd', 'Paid'),
  (7, '2026-03-09 08:00', 'a', 'Direct'), (7, '2026-03-10 08:00', 'a', 'Direct'),
  (7, '2026-03-10 09:00', 'b', 'Email'),
  (NULL, '2026-03-12 08:00', 'a', 'Paid'), (NULL, '2026-03-12 08:30', 'b', 'Paid'),
  (8, NULL, 'a', 'Paid'), (8, '2026-03-13 08:00', NULL, 'Paid');
CREATE VIEW rep_view AS SELECT * FROM rep;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
VALUES ('shop', 'rep', 'cust', 'at', 'what', 'chan'),
       ('shop_view', 'rep_view', 'cust', 'at', 'what', 'chan');
INSERT INTO journey.moment VALUES ('shop', 1, 'Arrive', 'a'), ('shop', 2, 'Browse', 'b'),
  ('shop', 3, 'Cart', 'c'), ('shop', 4, 'Buy', 'd'), ('shop', 5, 'Return', 'r');
INSERT INTO journey.moment SELECT 'shop_view', position, name, event_name
  FROM journey.moment WHERE source = 'shop';
-- the table is read by the engine, the view through SQL
SELECT journey.report_method('shop') AS shop, journey.report_method('shop_view') AS shop_view;

-- ---------------------------------------------------------------------
-- funnel_report
-- ---------------------------------------------------------------------

-- the moments, 7 days: 1, 2, 3, 5, 6, 7 and NULL reach Arrive (8's a has
-- no time); 3 stops there;
-- 2, 7 and NULL stop at Browse (2's c is too late); 5 stops at Cart (d too
-- late); 1 and 6 reach Buy; nobody Return
SELECT * FROM journey.funnel_report('shop');
-- the same rows through SQL
SELECT * FROM journey.funnel_report('shop_view');

-- The GROUP BY customer form: levels from window_funnel, medians of the
-- gaps of funnel_times' chain.  Compared with both sources for several
-- windows; expect no disagreement, and 5 rows per source and window.
CREATE FUNCTION funnel_ref(w interval)
RETURNS TABLE (step int, customers bigint, conv_prev float8, conv_first float8, median float8)
LANGUAGE sql AS $$
  WITH per AS (
    SELECT journey.window_funnel(at, w, what = 'a', what = 'b', what = 'c', what = 'd', what = 'r') AS lvl,
           journey.funnel_times(at, w, what = 'a', what = 'b', what = 'c', what = 'd', what = 'r') AS t
      FROM rep GROUP BY cust
  ), steps AS (
    SELECT k AS step, (SELECT count(*) FROM per WHERE lvl >= k) AS customers,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t[k] - t[k - 1])::float8)
              FROM per WHERE lvl >= k AND k >= 2) AS median
      FROM generate_series(1, 5) k
  )
  SELECT step, customers,
         customers::float8 / NULLIF(lag(customers) OVER (ORDER BY step), 0),
         customers::float8 / NULLIF(first_value(customers) OVER (ORDER BY step), 0),
         median
    FROM steps
$$;
SELECT s.source, w.w, count(*) AS rows,
       count(*) FILTER (WHERE (r.customers, r.conversion_from_previous, r.conversion_from_first,
                               r.median_seconds_from_previous)
                              IS DISTINCT FROM (f.customers, f.conv_prev, f.conv_first, f.median)) AS disagreements
  FROM unnest(ARRAY['shop', 'shop_view']) s(source),
       unnest(ARRAY['0', '30 minutes', '1 hour', '1 day', '7 days', '10 days', '30 days']::interval[]) w(w),
       LATERAL journey.funnel_report(s.source, conversion_window => w.w) r
  JOIN LATERAL funnel_ref(w.w) f ON f.step = r.step
 GROUP BY 1, 2 ORDER BY 1, 2;

-- steps given as event names (their names are the events); a step may repeat
SELECT step, name, customers, conversion_from_previous
  FROM journey.funnel_report('shop', ARRAY['a', 'b', 'b']);
SELECT step, name, customers FROM journey.funnel_report('shop', ARRAY['b', 'c'], '1 hour');
-- a window of NULL is the source's moment_window
UPDATE journey.source SET moment_window = '1 hour' WHERE name = 'shop';
SELECT step, customers FROM journey.funnel_report('shop', conversion_window => NULL);
UPDATE journey.source SET moment_window = '7 days' WHERE name = 'shop';

-- modes, against window_funnel with the same modes (no medians with modes)
SELECT m.modes, s.source,
       array_agg(r.customers ORDER BY r.step) AS customers,
       bool_and(r.median_seconds_from_previous IS NULL) AS no_medians,
       array_agg(r.customers ORDER BY r.step) =
       (SELECT array_agg((SELECT count(*) FROM (
                 SELECT journey.window_funnel(at, '7 days', m.modes, what = 'a', what = 'b', what = 'c', what = 'd') AS lvl
                   FROM rep GROUP BY cust) x WHERE x.lvl >= k) ORDER BY k)
          FROM generate_series(1, 4) k) AS agrees
  FROM unnest(ARRAY['strict_order', 'strict_deduplication', 'strict_increase', 'strict_once',
                    'strict_order, allow_reentry']) m(modes),
       unnest(ARRAY['shop', 'shop_view']) s(source),
       LATERAL journey.funnel_report(s.source, ARRAY['a', 'b', 'c', 'd'], modes => m.modes) r
 GROUP BY 1, 2 ORDER BY 1, 2;

-- a period: events from since (inclusive) until until (exclusive); customer
-- 2's a and b fall outside, customer 8 has no row left
SELECT step, customers, median_seconds_from_previous
  FROM journey.funnel_report('shop', since => '2026-03-03', until => '2026-03-09');
SELECT step, customers, median_seconds_from_previous
  FROM journey.funnel_report('shop_view', since => '2026-03-03', until => '2026-03-09');

-- segments: the channel of each customer's first row (ties: the lowest
-- text; NULL last): 6's three first rows make it Email, 8's first timed
-- row Paid, 4 is Email without reaching a
SELECT segment, step, customers, conversion_from_previous
  FROM journey.funnel_report('shop', ARRAY['a', 'b'], segment_column => 'chan');
SELECT segment, step, customers, conversion_from_previous
  FROM journey.funnel_report('shop_view', ARRAY['a', 'b'], segment_column => 'chan');
-- against the GROUP BY form (segments with no customer at step 1 too)
SELECT count(*) AS rows,
       count(*) FILTER (WHERE r.customers IS DISTINCT FROM f.customers) AS disagreements
  FROM journey.funnel_report('shop', ARRAY['a', 'b'], segment_column => 'chan') r
  FULL JOIN (
    SELECT seg, k, count(*) FILTER (WHERE lvl >= k) AS customers
      FROM (SELECT (array_agg(chan ORDER BY at, chan COLLATE "C"))[1] AS seg,
                   journey.window_funnel(at, '7 days', what = 'a', what = 'b') AS lvl
              FROM rep GROUP BY cust) c, generate_series(1, 2) k
     GROUP BY seg, k) f ON f.seg IS NOT DISTINCT FROM r.segment AND f.k = r.step;
-- one segment only
SELECT segment, step, customers
  FROM journey.funnel_report('shop', ARRAY['a', 'b'], segment_column => 'chan', segment_value => 'Email');
SELECT segment, step, customers
  FROM journey.funnel_report('shop_view', ARRAY['a', 'b'], segment_column => 'chan', segment_value => 'Email');
-- a segment column of another type (its text form)
SELECT segment, step, customers
  FROM journey.funnel_report('shop', ARRAY['a'], segment_column => 'at', since => '2026-03-08') ORDER BY 1;

-- an empty period: the funnel's steps, nobody in them
SELECT * FROM journey.funnel_report('shop', ARRAY['a', 'b'], since => '2030-01-01');
SELECT * FROM journey.funnel_report('shop_view', ARRAY['a', 'b'], since => '2030-01-01');

-- errors
SELECT * FROM journey.funnel_report('nope');
SELECT * FROM journey.funnel_report(NULL);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('bare', 'rep', 'cust', 'at', 'what');
SELECT * FROM journey.funnel_report('bare');
SELECT * FROM journey.funnel_report('shop', ARRAY[]::text[]);
SELECT * FROM journey.funnel_report('shop', ARRAY['a', NULL]);
SELECT * FROM journey.funnel_report('shop', ARRAY[['a', 'b'], ['c', 'd']]);
SELECT * FROM journey.funnel_report('shop', (SELECT array_agg('e' || k) FROM generate_series(1, 33) k));
SELECT * FROM journey.funnel_report('shop', conversion_window => '-1 day');
SELECT * FROM journey.funnel_report('shop', modes => 'strict');
SELECT * FROM journey.funnel_report('shop', modes => 'allow_reentry');
SELECT * FROM journey.funnel_report('shop', segment_value => 'Paid');
SELECT * FROM journey.funnel_report('shop', segment_column => 'channel');

-- ---------------------------------------------------------------------
-- path_report
-- ---------------------------------------------------------------------

-- every customer with a labelled event, top 3 paths by customers (ties by
-- the path, bytewise), then (other): 9 customers in all (4's NULL label
-- is skipped; 8's row without a time too)
SELECT * FROM journey.path_report('shop', 3);
SELECT * FROM journey.path_report('shop_view', 3);
-- against path_agg GROUP BY customer, every path (top 100): the same
-- counts and ranks
CREATE FUNCTION paths_ref(transforms text[])
RETURNS TABLE (path text[], customers bigint, rank int)
LANGUAGE sql AS $$
  SELECT path, count(*), (row_number() OVER (ORDER BY count(*) DESC, path COLLATE "C"))::int
    FROM (SELECT CASE WHEN transforms IS NULL THEN p ELSE journey.path_transform(p, VARIADIC transforms) END AS path
            FROM (SELECT journey.path_agg(chan, at) AS p FROM rep GROUP BY cust) x
           WHERE p IS NOT NULL) y
   GROUP BY path
$$;
SELECT s.source, t.transforms, count(*) AS rows,
       count(*) FILTER (WHERE (r.customers, r.rank) IS DISTINCT FROM (f.customers, f.rank)) AS disagreements
  FROM unnest(ARRAY['shop', 'shop_view']) s(source),
       (VALUES (NULL::text[]), (ARRAY['exposure']), (ARRAY['first']), (ARRAY['frequency']),
               (ARRAY['trim_long_path(1)']), (ARRAY['remove_if_not_all(Paid)', 'exposure'])) t(transforms),
       LATERAL journey.path_report(s.source, 100, t.transforms) r
  LEFT JOIN LATERAL paths_ref(t.transforms) f ON f.path = r.path
 WHERE r.rank IS NOT NULL
 GROUP BY 1, 2 ORDER BY 1, 2;
-- transforms, a label column, a period, a segment
SELECT * FROM journey.path_report('shop', 3, ARRAY['exposure']);
SELECT * FROM journey.path_report('shop', 2, label_column => 'what');
SELECT * FROM journey.path_report('shop', 2, since => '2026-03-05', until => '2026-03-09');
SELECT * FROM journey.path_report('shop_view', 2, since => '2026-03-05', until => '2026-03-09');
SELECT * FROM journey.path_report('shop', 2, segment_column => 'chan', segment_value => 'Email');
SELECT * FROM journey.path_report('shop_view', 2, segment_column => 'chan', segment_value => 'Email');
-- top 0: (other) alone; nothing in range: (other) with no customer
SELECT * FROM journey.path_report('shop', 0);
SELECT * FROM journey.path_report('shop', since => '2030-01-01');
SELECT * FROM journey.path_report('shop_view', since => '2030-01-01');
-- errors
SELECT * FROM journey.path_report('bare');
SELECT * FROM journey.path_report('shop', -1);
SELECT * FROM journey.path_report('shop', NULL);
SELECT * FROM journey.path_report('shop', transforms => ARRAY['nope']);
SELECT * FROM journey.path_report('shop', label_column => 'nope');
SELECT * FROM journey.path_report('shop', segment_column => 'chan');
SELECT * FROM journey.path_report('shop', segment_value => 'Paid');

-- ---------------------------------------------------------------------
-- transition_report
-- ---------------------------------------------------------------------

-- the first 2 steps of every path, for a Sankey chart: shares of the step
SELECT * FROM journey.transition_report('shop', 2);
SELECT * FROM journey.transition_report('shop_view', 2);
-- edges under a quarter of their step folded into (other)
SELECT * FROM journey.transition_report('shop', 2, 0.25);
SELECT * FROM journey.transition_report('shop_view', 2, 0.25);
-- against transitions() of path_agg GROUP BY customer, every step
SELECT s.source, count(*) AS rows,
       count(*) FILTER (WHERE r.customers IS DISTINCT FROM f.customers) AS disagreements
  FROM unnest(ARRAY['shop', 'shop_view']) s(source),
       LATERAL journey.transition_report(s.source, 100) r
  FULL JOIN LATERAL (
    SELECT t.step, t.from_label, t.to_label, count(*) AS customers
      FROM (SELECT journey.path_agg(chan, at) AS p FROM rep GROUP BY cust) x,
           journey.transitions(x.p) t
     GROUP BY 1, 2, 3) f USING (step, from_label, to_label)
 GROUP BY 1 ORDER BY 1;
SELECT * FROM journey.transition_report('shop', 3, transforms => ARRAY['exposure'],
                                        since => '2026-03-05');
-- errors
SELECT * FROM journey.transition_report('shop', 0);
SELECT * FROM journey.transition_report('shop', 2, 1.5);
SELECT * FROM journey.transition_report('shop', 2, 'NaN');
SELECT * FROM journey.transition_report('shop', 2, NULL);
SELECT * FROM journey.transition_report('shop', transforms => ARRAY['trim_long_path(0)']);

-- ---------------------------------------------------------------------
-- sequence_report
-- ---------------------------------------------------------------------

-- a then b within an hour: customers 1, 2, 6, 7 and NULL (6's b is at a's
-- instant, read after it); (?1) alone: 7's two a's are two matches
SELECT * FROM journey.sequence_report('shop', '(?1)(?t<=3600)(?2)', 'a', 'b');
SELECT * FROM journey.sequence_report('shop_view', '(?1)(?t<=3600)(?2)', 'a', 'b');
SELECT * FROM journey.sequence_report('shop', '(?1)', 'a');
-- against sequence_match / sequence_count GROUP BY customer
SELECT p.pattern, s.source, r.customers, r.matches,
       (r.customers, r.matches) = (SELECT count(*) FILTER (WHERE m), sum(c)
                                     FROM (SELECT journey.sequence_match(p.pattern, at, what = 'a', what = 'b', what = 'c') AS m,
                                                  journey.sequence_count(p.pattern, at, what = 'a', what = 'b', what = 'c') AS c
                                             FROM rep GROUP BY cust) x) AS agrees
  FROM unnest(ARRAY['(?1)', '(?1).*(?3)', '(?1)(?2)', '(?1).(?3)', '(?2)(?t>=86400)(?3)',
                    '(?1)(?t<=0)(?2)']) p(pattern),
       unnest(ARRAY['shop', 'shop_view']) s(source),
       LATERAL journey.sequence_report(s.source, p.pattern, 'a', 'b', 'c') r
 ORDER BY 1, 2;
-- a period and a segment: events as an array
SELECT * FROM journey.sequence_report('shop', '(?1).*(?2)', ARRAY['a', 'c'], '2026-03-05');
SELECT * FROM journey.sequence_report('shop_view', '(?1).*(?2)', ARRAY['a', 'c'], '2026-03-05');
SELECT * FROM journey.sequence_report('shop', '(?1).*(?2)', ARRAY['a', 'c'], NULL,
                                      segment_column => 'chan', segment_value => 'Paid');
-- errors
SELECT * FROM journey.sequence_report('shop', '(?3)', 'a', 'b');
SELECT * FROM journey.sequence_report('shop', NULL, 'a');
SELECT * FROM journey.sequence_report('shop', '(?1)', VARIADIC ARRAY[]::text[]);
SELECT * FROM journey.sequence_report('shop', '(?1)', VARIADIC ARRAY['a', NULL]);
SELECT * FROM journey.sequence_report('shop', '(?1)', ARRAY['a'], NULL, segment_column => 'chan');

-- ---------------------------------------------------------------------
-- what the engine reads, and who may
-- ---------------------------------------------------------------------

-- a customer with more events than journey.max_events_per_group: the
-- aggregates' error, from the engine (customer 5 has 4 funnel events; 7's
-- three a, b are at the limit) and through SQL
SET journey.max_events_per_group = 3;
SELECT step, customers FROM journey.funnel_report('shop', ARRAY['a', 'b']);
SELECT * FROM journey.funnel_report('shop', ARRAY['a', 'b', 'c', 'd']);
SELECT * FROM journey.funnel_report('shop_view', ARRAY['a', 'b', 'c', 'd']);
RESET journey.max_events_per_group;

-- a parallel worker (forced) gives the same rows (the differential suite
-- test/suites/27_report_differential.sh covers workers and spilling at size)
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT * FROM journey.funnel_report('shop') EXCEPT ALL SELECT * FROM journey.funnel_report('shop_view');
SELECT * FROM journey.path_report('shop', 3) EXCEPT ALL SELECT * FROM journey.path_report('shop_view', 3);
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- a materialized view is read by the engine, unless it is not populated;
-- a partitioned table partition by partition (columns numbered differently
-- in each); a table with children with them
CREATE MATERIALIZED VIEW rep_mv AS SELECT * FROM rep;
CREATE MATERIALIZED VIEW rep_mv_empty AS SELECT * FROM rep WITH NO DATA;
CREATE TABLE rep_part (dropped int, cust int, at timestamptz, what text, chan text)
  PARTITION BY RANGE (at);
ALTER TABLE rep_part DROP COLUMN dropped;
CREATE TABLE rep_part_1 PARTITION OF rep_part FOR VALUES FROM (MINVALUE) TO ('2026-03-06');
CREATE TABLE rep_part_2 (chan text, what text, at timestamptz, cust int);
ALTER TABLE rep_part ATTACH PARTITION rep_part_2 FOR VALUES FROM ('2026-03-06') TO (MAXVALUE);
CREATE TABLE rep_part_3 PARTITION OF rep_part DEFAULT;
INSERT INTO rep_part SELECT cust, at, what, chan FROM rep;
CREATE TABLE rep_parent (cust int, at timestamptz, what text, chan text);
CREATE TABLE rep_child () INHERITS (rep_parent);
INSERT INTO rep_parent SELECT * FROM rep WHERE cust % 2 = 0;
INSERT INTO rep_child SELECT * FROM rep WHERE cust % 2 = 1 OR cust IS NULL OR at IS NULL;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
VALUES ('mv', 'rep_mv', 'cust', 'at', 'what', 'chan'),
       ('mv_empty', 'rep_mv_empty', 'cust', 'at', 'what', 'chan'),
       ('part', 'rep_part', 'cust', 'at', 'what', 'chan'),
       ('parent', 'rep_parent', 'cust', 'at', 'what', 'chan');
INSERT INTO journey.moment SELECT s, position, name, event_name
  FROM journey.moment, unnest(ARRAY['mv', 'mv_empty', 'part', 'parent']) s WHERE source = 'shop';
CREATE TEMP TABLE rep_temp AS SELECT * FROM rep;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
VALUES ('temp', 'rep_temp', 'cust', 'at', 'what', 'chan');
INSERT INTO journey.moment SELECT 'temp', position, name, event_name FROM journey.moment WHERE source = 'shop';
SELECT s, journey.report_method(s) FROM unnest(ARRAY['mv', 'mv_empty', 'part', 'parent', 'temp']) s;
SELECT s, (SELECT count(*) FROM (SELECT * FROM journey.funnel_report(s)
                                 EXCEPT ALL SELECT * FROM journey.funnel_report('shop')) d) AS differing,
          (SELECT count(*) FROM (SELECT * FROM journey.path_report(s, 100)
                                 EXCEPT ALL SELECT * FROM journey.path_report('shop', 100)) d) AS differing_paths
  FROM unnest(ARRAY['mv', 'part', 'parent', 'temp']) s;
SELECT * FROM journey.funnel_report('mv_empty');

-- the caller's privileges: the reports check SELECT on the columns they
-- read (check_source_relation), whichever way they read; the engine itself,
-- called directly, checks SELECT on the relation or each column it reads,
-- as a query would
CREATE ROLE report_reader;
GRANT USAGE ON SCHEMA journey, journey_internal TO report_reader;
GRANT SELECT ON journey.source, journey.moment TO report_reader;
SET ROLE report_reader;
SELECT * FROM journey.funnel_report('shop');
SELECT * FROM journey.funnel_report('shop_view');
RESET ROLE;
GRANT SELECT (cust, at, what) ON rep TO report_reader;
SET ROLE report_reader;
SELECT step, customers FROM journey.funnel_report('shop');
SELECT * FROM journey.path_report('shop');
SELECT * FROM journey.report_funnel_rows('rep', 'cust', 'at', 'what', ARRAY['a'], '1 day',
                                         NULL, true, false, 'chan', NULL, NULL, NULL);
RESET ROLE;

-- the engine's functions check their arguments themselves when called
-- directly (the reports check them first)
SELECT * FROM journey.report_funnel_rows(NULL, 'cust', 'at', 'what', ARRAY['a'], '1 day', NULL, true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', NULL, 'at', 'what', ARRAY['a'], '1 day', NULL, true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', 'cust', repeat('x', 64), 'what', ARRAY['a'], '1 day', NULL, true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', 'cust', 'at', 'nope', ARRAY['a'], '1 day', NULL, true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', 'cust', 'at', 'what', NULL, '1 day', NULL, true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', 'cust', 'at', 'what', '{}', '1 day', NULL, true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', 'cust', 'at', 'what', ARRAY[NULL], '1 day', NULL, true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', 'cust', 'at', 'what', ARRAY[['a']], '1 day', NULL, true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', 'cust', 'at', 'what', ARRAY['a'], NULL, NULL, true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', 'cust', 'at', 'what', ARRAY['a'], '-1 day', NULL, true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', 'cust', 'at', 'what', ARRAY['a'], '1 day', 'nope', true, false, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_funnel_rows('rep', 'cust', 'at', 'what', ARRAY['a'], '1 day', NULL, true, false, NULL, 'Paid', NULL, NULL);
SELECT * FROM journey.report_path_rows('rep', 'cust', 'at', 'chan', NULL, -1, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_path_rows('rep', 'cust', 'at', 'chan', ARRAY['nope'], 1, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_transition_rows('rep', 'cust', 'at', 'chan', NULL, 0, 0, NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_transition_rows('rep', 'cust', 'at', 'chan', NULL, 1, 'NaN', NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_sequence_rows('rep', 'cust', 'at', 'what', NULL, ARRAY['a'], NULL, NULL, NULL, NULL);
SELECT * FROM journey.report_sequence_rows('rep', 'cust', 'at', 'what', '(?2)', ARRAY['a'], NULL, NULL, NULL, NULL);
SELECT journey_internal.report_relation_method('rep', ARRAY['cust', 'at']);
SELECT journey_internal.report_relation_method('rep', ARRAY['cust', 'at', 'what', 'nope', NULL]);
-- and read what they are asked to, with the caller's privileges
SELECT * FROM journey.report_sequence_rows('rep', 'cust', 'at', 'what', '(?1)(?2)', ARRAY['a', 'b'], 'chan', 'Paid', NULL, NULL);

-- row-level security: the engine does not read a relation under it; the
-- SQL form applies the policies (the owner, a superuser, is not under them)
CREATE TABLE rep_rls AS SELECT * FROM rep;
ALTER TABLE rep_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY not_three ON rep_rls FOR SELECT USING (cust IS DISTINCT FROM 3);
GRANT SELECT ON rep_rls TO report_reader;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
VALUES ('rls', 'rep_rls', 'cust', 'at', 'what', 'chan');
INSERT INTO journey.moment SELECT 'rls', position, name, event_name FROM journey.moment WHERE source = 'shop';
SELECT journey.report_method('rls') AS as_owner;
SELECT step, customers FROM journey.funnel_report('rls');
SET ROLE report_reader;
SELECT journey.report_method('rls') AS as_reader;
SELECT step, customers FROM journey.funnel_report('rls');
-- called directly, the engine refuses it
SELECT * FROM journey.report_funnel_rows('rep_rls', 'cust', 'at', 'what', ARRAY['a'], '1 day',
                                         NULL, true, false, NULL, NULL, NULL, NULL);
RESET ROLE;

-- columns the engine does not read itself go through SQL too
CREATE TABLE rep_num (cust numeric, at date, what varchar, chan name);
INSERT INTO rep_num SELECT cust, at::date, what, chan FROM rep;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
VALUES ('num', 'rep_num', 'cust', 'at', 'what', 'chan');
SELECT journey.report_method('num');
ALTER TABLE rep_num ALTER COLUMN cust TYPE bigint;
SELECT journey.report_method('num');
SELECT * FROM journey.path_report('num', 2);
-- against path_agg over the date as timestamptz (ties broken by label)
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (r.customers, r.rank) IS DISTINCT FROM (f.customers, f.rank)) AS disagreements
  FROM journey.path_report('num', 100) r
  JOIN (SELECT path, count(*) AS customers,
               (row_number() OVER (ORDER BY count(*) DESC, path COLLATE "C"))::int AS rank
          FROM (SELECT journey.path_agg(chan::text, at::timestamptz) AS path FROM rep_num GROUP BY cust) x
         WHERE path IS NOT NULL GROUP BY path) f USING (path);

-- infinite timestamps in a chain: the gap between its steps cannot be
-- computed; the report raises the error its GROUP BY form raises
CREATE TABLE rep_inf (cust int, at timestamptz, what text);
INSERT INTO rep_inf VALUES (1, 'infinity', 'a'), (1, 'infinity', 'b');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('inf', 'rep_inf', 'cust', 'at', 'what');
SELECT * FROM journey.funnel_report('inf', ARRAY['a', 'b']);
SELECT t[2] - t[1] FROM (SELECT journey.funnel_times(at, '7 days', what = 'a', what = 'b') AS t
                           FROM rep_inf GROUP BY cust) f;
DROP TABLE rep_inf;

DELETE FROM journey.source;
DROP TABLE rep CASCADE;
DROP TABLE rep_part, rep_parent, rep_child, rep_rls, rep_num;
DROP FUNCTION funnel_ref(interval), paths_ref(text[]);
DROP OWNED BY report_reader;
DROP ROLE report_reader;
