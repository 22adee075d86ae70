-- Attribution conformance against public references:
--  1. ChannelAttribution's heuristic models (first_touch, last_touch,
--     linear_touch) on its example path table, checked against the same
--     rules computed independently in plain SQL;
--  2. Google fractribution's integration test data (path summary and the
--     expected per-path shares of its "unique" fit);
--  3. dbt-snowplow-attribution's expected channel attributions;
--  4. the Markov model on the example path table: totals and invariants.

-- 1. ChannelAttribution's example path table, read from the shared
-- reference directory (never copied into the project): JOURNEY_SHARED, which
-- the Makefile sets to ../shared beside the checkout unless it is set.
\getenv shared JOURNEY_SHARED
\set f :shared '/reference/ca_pathdata.csv'
CREATE TABLE ca_paths (path text, total_conversions float8,
                       total_conversion_value float8, total_null float8);
-- (\copy does not expand variables, so the command is built in one)
\set load_ca '\\copy ca_paths from ' :'f' ' with (format csv, delimiter '';'', header)'
:load_ca
SELECT count(*) AS rows, sum(total_conversions) AS conversions,
       round(sum(total_conversion_value)::numeric, 3) AS value, sum(total_null) AS nulls
  FROM ca_paths;

-- The heuristic rules, written independently: first touch, last touch, and
-- linear (each touch 1/n of the path's conversions and value).
CREATE TABLE ca_touches AS
  SELECT p.path, t.ch, t.i, cardinality(string_to_array(p.path, ' > ')) AS n,
         p.total_conversions AS conv, p.total_conversion_value AS val
    FROM ca_paths p,
         unnest(string_to_array(p.path, ' > ')) WITH ORDINALITY t(ch, i);
CREATE TABLE ca_expected AS
  SELECT 'first_touch' AS model, ch AS channel, sum(conv) AS conversions, sum(val) AS value
    FROM ca_touches WHERE i = 1 GROUP BY ch
  UNION ALL
  SELECT 'last_touch', ch, sum(conv), sum(val) FROM ca_touches WHERE i = n GROUP BY ch
  UNION ALL
  SELECT 'linear', ch, sum(conv / n), sum(val / n) FROM ca_touches GROUP BY ch;
CREATE TABLE ca_actual AS
  SELECT m AS model, c.channel, c.conversions, c.value
    FROM unnest(ARRAY['first_touch', 'last_touch', 'linear']) m,
         LATERAL unnest((SELECT journey.attribution(string_to_array(path, ' > '),
                                                    total_conversions, total_conversion_value,
                                                    total_null, m)
                           FROM ca_paths)) c;
-- channels listed: every channel of the table under every model
SELECT model, count(*) AS channels FROM ca_actual GROUP BY model ORDER BY model;
-- mismatches with the independent computation (none expected); channels that
-- never come first/last are listed by the aggregate with 0 credit
SELECT model, channel, a.conversions, e.conversions, a.value, e.value
  FROM ca_actual a FULL JOIN ca_expected e USING (model, channel)
 WHERE abs(a.conversions - coalesce(e.conversions, 0)) > 1e-9 * (1 + abs(a.conversions))
    OR abs(a.value - coalesce(e.value, 0)) > 1e-9 * (1 + abs(a.value))
    OR a.channel IS NULL;
-- credited conversions and value sum to the totals
SELECT model, round(sum(conversions)::numeric, 6) AS conversions,
       round(sum(value)::numeric, 3) AS value
  FROM ca_actual GROUP BY model ORDER BY model;

-- 2. fractribution's integration test (py/fractribution_model/tests):
-- example_path_summary.csv rows (path, conversions, non-conversions) for
-- the twenty converting A-first paths with more than one channel and every
-- path one touch shorter than them (their leave-one-out counterfactuals),
-- and the shares its expected_unique_fit.csv gives those paths.
CREATE TABLE fr_paths (path text, conv float8, nonconv float8);
INSERT INTO fr_paths VALUES
  ('A', 477, 135201), ('C', 250, 40727), ('D', 182, 6355), ('G', 10, 402), ('H', 19, 585),
  ('A > A', 87, 13648), ('A > C', 10, 438), ('A > D', 7, 103), ('A > G', 1, 9),
  ('A > H', 1, 6), ('C > A', 5, 261), ('C > C', 42, 3586), ('C > H', 0, 5), ('D > A', 1, 55),
  ('A > A > A', 22, 3187), ('A > A > C', 2, 58), ('A > A > D', 1, 12), ('A > C > A', 1, 38),
  ('A > C > C', 2, 57), ('A > C > D', 0, 4), ('A > D > A', 1, 18), ('C > A > C', 1, 30),
  ('C > D > A', 0, 4), ('D > A > A', 1, 6),
  ('A > A > A > A', 10, 1193), ('A > A > A > D', 1, 2), ('A > A > C > A', 2, 2),
  ('A > A > C > C', 1, 14), ('A > C > A > A', 0, 7), ('A > C > A > C', 3, 9),
  ('A > C > C > C', 0, 9), ('A > C > D > A', 1, 1), ('A > C > D > C', 0, 1),
  ('A > D > A > A', 1, 1), ('A > D > C > C', 0, 1), ('C > D > C > C', 0, 3),
  ('A > A > C > A > A', 1, 1), ('A > C > D > C > C', 1, 0), ('A > G > A > A > A', 1, 0),
  ('A > C > H', 1, 0), ('A > C > A > C > A > C > D', 1, 0);
CREATE TABLE fr_expected (path text, channel text, share float8);
INSERT INTO fr_expected VALUES
  ('A > A > A > D', 'A', 0.702039685259865), ('A > A > A > D', 'D', 0.297960314740135),
  ('A > A > C', 'A', 0.449254991402897), ('A > A > C', 'C', 0.550745008597103),
  ('A > A > C > A', 'A', 0.741610261988166), ('A > A > C > A', 'C', 0.258389738011834),
  ('A > A > C > A > A', 'A', 0.670381721928114), ('A > A > C > A > A', 'C', 0.329618278071886),
  ('A > A > C > C', 'A', 0.495726495726496), ('A > A > C > C', 'C', 0.504273504273504),
  ('A > A > D', 'A', 0.273495181751967), ('A > A > D', 'D', 0.726504818248033),
  ('A > C', 'A', 0.463094670723352), ('A > C', 'C', 0.536905329276648),
  ('A > C > A', 'A', 0.344875027492503), ('A > C > A', 'C', 0.655124972507497),
  ('A > C > A > C', 'A', 0.495895380680808), ('A > C > A > C', 'C', 0.504104619319192),
  ('A > C > A > C > A > C > D', 'A', 0.428571428571429),
  ('A > C > A > C > A > C > D', 'C', 0.428571428571429),
  ('A > C > A > C > A > C > D', 'D', 0.142857142857143),
  ('A > C > C', 'A', 0.490851387793289), ('A > C > C', 'C', 0.509148612206711),
  ('A > C > D > A', 'A', 0.520365168539326), ('A > C > D > A', 'C', 0.232794943820225),
  ('A > C > D > A', 'D', 0.246839887640449),
  ('A > C > D > C > C', 'A', 0.2), ('A > C > D > C > C', 'C', 0.6), ('A > C > D > C > C', 'D', 0.2),
  ('A > C > H', 'A', 0.352755905511811), ('A > C > H', 'C', 0.302362204724409),
  ('A > C > H', 'H', 0.344881889763779),
  ('A > D', 'A', 0.373191338522004), ('A > D', 'D', 0.626808661477996),
  ('A > D > A', 'A', 0.428933639548712), ('A > D > A', 'D', 0.571066360451288),
  ('A > D > A > A', 'A', 0.717399710783583), ('A > D > A > A', 'D', 0.282600289216417),
  ('A > G', 'A', 0.43973674841713), ('A > G', 'G', 0.56026325158287),
  ('A > G > A > A > A', 'A', 0.801332223147377), ('A > G > A > A > A', 'G', 0.198667776852623),
  ('A > H', 'A', 0.44428273835955), ('A > H', 'H', 0.55571726164045);
-- One aggregate per test path: the test path carries value 1 and every
-- other row value 0, so each channel's credited value is its share of
-- the test path.  Mismatches beyond the reference's 15 digits (none expected):
WITH actual AS (
  SELECT t.path, c.channel, c.value AS share
    FROM (SELECT DISTINCT path FROM fr_expected) t,
         LATERAL unnest((SELECT journey.attribution(string_to_array(p.path, ' > '), p.conv,
                                                    (p.path = t.path)::int, p.nonconv, 'fractribution')
                           FROM fr_paths p)) c
   WHERE c.value <> 0)
SELECT path, channel, a.share, e.share AS expected
  FROM actual a FULL JOIN fr_expected e USING (path, channel)
 WHERE abs(coalesce(a.share, 0) - coalesce(e.share, 0)) > 1e-12;
SELECT count(DISTINCT path) AS paths_checked, count(*) AS shares_checked FROM fr_expected;
DROP TABLE fr_paths, fr_expected;

-- 3. dbt-snowplow-attribution's integration test: expected channel
-- attributions (integration_tests/data/expected/
-- snowplow_attribution_channel_attributions_expected.csv): per conversion,
-- its path and revenue, each touch's first_touch, last_touch and linear
-- credit (linear rounded to whole units there).
CREATE TABLE sp_expected (event text, path text, revenue numeric, source_index int,
                          channel text, first_touch numeric, last_touch numeric,
                          linear numeric);
INSERT INTO sp_expected VALUES
  ('9f80548b', 'Direct', 50.00, 0, 'Direct', 50.00, 50.00, 50),
  ('f9e6fa53', 'Direct', 20.42, 0, 'Direct', 20.42, 20.42, 20),
  ('c3bf5de5', 'Video', 200.00, 0, 'Video', 200.00, 200.00, 200),
  ('1487c09f', 'Organic_Search > Display_Other > Organic_Search', 66.50, 0, 'Organic_Search', 66.50, 0.00, 22),
  ('1487c09f', 'Organic_Search > Display_Other > Organic_Search', 66.50, 1, 'Display_Other', 0.00, 0.00, 22),
  ('1487c09f', 'Organic_Search > Display_Other > Organic_Search', 66.50, 2, 'Organic_Search', 0.00, 66.50, 22),
  ('d16ac635', 'Direct > Organic_Search > Direct', 140.00, 0, 'Direct', 140.00, 0.00, 47),
  ('d16ac635', 'Direct > Organic_Search > Direct', 140.00, 1, 'Organic_Search', 0.00, 0.00, 47),
  ('d16ac635', 'Direct > Organic_Search > Direct', 140.00, 2, 'Direct', 0.00, 140.00, 47),
  ('33a90c49', 'Direct', 24.00, 0, 'Direct', 24.00, 24.00, 24);
-- per touch, from touch_weights (mismatches: none expected)
SELECT e.event, e.source_index, e.channel
  FROM sp_expected e,
       LATERAL (SELECT journey.touch_weights(string_to_array(e.path, ' > '), 'first_touch') AS f,
                       journey.touch_weights(string_to_array(e.path, ' > '), 'last_touch') AS l,
                       journey.touch_weights(string_to_array(e.path, ' > '), 'linear') AS n) w
 WHERE round(e.revenue * w.f[e.source_index + 1]::numeric, 2) <> e.first_touch
    OR round(e.revenue * w.l[e.source_index + 1]::numeric, 2) <> e.last_touch
    OR round(e.revenue * w.n[e.source_index + 1]::numeric) <> e.linear
    OR (string_to_array(e.path, ' > '))[e.source_index + 1] <> e.channel;
-- per channel, from the aggregate over the conversions' path rows
SELECT m, c.channel, round(c.value::numeric, 2) AS revenue,
       (SELECT sum(CASE m WHEN 'first_touch' THEN first_touch ELSE last_touch END)
          FROM sp_expected WHERE channel = c.channel) AS expected
  FROM unnest(ARRAY['first_touch', 'last_touch']) m,
       LATERAL unnest((SELECT journey.attribution(string_to_array(path, ' > '), 1, revenue, 0, m)
                         FROM (SELECT DISTINCT event, path, revenue FROM sp_expected) d)) c
 ORDER BY m, c.channel;
DROP TABLE sp_expected;

-- 4. Markov on the same table (ChannelAttribution estimates its Markov model
-- by simulation, so its published numbers are not exact; here: the exact
-- solution's invariants).  Credited conversions and value sum to the totals,
-- removal effects lie in [0, 1], and every order is deterministic.
SELECT k,
       round(sum((c).conversions)::numeric, 6) AS conversions,
       round(sum((c).value)::numeric, 3) AS value,
       bool_and((c).removal_effect BETWEEN 0 AND 1) AS removal_in_0_1,
       count(*) AS channels
  FROM generate_series(1, 3) k,
       LATERAL unnest((SELECT journey.attribution(string_to_array(path, ' > '), total_conversions,
                                                  total_conversion_value, total_null,
                                                  format('markov(order=%s)', k))
                         FROM ca_paths)) c
 GROUP BY k ORDER BY k;
-- The removal effects of orders 1 and 2 checked against an independent
-- computation: the chain built here in SQL (the states are the windows of k
-- touches, or the whole path when it is shorter; consecutive repeats
-- collapsed), absorption probabilities by fixed-point iteration
-- x = b + Q x in plpgsql until no value moves by more than 1e-15, once for
-- the full chain and once per removed channel (every state whose window
-- holds it leads to NULL).  (Rows are numbered: a path may appear in
-- several rows.)
CREATE TABLE ca_steps AS
  WITH r AS (SELECT row_number() OVER () AS id, string_to_array(path, ' > ') AS chs,
                    total_conversions AS c, total_null AS n
               FROM ca_paths),
  w AS (
    SELECT o.k, r.id, r.c, r.n, i,
           array_to_string(r.chs[i : least(i + o.k - 1, cardinality(r.chs))], ' > ') AS win
      FROM r, generate_series(1, 2) o(k),
           generate_series(1, greatest(cardinality(r.chs) - o.k + 1, 1)) i),
  t AS (SELECT *, lag(win) OVER (PARTITION BY k, id ORDER BY i) AS prev FROM w),
  s AS (SELECT k, id, win AS ch, c, n, row_number() OVER (PARTITION BY k, id ORDER BY i) AS j
          FROM t WHERE prev IS DISTINCT FROM win)
  SELECT k, id, ch, c, n, j, max(j) OVER (PARTITION BY k, id) AS len FROM s;
CREATE TABLE ca_edges AS
  SELECT k, src, dst, sum(w) AS w FROM (
    SELECT k, '(start)' AS src, ch AS dst, c + n AS w FROM ca_steps WHERE j = 1
    UNION ALL
    SELECT a.k, a.ch, b.ch, a.c + a.n
      FROM ca_steps a JOIN ca_steps b ON b.k = a.k AND b.id = a.id AND b.j = a.j + 1
    UNION ALL
    SELECT k, ch, '(conversion)', c FROM ca_steps WHERE j = len
    UNION ALL
    SELECT k, ch, '(null)', n FROM ca_steps WHERE j = len) e
  GROUP BY k, src, dst;
CREATE FUNCTION ca_conversion_probability(k int, removed text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  states text[] := ARRAY(SELECT DISTINCT src FROM ca_edges e WHERE e.k = ca_conversion_probability.k
                          ORDER BY 1);
  -- per edge: source, target state (0: CONV or NULL), probability, into CONV
  e_src int[];
  e_dst int[];
  e_p float8[];
  e_conv bool[];
  -- per state: leads to NULL (its window holds the removed channel)
  cut bool[];
  x float8[];
  nx float8[];
  delta float8;
BEGIN
  SELECT array_agg(array_position(states, e.src)), array_agg(coalesce(array_position(states, e.dst), 0)),
         array_agg(e.p), array_agg(e.dst = '(conversion)')
    INTO e_src, e_dst, e_p, e_conv
    FROM (SELECT src, dst, w / sum(w) OVER (PARTITION BY src) AS p
            FROM ca_edges WHERE ca_edges.k = ca_conversion_probability.k) e;
  SELECT array_agg(coalesce(removed = ANY (string_to_array(st, ' > ')), false) ORDER BY i)
    INTO cut FROM unnest(states) WITH ORDINALITY u(st, i);
  x := array_fill(0::float8, ARRAY[cardinality(states)]);
  LOOP
    nx := array_fill(0::float8, ARRAY[cardinality(states)]);
    FOR e IN 1 .. cardinality(e_src) LOOP
      IF cut[e_src[e]] THEN CONTINUE; END IF;
      IF e_conv[e] THEN nx[e_src[e]] := nx[e_src[e]] + e_p[e];
      ELSIF e_dst[e] > 0 AND NOT cut[e_dst[e]] THEN
        nx[e_src[e]] := nx[e_src[e]] + e_p[e] * x[e_dst[e]];
      END IF;
    END LOOP;
    delta := 0;
    FOR i IN 1 .. cardinality(states) LOOP
      delta := greatest(delta, abs(nx[i] - x[i]));
    END LOOP;
    x := nx;
    EXIT WHEN delta <= 1e-15;
  END LOOP;
  RETURN x[array_position(states, '(start)')];
END $$;
SELECT k, (SELECT count(DISTINCT src) FROM ca_edges e WHERE e.k = o.k) - 1 AS states,
       c.channel,
       abs(c.removal_effect - (1 - ca_conversion_probability(k, c.channel)
                                   / ca_conversion_probability(k, NULL))) < 1e-12 AS removal_effect_agrees
  FROM generate_series(1, 2) o(k),
       LATERAL unnest((SELECT journey.attribution(string_to_array(path, ' > '), total_conversions,
                                                  total_conversion_value, total_null,
                                                  format('markov(order=%s)', k))
                         FROM ca_paths)) c
 ORDER BY k, c.channel;
DROP FUNCTION ca_conversion_probability(int, text);
DROP TABLE ca_steps, ca_edges;
DROP TABLE ca_paths, ca_touches, ca_expected, ca_actual;
