-- Signals' figures in the results and the review (0.2.0), after the views
-- for BI tools (80_bi.sql) have rebuilt them: hypothesis_results gains the
-- CUPED, sequential, ratio and guardrail figures at its end, and passes
-- the effects it computes to hypothesis_result's body
-- (journey_internal.hypothesis_result_given, 79_hypothesis_result.sql),
-- whose verdict reads their sequential p-values and failed guardrails; as
-- src/sql/45_experiments.sql installs it.  (review_details, which shows each
-- tested hypothesis's effects and signals, is created by 88_review.sql.)

CREATE OR REPLACE VIEW @extschema@.hypothesis_results WITH (security_invoker = true) AS
SELECT h.id AS hypothesis_id, h.source, h.cycle_id, c.name AS cycle, h.status,
	   h.moment, h.target_moment, h.statement, r.variant, r.units, r.conversions, r.rate,
	   r.lift, r.lift_low, r.lift_high, r.p_value, r.prob_to_beat,
	   r.srm_p_value, r.verdict,
	   r.cuped_lift, r.cuped_low, r.cuped_high, r.cuped_p_value, r.variance_reduction,
	   r.sequential_low, r.sequential_high, r.sequential_p_value,
	   r.ratio, r.ratio_lift, r.ratio_low, r.ratio_high, r.ratio_p_value,
	   r.guardrails_failed
  FROM @extschema@.hypothesis h
  LEFT JOIN @extschema@.review_cycle c ON c.id = h.cycle_id
 CROSS JOIN LATERAL (
	WITH effects AS MATERIALIZED (SELECT * FROM @extschema@.hypothesis_effects(h.id))
	SELECT hr.*, e.cuped_lift, e.cuped_low, e.cuped_high, e.cuped_p_value,
		   e.variance_reduction, e.sequential_low, e.sequential_high, e.sequential_p_value,
		   e.ratio, e.ratio_lift, e.ratio_low, e.ratio_high, e.ratio_p_value,
		   e.guardrails_failed
	  FROM (SELECT array_agg(e.variant) AS variants, array_agg(e.sequential_p_value) AS p,
				   array_agg(e.guardrails_failed) AS failed
			  FROM effects e) a
	 CROSS JOIN LATERAL journey_internal.hypothesis_result_given(h.id, true, a.variants, a.p, a.failed) hr
	  LEFT JOIN effects e ON e.variant = hr.variant) r
 WHERE journey_internal.source_readable(h.source, false);
COMMENT ON VIEW @extschema@.hypothesis_results IS
  'one row per hypothesis (of a source the current role can read, see journey.source_status) and variant: the hypothesis''s statement, moments, status and cycle, units, conversions at the target moment within the window, rate, lift against control, p-value, probability to beat control, sample-ratio check and verdict; then the CUPED, sequential, ratio-metric and guardrail figures (journey.hypothesis_effects)';
COMMENT ON COLUMN @extschema@.hypothesis_results.verdict IS
  'baseline, significant win, significant loss, inconclusive, not enough units, guardrail failed, sample ratio mismatch, no control, or parameters out of range (a sequential hypothesis decides on sequential_p_value)';
COMMENT ON COLUMN @extschema@.hypothesis_results.cuped_lift IS
  'relative lift against control adjusted by CUPED (covariate: the conversion, or cuped_event, in the cuped_window before assignment; theta pooled over both arms); NULL for control or without cuped_window';
COMMENT ON COLUMN @extschema@.hypothesis_results.cuped_low IS
  'lower end of the CUPED lift''s confidence interval (level 1 - alpha)';
COMMENT ON COLUMN @extschema@.hypothesis_results.cuped_high IS
  'upper end of the CUPED lift''s confidence interval';
COMMENT ON COLUMN @extschema@.hypothesis_results.cuped_p_value IS
  'two-sided p-value of the CUPED lift (normal)';
COMMENT ON COLUMN @extschema@.hypothesis_results.variance_reduction IS
  'share of the lift''s variance CUPED removed (1 - adjusted / plain); 0 when the pre-period carries no information';
COMMENT ON COLUMN @extschema@.hypothesis_results.sequential_low IS
  'lower end of the always-valid (sequential) confidence interval of the lift the hypothesis reports (CUPED''s when cuped_window is set); NULL unless the hypothesis is sequential';
COMMENT ON COLUMN @extschema@.hypothesis_results.sequential_high IS
  'upper end of the always-valid confidence interval';
COMMENT ON COLUMN @extschema@.hypothesis_results.sequential_p_value IS
  'always-valid p-value (valid however often the result is read; not Holm-adjusted here); NULL unless the hypothesis is sequential';
COMMENT ON COLUMN @extschema@.hypothesis_results.ratio IS
  'the ratio metric of the variant (sum of ratio_numerator over sum of ratio_denominator per unit, winsorized when set); NULL without one';
COMMENT ON COLUMN @extschema@.hypothesis_results.ratio_lift IS
  'relative lift of the ratio metric against control (delta method); NULL for control';
COMMENT ON COLUMN @extschema@.hypothesis_results.ratio_low IS
  'lower end of the ratio lift''s confidence interval';
COMMENT ON COLUMN @extschema@.hypothesis_results.ratio_high IS
  'upper end of the ratio lift''s confidence interval';
COMMENT ON COLUMN @extschema@.hypothesis_results.ratio_p_value IS
  'two-sided p-value of the ratio lift';
COMMENT ON COLUMN @extschema@.hypothesis_results.guardrails_failed IS
  'the guardrails (journey.guardrail) the variant did not show non-inferior for, comma-separated; NULL when none failed or for control';
