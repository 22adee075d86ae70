-- window_funnel, funnel_times and retention.
-- The first blocks are ClickHouse's public tests 00632_aggregation_window_funnel
-- and 00688_aggregation_retention, translated: a ClickHouse window of N (in the
-- timestamp's unit) becomes N seconds, timestamps count seconds from an epoch.
SET timezone = 'UTC';

CREATE FUNCTION funnel_t(s float8) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$ SELECT '2018-01-01 00:00:00+00'::timestamptz + s * interval '1 second' $$;

-- funnel_test
CREATE TABLE funnel_test (s int, event int);
INSERT INTO funnel_test VALUES (0,1000),(1,1001),(2,1002),(3,1003),(4,1004),(5,1005),(6,1006),(7,1007),(8,1008);
SELECT journey.window_funnel(funnel_t(s), '10000 s', event = 1000) = 1 FROM funnel_test;
SELECT journey.window_funnel(funnel_t(s), '10000 s', event = 1000, event = 1001) = 2 FROM funnel_test;
SELECT journey.window_funnel(funnel_t(s), '10000 s', event = 1000, event = 1001, event = 1002) = 3 FROM funnel_test;
SELECT journey.window_funnel(funnel_t(s), '10000 s', event = 1000, event = 1001, event = 1002, event = 1008) = 4 FROM funnel_test;
SELECT journey.window_funnel(funnel_t(s), '1 s', event = 1000) = 1 FROM funnel_test;
SELECT journey.window_funnel(funnel_t(s), '2 s', event = 1003, event = 1004, event = 1005, event = 1006, event = 1007) = 3 FROM funnel_test;
SELECT journey.window_funnel(funnel_t(s), '3 s', event = 1003, event = 1004, event = 1005, event = 1006, event = 1007) = 4 FROM funnel_test;
SELECT journey.window_funnel(funnel_t(s), '4 s', event = 1003, event = 1004, event = 1005, event = 1006, event = 1007) = 5 FROM funnel_test;

-- funnel_test2 (DateTime) and funnel_test_u64 (large timestamps)
CREATE TABLE funnel_test2 (ts timestamptz, event int);
INSERT INTO funnel_test2 SELECT '2018-01-01 01:01:00+00'::timestamptz + i * interval '1 second', 1000 + i
  FROM generate_series(1, 8) i;
SELECT journey.window_funnel(ts, '4 s', event = 1003, event = 1004, event = 1005, event = 1006, event = 1007) = 5 FROM funnel_test2;
SELECT journey.window_funnel(ts, '10000 s', event = 1001, event = 1008) = 2 FROM funnel_test2;
SELECT journey.window_funnel(ts, '10000 s', event = 1008, event = 1001) = 1 FROM funnel_test2;
SELECT journey.window_funnel(ts, '4 s', event <= 1007, event >= 1002, event <= 1006, event >= 1004) = 4 FROM funnel_test2;
CREATE TABLE funnel_test_u64 (ts timestamptz, event int);
INSERT INTO funnel_test_u64 SELECT '2250-06-01 00:00:00+00'::timestamptz + i * interval '1 second', 1000 + i
  FROM generate_series(1, 8) i;
SELECT journey.window_funnel(ts, '4 s', event = 1003, event = 1004, event = 1005, event = 1006, event = 1007) = 5 FROM funnel_test_u64;
SELECT journey.window_funnel(ts, '10000 s', event = 1001, event = 1008) = 2 FROM funnel_test_u64;
SELECT journey.window_funnel(ts, '10000 s', event = 1008, event = 1001) = 1 FROM funnel_test_u64;
SELECT journey.window_funnel(ts, '4 s', event <= 1007, event >= 1002, event <= 1006, event >= 1004) = 4 FROM funnel_test_u64;

-- funnel_test_strict: strict_deduplication stops at the repeated 1005
CREATE TABLE funnel_test_strict (s int, event int);
INSERT INTO funnel_test_strict VALUES (0,1000),(10,1001),(20,1002),(30,1003),(40,1004),(50,1005),(51,1005),(60,1006),(70,1007),(80,1008);
SELECT journey.window_funnel(funnel_t(s), '10000 s', 'strict_deduplication', event = 1000, event = 1001, event = 1002, event = 1003, event = 1004, event = 1005, event = 1006) = 6 FROM funnel_test_strict;
SELECT journey.window_funnel(funnel_t(s), '10000 s', event = 1000, event = 1001, event = 1002, event = 1003, event = 1004, event = 1005, event = 1006) = 7 FROM funnel_test_strict;

-- funnel_test_strict_order
CREATE TABLE funnel_test_strict_order (s int, uid int, event text);
INSERT INTO funnel_test_strict_order VALUES
  (1, 1, 'a'), (2, 1, 'b'), (3, 1, 'c'),
  (1, 2, 'a'), (2, 2, 'd'), (3, 2, 'b'), (4, 2, 'c'),
  (1, 3, 'a'), (2, 3, 'a'), (3, 3, 'b'), (4, 3, 'b'), (5, 3, 'c'), (6, 3, 'c'),
  (1, 4, 'a'), (2, 4, 'a'), (3, 4, 'a'), (4, 4, 'a'), (5, 4, 'b'), (6, 4, 'b'), (7, 4, 'c'), (8, 4, 'c'),
  (1, 5, 'a'), (2, 5, 'a'), (3, 5, 'b'), (4, 5, 'b'), (5, 5, 'd'), (6, 5, 'c'), (7, 5, 'c'),
  (1, 6, 'c'), (2, 6, 'c'), (3, 6, 'b'), (4, 6, 'b'), (5, 6, 'a'), (6, 6, 'a');
-- expected 3 3 3 3 3 1
SELECT uid, journey.window_funnel(funnel_t(s), '1 day', event = 'a', event = 'b', event = 'c')
  FROM funnel_test_strict_order GROUP BY uid ORDER BY uid;
-- expected 3 1 3 3 2 1
SELECT uid, journey.window_funnel(funnel_t(s), '1 day', 'strict_order', event = 'a', event = 'b', event = 'c')
  FROM funnel_test_strict_order GROUP BY uid ORDER BY uid;
-- expected 3 1 2 2 2 1
SELECT uid, journey.window_funnel(funnel_t(s), '1 day', 'strict_deduplication, strict_order', event = 'a', event = 'b', event = 'c')
  FROM funnel_test_strict_order GROUP BY uid ORDER BY uid;
INSERT INTO funnel_test_strict_order VALUES (1, 7, 'a'), (2, 7, 'c'), (3, 7, 'b');
-- expected 1
SELECT uid, journey.window_funnel(funnel_t(s), '10 s', 'strict_order', event = 'a', event = 'b', event = 'c')
  FROM funnel_test_strict_order WHERE uid = 7 GROUP BY uid;

-- strict_BiteTheDDDD: deduplication returns the level reached (3), not the repeated step
CREATE TABLE funnel_dddd (s int, event text);
INSERT INTO funnel_dddd VALUES (1,'a'), (2,'b'), (3,'c'), (4,'b'), (5,'d');
SELECT journey.window_funnel(funnel_t(s), '1 day', 'strict_deduplication', event = 'a', event = 'b', event = 'c', event = 'd') = 3 FROM funnel_dddd;

-- funnel_test_non_null
CREATE TABLE funnel_test_non_null (s int, u int, a text, b text);
INSERT INTO funnel_test_non_null VALUES (1, 1, 'a1', 'b1'), (2, 1, 'a2', 'b2'),
  (1, 2, 'a1', NULL), (2, 2, 'a2', NULL), (1, 3, NULL, NULL),
  (1, 4, NULL, 'b1'), (2, 4, 'a2', NULL), (3, 4, NULL, 'b3');
-- expected 2 2 0 0
SELECT u, journey.window_funnel(funnel_t(s), '1 day', COALESCE(a, '') = 'a1', COALESCE(a, '') = 'a2')
  FROM funnel_test_non_null GROUP BY u ORDER BY u;
-- expected 2 1 0 0
SELECT u, journey.window_funnel(funnel_t(s), '1 day', COALESCE(a, '') = 'a1', COALESCE(b, '') = 'b2')
  FROM funnel_test_non_null GROUP BY u ORDER BY u;
-- expected 0 0 1 0
SELECT u, journey.window_funnel(funnel_t(s), '1 day', a IS NULL AND b IS NULL)
  FROM funnel_test_non_null GROUP BY u ORDER BY u;
-- expected 0 0 1 2
SELECT u, journey.window_funnel(funnel_t(s), '1 day', a IS NULL, COALESCE(b, '') = 'b3')
  FROM funnel_test_non_null GROUP BY u ORDER BY u;
-- expected 0 0 1 1
SELECT u, journey.window_funnel(funnel_t(s), '1 day', 'strict_order', a IS NULL, COALESCE(b, '') = 'b3')
  FROM funnel_test_non_null GROUP BY u ORDER BY u;
-- without COALESCE: a NULL condition counts as false, so the same answers
SELECT u, journey.window_funnel(funnel_t(s), '1 day', a = 'a1', b = 'b2')
  FROM funnel_test_non_null GROUP BY u ORDER BY u;

-- funnel_test_strict_increase: equal timestamps
CREATE TABLE funnel_test_strict_increase (s int, event int);
INSERT INTO funnel_test_strict_increase VALUES (0,1000),(1,1001),(1,1002),(1,1003),(2,1004);
SELECT journey.window_funnel(funnel_t(s), '10000 s', event = 1000, event = 1001, event = 1002, event = 1003, event = 1004) = 5 FROM funnel_test_strict_increase;
SELECT journey.window_funnel(funnel_t(s), '10000 s', 'strict_increase', event = 1000, event = 1001, event = 1002, event = 1003, event = 1004) = 2 FROM funnel_test_strict_increase;
SELECT journey.window_funnel(funnel_t(s), '10000 s', event = 1004, event = 1004, event = 1004) = 3 FROM funnel_test_strict_increase;
SELECT journey.window_funnel(funnel_t(s), '10000 s', 'strict_once', event = 1004, event = 1004, event = 1004) = 1 FROM funnel_test_strict_increase;
SELECT journey.window_funnel(funnel_t(s), '10000 s', 'strict_increase', event = 1004, event = 1004, event = 1004) = 1 FROM funnel_test_strict_increase;

-- strict_once with other modes; expected 123: 3, 234: 2, 345: 1 each time
CREATE TABLE funnel_once (s int, result text, uid int);
INSERT INTO funnel_once VALUES (100, 'failure', 234), (200, 'success', 345), (210, 'failure', 345),
  (230, 'success', 345), (250, 'failure', 234), (180, 'failure', 123), (220, 'failure', 123), (250, 'success', 123);
SELECT uid, journey.window_funnel(funnel_t(s), '200 s', 'strict_once, strict_increase', result = 'failure', result = 'failure', result = 'success')
  FROM funnel_once GROUP BY uid ORDER BY uid;
SELECT uid, journey.window_funnel(funnel_t(s), '200 s', 'strict_once', result = 'failure', result = 'failure', result = 'success')
  FROM funnel_once GROUP BY uid ORDER BY uid;
SELECT uid, journey.window_funnel(funnel_t(s), '200 s', 'strict_once,strict_deduplication', result = 'failure', result = 'failure', result = 'success')
  FROM funnel_once GROUP BY uid ORDER BY uid;
-- without strict_once one 'failure' row fills steps 1 and 2: 3 3 1
SELECT uid, journey.window_funnel(funnel_t(s), '200 s', result = 'failure', result = 'failure', result = 'success')
  FROM funnel_once GROUP BY uid ORDER BY uid;
-- Rows meeting the same step at one instant are read in the order of the
-- steps each meets (as a bitmask), whatever order they arrive in: x (steps 1
-- and 2), y (step 2), z (step 3).  y (mask 2) is read before x (mask 3): y
-- extends x's chain, x's step 2 is then a repeat, so strict_once with
-- strict_deduplication gives 2 in both arrival orders (ClickHouse: 3 when x
-- arrives first).  strict_once alone: x, y, z complete the chain, 3.
SELECT o AS arrival,
       journey.window_funnel('2026-01-01'::timestamptz, '1 day', 'strict_once, strict_deduplication',
                             s1, s2, s3 ORDER BY CASE WHEN o = 'x y z' THEN r ELSE -r END) AS once_dedup,
       journey.window_funnel('2026-01-01'::timestamptz, '1 day', 'strict_once',
                             s1, s2, s3 ORDER BY CASE WHEN o = 'x y z' THEN r ELSE -r END) AS once
  FROM (VALUES (1, true, true, false), (2, false, true, false), (3, false, false, true)) v(r, s1, s2, s3),
       (VALUES ('x y z'), ('z y x')) a(o)
 GROUP BY o ORDER BY o;

-- allow_reentry.  ClickHouse's published reference for these cases was
-- written against an earlier revision of its windowFunnel; we follow its
-- current source (doc/funnels.md, "Where ClickHouse's revisions differ"):
-- strict_order stops only at a row meeting no step or at a step whose
-- previous step was never reached, and allow_reentry skips the latter.
CREATE TABLE funnel_reentry (s int, uid int, event text);
INSERT INTO funnel_reentry VALUES
  (1, 1, 'a'), (2, 1, 'b'), (3, 1, 'a'), (4, 1, 'c'),
  (1, 2, 'a'), (2, 2, 'b'), (3, 2, 'a'), (4, 2, 'b'), (5, 2, 'c'),
  (1, 3, 'a'), (2, 3, 'b'), (3, 3, 'c'), (4, 3, 'b'), (5, 3, 'd'),
  (1, 4, 'a'), (2, 4, 'c'), (3, 4, 'b'),
  (1, 5, 'a'), (2, 5, 'b'), (3, 5, 'c'), (4, 5, 'a'), (5, 5, 'b'), (6, 5, 'c'), (7, 5, 'd');
-- reference 2 2 3 1 3; current source 3 3 3 1 3 (a re-entered step 1 does not stop the chain)
SELECT uid, journey.window_funnel(funnel_t(s), '1 day', 'strict_order', event = 'a', event = 'b', event = 'c')
  FROM funnel_reentry GROUP BY uid ORDER BY uid;
-- reference 3 3 3 1 3; current source 3 3 3 2 3 (user 4: 'c' too early is skipped, then 'b')
SELECT uid, journey.window_funnel(funnel_t(s), '1 day', 'strict_order, allow_reentry', event = 'a', event = 'b', event = 'c')
  FROM funnel_reentry GROUP BY uid ORDER BY uid;
-- reference 2 2 4 1 3; current source 3 3 4 1 4
SELECT uid, journey.window_funnel(funnel_t(s), '1 day', 'strict_order', event = 'a', event = 'b', event = 'c', event = 'd')
  FROM funnel_reentry GROUP BY uid ORDER BY uid;
-- reference 3 3 4 1 4; current source 3 3 4 2 4
SELECT uid, journey.window_funnel(funnel_t(s), '1 day', 'strict_order, allow_reentry', event = 'a', event = 'b', event = 'c', event = 'd')
  FROM funnel_reentry GROUP BY uid ORDER BY uid;
-- reference 3 1 3 1 3; current source 3 2 3 2 3 (deduplication returns the level reached)
SELECT uid, journey.window_funnel(funnel_t(s), '1 day', 'strict_order, allow_reentry, strict_deduplication', event = 'a', event = 'b', event = 'c')
  FROM funnel_reentry GROUP BY uid ORDER BY uid;

-- funnel_test_ecommerce
CREATE TABLE funnel_ecommerce (s int, user_id int, action text);
INSERT INTO funnel_ecommerce VALUES
  (100, 1, 'begin_checkout'), (200, 1, 'view_product_detail'), (300, 1, 'begin_checkout'), (400, 1, 'complete_payment'),
  (100, 2, 'begin_checkout'), (200, 2, 'view_product_detail'), (250, 2, 'view_product_detail'), (300, 2, 'begin_checkout'), (400, 2, 'complete_payment'),
  (100, 3, 'begin_checkout'), (200, 3, 'view_product_detail'), (300, 3, 'complete_payment');
-- reference 2 2 3; current source 3 3 3
SELECT user_id, journey.window_funnel(funnel_t(s), '600 s', 'strict_order', action = 'begin_checkout', action = 'view_product_detail', action = 'complete_payment')
  FROM funnel_ecommerce GROUP BY user_id ORDER BY user_id;
-- expected 3 3 3
SELECT user_id, journey.window_funnel(funnel_t(s), '600 s', 'strict_order, allow_reentry', action = 'begin_checkout', action = 'view_product_detail', action = 'complete_payment')
  FROM funnel_ecommerce GROUP BY user_id ORDER BY user_id;
-- expected 1 1 1 (the first row meets steps 1 and 3: step 3 comes too early)
SELECT user_id, journey.window_funnel(funnel_t(s), '600 s', 'strict_order', action = 'begin_checkout', action = 'view_product_detail', action = 'begin_checkout', action = 'complete_payment')
  FROM funnel_ecommerce GROUP BY user_id ORDER BY user_id;
-- reference 1 1 1; current source 4 4 2 (the early step 3 is skipped, the chain goes on)
SELECT user_id, journey.window_funnel(funnel_t(s), '600 s', 'strict_order, allow_reentry', action = 'begin_checkout', action = 'view_product_detail', action = 'begin_checkout', action = 'complete_payment')
  FROM funnel_ecommerce GROUP BY user_id ORDER BY user_id;

-- retention (00688_aggregation_retention): expected 80 50 / 80 60 / 80 50 60
CREATE TABLE retention_test (d date, uid int);
INSERT INTO retention_test SELECT '2018-08-06', g FROM generate_series(0, 79) g;
INSERT INTO retention_test SELECT '2018-08-07', g FROM generate_series(0, 49) g;
INSERT INTO retention_test SELECT '2018-08-08', g FROM generate_series(0, 59) g;
SELECT sum(r[1]::int) AS r1, sum(r[2]::int) AS r2 FROM (
  SELECT uid, journey.retention(d = '2018-08-06', d = '2018-08-07') AS r
    FROM retention_test WHERE d IN ('2018-08-06', '2018-08-07') GROUP BY uid) x;
SELECT sum(r[1]::int) AS r1, sum(r[2]::int) AS r2 FROM (
  SELECT uid, journey.retention(d = '2018-08-06', d = '2018-08-08') AS r
    FROM retention_test WHERE d IN ('2018-08-06', '2018-08-08') GROUP BY uid) x;
SELECT sum(r[1]::int) AS r1, sum(r[2]::int) AS r2, sum(r[3]::int) AS r3 FROM (
  SELECT uid, journey.retention(d = '2018-08-06', d = '2018-08-07', d = '2018-08-08') AS r
    FROM retention_test GROUP BY uid) x;
-- rk needs cond1 somewhere in the group; a NULL condition counts as false
SELECT journey.retention(c1, c2, c3)
  FROM (VALUES (false, true, NULL::bool), (NULL, false, true)) v(c1, c2, c3);
SELECT journey.retention(c1, c2, c3)
  FROM (VALUES (false, true, NULL::bool), (true, false, NULL)) v(c1, c2, c3);
SELECT journey.retention(true);
-- no rows: NULL
SELECT journey.retention(true) FROM retention_test WHERE false;

-- ---------------------------------------------------------------------
-- Our own cases.
-- ---------------------------------------------------------------------

-- window boundary: exactly the window is inside, one microsecond more is not
SELECT journey.window_funnel(ts, '1 hour', e = 'a', e = 'b') AS exactly_inside
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, 'a'), ('2026-01-01 11:00+00', 'b')) v(ts, e);
SELECT journey.window_funnel(ts, '1 hour', e = 'a', e = 'b') AS just_outside
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, 'a'), ('2026-01-01 11:00:00.000001+00', 'b')) v(ts, e);
-- the window counts from step 1, not from the previous step
SELECT journey.window_funnel(ts, '1 hour', e = 'a', e = 'b', e = 'c') AS from_step_one
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, 'a'), ('2026-01-01 10:50+00', 'b'),
               ('2026-01-01 11:10+00', 'c')) v(ts, e);
-- every step-1 event may start a chain: the later 'a' completes the funnel
SELECT journey.window_funnel(ts, '1 hour', e = 'a', e = 'b', e = 'c') AS later_start
  FROM (VALUES ('2026-01-01 08:00+00'::timestamptz, 'a'), ('2026-01-01 10:00+00', 'a'),
               ('2026-01-01 10:30+00', 'b'), ('2026-01-01 10:40+00', 'c')) v(ts, e);
-- zero window: only events at the very same instant
SELECT journey.window_funnel(ts, '0', e = 'a', e = 'b') AS zero_window
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, 'a'), ('2026-01-01 10:00+00', 'b')) v(ts, e);
-- months count 30 days
SELECT journey.window_funnel(ts, '1 mon', e = 'a', e = 'b') AS one_month
  FROM (VALUES ('2026-01-01 00:00+00'::timestamptz, 'a'), ('2026-01-31 00:00+00', 'b')) v(ts, e);
-- infinite timestamps take part without overflow
SELECT journey.window_funnel(ts, '100 years', e = 'a', e = 'b') AS infinities
  FROM (VALUES ('-infinity'::timestamptz, 'a'), ('infinity', 'b')) v(ts, e);

-- ties: at equal timestamps step k is read before step k + 1, whatever the
-- row order and whichever rows carry the steps
SELECT journey.window_funnel(ts, '1 hour', e = 'a', e = 'b', e = 'c') AS tie_order
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, 'c'), ('2026-01-01 10:00+00', 'b'),
               ('2026-01-01 10:00+00', 'a')) v(ts, e);
-- a row meeting steps 1 and 3 and another meeting step 2, same instant: 3
SELECT journey.window_funnel(ts, '1 hour', c1, c2, c3) AS tie_across_rows
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, true, false, true),
               ('2026-01-01 10:00+00', false, true, false)) v(ts, c1, c2, c3);
-- strict_increase never links equal timestamps
SELECT journey.window_funnel(ts, '1 hour', 'strict_increase', c1, c2, c3) AS tie_strict_increase
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, true, false, true),
               ('2026-01-01 10:00+00', false, true, false)) v(ts, c1, c2, c3);
-- strict_order: a row meeting no step at the same instant is read first
SELECT journey.window_funnel(ts, '1 hour', 'strict_order', e = 'a', e = 'b') AS tie_strict_order
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, 'a'), ('2026-01-01 10:05+00', 'x'),
               ('2026-01-01 10:05+00', 'b')) v(ts, e);

-- out-of-order input gives the same answers as ordered input (the order is
-- set inside each call, so that no plan can hand both sides the same order)
CREATE TABLE funnel_shuffle AS
SELECT c AS customer, '2026-01-01'::timestamptz + (abs(hashint4(c * 100 + i)) % 10000) * interval '1 minute' AS ts,
       (ARRAY['a','b','c','d','x'])[1 + abs(hashint4(c * 100 + i + 7)) % 5] AS e
  FROM generate_series(1, 200) c, generate_series(1, 30) i;
SELECT count(*) AS customers_differing FROM (
  SELECT customer,
         journey.window_funnel(ts, '1 day', e = 'a', e = 'b', e = 'c', e = 'd' ORDER BY ts) AS w1,
         journey.window_funnel(ts, '1 day', 'strict_order, strict_increase', e = 'a', e = 'b', e = 'c', e = 'd' ORDER BY ts) AS w2,
         journey.window_funnel(ts, '1 day', 'strict_once', e = 'a', e = 'b', e = 'c', e = 'd' ORDER BY ts) AS w3,
         journey.funnel_times(ts, '1 day', e = 'a', e = 'b', e = 'c', e = 'd' ORDER BY ts) AS f
    FROM funnel_shuffle GROUP BY customer
  EXCEPT
  SELECT customer,
         journey.window_funnel(ts, '1 day', e = 'a', e = 'b', e = 'c', e = 'd' ORDER BY ts DESC, e DESC),
         journey.window_funnel(ts, '1 day', 'strict_order, strict_increase', e = 'a', e = 'b', e = 'c', e = 'd' ORDER BY ts DESC, e DESC),
         journey.window_funnel(ts, '1 day', 'strict_once', e = 'a', e = 'b', e = 'c', e = 'd' ORDER BY ts DESC, e DESC),
         journey.funnel_times(ts, '1 day', e = 'a', e = 'b', e = 'c', e = 'd' ORDER BY ts DESC, e DESC)
    FROM funnel_shuffle GROUP BY customer) d;
SELECT lvl, count(*) FROM (
  SELECT customer, journey.window_funnel(ts, '1 day', e = 'a', e = 'b', e = 'c', e = 'd') AS lvl
    FROM funnel_shuffle GROUP BY customer) x GROUP BY lvl ORDER BY lvl;

-- brute force: every chain (step k + 1 at or after step k, all within the
-- window of step 1) gives the same furthest level and the same earliest start
WITH RECURSIVE chain(customer, first_ts, last_ts, lvl) AS (
  SELECT DISTINCT customer, ts, ts, 1 FROM funnel_shuffle WHERE e = 'a'
  UNION
  SELECT c.customer, c.first_ts, f.ts, c.lvl + 1
    FROM chain c JOIN funnel_shuffle f ON f.customer = c.customer
   WHERE f.e = (ARRAY['a','b','c','d'])[c.lvl + 1] AND f.ts >= c.last_ts
     AND f.ts <= c.first_ts + interval '1 day' AND c.lvl < 4
), best AS (
  SELECT DISTINCT ON (customer) customer, lvl, first_ts FROM chain ORDER BY customer, lvl DESC, first_ts
)
SELECT count(*) AS brute_force_disagreements
  FROM (SELECT customer,
               journey.window_funnel(ts, '1 day', e = 'a', e = 'b', e = 'c', e = 'd') AS lvl,
               journey.funnel_times(ts, '1 day', e = 'a', e = 'b', e = 'c', e = 'd') AS t
          FROM funnel_shuffle GROUP BY customer) j
  FULL JOIN best b USING (customer)
 WHERE j.lvl IS DISTINCT FROM coalesce(b.lvl, 0) OR j.t[1] IS DISTINCT FROM b.first_ts;

-- NULLs: NULL timestamps are skipped, NULL conditions count as false
SELECT journey.window_funnel(ts, '1 hour', e = 'a', e = 'b') AS null_ts
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, 'a'), (NULL, 'b')) v(ts, e);
SELECT journey.window_funnel(ts, '1 hour', e = 'a', e = 'b') AS null_condition
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, 'a'), ('2026-01-01 10:01+00', NULL)) v(ts, e);
SELECT journey.window_funnel(ts, '1 hour', e = 'a') AS only_null_ts,
       journey.funnel_times(ts, '1 hour', e = 'a') AS only_null_ts_times
  FROM (VALUES (NULL::timestamptz, 'a')) v(ts, e);
-- no rows at all: level 0 and no times
SELECT journey.window_funnel(ts, '1 hour', e = 'a') AS no_rows,
       journey.funnel_times(ts, '1 hour', e = 'a') AS no_rows_times
  FROM (VALUES (NULL::timestamptz, 'a')) v(ts, e) WHERE false;

-- funnel_times: the earliest-starting chain reaching the furthest step
SELECT journey.funnel_times(ts, '1 hour', e = 'a', e = 'b', e = 'c') AS earliest_full_chain
  FROM (VALUES ('2026-01-01 08:00+00'::timestamptz, 'a'), ('2026-01-01 08:10+00', 'b'),
               ('2026-01-01 10:00+00', 'a'), ('2026-01-01 10:20+00', 'a'),
               ('2026-01-01 10:30+00', 'b'), ('2026-01-01 10:40+00', 'b'),
               ('2026-01-01 11:05+00', 'c')) v(ts, e);
-- furthest step 2 only: the first 'a' already reaches it
SELECT journey.funnel_times(ts, '1 hour', e = 'a', e = 'b', e = 'c') AS partial_chain
  FROM (VALUES ('2026-01-01 08:00+00'::timestamptz, 'a'), ('2026-01-01 08:10+00', 'b'),
               ('2026-01-01 10:00+00', 'a'), ('2026-01-01 10:30+00', 'b')) v(ts, e);
SELECT journey.funnel_times(ts, '1 hour', e = 'b') AS level_zero
  FROM (VALUES ('2026-01-01 08:00+00'::timestamptz, 'a')) v(ts, e);
-- one row may fill consecutive steps at one instant
SELECT journey.funnel_times(ts, '1 hour', c1, c2, c3) AS same_instant
  FROM (VALUES ('2026-01-01 10:00+00'::timestamptz, true, false, true),
               ('2026-01-01 10:00+00', false, true, false)) v(ts, c1, c2, c3);
-- funnel_times agrees with window_funnel on the shuffled data
SELECT count(*) AS disagreements FROM (
  SELECT customer,
         journey.window_funnel(ts, '1 day', e = 'a', e = 'b', e = 'c', e = 'd') AS lvl,
         journey.funnel_times(ts, '1 day', e = 'a', e = 'b', e = 'c', e = 'd') AS t
    FROM funnel_shuffle GROUP BY customer) x
 WHERE coalesce(cardinality(t), 0) <> lvl
    OR (lvl > 0 AND t[lvl] - t[1] > interval '1 day')
    OR EXISTS (SELECT 1 FROM generate_series(2, lvl) k WHERE t[k] < t[k - 1]);

-- limits: 1 and 32 steps work, 0 and 33 do not
SELECT journey.window_funnel(ts, '1 hour', true) AS one_step
  FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '1 hour', VARIADIC array_fill(true, ARRAY[32])) AS thirty_two_steps,
       journey.funnel_times(ts, '1 hour', VARIADIC array_fill(true, ARRAY[32])) = array_fill(ts, ARRAY[32]) AS times_ok
  FROM (VALUES ('2026-01-01'::timestamptz)) v(ts) GROUP BY ts;
SELECT journey.window_funnel(ts, '1 hour', VARIADIC array_fill(true, ARRAY[33]))
  FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '1 hour', VARIADIC ARRAY[]::bool[])
  FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.retention(VARIADIC array_fill(true, ARRAY[33]));
SELECT journey.retention(VARIADIC ARRAY[]::bool[]);

-- errors
SELECT journey.window_funnel(ts, '-1 hour', true) FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, NULL, true) FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '1 hour', 'strict', true) FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '1 hour', 'strict_order,,strict_once', true) FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '1 hour', 'allow_reentry', true) FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '1 hour', NULL::text, true) FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '1 hour', '', true) AS empty_modes FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '1 hour', VARIADIC NULL::bool[]) FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.funnel_times(ts, '1 hour', VARIADIC NULL::bool[]) FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '1 hour', VARIADIC ARRAY[[true, false], [true, true]])
  FROM (VALUES ('2026-01-01'::timestamptz)) v(ts);
SELECT journey.window_funnel(ts, '1 hour', VARIADIC s)
  FROM (VALUES ('2026-01-01'::timestamptz, ARRAY[true]), ('2026-01-02', ARRAY[true, false])) v(ts, s);
-- the window and modes must not change between rows of a group
SELECT journey.window_funnel(ts, w, true)
  FROM (VALUES ('2026-01-01'::timestamptz, '1 hour'::interval), ('2026-01-02', '2 hours')) v(ts, w);
SELECT journey.window_funnel(ts, w, true)
  FROM (VALUES ('2026-01-01'::timestamptz, '1 hour'::interval), ('2026-01-02', NULL)) v(ts, w);
SELECT journey.window_funnel(ts, '1 hour', m, true)
  FROM (VALUES ('2026-01-01'::timestamptz, 'strict_order'), ('2026-01-02', 'strict_once')) v(ts, m);
SELECT journey.window_funnel(ts, '1 hour', m, true)
  FROM (VALUES ('2026-01-01'::timestamptz, 'strict_order'), ('2026-01-02', NULL)) v(ts, m);
SELECT journey.funnel_times(ts, w, true)
  FROM (VALUES ('2026-01-01'::timestamptz, '1 hour'::interval), ('2026-01-02', '2 hours')) v(ts, w);
-- equal values from different rows are fine (spelled differently, too)
SELECT journey.window_funnel(ts, w, m, true) AS same_params
  FROM (VALUES ('2026-01-01'::timestamptz, '1 hour'::interval, 'strict_order,strict_once'),
               ('2026-01-02', '60 minutes', ' strict_once , strict_order ')) v(ts, w, m);
SELECT journey.retention(VARIADIC NULL::bool[]);
SELECT journey.retention(VARIADIC ARRAY[[true], [false]]);
SELECT journey.retention(VARIADIC s) FROM (VALUES (ARRAY[true]), (ARRAY[true, false])) v(s);
SET journey.max_events_per_group = 3;
SELECT journey.window_funnel(funnel_t(s), '1 day', true) FROM generate_series(1, 4) s;
RESET journey.max_events_per_group;
-- strict_once bounds the chains it tracks among rows sharing one timestamp
SELECT journey.window_funnel('2026-01-01'::timestamptz, '1 day', 'strict_once', VARIADIC array_fill(true, ARRAY[8]))
  FROM generate_series(1, 60);

-- corrupt retention states are rejected (the funnel's internal state cannot
-- be handed to its deserialize function from SQL; see doc/funnels.md)
SELECT journey_internal.retention_final(12345);
SELECT journey_internal.retention_final((3::bigint << 32) | 15);
SELECT journey_internal.retention_combine((2::bigint << 32) | 1, (3::bigint << 32) | 1);
SELECT journey_internal.retention_final((3::bigint << 32) | 5) AS final_ok;

-- parallel: Partial Aggregate, same results as serial
CREATE TABLE funnel_par AS
SELECT c AS customer, '2026-01-01'::timestamptz + (abs(hashint4(c * 100 + i)) % 40000) * interval '1 minute' AS ts,
       (ARRAY['a','b','c','d','x'])[1 + abs(hashint4(c * 100 + i + 7)) % 5] AS e
  FROM generate_series(1, 2000) c, generate_series(1, 40) i;
ANALYZE funnel_par;
CREATE TABLE funnel_serial AS
SELECT lvl, count(*) AS n FROM (SELECT customer % 7 AS g, journey.window_funnel(ts, '3 days', e = 'a', e = 'b', e = 'c') AS lvl
  FROM funnel_par GROUP BY customer) x GROUP BY lvl;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT journey.window_funnel(ts, '3 days', e = 'a', e = 'b', e = 'c') FROM funnel_par;
EXPLAIN (COSTS OFF)
SELECT journey.window_funnel(ts, '3 days', 'strict_order', e = 'a', e = 'b', e = 'c'),
       journey.funnel_times(ts, '3 days', e = 'a', e = 'b', e = 'c'),
       journey.retention(e = 'a', e = 'b') FROM funnel_par;
-- whole-table funnel, parallel vs serial
SELECT journey.window_funnel(ts, '3 days', e = 'a', e = 'b', e = 'c', e = 'd') AS par_level,
       journey.window_funnel(ts, '3 days', 'strict_order', e = 'a', e = 'b', e = 'c') AS par_strict,
       journey.window_funnel(ts, '1 hour', 'strict_once, strict_deduplication', e = 'a', e = 'b', e = 'c') AS par_once,
       journey.funnel_times(ts, '3 days', e = 'a', e = 'b', e = 'c', e = 'd') AS par_times,
       journey.retention(e = 'a', e = 'b', e = 'z') AS par_retention
  FROM funnel_par WHERE customer <= 3;
SELECT journey.window_funnel(ts, '1 hour', e = 'a', e = 'b', e = 'c') AS par_big,
       journey.retention(e = 'a', e = 'b', e = 'z') AS par_retention_big
  FROM funnel_par;
-- per-customer, forcing workers, compared with the serial table
SET force_parallel_mode = on;
SELECT count(*) AS mismatches FROM (
  (SELECT lvl, count(*) AS n FROM (SELECT journey.window_funnel(ts, '3 days', e = 'a', e = 'b', e = 'c') AS lvl
     FROM funnel_par GROUP BY customer) x GROUP BY lvl
   EXCEPT SELECT * FROM funnel_serial)
  UNION ALL
  (SELECT * FROM funnel_serial
   EXCEPT SELECT lvl, count(*) FROM (SELECT journey.window_funnel(ts, '3 days', e = 'a', e = 'b', e = 'c') AS lvl
     FROM funnel_par GROUP BY customer) x GROUP BY lvl)) d;
RESET force_parallel_mode;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
SELECT journey.window_funnel(ts, '3 days', e = 'a', e = 'b', e = 'c', e = 'd') AS ser_level,
       journey.window_funnel(ts, '3 days', 'strict_order', e = 'a', e = 'b', e = 'c') AS ser_strict,
       journey.window_funnel(ts, '1 hour', 'strict_once, strict_deduplication', e = 'a', e = 'b', e = 'c') AS ser_once,
       journey.funnel_times(ts, '3 days', e = 'a', e = 'b', e = 'c', e = 'd') AS ser_times,
       journey.retention(e = 'a', e = 'b', e = 'z') AS ser_retention
  FROM funnel_par WHERE customer <= 3;
SELECT journey.window_funnel(ts, '1 hour', e = 'a', e = 'b', e = 'c') AS ser_big,
       journey.retention(e = 'a', e = 'b', e = 'z') AS ser_retention_big
  FROM funnel_par;

-- A database whose catalog came from the first install script keeps working
-- after the library is replaced: both window_funnel forms were declared then
-- with one transition function, journey_window_funnel_sfunc, which the library
-- still provides.  Declared here as they were, they must give the current
-- answers.
CREATE FUNCTION public.first_window_funnel_sfunc(internal, timestamptz, interval, bool[])
RETURNS internal AS 'journey', 'journey_window_funnel_sfunc' LANGUAGE C IMMUTABLE;
CREATE FUNCTION public.first_window_funnel_sfunc(internal, timestamptz, interval, text, bool[])
RETURNS internal AS 'journey', 'journey_window_funnel_sfunc' LANGUAGE C IMMUTABLE;
CREATE AGGREGATE public.first_window_funnel(timestamptz, interval, VARIADIC bool[]) (
	SFUNC = public.first_window_funnel_sfunc, STYPE = internal,
	FINALFUNC = journey_internal.window_funnel_final);
CREATE AGGREGATE public.first_window_funnel(timestamptz, interval, text, VARIADIC bool[]) (
	SFUNC = public.first_window_funnel_sfunc, STYPE = internal,
	FINALFUNC = journey_internal.window_funnel_final);
SELECT count(*) FILTER (WHERE old_level IS DISTINCT FROM new_level) AS plain_differing,
       count(*) FILTER (WHERE old_strict IS DISTINCT FROM new_strict) AS modes_differing,
       sum(new_strict) AS strict_levels
  FROM (SELECT customer,
               public.first_window_funnel(ts, '3 days', e = 'a', e = 'b', e = 'c') AS old_level,
               journey.window_funnel(ts, '3 days', e = 'a', e = 'b', e = 'c') AS new_level,
               public.first_window_funnel(ts, '3 days', 'strict_order', e = 'a', e = 'b', e = 'c') AS old_strict,
               journey.window_funnel(ts, '3 days', 'strict_order', e = 'a', e = 'b', e = 'c') AS new_strict
          FROM funnel_par GROUP BY customer) s;
-- the same symbol bound to steps written out (as no script declares it) reads
-- them as steps, not as modes: it tells the forms apart by argument type
CREATE FUNCTION public.first_window_funnel_sfunc(internal, timestamptz, interval, bool, bool)
RETURNS internal AS 'journey', 'journey_window_funnel_sfunc' LANGUAGE C IMMUTABLE;
CREATE AGGREGATE public.first_window_funnel(timestamptz, interval, bool, bool) (
	SFUNC = public.first_window_funnel_sfunc, STYPE = internal,
	FINALFUNC = journey_internal.window_funnel_final);
SELECT count(*) FILTER (WHERE old_level IS DISTINCT FROM new_level) AS two_steps_differing
  FROM (SELECT customer,
               public.first_window_funnel(ts, '3 days', e = 'a', e = 'b') AS old_level,
               journey.window_funnel(ts, '3 days', e = 'a', e = 'b') AS new_level
          FROM funnel_par GROUP BY customer) s;
DROP AGGREGATE public.first_window_funnel(timestamptz, interval, bool, bool);
DROP FUNCTION public.first_window_funnel_sfunc(internal, timestamptz, interval, bool, bool);
DROP AGGREGATE public.first_window_funnel(timestamptz, interval, VARIADIC bool[]);
DROP AGGREGATE public.first_window_funnel(timestamptz, interval, text, VARIADIC bool[]);
DROP FUNCTION public.first_window_funnel_sfunc(internal, timestamptz, interval, bool[]);
DROP FUNCTION public.first_window_funnel_sfunc(internal, timestamptz, interval, text, bool[]);

-- a window too large to count in microseconds
SELECT journey.window_funnel(ts, interval '170000000 years', true)
  FROM (VALUES ('2026-03-01'::timestamptz)) v(ts);

DROP TABLE funnel_test, funnel_test2, funnel_test_u64, funnel_test_strict, funnel_test_strict_order,
  funnel_dddd, funnel_test_non_null, funnel_test_strict_increase, funnel_once, funnel_reentry,
  funnel_ecommerce, retention_test, funnel_shuffle, funnel_par, funnel_serial;
DROP FUNCTION funnel_t(float8);
