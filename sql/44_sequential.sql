-- 44_sequential: CUPED, ratio metrics, sequential (always-valid) intervals
-- and p-values, non-inferiority of guardrails, and their place in the
-- hypothesis registry and results.  Every expected number comes from
-- test/reference/signals.py, which writes GrowthBook's gbstats formulas
-- (RegressionAdjustedStatistic, RatioStatistic, SequentialTwoSidedTTest)
-- out with numpy and uses scipy for the normal distribution; compared at
-- a relative 1e-9 (ok).
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET timezone = 'UTC';
ALTER TABLE journey.hypothesis ALTER COLUMN id RESTART WITH 4400;

------------------------------------------------------------------------
-- cuped_test(control, treatment, alpha, proportion)
------------------------------------------------------------------------

-- a conversion metric (proportion), {n, sum y, sum y^2, sum x, sum x^2,
-- sum xy}: signals.py theta 0.37070524412296574, lift 0.3333333333333335
-- (se 0.26105200276601626, p 0.20164292255914928), CUPED lift
-- 0.30861965039180245 (se 0.24801933270388685, p 0.21337553222387962,
-- interval -0.17748930917747296 .. 0.7947286099610779), variance
-- reduction 0.09735493822728514
WITH r AS (SELECT * FROM journey.cuped_test('{100,30,30,20,20,12}', '{100,40,40,22,22,15}', 0.05, true))
SELECT abs(theta / 0.37070524412296574 - 1) < 1e-9 AS theta_ok,
	   mean_a, mean_b,
	   abs(lift / 0.3333333333333335 - 1) < 1e-9 AS lift_ok,
	   abs(std_error / 0.26105200276601626 - 1) < 1e-9 AS se_ok,
	   abs(p_value / 0.20164292255914928 - 1) < 1e-9 AS p_ok,
	   abs(cuped_lift / 0.30861965039180245 - 1) < 1e-9 AS cuped_ok,
	   abs(cuped_std_error / 0.24801933270388685 - 1) < 1e-9 AS cuped_se_ok,
	   abs(cuped_p_value / 0.21337553222387962 - 1) < 1e-9 AS cuped_p_ok,
	   abs(cuped_low / -0.17748930917747296 - 1) < 1e-9 AS low_ok,
	   abs(cuped_high / 0.7947286099610779 - 1) < 1e-9 AS high_ok,
	   abs(variance_reduction / 0.09735493822728514 - 1) < 1e-9 AS reduction_ok,
	   round(variance_reduction::numeric, 6) AS variance_reduction
  FROM r;

-- a mean metric (sample variances): signals.py theta 1.0426253516465331,
-- lift 0.1280022212966821 (se 0.08105630178670148), CUPED lift
-- 0.1334302999703938 (se 0.03309495471158001, p 5.5365081919977776e-05),
-- variance reduction 0.8332944678867926
WITH r AS (SELECT * FROM journey.cuped_test('{250,1200.5,9800.25,1100,8000,8500.75}',
											 '{240,1300,11000.5,1050,7600,8900}'))
SELECT abs(theta / 1.0426253516465331 - 1) < 1e-9 AS theta_ok,
	   abs(lift / 0.1280022212966821 - 1) < 1e-9 AS lift_ok,
	   abs(std_error / 0.08105630178670148 - 1) < 1e-9 AS se_ok,
	   abs(cuped_lift / 0.1334302999703938 - 1) < 1e-9 AS cuped_ok,
	   abs(cuped_std_error / 0.03309495471158001 - 1) < 1e-9 AS cuped_se_ok,
	   abs(cuped_p_value / 5.5365081919977776e-05 - 1) < 1e-9 AS cuped_p_ok,
	   abs(variance_reduction / 0.8332944678867926 - 1) < 1e-9 AS reduction_ok
  FROM r;

-- no pre-period data (x all 0): theta 0, the CUPED figures are the
-- plain ones, no variance reduction (GrowthBook reverts likewise)
SELECT theta, cuped_lift = lift AS same_lift, cuped_std_error = std_error AS same_se,
	   variance_reduction
  FROM journey.cuped_test('{100,30,30,0,0,0}', '{100,40,40,0,0,0}', 0.05, true);
-- zero conversions in control: no relative lift
SELECT theta, mean_a, mean_b, lift, cuped_lift, variance_reduction
  FROM journey.cuped_test('{100,0,0,10,10,0}', '{100,5,5,10,10,2}', 0.05, true);
-- zero conversions in both arms
SELECT theta, lift, p_value FROM journey.cuped_test('{50,0,0,0,0,0}', '{50,0,0,0,0,0}', 0.05, true);
-- the plain lift and its error are proportion_test's (the same delta method)
SELECT abs(c.lift - p.lift) < 1e-15 AS same_lift,
	   abs(c.lift_high - p.lift_high) < 1e-12 AS same_interval
  FROM journey.cuped_test('{86,73,73,0,0,0}', '{93,90,90,0,0,0}', 0.05, true) c,
	   journey.proportion_test(73, 86, 90, 93) p;
-- errors
SELECT * FROM journey.cuped_test('{1,0,0,0,0,0}', '{100,40,40,22,22,15}');
SELECT * FROM journey.cuped_test('{100,30,30,20,20}', '{100,40,40,22,22,15}');
SELECT * FROM journey.cuped_test('{100,30,NULL,20,20,12}', '{100,40,40,22,22,15}');
SELECT * FROM journey.cuped_test('{100,30,30,20,20,12}', '{100,40,NaN,22,22,15}');
SELECT * FROM journey.cuped_test('{100.5,30,30,20,20,12}', '{100,40,40,22,22,15}');
SELECT * FROM journey.cuped_test('{100,30,-1,20,20,12}', '{100,40,40,22,22,15}');
SELECT * FROM journey.cuped_test('{100,30,31,20,20,12}', '{100,40,40,22,22,15}', 0.05, true);
SELECT * FROM journey.cuped_test('{100,30,30,20,20,12}', '{100,40,40,22,22,15}', 1);
SELECT * FROM journey.cuped_test(NULL, '{100,40,40,22,22,15}');
SELECT * FROM journey.cuped_test('{100,30,30,20,20,12}', '{100,40,40,22,22,15}', NULL);
SELECT * FROM journey.cuped_test('{{100,30,30,20,20,12}}', '{100,40,40,22,22,15}');

------------------------------------------------------------------------
-- ratio_test(control, treatment, alpha): the delta method
------------------------------------------------------------------------

-- signals.py: ratio_a 0.15, ratio_b 0.19047619047619047, lift
-- 0.2698412698412698, se 0.35833684855676634, p 0.4514270692497796 (the
-- same se from the delta method written generically there: the gradient
-- of the lift in the four means by complex steps, their covariance from
-- each arm's sample covariance)
SELECT ratio_a, round(ratio_b::numeric, 9) AS ratio_b,
	   abs(lift / 0.2698412698412698 - 1) < 1e-9 AS lift_ok,
	   abs(std_error / 0.35833684855676634 - 1) < 1e-9 AS se_ok,
	   abs(p_value / 0.4514270692497796 - 1) < 1e-9 AS p_ok,
	   abs((lift_high - lift) / (1.959963984540054 * 0.35833684855676634) - 1) < 1e-9 AS interval_ok
  FROM journey.ratio_test('{100,30,50,200,500,70}', '{100,40,70,210,520,90}');
-- a denominator of 1 per unit is a mean metric: the ratio's variance is
-- the sample variance of y over n (signals.py's cuped() of the same y
-- gives lift 0.1280022212966821 and se 0.08105630178670148)
SELECT abs(lift / 0.1280022212966821 - 1) < 1e-9 AS lift_ok,
	   abs(std_error / 0.08105630178670148 - 1) < 1e-9 AS se_ok
  FROM journey.ratio_test('{250,1200.5,9800.25,250,250,1200.5}', '{240,1300,11000.5,240,240,1300}');
-- no denominator in an arm: no ratio, no lift
SELECT * FROM journey.ratio_test('{100,0,0,0,0,0}', '{100,40,70,210,520,90}');
SELECT * FROM journey.ratio_test('{100,30,50,200,500,70}', NULL);
SELECT * FROM journey.ratio_test('{100,30,50,200,500,70}', '{100,40,70,210,520,90}', NULL);
SELECT * FROM journey.ratio_test('{100,30,50,200,500,70}', '{100,40,70,210,520,90}', 0);

------------------------------------------------------------------------
-- sequential_test(estimate, std_error, n, alpha, tuning)
------------------------------------------------------------------------

-- GrowthBook's SequentialTwoSidedTTest written out (signals.py)
WITH ref(est, se, n, alpha, tuning, low, high, p) AS (VALUES
	(0.1::float8, 0.05::float8, 2000::bigint, 0.05::float8, 5000::float8,
	 -0.05618895458373649::float8, 0.2561889545837365::float8, 0.44646083307915113::float8),
	(0.1, 0.05, 2000, 0.05, 1000, -0.053073860943370826, 0.2530738609433708, 0.6258618022543226),
	(0.03, 0.01, 50000, 0.1, 5000, 0.00015523305159402187, 0.05984476694840597, 0.09553028057335665),
	(0.001, 0.05, 200, 0.05, 5000, -0.2539979984948722, 0.2559979984948722, 1))
SELECT r.est, r.n, r.alpha, r.tuning,
	   abs(s.low / r.low - 1) < 1e-9 AS low_ok, abs(s.high / r.high - 1) < 1e-9 AS high_ok,
	   abs(s.p_value / r.p - 1) < 1e-9 AS p_ok
  FROM ref r, LATERAL journey.sequential_test(r.est, r.se, r.n, r.alpha, r.tuning) s;
-- always wider than the fixed-horizon interval, and p never below the
-- fixed-horizon one (at n = tuning and at 100 times it)
SELECT n, s.high - 0.1 > 1.959963984540054 * 0.05 AS wider,
	   s.p_value >= c.p_value AS not_smaller
  FROM (VALUES (5000::bigint), (500000)) v(n),
	   LATERAL journey.sequential_test(0.1, 0.05, n) s,
	   LATERAL journey.ratio_test('{100,30,50,200,500,70}', '{100,40,70,210,520,90}') c;
-- the interval excludes 0 exactly when p < alpha (the same boundary)
SELECT est, s.low > 0 AS excludes_zero, s.p_value < 0.05 AS significant
  FROM generate_series(1, 9) k, LATERAL (SELECT k * 0.05 AS est) e,
	   LATERAL journey.sequential_test(e.est, 0.1, 1000) s;
-- no variation: no interval
SELECT * FROM journey.sequential_test(0.1, 0, 100);
SELECT * FROM journey.sequential_test(0, 0, 100);
-- errors
SELECT * FROM journey.sequential_test(0.1, -0.05, 100);
SELECT * FROM journey.sequential_test('NaN', 0.05, 100);
SELECT * FROM journey.sequential_test(0.1, 'Infinity', 100);
SELECT * FROM journey.sequential_test(0.1, 0.05, 0);
SELECT * FROM journey.sequential_test(0.1, 0.05, 100, 0);
SELECT * FROM journey.sequential_test(0.1, 0.05, 100, 0.05, 0);
SELECT * FROM journey.sequential_test(0.1, 0.05, 100, 0.05, 'Infinity');

------------------------------------------------------------------------
-- noninferiority_test(estimate, std_error, margin, alpha, higher_is_better)
------------------------------------------------------------------------

-- scipy.stats.norm.sf((est + margin) / se): 0.15865525393145707,
-- 0.022750131948179195, 0.9986501019683699
WITH ref(est, se, margin, p) AS (VALUES
	(-0.01::float8, 0.01::float8, 0.02::float8, 0.15865525393145707::float8),
	(0.0, 0.01, 0.02, 0.022750131948179195),
	(-0.05, 0.01, 0.02, 0.9986501019683699))
SELECT r.est, n.z, abs(n.p_value / r.p - 1) < 1e-9 AS p_ok, n.non_inferior
  FROM ref r, LATERAL journey.noninferiority_test(r.est, r.se, r.margin) n;
-- lower is better: a rise of 0.01 against a margin of 0.02 is the mirror
-- of a fall of 0.01
SELECT a.p_value = b.p_value AS mirrored
  FROM journey.noninferiority_test(0.01, 0.01, 0.02, 0.05, false) a,
	   journey.noninferiority_test(-0.01, 0.01, 0.02, 0.05, true) b;
-- no variation: decided by the estimate (exactly at the margin: not shown)
SELECT * FROM journey.noninferiority_test(-0.01, 0, 0.02);
SELECT * FROM journey.noninferiority_test(-0.02, 0, 0.02);
-- errors
SELECT * FROM journey.noninferiority_test(0, 0.01, -0.02);
SELECT * FROM journey.noninferiority_test(0, -0.01, 0.02);
SELECT * FROM journey.noninferiority_test(0, 0.01, 'NaN');

------------------------------------------------------------------------
-- The hypothesis registry's settings and guardrails
------------------------------------------------------------------------

CREATE TABLE seq_events (customer text, at timestamptz, what text, amount float8);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
							value_column)
VALUES ('seq', 'seq_events', 'customer', 'at', 'what', 'amount');
CREATE TABLE seq_plain (customer text, at timestamptz, what text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('plain', 'seq_plain', 'customer', 'at', 'what');
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('seq', 1, 'visit', 'visit'), ('seq', 2, 'purchase', 'purchase'),
	   ('plain', 1, 'visit', 'visit'), ('plain', 2, 'purchase', 'purchase');

CREATE FUNCTION seq_hypothesis(src text DEFAULT 'seq') RETURNS bigint LANGUAGE sql AS $$
	INSERT INTO journey.hypothesis (source, moment, target_moment, statement, minimum_effect)
	VALUES (src, 'visit', 'purchase',
			'If checkout is one page, more visitors will purchase.', 0.2)
	RETURNING id
$$;

-- the defaults: fixed-horizon, tuning 5000, CUPED over 14 days, no ratio,
-- no capping
SELECT seq_hypothesis() AS h_reg, seq_hypothesis('plain') AS h_plain \gset
SELECT id, sequential, sequential_tuning, cuped_window, ratio_numerator, ratio_denominator,
	   ratio_measure, winsorize
  FROM journey.hypothesis WHERE id = :h_reg;

-- each setting's check
UPDATE journey.hypothesis SET sequential = NULL WHERE id = :h_reg;
UPDATE journey.hypothesis SET sequential_tuning = 0 WHERE id = :h_reg;
UPDATE journey.hypothesis SET sequential_tuning = 'Infinity' WHERE id = :h_reg;
UPDATE journey.hypothesis SET sequential_tuning = NULL WHERE id = :h_reg;
UPDATE journey.hypothesis SET cuped_window = '0 days' WHERE id = :h_reg;
UPDATE journey.hypothesis SET ratio_measure = 'sum' WHERE id = :h_reg;
UPDATE journey.hypothesis SET ratio_numerator = ' ' WHERE id = :h_reg;
UPDATE journey.hypothesis SET ratio_denominator = 'session' WHERE id = :h_reg;
UPDATE journey.hypothesis SET winsorize = 1 WHERE id = :h_reg;
UPDATE journey.hypothesis SET winsorize = 0 WHERE id = :h_reg;
UPDATE journey.hypothesis SET winsorize = 'NaN' WHERE id = :h_reg;
UPDATE journey.hypothesis SET cuped_event = '' WHERE id = :h_reg;
UPDATE journey.hypothesis SET ratio_numerator = 'purchase', ratio_measure = 'value'
 WHERE id = :h_plain;
-- and what is accepted: the smallest tuning above 0, CUPED off, a ratio
-- per session valued, capping at a percentile just below 1
UPDATE journey.hypothesis
   SET sequential = true, sequential_tuning = 1e-300, cuped_window = NULL,
	   ratio_numerator = 'purchase', ratio_denominator = 'session', ratio_measure = 'value',
	   winsorize = 0.999999
 WHERE id = :h_reg
RETURNING sequential, sequential_tuning, cuped_window, ratio_numerator, ratio_measure, winsorize;

-- guardrails: each check
INSERT INTO journey.guardrail (hypothesis_id, name, event_name) VALUES (9999, 'refunds', 'refund');
INSERT INTO journey.guardrail (hypothesis_id, name, event_name) VALUES (:h_reg, ' ', 'refund');
INSERT INTO journey.guardrail (hypothesis_id, name, event_name) VALUES (:h_reg, 'refunds', '');
INSERT INTO journey.guardrail (hypothesis_id, name, event_name, measure)
VALUES (:h_reg, 'refunds', 'refund', 'rate');
INSERT INTO journey.guardrail (hypothesis_id, name, event_name, measure)
VALUES (:h_plain, 'revenue', 'purchase', 'value');
INSERT INTO journey.guardrail (hypothesis_id, name, event_name, margin)
VALUES (:h_reg, 'refunds', 'refund', -0.01);
INSERT INTO journey.guardrail (hypothesis_id, name, event_name, margin)
VALUES (:h_reg, 'refunds', 'refund', 'NaN');
INSERT INTO journey.guardrail (hypothesis_id, name, event_name, margin)
VALUES (:h_reg, 'refunds', 'refund', 'Infinity');
INSERT INTO journey.guardrail (hypothesis_id, name, event_name, higher_is_better)
VALUES (:h_reg, 'refunds', 'refund', NULL);
-- a margin of 0 is allowed
INSERT INTO journey.guardrail (hypothesis_id, name, event_name, margin, higher_is_better)
VALUES (:h_reg, 'refunds', 'refund', 0, false)
RETURNING name, event_name, measure, higher_is_better, margin;

-- once started, the settings and guardrails are frozen; a guardrail
-- inserted later is accepted (as a dump restores it)
SELECT status FROM journey.start_hypothesis(:h_reg);
UPDATE journey.hypothesis SET sequential = false WHERE id = :h_reg;
UPDATE journey.hypothesis SET sequential_tuning = 100 WHERE id = :h_reg;
UPDATE journey.hypothesis SET cuped_window = '7 days' WHERE id = :h_reg;
UPDATE journey.hypothesis SET ratio_numerator = 'visit' WHERE id = :h_reg;
UPDATE journey.hypothesis SET ratio_denominator = NULL WHERE id = :h_reg;
UPDATE journey.hypothesis SET ratio_measure = 'count' WHERE id = :h_reg;
UPDATE journey.hypothesis SET winsorize = 0.9 WHERE id = :h_reg;
UPDATE journey.hypothesis SET cuped_event = 'visit' WHERE id = :h_reg;
UPDATE journey.guardrail SET margin = 0.5 WHERE hypothesis_id = :h_reg;
DELETE FROM journey.guardrail WHERE hypothesis_id = :h_reg;
INSERT INTO journey.guardrail (hypothesis_id, name, event_name) VALUES (:h_reg, 'errors', 'error');
SELECT count(*) AS guardrails FROM journey.guardrail WHERE hypothesis_id = :h_reg;
-- deleting the hypothesis takes its guardrails along
SELECT status FROM journey.abandon_hypothesis(:h_reg, 'A test of the registry.');
DELETE FROM journey.hypothesis WHERE id IN (:h_reg, :h_plain);
SELECT count(*) AS guardrails_left FROM journey.guardrail;

------------------------------------------------------------------------
-- hypothesis_effects and the results
------------------------------------------------------------------------

-- An experiment (signals.py builds the same): 100 customers per arm
-- assigned a minute apart from 2026-04-10.  Control: the first 30
-- purchase an hour later (amount (i % 7 + 1) * 10), customers 19..38
-- purchased two days before assignment; treatment: the first 40 ((i % 5 +
-- 1) * 12), 26..47 before.  Everyone has i % 3 + 1 sessions in the
-- window; refunds for i % 10 = 0 (control) and i % 8 = 0 (treatment).
-- Edges: a31 purchases exactly 7 days after assignment (in the window),
-- a32 a microsecond later (out); a40 purchased exactly 14 days before (in
-- the CUPED window), a41 a microsecond earlier (out); b60 purchases at the
-- instant of assignment (after it, not before).
CREATE FUNCTION seq_arm(hyp bigint, variant text, prefix text)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
	SELECT hyp, prefix || i, variant, '2026-04-10'::timestamptz + i * interval '1 minute'
	  FROM generate_series(1, 100) i
	ON CONFLICT DO NOTHING;
$$;
CREATE FUNCTION seq_arm_events(prefix text, conv int, pre_lo int, pre_hi int,
							   amount_mod int, amount_step float8, refund_mod int)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO seq_events
	SELECT prefix || i, t0 + interval '1 hour', 'purchase', (i % amount_mod + 1) * amount_step
	  FROM generate_series(1, conv) i,
		   LATERAL (SELECT '2026-04-10'::timestamptz + i * interval '1 minute' AS t0) z
	UNION ALL
	SELECT prefix || i, t0 - interval '2 days', 'purchase', 5
	  FROM generate_series(pre_lo, pre_hi) i,
		   LATERAL (SELECT '2026-04-10'::timestamptz + i * interval '1 minute' AS t0) z
	UNION ALL
	SELECT prefix || i, t0 + k * interval '10 minutes', 'session', NULL
	  FROM generate_series(1, 100) i, generate_series(1, 3) k,
		   LATERAL (SELECT '2026-04-10'::timestamptz + i * interval '1 minute' AS t0) z
	 WHERE k <= i % 3 + 1
	UNION ALL
	SELECT prefix || i, t0 + interval '2 hours', 'refund', NULL
	  FROM generate_series(1, 100) i,
		   LATERAL (SELECT '2026-04-10'::timestamptz + i * interval '1 minute' AS t0) z
	 WHERE i % refund_mod = 0;
$$;
SELECT seq_arm_events('a', 30, 19, 38, 7, 10, 10), seq_arm_events('b', 40, 26, 47, 5, 12, 8);
INSERT INTO seq_events VALUES
	('a31', '2026-04-10'::timestamptz + 31 * interval '1 minute' + interval '7 days', 'purchase', 1000),
	('a32', '2026-04-10'::timestamptz + 32 * interval '1 minute' + interval '7 days 0.000001 seconds', 'purchase', 1000),
	('a40', '2026-04-10'::timestamptz + 40 * interval '1 minute' - interval '14 days', 'purchase', 5),
	('a41', '2026-04-10'::timestamptz + 41 * interval '1 minute' - interval '14 days 0.000001 seconds', 'purchase', 5),
	('b60', '2026-04-10'::timestamptz + 60 * interval '1 minute', 'purchase', 7);

-- the full setting: sequential, CUPED over 14 days, revenue per session
-- capped at the 90th percentile of non-zero values, refunds as a
-- guardrail (lower is better, margin 10%)
SELECT seq_hypothesis() AS h_full \gset
UPDATE journey.hypothesis SET sequential = true, ratio_numerator = 'purchase',
	   ratio_denominator = 'session', ratio_measure = 'value', winsorize = 0.9
 WHERE id = :h_full;
INSERT INTO journey.guardrail (hypothesis_id, name, event_name, measure, higher_is_better, margin)
VALUES (:h_full, 'refunds', 'refund', 'count', false, 0.1);
SELECT seq_arm(:h_full, 'control', 'a'), seq_arm(:h_full, 'treatment', 'b');

-- per unit, the conversions are hypothesis_units' (31 and 41), and the
-- sums are signals.py's: control {100, 31, 31, 21, 21, 13}, treatment
-- {100, 41, 41, 22, 22, 15}
SELECT u.variant, u.units, u.conversions, sum(v.converted) AS converted, sum(v.pre_converted) AS pre,
	   sum(v.converted * v.pre_converted) AS both
  FROM journey.hypothesis_units(:h_full) u
  JOIN journey.hypothesis_unit_values(:h_full) v USING (variant)
 GROUP BY u.variant, u.units, u.conversions ORDER BY u.variant;

-- signals.py: CUPED lift 0.31061587052814155 (low -0.16016543595522237,
-- high 0.7813971770115055, p 0.1959554588561856), variance reduction
-- 0.09999695637860162; sequential on it over 200 units: low
-- -0.9143891992484913, high 1.5356209403047743, p 0.9383584122673401;
-- revenue per session (capped at 60 and 3): 5.95 and 7.235, lift
-- 0.21596638655462186, p 0.4443547575332266; refunds 0.1 -> 0.12 per unit,
-- lift 0.2 with se 0.4874174366759539: non-inferiority p
-- 0.5812775929959568: failed
SELECT variant,
	   abs(cuped_lift / 0.31061587052814155 - 1) < 1e-9 AS cuped_ok,
	   abs(cuped_low / -0.16016543595522237 - 1) < 1e-9 AS cuped_low_ok,
	   abs(cuped_high / 0.7813971770115055 - 1) < 1e-9 AS cuped_high_ok,
	   abs(cuped_p_value / 0.1959554588561856 - 1) < 1e-9 AS cuped_p_ok,
	   abs(variance_reduction / 0.09999695637860162 - 1) < 1e-9 AS reduction_ok,
	   abs(sequential_low / -0.9143891992484913 - 1) < 1e-9 AS seq_low_ok,
	   abs(sequential_high / 1.5356209403047743 - 1) < 1e-9 AS seq_high_ok,
	   abs(sequential_p_value / 0.9383584122673401 - 1) < 1e-9 AS seq_p_ok,
	   ratio,
	   abs(ratio_lift / 0.21596638655462186 - 1) < 1e-9 AS ratio_ok,
	   abs(ratio_p_value / 0.4443547575332266 - 1) < 1e-9 AS ratio_p_ok,
	   guardrails_failed
  FROM journey.hypothesis_effects(:h_full);
SELECT guardrail, variant, measure, higher_is_better, margin, control_mean, mean,
	   round(lift::numeric, 9) AS lift,
	   abs(std_error / 0.4874174366759539 - 1) < 1e-9 AS se_ok,
	   abs(p_value / 0.5812775929959568 - 1) < 1e-9 AS p_ok, non_inferior
  FROM journey.hypothesis_guardrails(:h_full);
-- the failed guardrail shows in the verdict
SELECT variant, units, conversions, verdict, guardrails_failed
  FROM journey.hypothesis_results WHERE hypothesis_id = :h_full;
-- and the view computes the effects of this sequential, guarded hypothesis
-- once, for its columns and its verdict alike (hypothesis_result alone
-- computes them for its verdict)
BEGIN;
SET LOCAL track_functions = 'pl';
SELECT count(*) FROM journey.hypothesis_results WHERE hypothesis_id = :h_full;
SELECT calls FROM pg_stat_xact_user_functions
 WHERE schemaname = 'journey' AND funcname = 'hypothesis_effects';
SELECT count(*) FROM journey.hypothesis_result(:h_full);
SELECT calls FROM pg_stat_xact_user_functions
 WHERE schemaname = 'journey' AND funcname = 'hypothesis_effects';
COMMIT;

-- a role that may read the source's customer, time and event columns but
-- not its value column: the per-unit values of a ratio of values need it,
-- and the error names it as the value column
CREATE ROLE regress_seq_reader;
GRANT USAGE ON SCHEMA journey, journey_internal TO regress_seq_reader;
GRANT SELECT ON journey.source, journey.moment, journey.hypothesis, journey.assignment,
	  journey.guardrail TO regress_seq_reader;
GRANT SELECT (customer, at, what) ON seq_events TO regress_seq_reader;
SET ROLE regress_seq_reader;
SELECT count(*) FROM journey.hypothesis_units(:h_full);
SELECT count(*) FROM journey.hypothesis_unit_values(:h_full);
RESET ROLE;
DROP OWNED BY regress_seq_reader;
DROP ROLE regress_seq_reader;

-- Sequential against fixed-horizon on the same data: 30/100 against
-- 50/100 (customers c and d).  statsmodels' proportions_ztest gives p
-- 0.003892417122778628: a significant win at a fixed horizon; the
-- always-valid p-value over 200 units (signals.py: 0.6437491590097131,
-- interval -0.885201732158999 .. 2.218535065492332) is inconclusive.  No
-- pre-period data: the first (CUPED on) shows the plain lift as its CUPED
-- lift with a variance reduction of 0; the second has CUPED off.
INSERT INTO seq_events
SELECT prefix || i, '2026-04-10'::timestamptz + i * interval '1 minute' + interval '1 hour', 'purchase', 1
  FROM (VALUES ('c', 30), ('d', 50)) a(prefix, conv), generate_series(1, conv) i;
SELECT seq_hypothesis() AS h_seq \gset
SELECT seq_hypothesis() AS h_fixed \gset
UPDATE journey.hypothesis SET sequential = true WHERE id = :h_seq;
UPDATE journey.hypothesis SET cuped_window = NULL WHERE id = :h_fixed;
SELECT seq_arm(h, 'control', 'c'), seq_arm(h, 'treatment', 'd')
  FROM unnest(ARRAY[:h_seq, :h_fixed]::bigint[]) h;
SELECT hypothesis_id = :h_seq AS sequential, variant, conversions,
	   abs(p_value / 0.003892417122778628 - 1) < 1e-9 AS fixed_p_ok,
	   abs(sequential_p_value / 0.6437491590097131 - 1) < 1e-9 AS seq_p_ok,
	   abs(sequential_low / -0.885201732158999 - 1) < 1e-9 AS seq_low_ok,
	   cuped_lift IS NOT NULL AS has_cuped, variance_reduction, verdict
  FROM journey.hypothesis_results
 WHERE hypothesis_id IN (:h_seq, :h_fixed) AND variant <> 'control'
 ORDER BY 1;

-- the review's rich form carries each tested hypothesis's effects and
-- signals (the sequential hypothesis, concluded in a cycle)
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('seq', 'April', '2026-04-01', '2026-04-30') RETURNING id AS seq_cycle \gset
UPDATE journey.hypothesis SET cycle_id = :seq_cycle WHERE id = :h_seq;
SELECT status FROM journey.start_hypothesis(:h_seq);
SELECT status FROM journey.conclude_hypothesis(:h_seq, 'iterate', 'Not yet shown at every look.');
SELECT t ->> 'hypothesis_id' = :'h_seq' AS same_hypothesis, e ->> 'variant' AS variant,
	   abs((e ->> 'sequential_p_value')::float8 / 0.6437491590097131 - 1) < 1e-9 AS seq_p_ok,
	   t -> 'signals' ->> 'top_driver' AS top_driver, t -> 'signals' ->> 'entered' AS entered
  FROM journey.review_details(:seq_cycle) d, jsonb_array_elements(d.tested) t,
	   jsonb_array_elements(t -> 'effects') e;

-- the CUPED event named as the target moment's own is the default
SELECT seq_hypothesis() AS h_named \gset
UPDATE journey.hypothesis SET sequential = true, cuped_event = 'purchase' WHERE id = :h_named;
SELECT seq_arm(:h_named, 'control', 'a'), seq_arm(:h_named, 'treatment', 'b');
SELECT n.variant, n.cuped_lift = f.cuped_lift AS same_cuped, n.sequential_p_value = f.sequential_p_value AS same_seq
  FROM journey.hypothesis_effects(:h_named) n JOIN journey.hypothesis_effects(:h_full) f USING (variant)
 WHERE n.variant <> 'control';
-- a covariate event with no occurrence before assignment: no reduction
UPDATE journey.hypothesis SET cuped_event = 'refund' WHERE id = :h_named;
SELECT variant, variance_reduction, cuped_lift = (SELECT lift FROM journey.hypothesis_results r
												   WHERE r.hypothesis_id = :h_named AND r.variant = 'treatment') AS plain
  FROM journey.hypothesis_effects(:h_named) WHERE variant <> 'control';

-- one arm only: the control row, nothing to compare
SELECT seq_hypothesis() AS h_one \gset
SELECT seq_arm(:h_one, 'control', 'c');
SELECT variant, cuped_lift, sequential_p_value, ratio, guardrails_failed
  FROM journey.hypothesis_effects(:h_one);
-- a treatment of one unit: too few for a variance, NULL figures
INSERT INTO journey.assignment VALUES (:h_one, 'd1', 'treatment', '2026-04-10 00:01+00');
SELECT variant, cuped_lift, sequential_p_value
  FROM journey.hypothesis_effects(:h_one);

-- leave the registry as it was found
DELETE FROM journey.hypothesis WHERE source IN ('seq', 'plain');
DELETE FROM journey.review_cycle WHERE source = 'seq';
ALTER TABLE journey.review_cycle ALTER COLUMN id RESTART WITH 1;
DELETE FROM journey.source WHERE name IN ('seq', 'plain');
SELECT count(*) AS hypotheses, (SELECT count(*) FROM journey.guardrail) AS guardrails
  FROM journey.hypothesis;
