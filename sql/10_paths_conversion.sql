-- paths_to_conversion: one path per conversion, plus the trailing path.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
CREATE TABLE paths_cv (customer int, label text, ts timestamptz,
                       is_conversion bool, value float8);
-- inserted out of time order on purpose
INSERT INTO paths_cv VALUES
  -- customer 1: two conversions and a trailing path
  (1, 'Email',       '2026-01-05 00:00+00', false, NULL),
  (1, 'Display',     '2025-12-29 00:00+00', false, NULL),  -- 10 days before: outside 7 days
  (1, 'purchase',    '2026-01-08 00:00+00', true,  25),
  (1, 'Paid Search', '2026-01-02 00:00+00', false, 99),    -- value of a touch: ignored
  (1, 'Direct',      '2026-01-09 00:00+00', false, NULL),
  (1, 'purchase',    '2026-01-10 00:00+00', true,  NULL),  -- NULL value: 0
  (1, 'Referral',    '2026-01-20 00:00+00', NULL,  NULL),  -- NULL is_conversion: a touch
  (1, 'Email',       '2026-01-25 00:00+00', false, NULL),
  (1, NULL,          '2026-01-21 00:00+00', true,  5),     -- NULL label: skipped
  (1, 'Email',       NULL,                  true,  5),     -- NULL ts: skipped
  -- customer 2: lookback boundary: exactly 7 days before is inside
  (2, 'Organic',     '2026-02-01 12:00+00', false, NULL),
  (2, 'Paid Social', '2026-02-01 11:59:59.999999+00', false, NULL),  -- 1 us too early
  (2, 'purchase',    '2026-02-08 12:00+00', true,  10),
  -- customer 3: a conversion with no touch before it, then two at the same time
  (3, 'signup',      '2026-03-01 00:00+00', true,  1),
  (3, 'signup',      '2026-03-02 00:00+00', true,  2),
  (3, 'signup',      '2026-03-02 00:00+00', true,  3),
  -- customer 4: only touches: one trailing path, lookback back from its last touch
  (4, 'Display',     '2026-04-01 00:00+00', false, NULL),
  (4, 'Email',       '2026-04-20 00:00+00', false, NULL),
  (4, 'Direct',      '2026-04-27 00:00+00', false, NULL),
  -- customer 5: touches at the conversion's timestamp sort by label around it
  (5, 'a touch',     '2026-05-01 00:00+00', false, NULL),
  (5, 'buy',         '2026-05-01 00:00+00', true,  7),
  (5, 'z touch',     '2026-05-01 00:00+00', false, NULL),
  -- customer 6: only skipped rows
  (6, NULL,          '2026-06-01 00:00+00', true,  1);

SELECT customer, u.*
  FROM (SELECT customer, journey.paths_to_conversion(label, ts, is_conversion, value, '7 days') AS paths
          FROM paths_cv GROUP BY customer) s
  LEFT JOIN LATERAL unnest(s.paths) WITH ORDINALITY
       AS u(path, touch_times, converted, value, converted_at, n) ON true
 ORDER BY customer, n;

-- input order never matters
SELECT (SELECT journey.paths_to_conversion(label, ts, is_conversion, value, '7 days')
          FROM (SELECT * FROM paths_cv ORDER BY ts DESC, label DESC) s) =
       (SELECT journey.paths_to_conversion(label, ts, is_conversion, value, '7 days')
          FROM (SELECT * FROM paths_cv ORDER BY ts, label) s) AS same;

-- lookback 0: only touches at the conversion's own timestamp
SELECT customer, u.path, u.converted
  FROM (SELECT customer, journey.paths_to_conversion(label, ts, is_conversion, value, '0') AS paths
          FROM paths_cv WHERE customer IN (2, 5) GROUP BY customer) s,
       unnest(s.paths) AS u
 ORDER BY customer, u.converted_at;
-- a month counts 30 days
SELECT journey.paths_to_conversion(label, ts, is_conversion, value, '1 mon') =
       journey.paths_to_conversion(label, ts, is_conversion, value, '30 days') AS month_is_30_days
  FROM paths_cv WHERE customer = 4;
-- no rows: NULL
SELECT journey.paths_to_conversion(label, ts, is_conversion, value, '7 days') IS NULL AS no_rows
  FROM paths_cv WHERE false;

-- errors
SELECT journey.paths_to_conversion(label, ts, is_conversion, value, '-1 day')
  FROM paths_cv WHERE customer = 2;
SELECT journey.paths_to_conversion(label, ts, is_conversion, value, NULL)
  FROM paths_cv WHERE customer = 2;
SELECT journey.paths_to_conversion(label, ts, is_conversion, value,
                                   CASE WHEN label = 'Organic' THEN interval '1 day' ELSE '2 days' END)
  FROM paths_cv WHERE customer = 2;
SET journey.max_events_per_group = 2;
SELECT journey.paths_to_conversion(label, ts, is_conversion, value, '7 days')
  FROM paths_cv WHERE customer = 2;
RESET journey.max_events_per_group;

DROP TABLE paths_cv;

-- The same paths as plain window-function SQL (the benchmark's twin query)
-- on generated journeys: the events sort by (ts, label bytewise, touches
-- before conversions, value); a conversion closes the path of the touches
-- after the previous conversion and within the lookback.
CREATE TABLE paths_sample AS SELECT * FROM journey.sample_events(800, 3);
CREATE TEMP VIEW paths_ours AS
SELECT customer_id, n - 1 AS seg, path, touch_times, converted, value, converted_at
  FROM (SELECT customer_id,
               journey.paths_to_conversion(channel, ts, event = 'purchase',
                                           revenue::float8, '3 days') AS paths
          FROM paths_sample GROUP BY customer_id) s,
       unnest(s.paths) WITH ORDINALITY
         AS u(path, touch_times, converted, value, converted_at, n);
CREATE TEMP VIEW paths_plain AS
WITH e AS (
  SELECT customer_id, ts, channel, event = 'purchase' AS conv,
         CASE WHEN event = 'purchase' THEN coalesce(revenue, 0)::float8 ELSE 0 END AS value
    FROM paths_sample WHERE channel IS NOT NULL AND ts IS NOT NULL
), s AS (
  SELECT *, count(*) FILTER (WHERE conv) OVER (
              PARTITION BY customer_id ORDER BY ts, channel COLLATE "C", conv, value
              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS seg
    FROM e
), b AS (
  SELECT *, max(ts) FILTER (WHERE conv) OVER (PARTITION BY customer_id, seg) AS conv_ts,
            max(ts) OVER (PARTITION BY customer_id, seg) AS last_ts
    FROM s
)
SELECT customer_id, seg,
       array_agg(channel ORDER BY ts, channel COLLATE "C", conv, value) AS path,
       array_agg(ts ORDER BY ts, channel COLLATE "C", conv, value) AS touch_times,
       bool_or(conv) AS converted, sum(value) AS value, max(conv_ts) AS converted_at
  FROM b
 WHERE ts >= coalesce(conv_ts, last_ts) - interval '72 hours'
 GROUP BY customer_id, seg;
SELECT (SELECT count(*) FROM paths_ours) AS paths,
       (SELECT count(*) FROM paths_ours WHERE converted) AS converting,
       (SELECT count(*) FROM paths_ours WHERE cardinality(path) > 1) AS multi_touch,
       (SELECT count(*) FROM (SELECT * FROM paths_ours EXCEPT ALL SELECT * FROM paths_plain) d) AS only_ours,
       (SELECT count(*) FROM (SELECT * FROM paths_plain EXCEPT ALL SELECT * FROM paths_ours) d) AS only_plain;
-- the lookback does cut touches off: fewer touches than events
SELECT (SELECT sum(cardinality(path)) FROM paths_ours) < (SELECT count(*) FROM paths_sample) AS some_cut;
-- conversion values are kept exactly, negative zero, negative values and
-- the ends of float8 included, also when two conversions tie on time and
-- label
CREATE TEMP TABLE conv_values AS
SELECT * FROM (VALUES (1, 'buy', '2026-01-01 00:00+00'::timestamptz, '-0'::float8),
                      (2, 'buy', '2026-01-02 00:00+00', -1.5),
                      (3, 'buy', '2026-01-02 00:00+00', -1e308),
                      (4, 'buy', '2026-01-02 00:00+00', '0'),
                      (5, 'buy', '2026-01-02 00:00+00', '-0'),
                      (6, 'buy', '2026-01-03 00:00+00', 1e308),
                      (7, 'buy', '2026-01-03 00:00+00', 5e-324)) v(n, l, ts, v);
SELECT p.converted, p.value::text, p.converted_at
  FROM (SELECT journey.paths_to_conversion(l, ts, true, v, '1 day') AS ps
          FROM (SELECT * FROM conv_values ORDER BY n) o) s,
       unnest(s.ps) p;
-- the same paths whatever order the rows come in
SELECT (SELECT journey.paths_to_conversion(l, ts, true, v, '1 day')::text
          FROM (SELECT * FROM conv_values ORDER BY n) o) =
       (SELECT journey.paths_to_conversion(l, ts, true, v, '1 day')::text
          FROM (SELECT * FROM conv_values ORDER BY n DESC) o) AS order_independent;
DROP TABLE conv_values;
-- a conversion's value must be finite (NaN or infinity would poison every
-- sum it enters); the value of a row that is not a conversion is not read
SELECT journey.paths_to_conversion('buy', '2026-01-01', true, 'NaN', '1 day');
SELECT journey.paths_to_conversion('buy', '2026-01-01', true, 'Infinity', '1 day');
SELECT journey.paths_to_conversion('buy', '2026-01-01', true, '-Infinity', '1 day');
SELECT (p).value, (p).converted
  FROM unnest((SELECT journey.paths_to_conversion(l, '2026-01-01', c, v::float8, '1 day')
                 FROM (VALUES ('ad', false, 'NaN'), ('buy', true, NULL)) r(l, c, v))) p;
DROP VIEW paths_ours, paths_plain;
DROP TABLE paths_sample;
