-- 08_exact_sum: exact_sum(float8), the sum rounded once, the same bits
-- whatever the order of the rows or their split over workers.  Expected
-- values are exact sums worked out by hand (and, at scale, against Python's
-- fractions in test/suites/08_exact_sum.sh).
\set VERBOSITY default
CREATE TABLE sum_rows (i int, x float8);
INSERT INTO sum_rows VALUES (1, 1e16), (2, 1), (3, -1e16), (4, 0.1), (5, 0.2), (6, 0.3);

-- 1e16 + 1 - 1e16 is 1 however it is added (a naive left-to-right sum gives
-- 0 in this order); 0.1 + 0.2 + 0.3 is the double nearest to
-- 0.6000000000000000055511151231257827, which is 0.6 (a naive sum gives
-- 0.6000000000000001 in this order)
SELECT journey.exact_sum(x) AS exact, sum(x) AS naive
  FROM (SELECT x FROM sum_rows WHERE i <= 3 ORDER BY i) s;
SELECT journey.exact_sum(x) AS exact, sum(x) AS naive
  FROM (SELECT x FROM sum_rows WHERE i > 3 ORDER BY i) s;
-- every order of the six rows gives the same bits
WITH orders(o) AS (VALUES ('i'), ('i DESC'), ('x'), ('x DESC'), ('md5(i::text)'))
SELECT count(DISTINCT h) AS distinct_results, min(h) AS bits
  FROM orders,
       LATERAL (SELECT encode(float8send(journey.exact_sum(x)), 'hex') AS h
                  FROM (SELECT * FROM sum_rows ORDER BY
                        CASE o WHEN 'i' THEN i::text WHEN 'x' THEN to_char(x, '0.000000000000000EEEE')
                               WHEN 'md5(i::text)' THEN md5(i::text) END,
                        CASE o WHEN 'i DESC' THEN -i WHEN 'x DESC' THEN -x END) r) s;
-- (all six rows: 1 + 0.6000000000000000055 rounds to the double 1.6, whose
-- bits are 3ff999999999999a)
SELECT journey.exact_sum(x) = 1.6 AS is_1_6 FROM sum_rows;

-- NULLs are skipped; no rows (or only NULLs) give NULL, as sum() does; -0
-- adds nothing
SELECT journey.exact_sum(x) FROM (VALUES (NULL::float8), (2.5), (NULL)) v(x);
SELECT journey.exact_sum(x) IS NULL AS no_rows FROM sum_rows WHERE false;
SELECT journey.exact_sum(NULL::float8) IS NULL AS only_nulls FROM sum_rows;
SELECT journey.exact_sum(x)::text FROM (VALUES ('-0'::float8), ('-0')) v(x);

-- partial sums beyond float8 are fine when the total is not (sum() fails
-- with an overflow in this order): the exact sum is 1e308 + 3, which
-- rounds to 1e308
SELECT journey.exact_sum(x) AS exact
  FROM (SELECT * FROM (VALUES (1, 1e308::float8), (2, 1e308), (3, -1e308), (4, 3)) v(i, x) ORDER BY i) o;
-- ties of the final rounding go to even: 2^53 + 1 -> 2^53, 2^53 + 3 -> 2^53 + 4,
-- and anything beyond the tie breaks it: 2^53 + 1 + 2^-1000 -> 2^53 + 2
SELECT journey.exact_sum(x) - 9007199254740992::float8 AS above_2_53
  FROM (VALUES (1, 9007199254740992::float8), (1, 1),
               (2, 9007199254740994), (2, 1),
               (3, 9007199254740992), (3, 1), (3, 2::float8 ^ -1000)) v(k, x)
 GROUP BY k ORDER BY k;
-- subnormals add exactly: 7 x 5e-324 - 2 x 5e-324 = 5 x 5e-324
SELECT journey.exact_sum(x) = 5 * 5e-324::float8 AS subnormals
  FROM (SELECT CASE WHEN g <= 7 THEN 5e-324::float8 ELSE -5e-324::float8 END AS x
          FROM generate_series(1, 9) g) s;

-- errors: NaN and infinities are refused (they cannot be summed exactly; a
-- sum of them is not order-free either), an exact sum beyond float8 is out
-- of range
SELECT journey.exact_sum(x) FROM (VALUES (1::float8), ('NaN')) v(x);
SELECT journey.exact_sum(x) FROM (VALUES (1::float8), ('Infinity')) v(x);
SELECT journey.exact_sum(x) FROM (VALUES ('-Infinity'::float8)) v(x);
SELECT journey.exact_sum(x) FROM (VALUES (1e308::float8), (1e308)) v(x);

-- Parallel plans (partial states serialized, sent and combined) give the
-- serial bits.
CREATE TABLE sum_par AS
SELECT g % 10 AS k, (ARRAY[1e16, 1, -1e16, 0.1, 1e-300, 12.34, 3e9 * 2^40])[1 + g % 7]::float8 AS x
  FROM generate_series(1, 100000) g;
ANALYZE sum_par;
CREATE TEMP TABLE sum_serial AS
  SELECT k, encode(float8send(journey.exact_sum(x)), 'hex') AS h FROM sum_par GROUP BY k;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT k, journey.exact_sum(x) FROM sum_par GROUP BY k;
SELECT count(*) AS groups, count(*) FILTER (WHERE s.h = p.h) AS same_bits
  FROM sum_serial s
  JOIN (SELECT k, encode(float8send(journey.exact_sum(x)), 'hex') AS h FROM sum_par GROUP BY k) p USING (k);
EXPLAIN (COSTS OFF) SELECT journey.exact_sum(x) FROM sum_par;
SELECT encode(float8send(journey.exact_sum(x)), 'hex') =
       (SELECT encode(float8send(journey.exact_sum(x)), 'hex') FROM (SELECT x FROM sum_par ORDER BY x) o) AS same_bits
  FROM sum_par;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;

-- The serialized state distrusts its bytes: version 1, then a sum: 00 and
-- a finite float8, or 01, int16 lowest chunk, int16 chunk count and the
-- int64 chunks of 32 bits (chunk c weighs 2^(32c - 1074)) in canonical form
-- (src/sum.c), every number little-endian whatever the host (so these bytes
-- mean the same on every server).  Through a hook the install script does
-- not expose, which returns the sum the state holds.
CREATE FUNCTION public.journey_sum_state_check(bytea) RETURNS float8
  AS 'journey', 'journey_exact_sum_state_check' LANGUAGE C STRICT;
SELECT public.journey_sum_state_check('\x0100000000000000e03f');  -- 0.5 as a double
SELECT public.journey_sum_state_check('\x01011f000300000000380000000033333333000000003333010000000000');  -- 0.1 + 0.2 exactly: rounds to 0.30000000000000004
SELECT public.journey_sum_state_check('\x01011e00070000c0ffff00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffbfffffffffff');  -- -(2^100 + 2^-100): rounds to -2^100
SELECT public.journey_sum_state_check('\x01012200020000000080000000000000000000000000');  -- 2^45: a 0 on top of a digit of 2^31
SELECT public.journey_sum_state_check('\x0101420001000100000000000000');  -- 2^1038: a valid state beyond float8
SELECT public.journey_sum_state_check('\x0200000000000000e03f');  -- version
SELECT public.journey_sum_state_check('\x0107000000000000e03f');  -- unknown kind of sum
SELECT public.journey_sum_state_check('\x0100000000000000f87f');  -- NaN
SELECT public.journey_sum_state_check('\x0100000000000000e03f00');  -- trailing byte
SELECT public.journey_sum_state_check('\x010000000000');  -- truncated
SELECT public.journey_sum_state_check('\x01011e00020000000000000000000100000000000000');  -- lowest chunk 0
SELECT public.journey_sum_state_check('\x01011e0002000000008000000000ffffffffffffffff');  -- -1 on top that belongs below
SELECT public.journey_sum_state_check('\x01011e00020005000000000000000000000000000000');  -- 0 on top that could go
SELECT public.journey_sum_state_check('\x');
DROP FUNCTION public.journey_sum_state_check(bytea);
DROP TABLE sum_rows, sum_par;
