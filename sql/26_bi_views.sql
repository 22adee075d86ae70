-- The dashboard views for BI tools: moment_conversion's added columns, and
-- the Sankey edges and top paths of every source (sankey_edges, top_paths),
-- each against hand counts and a computation written differently.
\set SHOW_CONTEXT never
SET timezone = 'UTC';
CREATE TABLE bi_events (cust int, at timestamptz, what text, chan text);
-- moments a b c d; channel paths (by time):
--   1: Email Paid Paid         2: Email Email     3: Paid
--   4: Paid Email Email Email  5: Email Paid      6: Email Email
INSERT INTO bi_events VALUES
  (1, '2026-05-01 10:00', 'a', 'Email'), (1, '2026-05-01 11:00', 'b', 'Paid'),
  (1, '2026-05-01 12:00', 'c', 'Paid'),
  (2, '2026-05-01 10:00', 'a', 'Email'), (2, '2026-05-01 10:30', 'b', 'Email'),
  (3, '2026-05-01 09:00', 'a', 'Paid'),
  (4, '2026-05-01 09:00', 'a', 'Paid'), (4, '2026-05-01 09:10', 'b', 'Email'),
  (4, '2026-05-01 09:20', 'c', 'Email'), (4, '2026-05-01 10:20', 'd', 'Email'),
  (5, '2026-05-01 08:00', 'a', 'Email'), (5, '2026-05-01 10:00', 'b', 'Paid'),
  (6, '2026-05-01 08:00', 'a', 'Email'), (6, '2026-05-01 08:20', 'b', 'Email');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
VALUES ('bi', 'bi_events', 'cust', 'at', 'what', 'chan');
-- a source without a channel column has moments but no paths
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('bi_nochan', 'bi_events', 'cust', 'at', 'what');
INSERT INTO journey.moment VALUES ('bi', 1, 'A', 'a'), ('bi', 2, 'B', 'b'),
  ('bi', 3, 'C', 'c'), ('bi', 4, 'D', 'd'), ('bi_nochan', 1, 'A', 'a');

-- By hand: reached 6 5 2 1; next 5 2 1 and 0 at the last moment; dropped
-- 1 3 1 0; share of the first 1, 5/6, 2/6, 1/6; median gaps a->b of 60, 30,
-- 10, 120, 20 minutes = 30 min (1800 s), b->c of 60 and 10 = 35 min (2100 s),
-- c->d 60 min (3600 s).
SELECT position, moment, customers_reached, customers_next, customers_dropped,
       round(share_of_first::numeric, 4) AS share_of_first,
       round(conversion_rate::numeric, 4) AS conversion_rate,
       round(drop_off_rate::numeric, 4) AS drop_off_rate,
       median_time_to_next, median_time_to_next_seconds
  FROM journey.moment_conversion WHERE source = 'bi' ORDER BY position;
-- the added columns follow from moment_report's own (no row listed)
SELECT v.position
  FROM journey.moment_conversion v
  JOIN journey.moment_report('bi') r USING (position)
 WHERE v.source = 'bi'
   AND (v.customers_next <> coalesce(r.customers_next, 0)
        OR v.customers_dropped <> r.customers_reached - coalesce(r.customers_next, r.customers_reached)
        OR v.median_time_to_next_seconds IS DISTINCT FROM
           (SELECT extract(epoch FROM r.median_time_to_next)::float8));
SELECT source, position, customers_reached, customers_next, customers_dropped, share_of_first
  FROM journey.moment_conversion WHERE source = 'bi_nochan';

-- Top paths by hand: Email > Email 2 customers, then one each, ties by
-- path; the (other) row has no customer left.
SELECT rank, is_other, path, touchpoints, customers, round(share::numeric, 4) AS share
  FROM journey.top_paths WHERE source = 'bi' ORDER BY rank;
-- against path_agg grouped (the same counts, no row listed)
WITH p AS (SELECT journey.path_agg(chan, at) AS path FROM bi_events GROUP BY cust)
SELECT coalesce(t.path, q.path) AS differs
  FROM journey.top_paths t
  FULL JOIN (SELECT array_to_string(path, ' > ') AS path, count(*) AS customers
               FROM p GROUP BY path) q ON q.path = t.path
 WHERE (t.source = 'bi' AND NOT t.is_other OR t.source IS NULL)
   AND t.customers IS DISTINCT FROM q.customers;

-- Sankey edges by hand: step 1 (start)->Email 4, (start)->Paid 2; step 2
-- Email->Paid 2, Email->Email 2, Paid->(end) 1, Paid->Email 1; step 3
-- Email->(end) 2, Email->Email 1, Paid->(end) 1, Paid->Paid 1; step 4
-- Email->Email 1, Paid->(end) 1; step 5 Email->(end) 1.
SELECT step, from_label, to_label, customers, round(share::numeric, 4) AS share
  FROM journey.sankey_edges WHERE source = 'bi'
 ORDER BY step, from_label, to_label;
-- against transitions of path_agg grouped (no row listed)
WITH e AS (
  SELECT t.step, t.from_label, t.to_label, count(*) AS customers
    FROM (SELECT journey.path_agg(chan, at) AS path FROM bi_events GROUP BY cust) p,
         journey.transitions(p.path) t
   WHERE t.step <= 5
   GROUP BY 1, 2, 3)
SELECT coalesce(s.step, e.step) AS step, coalesce(s.from_label, e.from_label) AS from_label,
       coalesce(s.to_label, e.to_label) AS to_label
  FROM (SELECT * FROM journey.sankey_edges WHERE source = 'bi') s
  FULL JOIN e USING (step, from_label, to_label)
 WHERE s.customers IS DISTINCT FROM e.customers;
-- no paths for the source without a channel column
SELECT (SELECT count(*) FROM journey.sankey_edges WHERE source = 'bi_nochan') AS edges,
       (SELECT count(*) FROM journey.top_paths WHERE source = 'bi_nochan') AS paths;

-- the columns' types, as a BI tool reads them
SELECT c.relname AS view, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.oid IN ('journey.moment_conversion'::regclass, 'journey.top_paths'::regclass,
                 'journey.sankey_edges'::regclass)
 ORDER BY c.relname, a.attnum;

DELETE FROM journey.source WHERE name IN ('bi', 'bi_nochan');
DROP TABLE bi_events;
