-- 40_stats: statistics for experiments, checked against published numbers.
-- Every expected number below comes with its source.  Results are rounded
-- (round(x::numeric, 6) unless said otherwise) so that the expected output
-- does not depend on the platform's last bits.
\set VERBOSITY default

------------------------------------------------------------------------
-- proportion_test: pooled two-proportion z-test, z = (rate_b - rate_a)/se
------------------------------------------------------------------------

-- statsmodels test_proportion.py (GH 2969): proportions_ztest([5, 12], [83, 99])
-- gives stat -1.4078304151258787 (first minus second) and p 0.15918129181156992.
-- Our z is B minus A, so +1.407830; p 0.159181.
SELECT round(rate_a::numeric, 6) AS rate_a, round(rate_b::numeric, 6) AS rate_b,
       round(z::numeric, 6) AS z, round(p_value::numeric, 6) AS p_value
  FROM journey.proportion_test(5, 83, 12, 99);

-- R's prop.test(correct = FALSE) on every pair of smokers2 = c(73, 90, 114, 75)
-- out of patients = c(86, 93, 136, 82), as printed in statsmodels'
-- test_proportion.py (res_ppt_pvals_raw): 0.00533824886503131,
-- 0.8327574849753566, 0.1880573726722516, 0.002026764254350234,
-- 0.1309487516334318, 0.1076118730631731.  The pooled z-test p equals the
-- chi-square test p (chi-square = z^2, 1 df).
WITH arms(i, conv, n) AS (VALUES (1, 73, 86), (2, 90, 93), (3, 114, 136), (4, 75, 82))
SELECT a.i AS arm_a, b.i AS arm_b, round(t.p_value::numeric, 6) AS p_value,
       round((t.z * t.z)::numeric, 6) AS chi_square
  FROM arms a JOIN arms b ON a.i < b.i,
       LATERAL journey.proportion_test(a.conv, a.n, b.conv, b.n) t
 ORDER BY 1, 2;

-- swapping the arms negates z and keeps p
SELECT round(t1.z::numeric, 9) = -round(t2.z::numeric, 9) AS z_negated,
       t1.p_value = t2.p_value AS same_p
  FROM journey.proportion_test(73, 86, 90, 93) t1,
       journey.proportion_test(90, 93, 73, 86) t2;

-- Relative lift and its delta-method standard error, GrowthBook's
-- frequentist relative-lift formula:
--   var = rb(1-rb)/(ra^2 nb) + ra(1-ra) rb^2/(ra^4 na)
-- GrowthBook's test_two_sided_ttest_binom (packages/stats/tests/frequentist/
-- test_tests.py): 14/28 against 16/30 gives expected 0.06667 and uplift
-- stddev 0.2717 (5 decimals).  Our interval is lift +/- z(0.975) * stddev
-- (GrowthBook widens it with a t quantile; the stddev is the same), so
-- (lift_high - lift) / 1.959963984540054 must give 0.27170.
SELECT round(lift::numeric, 5) AS lift,
       round(((lift_high - lift) / 1.959963984540054)::numeric, 5) AS stddev,
       round(((lift - lift_low) / 1.959963984540054)::numeric, 5) AS stddev_low,
       round(lift_low::numeric, 6) AS lift_low, round(lift_high::numeric, 6) AS lift_high
  FROM journey.proportion_test(14, 28, 16, 30);

-- alpha sets the interval: at alpha = 0.10 the half-width is
-- z(0.95) = 1.6448536269514722 standard errors (same stddev 0.27170)
SELECT round(((lift_high - lift) / 1.6448536269514722)::numeric, 5) AS stddev
  FROM journey.proportion_test(14, 28, 16, 30, 0.10);

-- Edge cases (doc/statistics.md):
-- rate_a = 0: relative lift undefined, lift columns NULL; z and p still defined
SELECT rate_a, round(rate_b::numeric, 6) AS rate_b, lift, lift_low, lift_high,
       round(z::numeric, 6) AS z, round(p_value::numeric, 6) AS p_value
  FROM journey.proportion_test(0, 100, 5, 100);
-- no conversion anywhere: pooled variance 0, z = 0 and p = 1; lift NULL
SELECT * FROM journey.proportion_test(0, 100, 0, 50);
-- every unit converted in both arms: z = 0, p = 1, lift 0, interval NULL
SELECT * FROM journey.proportion_test(100, 100, 50, 50);
-- no conversion in B: lift -1 with a zero delta-method standard error,
-- so no interval; z and p as usual
SELECT round(lift::numeric, 6) AS lift, lift_low, lift_high,
       round(z::numeric, 6) AS z, round(p_value::numeric, 6) AS p_value
  FROM journey.proportion_test(5, 100, 0, 100);
-- rate_a = 1 but B lower: lift defined (-0.5), interval from B's variance only
SELECT round(lift::numeric, 6) AS lift, round(lift_low::numeric, 6) AS lift_low,
       round(lift_high::numeric, 6) AS lift_high
  FROM journey.proportion_test(10, 10, 5, 10);

-- errors
SELECT * FROM journey.proportion_test(5, 4, 1, 10);
SELECT * FROM journey.proportion_test(1, 10, 11, 10);
SELECT * FROM journey.proportion_test(-1, 10, 1, 10);
SELECT * FROM journey.proportion_test(1, 0, 1, 10);
SELECT * FROM journey.proportion_test(1, 10, 1, -5);
SELECT * FROM journey.proportion_test(1, 10, 1, 10, 0);
SELECT * FROM journey.proportion_test(1, 10, 1, 10, 1.5);
SELECT * FROM journey.proportion_test(1, 10, 1, 10, 'NaN');
-- STRICT: a NULL argument gives a NULL row
SELECT * FROM journey.proportion_test(NULL, 10, 1, 10);

------------------------------------------------------------------------
-- wilson_interval: Wilson score interval, no continuity correction
------------------------------------------------------------------------

-- R binom.confint(x, n, tol = 1e-8) method "wilson", as printed in
-- statsmodels' results_proportion.py (and matched there by
-- proportion_confint(method='wilson')):
--   (18, 20)   0.6989663547715128  0.972133518786232
--   (4, 20)    0.0806576625797981  0.4160174322518935
--   (4, 200)   0.00780442641634947 0.05028708690582643
--   (190, 200) 0.910421851861224   0.972617354399236
--   (1, 30)    0.005908590         0.16670391
--   (29, 30)   0.8332961           0.9940914
--   (0, 30)    0                   0.11351339
--   (30, 30)   0.8864866           1
SELECT x, n, round(w.low::numeric, 6) AS low, round(w.high::numeric, 6) AS high
  FROM (VALUES (18, 20), (4, 20), (4, 200), (190, 200), (1, 30), (29, 30),
               (0, 30), (30, 30)) v(x, n),
       LATERAL journey.wilson_interval(x, n) w
 ORDER BY n, x;

-- a higher confidence gives a wider interval around the same data
SELECT w99.low < w95.low AND w99.high > w95.high AS wider
  FROM journey.wilson_interval(40, 100, 0.99) w99, journey.wilson_interval(40, 100) w95;

-- errors
SELECT * FROM journey.wilson_interval(21, 20);
SELECT * FROM journey.wilson_interval(-1, 20);
SELECT * FROM journey.wilson_interval(0, 0);
SELECT * FROM journey.wilson_interval(5, 20, 1);
SELECT * FROM journey.wilson_interval(5, 20, 0);

------------------------------------------------------------------------
-- sample_size: units per arm, mde absolute, two-sided (Evan Miller)
------------------------------------------------------------------------

-- Evan Miller's sample size calculator formula (evanmiller.org,
-- "Sample Size Calculator"):
--   n = ceil( (z(1-alpha/2) sqrt(2 p (1-p)) + z(power) sqrt(p(1-p) + q(1-q)))^2 / mde^2 )
-- with p = baseline, q = baseline + mde.  Baseline 0.20, mde 0.05, alpha
-- 0.05, power 0.8: the bracket squared over 0.0025 is 1030.2, so 1031.
-- Checked here against the same formula written out in SQL with the
-- published quantiles z(0.975) = 1.959963984540054, z(0.8) =
-- 0.8416212335729143, z(0.95) = 1.6448536269514722, z(0.9) = 1.2815515655446004.
SELECT journey.sample_size(0.2, 0.05) AS n,
       ceil((1.959963984540054 * sqrt(2 * 0.2 * 0.8)
             + 0.8416212335729143 * sqrt(0.2 * 0.8 + 0.25 * 0.75))^2 / 0.05^2) AS by_formula;
SELECT journey.sample_size(0.05, 0.01, 0.10, 0.9) AS n,
       ceil((1.6448536269514722 * sqrt(2 * 0.05 * 0.95)
             + 1.2815515655446004 * sqrt(0.05 * 0.95 + 0.06 * 0.94))^2 / 0.01^2) AS by_formula;
-- smaller effects need more units
SELECT journey.sample_size(0.1, 0.01) > journey.sample_size(0.1, 0.02) AS monotone;

-- errors
SELECT journey.sample_size(0, 0.05);
SELECT journey.sample_size(1.2, 0.05);
SELECT journey.sample_size(0.2, 0);
SELECT journey.sample_size(0.2, -0.01);
SELECT journey.sample_size(0.97, 0.05);
SELECT journey.sample_size(0.2, 0.05, 0);
SELECT journey.sample_size(0.2, 0.05, 0.05, 1);
SELECT journey.sample_size(0.2, 1e-12);

------------------------------------------------------------------------
-- srm_test: chi-square goodness-of-fit p-value, df = k - 1
------------------------------------------------------------------------

-- R: prop.test(73, 86, p = 0.9, correct = FALSE) is the goodness-of-fit
-- test of (73, 13) against (0.9, 0.1): X-squared 2.501291989664086,
-- p 0.113752943640092 (statsmodels test_proportion.py, res_prop_test_1).
SELECT round(journey.srm_test(ARRAY[73, 13], ARRAY[0.9, 0.1])::numeric, 6) AS p;
-- weights need not sum to 1: (9, 1) is the same as (0.9, 0.1)
SELECT round(journey.srm_test(ARRAY[73, 13], ARRAY[9, 1])::numeric, 6) AS p;
-- R: chisq.test(c(A = 20, B = 15, C = 25)): X-squared 2.5, df 2; with two
-- degrees of freedom the tail is exactly exp(-2.5/2) = 0.286505.
SELECT round(journey.srm_test(ARRAY[20, 15, 25])::numeric, 6) AS p,
       round(exp(-1.25)::numeric, 6) AS exact;
-- Four groups (df 3) against the closed form of the chi-square tail with 3
-- degrees of freedom, Q = erfc(sqrt(x/2)) + sqrt(2x/pi) exp(-x/2):
-- counts (30, 20, 25, 45), equal weights: x = (0 + 100 + 25 + 225)/30,
-- Q = 0.00861677849790208 (evaluated with mpmath, 30 digits).
SELECT round(journey.srm_test(ARRAY[30, 20, 25, 45])::numeric, 6) AS p;
-- A balanced 50/50 split gives 1; 5000 against 5400 is a sample-ratio
-- mismatch: x = 2 * 200^2 / 5200, Q(1 df) = erfc(sqrt(x/2)) = 8.76994e-05.
SELECT journey.srm_test(ARRAY[5000, 5000]) AS balanced,
       round(journey.srm_test(ARRAY[5000, 5400])::numeric, 10) AS mismatch;
-- no units at all: NULL (nothing to test); NULL counts array: NULL
SELECT journey.srm_test(ARRAY[0, 0]) IS NULL AS no_units,
       journey.srm_test(NULL) IS NULL AS null_counts;

-- errors
SELECT journey.srm_test(ARRAY[10, 20], ARRAY[1.0, 1.0, 1.0]);
SELECT journey.srm_test(ARRAY[10]);
SELECT journey.srm_test(ARRAY[10, -1]);
SELECT journey.srm_test(ARRAY[10, 20], ARRAY[1.0, 0]);
SELECT journey.srm_test(ARRAY[10, 20], ARRAY[1.0, 'Infinity']);
SELECT journey.srm_test(ARRAY[10, NULL]);
SELECT journey.srm_test(ARRAY[10, 20], ARRAY[1.0, NULL]);
SELECT journey.srm_test(ARRAY[[10, 20], [30, 40]]);

------------------------------------------------------------------------
-- prob_to_beat: exact P(rate_B > rate_A), uniform Beta(1,1) priors
------------------------------------------------------------------------

-- 1 of 1 against 0 of 1: P(Beta(2,1) > Beta(1,2)) = integral of 2x (2x - x^2)
-- over [0,1] = 5/6 exactly.
SELECT round(journey.prob_to_beat(0, 1, 1, 1)::numeric, 6) AS p,
       round(5.0 / 6, 6) AS exact;
-- identical data: 1/2 by symmetry
SELECT round(journey.prob_to_beat(10, 100, 10, 100)::numeric, 6) AS p;
-- P(A beats B) + P(B beats A) = 1 (ties have probability zero)
SELECT round((journey.prob_to_beat(3, 10, 7, 10)
              + journey.prob_to_beat(7, 10, 3, 10))::numeric, 9) AS total;

-- Independent check by numeric integration in SQL (midpoint rule, 20000
-- cells) of P(pB > pA) = integral of f_B(x) F_A(x) dx, for small counts:
-- f_B is the Beta(conv_b+1, n_b-conv_b+1) density and F_A the Beta CDF of
-- A, itself integrated on the same grid.
CREATE FUNCTION stats_test_ptb(ca int, na int, cb int, nb int) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
  WITH k AS MATERIALIZED (  -- log of 1 / Beta(conv + 1, n - conv + 1) = log((n+1)! / (conv! (n-conv)!))
    SELECT (ln(factorial(na + 1)) - ln(factorial(ca)) - ln(factorial(na - ca)))::float8 AS ka,
           (ln(factorial(nb + 1)) - ln(factorial(cb)) - ln(factorial(nb - cb)))::float8 AS kb),
  d AS (
    SELECT exp(greatest(ka + ca * ln(x) + (na - ca) * ln(1 - x), -300)) AS fa,
           exp(greatest(kb + cb * ln(x) + (nb - cb) * ln(1 - x), -300)) AS fb, x
      FROM k, (SELECT (i + 0.5) / 20000.0::float8 AS x FROM generate_series(0, 19999) i) g),
  -- (greatest() keeps exp() and the products from underflowing: e^-300 is far below 1e-6)
  c AS (  -- F_A at each midpoint: the cells below plus half of this one
    SELECT fb, (sum(fa) OVER (ORDER BY x) - fa / 2) / 20000 AS cdf_a FROM d)
  SELECT sum(fb * cdf_a) / 20000 FROM c
$$;
SELECT ca, na, cb, nb,
       round(journey.prob_to_beat(ca, na, cb, nb)::numeric, 6) AS exact,
       round(stats_test_ptb(ca, na, cb, nb)::numeric, 6) AS integrated
  FROM (VALUES (3, 10, 7, 10), (2, 5, 4, 6), (20, 100, 30, 100), (7, 10, 3, 10),
               (49, 100, 51, 100)) v(ca, na, cb, nb);
DROP FUNCTION stats_test_ptb(int, int, int, int);

-- GrowthBook's test_bayesian_binomial_ab_test (packages/stats/tests/bayesian/
-- test_tests.py): 49/100 against 51/100 with uniform priors gives
-- chance_to_win 0.61052 from its normal approximation of the log lift.
-- The exact value is 0.610771 (mpmath, and the integration above); the two
-- agree to within 0.0003.
SELECT round(journey.prob_to_beat(49, 100, 51, 100)::numeric, 6) AS exact,
       abs(journey.prob_to_beat(49, 100, 51, 100) - 0.61052) < 0.0003 AS near_growthbook;

-- Large counts (log space keeps them exact).  Expected values from the same
-- closed form evaluated independently with 30-40 significant digits
-- (mpmath): 1000/10000 vs 1100/10000 -> 0.989457354431714;
-- 9000/10000 vs 9100/10000 -> 0.992054331445035 (summed over the small
-- non-conversion side); 5000/100000 vs 5200/100000 -> 0.978961717480533;
-- 50000/1000000 vs 50500/1000000 -> 0.947209750740105;
-- 48000/1000000 vs 47600/1000000 -> 0.092459533942905;
-- 5e6/1e8 vs 5.01e6/1e8 -> 0.9994083864789891;
-- 5e8/1e9 vs 500010000/1e9 -> 0.6726395769126849;
-- 0/1e9 vs 1/1e9 -> 0.750000000125.
SELECT round(journey.prob_to_beat(1000, 10000, 1100, 10000)::numeric, 6) AS p1,
       round(journey.prob_to_beat(9000, 10000, 9100, 10000)::numeric, 6) AS p2,
       round(journey.prob_to_beat(5000, 100000, 5200, 100000)::numeric, 6) AS p3,
       round(journey.prob_to_beat(50000, 1000000, 50500, 1000000)::numeric, 6) AS p4,
       round(journey.prob_to_beat(48000, 1000000, 47600, 1000000)::numeric, 6) AS p5;
SELECT round(journey.prob_to_beat(5000000, 100000000, 5010000, 100000000)::numeric, 6) AS p6,
       round(journey.prob_to_beat(500000000, 1000000000, 500010000, 1000000000)::numeric, 6) AS p7,
       round(journey.prob_to_beat(0, 1000000000, 1, 1000000000)::numeric, 6) AS p8;

-- Counts far beyond a billion.  Below 1e7 in the smallest posterior shape
-- the sum is evaluated term by term, its largest term in log space by
-- Loader's saddle-point method (log-gammas of counts near 1e17 lose every
-- digit); above it an Edgeworth expansion of the difference of the two
-- betas.  Expected values: 40-digit sums (mpmath loggamma and the same
-- recurrence of terms, independent of our log term), each within 1e-12:
WITH c(ca, na, cb, nb, expected) AS (VALUES
	-- few terms, huge other shapes
	(5::bigint, 100000000000000000::bigint, 7::bigint, 100000000000000000::bigint, 0.70947265625000001),
	(0, 100000000000000000, 1, 100000000000000000, 0.75),
	(99999999999999995, 100000000000000000, 99999999999999993, 100000000000000000, 0.29052734374999999),
	(100, 1000000000000000, 130, 1000000000000000, 0.97591847327963418),
	(3, 1000000000, 5, 2000000000, 0.34969262829284154),
	-- around the switch from the sum to the expansion
	(1000000, 2000000, 1001000, 2000000, 0.84134471582218058),
	(9999999, 10000000000, 10001000, 10000000000, 0.58859676367529140),
	(10000000, 20000000, 10003000, 20000000, 0.82860914105757655),
	(10000000, 1000000000, 10010000, 1000000000, 0.98767285585332784),
	(10000010, 20000000, 10000000, 20000000, 0.49873843587576426),
	(100000000, 200000000, 100010000, 200000000, 0.84134474576607954),
	(100000000, 10000000000, 100030000, 10000000000, 0.98349036465770085))
SELECT ca, na, cb, nb, abs(journey.prob_to_beat(ca, na, cb, nb) - expected) < 1e-12 AS within_1e_12
  FROM c;
-- Where the function switches, the expansion agrees with the exact sum to
-- 1e-12 (the test hook computes either): the smallest shape just above 1e7
-- in four shapes of data (even rates, small rates, rates next to 1, unequal
-- arms, whose 40-digit value 0.49985982597930333 the sum matches to 3e-14
-- and the expansion to 7e-13).
CREATE FUNCTION pg_temp.ptb_by(bigint, bigint, bigint, bigint, text) RETURNS float8
  AS 'journey', 'journey_prob_to_beat_by' LANGUAGE C STRICT;
WITH c(ca, na, cb, nb) AS (VALUES
	(10000001::bigint, 20000002::bigint, 10003000::bigint, 20006002::bigint),
	(10000001, 1000000000, 10010000, 1000000000),
	(990000000, 1000000000, 989990000, 1000000000),
	(10000001, 30000000, 20000000, 60000000))
SELECT ca, na, cb, nb,
	   abs(pg_temp.ptb_by(ca, na, cb, nb, 'sum') - pg_temp.ptb_by(ca, na, cb, nb, 'edgeworth')) < 1e-12 AS agree,
	   journey.prob_to_beat(ca, na, cb, nb) = pg_temp.ptb_by(ca, na, cb, nb, 'edgeworth') AS expansion_used
  FROM c;
-- and at a thousand units, 1e4 times below the switch, it would still be
-- good to 1e-7 (its error falls like the smallest shape to the power -1.5)
SELECT abs(pg_temp.ptb_by(1000, 1000000, 1100, 1000000, 'edgeworth') - 0.98548694812254619) < 1e-7 AS expansion_at_1000,
	   abs(pg_temp.ptb_by(1000, 1000000, 1100, 1000000, 'sum') - 0.98548694812254619) < 1e-15 AS sum_at_1000;
-- Identical arms give exactly 1/2 at any size; 4e17 units answer at once
-- (summing would take minutes), matching the normal approximation there
-- (mpmath, 40 digits: 0.50089206131469189; its own error is below 1e-9).
SET statement_timeout = '2s';
SELECT journey.prob_to_beat(50000000000000000, 100000000000000000, 50000000000000000, 100000000000000000) AS identical,
	   journey.prob_to_beat(4611686018427387903, 9223372036854775806, 4611686018427387903, 9223372036854775806) AS identical_at_the_limit,
	   abs(journey.prob_to_beat(200000000000000000, 400000000000000000, 200000000001000000, 400000000000000000)
		   - 0.50089206131469189) < 1e-9 AS near_normal;
RESET statement_timeout;

-- errors
SELECT journey.prob_to_beat(11, 10, 1, 10);
SELECT journey.prob_to_beat(1, 10, 1, 0);
SELECT journey.prob_to_beat(1, 10, -2, 10);

------------------------------------------------------------------------
-- p_adjust: holm and bh, as R's p.adjust, in input order
------------------------------------------------------------------------

-- statsmodels test_multi.py, pval0 and res_multtest1 (R multtest
-- mt.rawp2adjp, equal to p.adjust).  Sorted raw p with Holm and BH:
--   5.23656777208e-05  holm 5.23656777208e-04  bh 5.23656777208e-04
--   2.8140506198e-04   holm 2.53264555782e-03  bh 1.4070253099e-03
--   0.0149877310796    holm 0.1199018486368    bh 0.04995910359866667
--   0.0202732688798    holm 0.1419128821586    bh 0.0506831721995
--   0.177096952723     holm 1                  bh 0.354193905446
--   0.642193923795     holm 1                  bh 0.895336727975
--   0.680845947633     holm 1                  bh 0.895336727975
--   0.71626938238      holm 1                  bh 0.895336727975
--   0.838541367553     holm 1                  bh 0.9317126306144445
--   0.967833824309     holm 1                  bh 0.967833824309
-- Input in pval0's (unsorted) order; output must follow the input order.
WITH p(v) AS (
  SELECT ARRAY[0.838541367553, 0.642193923795, 0.680845947633, 0.967833824309,
               0.71626938238, 0.177096952723, 5.23656777208e-005, 0.0202732688798,
               0.00028140506198, 0.0149877310796]::float8[])
SELECT i, round(v[i]::numeric, 9) AS raw,
       round((journey.p_adjust(v, 'holm'))[i]::numeric, 9) AS holm,
       round((journey.p_adjust(v, 'bh'))[i]::numeric, 9) AS bh
  FROM p, generate_subscripts(v, 1) i
 ORDER BY i;

-- R's pairwise prop.test Holm example (statsmodels test_proportion.py,
-- res_ppt_pvals_holm): 0.02669124432515654, 0.8327574849753566,
-- 0.4304474922526926, 0.0121605855261014, 0.4304474922526926,
-- 0.4304474922526926 -- the raw p-values come from proportion_test.
WITH arms(i, conv, n) AS (VALUES (1, 73, 86), (2, 90, 93), (3, 114, 136), (4, 75, 82)),
     raw AS (SELECT array_agg(t.p_value ORDER BY a.i, b.i) AS p
               FROM arms a JOIN arms b ON a.i < b.i,
                    LATERAL journey.proportion_test(a.conv, a.n, b.conv, b.n) t)
SELECT array_agg(round(h::numeric, 6) ORDER BY o) AS holm
  FROM raw, unnest(journey.p_adjust(p, 'holm')) WITH ORDINALITY u(h, o);

-- NULLs stay NULL and are not counted (n = number of non-NULL p-values, as
-- R's p.adjust): holm of (0.01, NULL, 0.04, 0.03) uses n = 3:
-- 3*0.01, max(0.03, 2*0.03), max(0.06, 1*0.04) -> 0.03, NULL, 0.06, 0.06;
-- bh from the largest down: 0.04*3/3 = 0.04; 0.03*3/2 = 0.045 -> min 0.04;
-- 0.01*3/1 = 0.03 -> 0.03, NULL, 0.04, 0.04.
SELECT journey.p_adjust(ARRAY[0.01, NULL, 0.04, 0.03], 'holm') AS holm,
       journey.p_adjust(ARRAY[0.01, NULL, 0.04, 0.03], 'bh') AS bh;
-- ties, an empty array, a single p-value, capping at 1
SELECT journey.p_adjust(ARRAY[0.02, 0.02, 0.5], 'holm') AS holm_ties,
       journey.p_adjust(ARRAY[0.02, 0.02, 0.5], 'bh') AS bh_ties,
       journey.p_adjust('{}'::float8[], 'bh') AS empty,
       journey.p_adjust(ARRAY[0.3], 'holm') AS single,
       journey.p_adjust(ARRAY[0.6, 0.7], 'holm') AS capped;

-- errors
SELECT journey.p_adjust(ARRAY[0.01, 0.2], 'bonferroni');
SELECT journey.p_adjust(ARRAY[0.01, 1.2], 'holm');
SELECT journey.p_adjust(ARRAY[0.01, -0.1], 'bh');
SELECT journey.p_adjust(ARRAY[0.01, 'NaN'], 'bh');
SELECT journey.p_adjust(ARRAY[[0.01, 0.2]], 'bh');
-- weights must be one-dimensional like the counts
SELECT * FROM journey.srm_test(ARRAY[10, 20]::bigint[], ARRAY[[1.0], [2.0]]);
