-- Signals' figures in the results and the review (0.2.0), after the views
-- for BI tools (80_bi.sql) have rebuilt them: hypothesis_results gains the
-- CUPED, sequential, ratio and guardrail figures at its end, and passes
-- the effects it computes to hypothesis_result's body
-- (journey_internal.hypothesis_result_given, 79_hypothesis_result.sql),
-- whose verdict reads their sequential p-values and failed guardrails; and
-- review_details shows each tested hypothesis's effects and signals; as
-- src/sql/45_experiments.sql installs them.

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

CREATE OR REPLACE FUNCTION @extschema@.review_details(cycle_id bigint)
RETURNS TABLE (tested jsonb, learned text[], next jsonb, moments jsonb, heard jsonb)
LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
	WITH cycles AS (
		SELECT c.id, c.source,
			   c.id = last_value(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on
											 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
				   AS is_latest,
			   lag(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on) AS previous_cycle_id
		  FROM @extschema@.review_cycle c
	)
	SELECT coalesce((SELECT jsonb_agg(jsonb_build_object(
						'hypothesis_id', h.id, 'moment', h.moment,
						'target_moment', h.target_moment, 'statement', h.statement,
						'decision', h.decision,
						'results', (SELECT jsonb_agg(to_jsonb(r))
									  FROM @extschema@.hypothesis_result(h.id) r),
						'effects', (SELECT jsonb_agg(to_jsonb(e))
									  FROM @extschema@.hypothesis_effects(h.id) e),
						'signals', (SELECT to_jsonb(s)
									  FROM @extschema@.hypothesis_signals(h.id) s))
						ORDER BY h.ended_at, h.id)
					   FROM @extschema@.hypothesis h
					  WHERE h.cycle_id = c.id AND h.status = 'concluded'), '[]'),
		   coalesce((SELECT array_agg(h.learning ORDER BY h.ended_at, h.id)
					   FROM @extschema@.hypothesis h
					  WHERE h.cycle_id = c.id AND h.status IN ('concluded', 'abandoned')),
					'{}'),
		   coalesce((SELECT jsonb_agg(jsonb_build_object(
						'hypothesis_id', h.id, 'status', h.status, 'moment', h.moment,
						'target_moment', h.target_moment, 'statement', h.statement)
						ORDER BY h.status DESC, h.id)
					   FROM @extschema@.hypothesis h
					  WHERE h.source = c.source AND h.status IN ('proposed', 'running')
						AND (h.cycle_id = c.id OR (h.cycle_id IS NULL AND c.is_latest))), '[]'),
		   coalesce((SELECT jsonb_agg(jsonb_build_object(
						'moment', m.moment, 'reached', m.reached, 'rate', m.rate,
						'previous_rate', p.rate, 'rate_change', m.rate - p.rate,
						'share_with_data', a.share_with_data, 'dark', a.dark,
						'stalled', coalesce(a.stalled, 0), 'notes', a.notes)
						ORDER BY m.position)
					   FROM @extschema@.cycle_moments(c.id) m
					   LEFT JOIN @extschema@.cycle_moments(c.previous_cycle_id) p
						 ON p.position = m.position
					   LEFT JOIN @extschema@.cycle_action(c.id) a
						 ON a.position = m.position), '[]'),
		   @extschema@.cycle_heard_details(c.id)
	  FROM cycles c
	 WHERE c.id = review_details.cycle_id
$$;
COMMENT ON FUNCTION @extschema@.review_details(bigint) IS
  'the review of one cycle in its rich form: tested (jsonb array of the concluded hypotheses with decision, hypothesis_result rows, hypothesis_effects rows and the hypothesis_signals row), learned (text[]), next (jsonb array of proposed and running hypotheses), moments (jsonb array of each moment''s rate against the previous cycle, data coverage, stalled customers and notes), heard (jsonb array of the notes per moment and theme)';
