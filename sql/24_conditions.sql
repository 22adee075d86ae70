-- Conditions written out.  window_funnel, funnel_times, sequence_match,
-- sequence_count, sequence_next_node and retention have fixed-arity overloads for 2 to 8
-- conditions, chosen by PostgreSQL whenever the conditions are written out,
-- so that no array is built per row.  They must give exactly the answers of
-- the VARIADIC forms, serial and parallel, with NULL conditions, and when
-- parameters (window, pattern) differ between groups of one query.

-- events over 8 conditions a..h, with NULL events (NULL conditions) and ties
CREATE TABLE cond_ev AS
SELECT c AS customer,
       '2026-03-01'::timestamptz + (abs(hashint4(c * 1000 + i)) % 5000) * interval '1 minute' AS ts,
       CASE WHEN abs(hashint4(c * 1000 + i + 3)) % 13 = 0 THEN NULL
            ELSE (ARRAY['a','b','c','d','e','f','g','h','x'])[1 + abs(hashint4(c * 1000 + i + 5)) % 9]
       END AS e
  FROM generate_series(1, 600) c, generate_series(1, 25) i;
ANALYZE cond_ev;

-- Which form a call resolves to: conditions written out take the fixed-arity
-- overload (no ARRAY in the plan); an explicit VARIADIC array, one condition
-- or more than 8 take the VARIADIC form.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT journey.window_funnel(ts, '1 day', e = 'a', e = 'b'),
       journey.window_funnel(ts, '1 day', 'strict_order', e = 'a', e = 'b'),
       journey.window_funnel(ts, '1 day', VARIADIC ARRAY[e = 'a', e = 'b']),
       journey.window_funnel(ts, '1 day', e = 'a'),
       journey.retention(e = 'a', e = 'b', e = 'c', e = 'd', e = 'e', e = 'f', e = 'g', e = 'h', e = 'x')
  FROM cond_ev;

-- For n = 2..8 conditions, every aggregate, per customer: the written-out call
-- against the VARIADIC call.  One row per n: the levels reached and the
-- sequence matches summed over customers (so that the data is seen to reach
-- deep), then per aggregate the number of customers whose answers differ,
-- which must be 0.  (The generated queries are not echoed.)
CREATE FUNCTION cond_compare_sql(n int) RETURNS text LANGUAGE sql AS $$
  WITH c AS (
    SELECT string_agg(format('e = %L', chr(96 + i)), ', ' ORDER BY i) AS args
      FROM generate_series(1, n) i
  ), calls(name, fixed, varia) AS (
    SELECT v.name, format(v.call, c.args), format(v.call, 'VARIADIC ARRAY[' || c.args || ']')
      FROM c, (VALUES
        ('funnel', 'journey.window_funnel(ts, ''2 days'', %s)'),
        ('strict_order', 'journey.window_funnel(ts, ''2 days'', ''strict_order'', %s)'),
        ('dedup_increase', 'journey.window_funnel(ts, ''1 day'', ''strict_deduplication, strict_increase'', %s)'),
        ('once', 'journey.window_funnel(ts, ''3 days'', ''strict_once'', %s)'),
        ('reentry', 'journey.window_funnel(ts, ''2 days'', ''strict_order, allow_reentry'', %s)'),
        ('times', 'journey.funnel_times(ts, ''2 days'', %s)'),
        ('match', format('journey.sequence_match(''(?1).*(?t<=86400)(?%s)'', ts, %%s)', n)),
        ('count', format('journey.sequence_count(''(?1)(?%s)'', ts, %%s)', n)),
        ('retention', 'journey.retention(%s)'),
        ('next_node', 'journey.sequence_next_node(''backward'', ''last_match'', ts, e, true, %s)')) v(name, call)
  )
  SELECT format('SELECT %s AS n, sum(funnel_f) AS levels, sum(count_f) AS matches, %s FROM (SELECT customer, %s FROM cond_ev GROUP BY customer) s',
                n,
                string_agg(format('count(*) FILTER (WHERE %1$I_f IS DISTINCT FROM %1$I_v) AS %1$I', name), ', '),
                string_agg(format('%s AS %I_f, %s AS %I_v', fixed, name, varia, name), ', '))
    FROM calls
$$;
\set ECHO none
SELECT cond_compare_sql(n) FROM generate_series(2, 8) n \gexec
\set ECHO all

-- The same under a parallel plan (partial states serialized and combined).
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT journey.window_funnel(ts, '2 days', e = 'a', e = 'b', e = 'c'),
       journey.sequence_count('(?1)(?2)', ts, e = 'a', e = 'b'),
       journey.retention(e = 'a', e = 'b')
  FROM cond_ev;
CREATE TABLE cond_whole_parallel AS
SELECT journey.window_funnel(ts, '2 days', e = 'a', e = 'b', e = 'c') AS fixed_funnel,
       journey.window_funnel(ts, '2 days', VARIADIC ARRAY[e = 'a', e = 'b', e = 'c']) AS variadic_funnel,
       journey.funnel_times(ts, '1 hour', e = 'a', e = 'b', e = 'c', e = 'd') AS fixed_times,
       journey.funnel_times(ts, '1 hour', VARIADIC ARRAY[e = 'a', e = 'b', e = 'c', e = 'd']) AS variadic_times,
       journey.sequence_count('(?1)(?2)', ts, e = 'a', e = 'b') AS fixed_count,
       journey.sequence_count('(?1)(?2)', ts, VARIADIC ARRAY[e = 'a', e = 'b']) AS variadic_count,
       journey.retention(e = 'a', e = 'b', e = 'z') AS fixed_retention,
       journey.retention(VARIADIC ARRAY[e = 'a', e = 'b', e = 'z']) AS variadic_retention
  FROM cond_ev;
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF)
SELECT customer, journey.window_funnel(ts, '2 days', e = 'a', e = 'b', e = 'c'),
       journey.window_funnel(ts, '2 days', VARIADIC ARRAY[e = 'a', e = 'b', e = 'c'])
  FROM cond_ev GROUP BY customer;
\set ECHO none
SELECT cond_compare_sql(n) FROM generate_series(3, 8, 5) n \gexec
\set ECHO all
RESET force_parallel_mode;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
-- whole table, parallel: written out and VARIADIC agree, and equal the serial answer
SELECT fixed_funnel = variadic_funnel AS funnel_same, fixed_times = variadic_times AS times_same,
       fixed_count = variadic_count AS count_same, fixed_retention = variadic_retention AS retention_same
  FROM cond_whole_parallel;
SELECT p.fixed_funnel = s.w AND p.fixed_times = s.t AND p.fixed_count = s.c
       AND p.fixed_retention = s.r AS parallel_equals_serial
  FROM cond_whole_parallel p,
       (SELECT journey.window_funnel(ts, '2 days', e = 'a', e = 'b', e = 'c') AS w,
               journey.funnel_times(ts, '1 hour', e = 'a', e = 'b', e = 'c', e = 'd') AS t,
               journey.sequence_count('(?1)(?2)', ts, e = 'a', e = 'b') AS c,
               journey.retention(e = 'a', e = 'b', e = 'z') AS r
          FROM cond_ev) s;

-- Parameters that differ between the groups of one query: each group keeps its
-- own window or pattern (the first group's are shared, later different ones
-- are the group's own).  Compared with one query per parameter value.
SELECT count(*) AS funnel_groups_differing FROM (
  SELECT customer, journey.window_funnel(ts, (customer % 3 + 1) * interval '12 hours',
                                         e = 'a', e = 'b', e = 'c') AS lvl
    FROM cond_ev GROUP BY customer
  EXCEPT
  SELECT customer, journey.window_funnel(ts, '12 hours', e = 'a', e = 'b', e = 'c')
    FROM cond_ev WHERE customer % 3 = 0 GROUP BY customer
  EXCEPT
  SELECT customer, journey.window_funnel(ts, '24 hours', e = 'a', e = 'b', e = 'c')
    FROM cond_ev WHERE customer % 3 = 1 GROUP BY customer
  EXCEPT
  SELECT customer, journey.window_funnel(ts, '36 hours', e = 'a', e = 'b', e = 'c')
    FROM cond_ev WHERE customer % 3 = 2 GROUP BY customer) d;
SELECT count(*) AS pattern_groups_differing FROM (
  SELECT customer, journey.sequence_count(CASE WHEN customer % 2 = 0 THEN '(?1)(?2)' ELSE '(?1).*(?t<=3600)(?2)' END,
                                          ts, e = 'a', e = 'b') AS n
    FROM cond_ev GROUP BY customer
  EXCEPT
  SELECT customer, journey.sequence_count('(?1)(?2)', ts, e = 'a', e = 'b')
    FROM cond_ev WHERE customer % 2 = 0 GROUP BY customer
  EXCEPT
  SELECT customer, journey.sequence_count('(?1).*(?t<=3600)(?2)', ts, e = 'a', e = 'b')
    FROM cond_ev WHERE customer % 2 = 1 GROUP BY customer) d;

-- Groups none of whose rows meet a condition keep no state of their own (they
-- share one empty state until a row counts): over every row, two thirds of the
-- customers here meet none.  The answers must be those of the same aggregates
-- over only the rows that count (0 / false / empty for the others), serial and
-- parallel, for the funnel, its times and both sequence aggregates.
CREATE TABLE cond_sparse_expected AS
SELECT c.customer, coalesce(f.lvl, 0) AS lvl, coalesce(f.times, '{}') AS times,
       coalesce(f.matched, false) AS matched, coalesce(f.matches, 0) AS matches
  FROM (SELECT DISTINCT customer FROM cond_ev) c
  LEFT JOIN (SELECT customer,
                    journey.window_funnel(ts, '2 days', e = 'a', e = 'b', e = 'c') AS lvl,
                    journey.funnel_times(ts, '2 days', e = 'a', e = 'b', e = 'c') AS times,
                    journey.sequence_match('(?1).*(?2)', ts, e = 'a', e = 'b') AS matched,
                    journey.sequence_count('(?1)(?2)', ts, e = 'a', e = 'b') AS matches
               FROM cond_ev WHERE customer % 3 = 0 AND e IN ('a', 'b', 'c')
              GROUP BY customer) f ON f.customer = c.customer;
CREATE VIEW cond_sparse_actual AS
SELECT customer,
       journey.window_funnel(ts, '2 days', customer % 3 = 0 AND e = 'a', customer % 3 = 0 AND e = 'b',
                             customer % 3 = 0 AND e = 'c') AS lvl,
       journey.funnel_times(ts, '2 days', customer % 3 = 0 AND e = 'a', customer % 3 = 0 AND e = 'b',
                            customer % 3 = 0 AND e = 'c') AS times,
       journey.sequence_match('(?1).*(?2)', ts, customer % 3 = 0 AND e = 'a',
                              customer % 3 = 0 AND e = 'b') AS matched,
       journey.sequence_count('(?1)(?2)', ts, customer % 3 = 0 AND e = 'a',
                              customer % 3 = 0 AND e = 'b') AS matches
  FROM cond_ev GROUP BY customer;
SELECT count(*) FILTER (WHERE lvl > 0) AS customers_with_a_level,
       count(*) FILTER (WHERE lvl = 0) AS customers_without,
       sum(matches) AS matches
  FROM cond_sparse_expected;
SELECT count(*) AS serial_differing FROM (
  (SELECT * FROM cond_sparse_actual EXCEPT SELECT * FROM cond_sparse_expected)
  UNION ALL
  (SELECT * FROM cond_sparse_expected EXCEPT SELECT * FROM cond_sparse_actual)) d;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SET force_parallel_mode = on;
SELECT count(*) AS parallel_differing FROM (
  (SELECT * FROM cond_sparse_actual EXCEPT SELECT * FROM cond_sparse_expected)
  UNION ALL
  (SELECT * FROM cond_sparse_expected EXCEPT SELECT * FROM cond_sparse_actual)) d;
-- a whole-table group whose partial states are empty in some workers
SELECT journey.window_funnel(ts, '2 days', customer = 7 AND e = 'a', customer = 7 AND e = 'b') AS one_customer_level,
       journey.sequence_count('(?1)', ts, customer = 7 AND e = 'a', false) AS one_customer_count
  FROM cond_ev;
RESET force_parallel_mode;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
SELECT journey.window_funnel(ts, '2 days', customer = 7 AND e = 'a', customer = 7 AND e = 'b') AS one_customer_level,
       journey.sequence_count('(?1)', ts, customer = 7 AND e = 'a', false) AS one_customer_count
  FROM cond_ev;
-- a later row with another window is still an error when no row has counted yet
SELECT journey.window_funnel(ts, w, false, false)
  FROM (VALUES ('2026-03-01'::timestamptz, interval '1 day'), ('2026-03-02', interval '2 days')) v(ts, w);
DROP VIEW cond_sparse_actual;
DROP TABLE cond_sparse_expected;

-- With a constant window, groups may still pass VARIADIC arrays of different
-- lengths (each group its own), and later groups take the call's window as
-- known without checking it again.
SELECT g, journey.window_funnel(ts, '1 day', VARIADIC array_fill(true, ARRAY[1 + g % 3])) AS level
  FROM (VALUES (1, '2026-03-01'::timestamptz), (1, '2026-03-01 01:00'), (2, '2026-03-01'),
               (3, '2026-03-02'), (3, '2026-03-02 02:00'), (4, '2026-03-05')) v(g, ts)
 GROUP BY g ORDER BY g;
SELECT g, journey.window_funnel(ts, '1 day', 'strict_order', g > 0, g > 1, g > 2) AS level
  FROM (VALUES (1, '2026-03-01'::timestamptz), (2, '2026-03-01'), (2, '2026-03-01 01:00'),
               (3, '2026-03-02'), (3, '2026-03-02 02:00'), (3, '2026-03-02 03:00')) v(g, ts)
 GROUP BY g ORDER BY g;

-- NULL conditions written out count as false, as NULL array elements do.
SELECT journey.window_funnel(ts, '1 day', true, NULL::bool, true) AS fixed_nulls,
       journey.window_funnel(ts, '1 day', VARIADIC ARRAY[true, NULL, true]) AS variadic_nulls,
       journey.retention(true, NULL::bool) AS retention_nulls
  FROM (VALUES ('2026-03-01'::timestamptz), ('2026-03-01 01:00')) v(ts);
-- Errors are those of the VARIADIC forms.
SELECT journey.window_funnel(ts, '1 day', 'strict_sideways', true, true)
  FROM (VALUES ('2026-03-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '-1 day', true, true)
  FROM (VALUES ('2026-03-01'::timestamptz)) v(ts);
SELECT journey.sequence_match('(?3)', ts, true, true)
  FROM (VALUES ('2026-03-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, w, true, true)
  FROM (VALUES ('2026-03-01'::timestamptz, interval '1 day'), ('2026-03-02', interval '2 days')) v(ts, w);

DROP FUNCTION cond_compare_sql(int);
DROP TABLE cond_ev, cond_whole_parallel;
