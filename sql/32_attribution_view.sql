-- journey.channel_attribution: per registered source, model and channel; and
-- attribution(conversion_path[], model) over paths_to_conversion's output.
-- A small event table with awkward column names (quoted identifiers), two
-- customers, a lookback that cuts one touch, and a source that is skipped
-- because it has no channel column.
\set SHOW_CONTEXT never
CREATE TABLE "Attr Events" ("Customer" int, "At" timestamptz, "What" text,
                            "Channel Name" text, "Revenue" numeric);
INSERT INTO "Attr Events" VALUES
  -- customer 1: Email, then Search 2 days later, purchase (via Direct) a day later
  (1, '2026-01-01 00:00+00', 'visit', 'Email', NULL),
  (1, '2026-01-03 00:00+00', 'visit', 'Search', NULL),
  (1, '2026-01-04 00:00+00', 'purchase', 'Direct', 30),
  -- customer 2: Display 60 days before its purchase (outside the 30-day
  -- lookback), Email, purchase via Email; then a trailing Search visit
  (2, '2025-11-01 00:00+00', 'visit', 'Display', NULL),
  (2, '2025-12-30 00:00+00', 'visit', 'Email', NULL),
  (2, '2025-12-31 00:00+00', 'purchase', 'Email', 10),
  (2, '2026-01-05 00:00+00', 'visit', 'Search', NULL);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('shop', '"Attr Events"', 'Customer', 'At', 'What', 'Channel Name', 'Revenue', 'purchase'),
       ('no channels', '"Attr Events"', 'Customer', 'At', 'What', NULL, NULL, 'purchase');

-- Paths: Email > Search > Direct (converts, 30) and Email > Email (converts,
-- 10; Display is outside the lookback), and the trailing Search (null).
SELECT source, model, channel, round(conversions::numeric, 6) AS conversions,
       round(value::numeric, 6) AS value
  FROM journey.channel_attribution
 ORDER BY source, model, channel;

-- the view agrees with the aggregate on the same path rows
SELECT v.model, v.channel
  FROM journey.channel_attribution v
  JOIN unnest((SELECT journey.attribution(p, c, val, n, 'markov')
                 FROM (VALUES (ARRAY['Email','Search','Direct'], 1, 30, 0),
                              (ARRAY['Email','Email'], 1, 10, 0),
                              (ARRAY['Search'], 0, 0, 1)) t(p, c, val, n))) a
    ON a.channel = v.channel
 WHERE v.model = 'markov'
   AND (abs(a.conversions - v.conversions) > 1e-12 OR abs(a.value - v.value) > 1e-12);

-- a longer lookback brings Display in
UPDATE journey.source SET attribution_lookback = '90 days' WHERE name = 'shop';
SELECT channel, conversions FROM journey.channel_attribution
 WHERE model = 'first_touch' ORDER BY channel;

-- attribution(paths, model): the conversion_path[] of paths_to_conversion
-- straight in, the same credit as the path-row form
CREATE TABLE attr_cp AS
  SELECT "Customer" AS customer,
         journey.paths_to_conversion("Channel Name", "At", "What" = 'purchase',
                                     "Revenue"::float8, '30 days') AS paths
    FROM "Attr Events" GROUP BY "Customer";
SELECT m,
       (SELECT journey.attribution(paths, m) FROM attr_cp)
     = (SELECT journey.attribution((p).path, (p).converted::int, (p).value,
                                   (NOT (p).converted)::int, m)
          FROM (SELECT unnest(paths) p FROM attr_cp) s) AS same_credit
  FROM unnest(ARRAY['first_touch','linear','position_based','markov','shapley']) m;
SELECT c.* FROM unnest((SELECT journey.attribution(paths, 'linear') FROM attr_cp)) c;
-- NULL arrays are skipped; NULL elements too; no rows: NULL
SELECT journey.attribution(paths, 'linear') IS NULL AS none
  FROM attr_cp WHERE false;
SELECT (SELECT journey.attribution(x, 'linear')
          FROM (VALUES (NULL::journey.conversion_path[]),
                       (ARRAY[NULL::journey.conversion_path]),
                       (ARRAY[ROW(ARRAY['a'], NULL, true, 2, now())::journey.conversion_path])) v(x))
       AS only_the_last;
-- errors
SELECT journey.attribution(ARRAY[ROW(ARRAY['a'], NULL, true, -2, now())::journey.conversion_path],
                           'linear');
SELECT journey.attribution(ARRAY[ROW(ARRAY['a', NULL], NULL, true, 2, now())::journey.conversion_path],
                           'linear');
SELECT journey.attribution(paths, m)
  FROM attr_cp, (VALUES (1, 'linear'), (2, 'markov')) t(c, m) WHERE c = customer;
-- parallel: partial states of the paths form merge like the others
CREATE TABLE attr_cp_big AS
  SELECT g AS customer,
         ARRAY[ROW(ARRAY[(ARRAY['A','B','C'])[1 + g % 3], (ARRAY['A','B','C'])[1 + g % 2]],
                   NULL, g % 4 = 0, (g % 7)::float8, NULL)::journey.conversion_path] AS paths
    FROM generate_series(1, 20000) g;
ANALYZE attr_cp_big;
CREATE TABLE attr_cp_serial AS
  SELECT journey.attribution(paths, 'markov') AS a FROM attr_cp_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF) SELECT journey.attribution(paths, 'markov') FROM attr_cp_big;
SELECT NOT EXISTS (
         SELECT FROM unnest((SELECT a FROM attr_cp_serial)) WITH ORDINALITY x(channel, c, v, re, i)
         FULL JOIN unnest((SELECT journey.attribution(paths, 'markov') FROM attr_cp_big))
                   WITH ORDINALITY y(channel, c, v, re, i) USING (i)
          WHERE x.channel IS DISTINCT FROM y.channel OR abs(x.c - y.c) > 1e-9 * (1 + x.c)
             OR abs(x.v - y.v) > 1e-9 * (1 + x.v) OR abs(x.re - y.re) > 1e-12)
       AS parallel_equals_serial;
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
DROP TABLE attr_cp, attr_cp_big, attr_cp_serial;

-- The benchmark's plain-SQL twin (purchases numbered per customer with a
-- window, each purchase's revenue split equally over its touches within 30
-- days) credits exactly what attribution(paths_to_conversion(...), 'linear')
-- credits, on sample journeys.  Mismatches (none expected):
CREATE TABLE attr_sample AS SELECT * FROM journey.sample_events(3000, 7);
WITH j AS (
  SELECT c.channel, c.value, c.conversions
    FROM unnest((SELECT journey.attribution(a, 'linear')
                   FROM (SELECT journey.paths_to_conversion(channel, ts, event = 'purchase',
                                                            revenue::float8, '30 days') AS a
                           FROM attr_sample GROUP BY customer_id) s)) c),
e AS (
  SELECT customer_id, ts, channel, event = 'purchase' AS conv, revenue,
         coalesce(count(*) FILTER (WHERE event = 'purchase')
                    OVER (PARTITION BY customer_id ORDER BY ts, channel
                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS grp
    FROM attr_sample),
g AS (
  SELECT customer_id, grp, max(ts) FILTER (WHERE conv) AS conv_ts,
         sum(revenue) FILTER (WHERE conv)::float8 AS rev
    FROM e GROUP BY customer_id, grp HAVING bool_or(conv)),
t AS (
  SELECT e.channel, g.rev, count(*) OVER (PARTITION BY e.customer_id, e.grp) AS n
    FROM e JOIN g USING (customer_id, grp)
   WHERE e.ts >= g.conv_ts - interval '30 days'),
p AS (SELECT channel, sum(rev / n) AS value, sum(1.0 / n) AS conversions FROM t GROUP BY channel)
SELECT channel, j.value, p.value, j.conversions, p.conversions
  FROM j FULL JOIN p USING (channel)
 WHERE abs(coalesce(j.value, 0) - coalesce(p.value, 0)) > 1e-6
    OR abs(coalesce(j.conversions, 0) - coalesce(p.conversions, 0)) > 1e-9;
SELECT count(*) AS channels_compared
  FROM unnest((SELECT journey.attribution(a, 'linear')
                 FROM (SELECT journey.paths_to_conversion(channel, ts, event = 'purchase',
                                                          revenue::float8, '30 days') AS a
                         FROM attr_sample GROUP BY customer_id) s));
DROP TABLE attr_sample;

-- A source that cannot be read is left out of the view, and the other
-- sources are still there; journey.source_status says why, and reading the
-- source itself raises that error.  A second source over the same events
-- under another name stays readable throughout.
CREATE VIEW attr_events_2 AS
  SELECT "Customer", "At", "What", "Channel Name", "Revenue" FROM "Attr Events";
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('shop 2', 'attr_events_2', 'Customer', 'At', 'What', 'Channel Name', 'Revenue', 'purchase');
SELECT source, count(*) FROM journey.channel_attribution GROUP BY source ORDER BY source;
-- a registered column renamed since: named, with the columns there are
ALTER TABLE "Attr Events" RENAME COLUMN "Channel Name" TO "Channel";
SELECT source, count(*) FROM journey.channel_attribution GROUP BY source ORDER BY source;
SELECT * FROM journey.source_status WHERE NOT readable ORDER BY source;
SELECT count(*) FROM journey.channel_attribution('shop');
ALTER TABLE "Attr Events" RENAME COLUMN "Channel" TO "Channel Name";
ALTER TABLE "Attr Events" RENAME COLUMN "Revenue" TO "Amount";
SELECT source, count(*) FROM journey.channel_attribution GROUP BY source ORDER BY source;
SELECT count(*) FROM journey.channel_attribution('shop');
ALTER TABLE "Attr Events" RENAME COLUMN "Amount" TO "Revenue";
-- a registered relation dropped since (regclass keeps no dependency): one
-- such source no longer makes the view fail for every source
CREATE TABLE attr_gone (c int, t timestamptz, e text, ch text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, conversion_event)
VALUES ('gone', 'attr_gone', 'c', 't', 'e', 'ch', 'buy');
DROP TABLE attr_gone;
SELECT source, count(*) FROM journey.channel_attribution GROUP BY source ORDER BY source;
SELECT count(*) FROM journey.channel_attribution WHERE source = 'gone';
SELECT source, readable, reason, hint FROM journey.source_status ORDER BY source;
-- (terse: the message; its detail names the dropped OID, which varies)
\set VERBOSITY terse
SELECT count(*) FROM journey.channel_attribution('gone');
\set VERBOSITY default
DELETE FROM journey.source WHERE name IN ('gone', 'shop 2');
DROP VIEW attr_events_2;
-- channel_attribution(source) of a source that is not registered, or that has
-- no channel column or conversion event
SELECT * FROM journey.channel_attribution('nope');
SELECT * FROM journey.channel_attribution('no channels');

-- hostile names and values cannot inject SQL: columns are identifiers, the
-- conversion event, the lookback and the source's name are parameters
CREATE TABLE attr_victim (id int);
INSERT INTO attr_victim VALUES (1);
CREATE TABLE "attr""; DROP TABLE attr_victim; --" (
  "c""; DROP TABLE attr_victim; --" int,
  "t'); DROP TABLE attr_victim; --" timestamptz,
  "e"" = '' OR true); DROP TABLE attr_victim; --" text,
  "ch') || (SELECT 1/0) || ('" text);
INSERT INTO "attr""; DROP TABLE attr_victim; --" VALUES
  (1, '2026-03-01 10:00+00', 'visit', 'Email'),
  (1, '2026-03-02 10:00+00', 'buy''; DROP TABLE attr_victim; --', 'Search');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, conversion_event)
VALUES ('evil''; DROP TABLE attr_victim; --', '"attr""; DROP TABLE attr_victim; --"',
        'c"; DROP TABLE attr_victim; --', 't''); DROP TABLE attr_victim; --',
        'e" = '''' OR true); DROP TABLE attr_victim; --', 'ch'') || (SELECT 1/0) || (''',
        'buy''; DROP TABLE attr_victim; --');
SELECT source, channel, conversions FROM journey.channel_attribution
 WHERE model = 'linear' AND source LIKE 'evil%' ORDER BY channel;
SELECT count(*) AS victim_rows FROM attr_victim;
DELETE FROM journey.source WHERE name LIKE 'evil%';
DROP TABLE "attr""; DROP TABLE attr_victim; --", attr_victim;

DELETE FROM journey.source WHERE name IN ('shop', 'no channels');
SELECT count(*) AS rows_without_sources FROM journey.channel_attribution;
DROP TABLE "Attr Events";
