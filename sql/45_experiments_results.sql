-- Results of experiments (journey.hypothesis_results) on hand-built data
-- with known conversions, every verdict, and the review of a cycle
-- (journey.review, journey.review_moments).
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET timezone = 'UTC';
-- ids in messages below do not depend on what ran before
ALTER TABLE journey.hypothesis ALTER COLUMN id RESTART WITH 1000;

CREATE TABLE expr_events (customer bigint, at timestamptz, what text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('expr', 'expr_events', 'customer', 'at', 'what');
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('expr', 1, 'signup', 'signup'), ('expr', 2, 'purchase', 'purchase');

-- One arm of an experiment: customers first .. first + units - 1, assigned
-- one minute apart from 2026-03-01; the first `conv` of them purchase one
-- hour after assignment.  Every customer signs up when assigned; the others
-- purchase only outside the window (before assignment, or 8 days after it).
CREATE FUNCTION expr_arm(hyp bigint, variant text, first bigint, units int, conv int)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
	SELECT hyp, (first + i)::text, variant, '2026-03-01'::timestamptz + i * interval '1 minute'
	  FROM generate_series(0, units - 1) i;
	INSERT INTO expr_events
	SELECT first + i, '2026-03-01'::timestamptz + i * interval '1 minute', 'signup'
	  FROM generate_series(0, units - 1) i
	UNION ALL
	SELECT first + i, '2026-03-01'::timestamptz + i * interval '1 minute'
					  + CASE WHEN i < conv THEN interval '1 hour'
							 WHEN i % 2 = 0 THEN interval '-1 hour'
							 ELSE interval '8 days' END, 'purchase'
	  FROM generate_series(0, units - 1) i;
END
$$;

CREATE FUNCTION expr_hypothesis(label text, minimum_effect float8 DEFAULT 0.05)
RETURNS bigint LANGUAGE sql AS $$
	INSERT INTO journey.hypothesis (source, moment, target_moment, statement, minimum_effect)
	VALUES ('expr', 'signup', 'purchase',
			'If we test ' || label || ', more customers will purchase.', minimum_effect)
	RETURNING id
$$;

SELECT expr_hypothesis('a clear win') AS h_win \gset
SELECT expr_arm(:h_win, 'control', 100000, 1000, 100), expr_arm(:h_win, 'treatment', 101000, 1000, 150);
SELECT expr_hypothesis('two variants') AS h_two \gset
SELECT expr_arm(:h_two, 'control', 200000, 1000, 125), expr_arm(:h_two, 'better', 201000, 1000, 175),
	   expr_arm(:h_two, 'worse', 202000, 1000, 75);
SELECT expr_hypothesis('a small change') AS h_flat \gset
SELECT expr_arm(:h_flat, 'control', 300000, 1000, 100), expr_arm(:h_flat, 'treatment', 301000, 1000, 105);
SELECT expr_hypothesis('a small sample', 0.01) AS h_small \gset
SELECT expr_arm(:h_small, 'control', 400000, 50, 5), expr_arm(:h_small, 'treatment', 401000, 50, 20);
SELECT expr_hypothesis('a broken split') AS h_srm \gset
SELECT expr_arm(:h_srm, 'control', 500000, 1000, 100), expr_arm(:h_srm, 'treatment', 501000, 800, 160);
SELECT expr_hypothesis('no baseline') AS h_nocontrol \gset
SELECT expr_arm(:h_nocontrol, 'a', 600000, 100, 10), expr_arm(:h_nocontrol, 'b', 601000, 100, 20);
SELECT expr_hypothesis('an early look') AS h_zero \gset
SELECT expr_arm(:h_zero, 'control', 700000, 100, 0), expr_arm(:h_zero, 'treatment', 701000, 100, 3);
ANALYZE expr_events;

-- units and conversions are the hand-built ones; every verdict is reached
SELECT CASE hypothesis_id WHEN :h_win THEN 'win' WHEN :h_two THEN 'two' WHEN :h_flat THEN 'flat'
			WHEN :h_small THEN 'small' WHEN :h_srm THEN 'srm' WHEN :h_nocontrol THEN 'nocontrol'
			WHEN :h_zero THEN 'zero' END AS h,
	   variant, units, conversions, rate, verdict,
	   lift IS NULL AS no_lift, p_value IS NULL AS no_p, prob_to_beat IS NULL AS no_beat
  FROM journey.hypothesis_results
 WHERE hypothesis_id IN (:h_win, :h_two, :h_flat, :h_small, :h_srm, :h_nocontrol, :h_zero)
 ORDER BY hypothesis_id, variant <> 'control', variant;

-- the comparison columns are the statistics functions' own numbers
SELECT r.variant,
	   r.lift = t.lift AND r.lift_low = t.lift_low AND r.lift_high = t.lift_high AS lift_matches,
	   r.p_value = t.p_value AS p_matches,
	   r.prob_to_beat = journey.prob_to_beat(100, 1000, r.conversions, r.units) AS beat_matches,
	   r.srm_p_value = journey.srm_test(ARRAY[1000, 1000]::bigint[]) AS srm_matches,
	   r.units >= journey.sample_size(0.1, 0.05) AS enough,
	   round(r.lift::numeric, 6) AS lift, r.p_value < 0.05 AS significant,
	   r.prob_to_beat > 0.99 AS likely_better
  FROM journey.hypothesis_results r,
	   journey.proportion_test(100, 1000, r.conversions, r.units, 0.05) t
 WHERE r.hypothesis_id = :h_win AND r.variant <> 'control';

-- several variants: p-values adjusted with Holm across the variants
WITH raw AS (
	SELECT (journey.proportion_test(125, 1000, 175, 1000)).p_value AS better,
		   (journey.proportion_test(125, 1000, 75, 1000)).p_value AS worse
), adj AS (
	SELECT journey.p_adjust(ARRAY[better, worse], 'holm') AS p FROM raw
)
SELECT r.variant, r.p_value = CASE r.variant WHEN 'better' THEN adj.p[1] ELSE adj.p[2] END AS holm_matches,
	   r.p_value >= CASE r.variant WHEN 'better' THEN raw.better ELSE raw.worse END AS not_smaller,
	   sign(r.lift) AS direction, r.verdict
  FROM journey.hypothesis_results r, raw, adj
 WHERE r.hypothesis_id = :h_two AND r.variant <> 'control'
 ORDER BY r.variant;

-- the sample-ratio check: 1000 against 800 is far from an even split
SELECT r.variant, r.srm_p_value = journey.srm_test(ARRAY[1000, 800]::bigint[]) AS srm_matches,
	   r.srm_p_value < 0.001 AS mismatch, r.p_value < 0.05 AS would_win, r.verdict
  FROM journey.hypothesis_results r
 WHERE r.hypothesis_id = :h_srm ORDER BY r.variant <> 'control';

-- not enough units: 50 per arm, far below what a one-point effect needs
SELECT journey.sample_size(0.1, 0.01) > 50 AS needs_more,
	   (SELECT verdict FROM journey.hypothesis_results
		 WHERE hypothesis_id = :h_small AND variant = 'treatment');

-- the view filters by hypothesis without computing the others
EXPLAIN (COSTS OFF)
SELECT * FROM journey.hypothesis_results WHERE hypothesis_id = 1;

-- units per variant, and for one customer
SELECT * FROM journey.hypothesis_units(:h_win);
SELECT * FROM journey.hypothesis_units(:h_win, '101000');
SELECT * FROM journey.hypothesis_units(:h_win, '101999');
SELECT * FROM journey.hypothesis_units(:h_win, 'nobody');
-- a registered column renamed since: named, with the columns there are
ALTER TABLE expr_events RENAME COLUMN what TO what2;
SELECT * FROM journey.hypothesis_units(:h_win);
ALTER TABLE expr_events RENAME COLUMN what2 TO what;

-- the edges of the conversion window, which is inclusive
SELECT expr_hypothesis('window edges') AS h_edge \gset
UPDATE journey.hypothesis SET conversion_window = '2 days' WHERE id = :h_edge;
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at) VALUES
	(:h_edge, '900001', 'control', '2026-04-01 12:00'),	-- purchase at the instant of assignment
	(:h_edge, '900002', 'control', '2026-04-01 12:00'),	-- at the end of the window
	(:h_edge, '900003', 'control', '2026-04-01 12:00'),	-- one second after the window
	(:h_edge, '900004', 'treatment', '2026-04-01 12:00'),	-- one second before assignment
	(:h_edge, '900005', 'treatment', '2026-04-01 12:00'),	-- twice within the window
	(:h_edge, '900006', 'treatment', '2026-04-01 12:00'),	-- no events at all
	(:h_edge, '900007', 'treatment', '2026-04-01 12:00');	-- signs up, never purchases
INSERT INTO expr_events VALUES
	(900001, '2026-04-01 12:00', 'purchase'),
	(900002, '2026-04-03 12:00', 'purchase'),
	(900003, '2026-04-03 12:00:01', 'purchase'),
	(900004, '2026-04-01 11:59:59', 'purchase'),
	(900005, '2026-04-02 08:00', 'purchase'), (900005, '2026-04-02 09:00', 'purchase'),
	(900007, '2026-04-01 13:00', 'signup');
SELECT * FROM journey.hypothesis_units(:h_edge);
SELECT variant, units, conversions, verdict, lift IS NULL AS no_lift
  FROM journey.hypothesis_results WHERE hypothesis_id = :h_edge;

-- while running, a customer who has converted cannot be moved; one who has not can
SELECT status FROM journey.start_hypothesis(:h_edge);
UPDATE journey.assignment SET variant = 'treatment' WHERE hypothesis_id = :h_edge AND customer_id = '900001';
UPDATE journey.assignment SET assigned_at = '2026-04-01 11:00' WHERE hypothesis_id = :h_edge AND customer_id = '900002';
UPDATE journey.assignment SET variant = 'treatment' WHERE hypothesis_id = :h_edge AND customer_id = '900003';
SELECT * FROM journey.hypothesis_units(:h_edge);

-- a hypothesis without assignments has no rows
SELECT expr_hypothesis('nothing yet') AS h_empty \gset
SELECT count(*) FROM journey.hypothesis_results WHERE hypothesis_id = :h_empty;
SELECT count(*) FROM journey.hypothesis_result(NULL);
SELECT count(*) FROM journey.hypothesis_result(-1);

-- ------------------------------------------------------------- the review
CREATE TABLE exprv_events (customer bigint, at timestamptz, what text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('exprv', 'exprv_events', 'customer', 'at', 'what');
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('exprv', 1, 'visit', 'site_visit'), ('exprv', 2, 'signup', 'signup'),
	   ('exprv', 3, 'purchase', 'purchase');
-- February: 10 visit, 5 sign up, 2 purchase; March: 10 visit, 6 sign up, 4 purchase
INSERT INTO exprv_events
SELECT c, '2026-02-10'::timestamptz + c * interval '1 hour', 'site_visit' FROM generate_series(1, 10) c
UNION ALL
SELECT c, '2026-02-11'::timestamptz + c * interval '1 hour', 'signup' FROM generate_series(1, 5) c
UNION ALL
SELECT c, '2026-02-12'::timestamptz + c * interval '1 hour', 'purchase' FROM generate_series(1, 2) c
UNION ALL
SELECT c, '2026-03-10'::timestamptz + c * interval '1 hour', 'site_visit' FROM generate_series(11, 20) c
UNION ALL
SELECT c, '2026-03-11'::timestamptz + c * interval '1 hour', 'signup' FROM generate_series(11, 16) c
UNION ALL
SELECT c, '2026-03-12'::timestamptz + c * interval '1 hour', 'purchase' FROM generate_series(11, 14) c
UNION ALL
-- out of order, and a purchase after the moment window: not a step
SELECT 21, '2026-03-20', 'purchase' UNION ALL SELECT 21, '2026-03-05', 'signup'
UNION ALL SELECT 21, '2026-03-04', 'site_visit'
UNION ALL
-- outside every cycle
SELECT 22, '2026-05-01', 'site_visit';
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('exprv', '2026-02', '2026-02-01', '2026-02-28'),
	   ('exprv', '2026-03', '2026-03-01', '2026-03-31');
SELECT id AS c_feb FROM journey.review_cycle WHERE source = 'exprv' AND name = '2026-02' \gset
SELECT id AS c_mar FROM journey.review_cycle WHERE source = 'exprv' AND name = '2026-03' \gset

SELECT * FROM journey.cycle_moments(:c_feb);
SELECT cycle, position, moment, reached, moved_on, round(rate::numeric, 4) AS rate,
	   round(share_of_first::numeric, 4) AS share_of_first,
	   previous_cycle_id = :c_feb AS after_feb, round(previous_rate::numeric, 4) AS previous_rate,
	   round(rate_change::numeric, 4) AS rate_change
  FROM journey.review_moments WHERE source = 'exprv' ORDER BY cycle, position;

-- what was tested, learned, and is next
INSERT INTO journey.hypothesis (source, moment, target_moment, statement, conversion_window, cycle_id)
VALUES ('exprv', 'visit', 'signup', 'If the signup button is above the fold, more visitors will sign up.',
		'3 days', :c_mar) RETURNING id AS h_fold \gset
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
SELECT :h_fold, c::text, CASE WHEN c % 2 = 0 THEN 'control' ELSE 'above_fold' END,
	   '2026-03-10'::timestamptz + c * interval '1 hour'
  FROM generate_series(11, 20) c;
SELECT status FROM journey.start_hypothesis(:h_fold);
SELECT status FROM journey.conclude_hypothesis(:h_fold, 'iterate',
	'Too few visitors to tell; run it for a full quarter.');
INSERT INTO journey.hypothesis (source, moment, statement, cycle_id)
VALUES ('exprv', 'visit', 'If the page is dark, more visitors will stay.', :c_mar) RETURNING id AS h_dark \gset
SELECT status FROM journey.abandon_hypothesis(:h_dark, 'Brand guidelines forbid it.');
INSERT INTO journey.hypothesis (source, moment, statement, cycle_id)
VALUES ('exprv', 'signup', 'If setup takes three steps instead of six, more customers will purchase.', :c_feb)
RETURNING id AS h_setup \gset
SELECT status FROM journey.start_hypothesis(:h_setup);
INSERT INTO journey.hypothesis (source, moment, target_moment, statement)
VALUES ('exprv', 'purchase', 'purchase', 'If shipping is free, more customers will purchase again.')
RETURNING id AS h_ship \gset

-- the review in plain columns
SELECT cycle, starts_on, ends_on, hypotheses_tested, hypotheses_abandoned, hypotheses_next,
	   learned, moments, moments_improved, moments_declined
  FROM journey.review WHERE source = 'exprv' ORDER BY starts_on;
-- its hypotheses, one row each
SELECT rh.cycle, rh.part, rh.status, rh.statement, rh.decision, rh.learning
  FROM journey.review_hypotheses rh WHERE rh.source = 'exprv'
 ORDER BY rh.cycle, rh.part, rh.hypothesis_id;
-- the rich form of each cycle's review: review_details
SELECT r.cycle, r.starts_on, r.ends_on,
	   jsonb_array_length(d.tested) AS tested,
	   d.tested -> 0 ->> 'statement' AS tested_statement,
	   d.tested -> 0 ->> 'decision' AS decision,
	   jsonb_path_query_array(d.tested, '$[*].results[*].variant') AS variants,
	   jsonb_path_query_array(d.tested, '$[*].results[*].units') AS units,
	   jsonb_path_query_array(d.tested, '$[*].results[*].conversions') AS conversions,
	   jsonb_path_query_array(d.tested, '$[*].results[*].verdict') AS verdicts,
	   d.learned
  FROM journey.review r, journey.review_details(r.cycle_id) d
 WHERE r.source = 'exprv' ORDER BY r.starts_on;
SELECT r.cycle, jsonb_path_query_array(d.next, '$[*].statement') AS next,
	   jsonb_path_query_array(d.next, '$[*].status') AS status
  FROM journey.review r, journey.review_details(r.cycle_id) d
 WHERE r.source = 'exprv' ORDER BY r.starts_on;
SELECT r.cycle, jsonb_path_query_array(d.moments, '$[*].moment') AS moments,
	   jsonb_path_query_array(d.moments, '$[*].reached') AS reached,
	   jsonb_path_query_array(d.moments, '$[*].rate_change') AS rate_change
  FROM journey.review r, journey.review_details(r.cycle_id) d
 WHERE r.source = 'exprv' ORDER BY r.starts_on;
-- the review's moment figures are review_moments'
SELECT bool_and(m.value ->> 'rate' IS NOT DISTINCT FROM rm.rate::text
				AND m.value ->> 'previous_rate' IS NOT DISTINCT FROM rm.previous_rate::text) AS same
  FROM journey.review r, journey.review_details(r.cycle_id) d,
	   jsonb_array_elements(d.moments) m, journey.review_moments rm
 WHERE r.source = 'exprv' AND rm.cycle_id = r.cycle_id AND rm.moment = m.value ->> 'moment';
-- the plain review's counts are those of the rich form and of the rows of
-- review_hypotheses and review_moments (no difference listed)
SELECT r.cycle
  FROM journey.review r, journey.review_details(r.cycle_id) d
 WHERE r.source = 'exprv'
   AND (r.hypotheses_tested <> jsonb_array_length(d.tested)
		OR r.hypotheses_next <> jsonb_array_length(d.next)
		OR r.moments <> jsonb_array_length(d.moments)
		OR r.hypotheses_tested + r.hypotheses_abandoned <> cardinality(d.learned)
		OR r.learned IS DISTINCT FROM nullif(array_to_string(d.learned, E'\n'), '')
		OR r.hypotheses_next <> (SELECT count(*) FROM journey.review_hypotheses rh
								  WHERE rh.cycle_id = r.cycle_id AND rh.part = 'next')
		OR r.moments_improved <> (SELECT count(*) FROM journey.review_moments rm
								   WHERE rm.cycle_id = r.cycle_id AND rm.rate_change > 0)
		OR r.moments_declined <> (SELECT count(*) FROM journey.review_moments rm
								   WHERE rm.cycle_id = r.cycle_id AND rm.rate_change < 0));
-- an unknown cycle has no review
SELECT count(*) FROM journey.review_details(-1);
SELECT count(*) FROM journey.review_details(NULL);

-- a cycle without moments or events
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('exprv', '2026-04', '2026-04-01', '2026-04-30');
SELECT cycle, hypotheses_tested, hypotheses_abandoned, hypotheses_next, learned, moments,
	   moments_improved, moments_declined
  FROM journey.review WHERE source = 'exprv' AND cycle = '2026-04';
SELECT d.tested, d.learned, jsonb_path_query_array(d.next, '$[*].statement') AS next,
	   jsonb_path_query_array(d.moments, '$[*].reached') AS reached
  FROM journey.review r, journey.review_details(r.cycle_id) d
 WHERE r.source = 'exprv' AND r.cycle = '2026-04';

-- A planned unequal split: the same 1000 against 800 units, planned 5:4,
-- is no mismatch; units in a variant the plan does not name are one.
UPDATE journey.hypothesis SET allocation = '{"control": 5, "treatment": 4}'
 WHERE id = :h_srm;
SELECT r.variant,
	   r.srm_p_value = journey.srm_test(ARRAY[1000, 800]::bigint[], ARRAY[5, 4]::float8[]) AS srm_matches,
	   r.srm_p_value < 0.001 AS mismatch, r.verdict
  FROM journey.hypothesis_results r
 WHERE r.hypothesis_id = :h_srm ORDER BY r.variant <> 'control';
UPDATE journey.hypothesis SET allocation = '{"control": 0.5, "other": 0.5}'
 WHERE id = :h_srm;
SELECT r.variant, r.srm_p_value, r.verdict
  FROM journey.hypothesis_results r
 WHERE r.hypothesis_id = :h_srm ORDER BY r.variant <> 'control';
-- allocations that are not a plan
UPDATE journey.hypothesis SET allocation = '[0.5, 0.5]' WHERE id = :h_srm;
UPDATE journey.hypothesis SET allocation = '{"treatment": 1, "other": 1}' WHERE id = :h_srm;
UPDATE journey.hypothesis SET allocation = '{"control": 1}' WHERE id = :h_srm;
UPDATE journey.hypothesis SET allocation = '{"control": 1, "treatment": 0}' WHERE id = :h_srm;
UPDATE journey.hypothesis SET allocation = '{"control": 1, "treatment": "half"}' WHERE id = :h_srm;

-- Hypotheses at the ends of the parameter ranges the registry accepts are
-- computed, and the view keeps computing every other hypothesis: alpha
-- 1e-300 with power next to 1 and the smallest minimum effect, and alpha
-- next to 1 with power 1e-300 and an allocation of shares 1e300 : 1e-300.
SELECT expr_hypothesis('the smallest alpha', 1e-7) AS h_tiny_alpha \gset
UPDATE journey.hypothesis SET alpha = 1e-300, power = 0.9999999999999999 WHERE id = :h_tiny_alpha;
SELECT expr_arm(:h_tiny_alpha, 'control', 800000, 1000, 100), expr_arm(:h_tiny_alpha, 'treatment', 801000, 1000, 150);
SELECT expr_hypothesis('the largest alpha', 0.9999999999999999) AS h_big_alpha \gset
UPDATE journey.hypothesis SET alpha = 0.9999999999999999, power = 1e-300,
	   allocation = '{"control": 1e300, "treatment": 1e-300}' WHERE id = :h_big_alpha;
SELECT expr_arm(:h_big_alpha, 'control', 810000, 1000, 100), expr_arm(:h_big_alpha, 'treatment', 811000, 1000, 150);
-- the lift interval is proportion_test's at that alpha, the sample size
-- needed at alpha 1e-300 and power 1 - 1.1e-16 is far beyond 1000 units,
-- and 1000 units against a planned 1e300 : 1e-300 split are a mismatch
SELECT CASE r.hypothesis_id WHEN :h_tiny_alpha THEN 'tiny alpha' ELSE 'big alpha' END AS h,
	   r.variant, r.lift_low = t.lift_low AND r.lift_high = t.lift_high AS interval_matches,
	   r.lift_low <= r.lift AND r.lift <= r.lift_high AS around_lift, r.p_value = t.p_value AS p_matches,
	   r.srm_p_value, r.verdict
  FROM journey.hypothesis_results r, journey.hypothesis h,
	   journey.proportion_test(100, 1000, r.conversions, r.units, h.alpha) t
 WHERE h.id = r.hypothesis_id AND r.hypothesis_id IN (:h_tiny_alpha, :h_big_alpha)
   AND r.variant <> 'control'
 ORDER BY 1;
SELECT journey.sample_size(0.1, 1e-7, 1e-300, 0.9999999999999999) > 1000 AS needs_more;
SELECT count(*) AS hypotheses, count(*) FILTER (WHERE verdict IS NOT NULL) AS computed
  FROM (SELECT DISTINCT ON (hypothesis_id) hypothesis_id, verdict FROM journey.hypothesis_results) r;

DELETE FROM journey.hypothesis WHERE source IN ('expr', 'exprv');
DELETE FROM journey.review_cycle WHERE source IN ('expr', 'exprv');
DELETE FROM journey.source WHERE name IN ('expr', 'exprv');
DROP TABLE expr_events, exprv_events;
DROP FUNCTION expr_arm(bigint, text, bigint, int, int), expr_hypothesis(text, float8);
