-- Signals' figures in the results and the review (0.2.0), after the views
-- for BI tools (80_bi.sql) have rebuilt them: hypothesis_result's verdict
-- reads sequential p-values and failed guardrails (its body becomes
-- journey_internal.hypothesis_result_given, to which hypothesis_results
-- passes the effects it computes), hypothesis_results gains the CUPED,
-- sequential, ratio and guardrail figures at its end, and
-- review_details each tested hypothesis's effects and signals; as
-- src/sql/45_experiments.sql installs them.

CREATE FUNCTION journey_internal.hypothesis_result_given(hypothesis_id bigint,
	effects_known bool, effect_variants text[], effect_sequential_p_values float8[],
	effect_guardrails_failed text[])
RETURNS TABLE (variant text, units bigint, conversions bigint,
			   rate float8, lift float8, lift_low float8, lift_high float8,
			   p_value float8, prob_to_beat float8, srm_p_value float8, verdict text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	hid constant bigint := hypothesis_result_given.hypothesis_id;
	h record;
	t record;
	names text[];
	n bigint[];
	x bigint[];
	k int;
	has_control boolean;
	srm float8;
	raw_p float8[];
	adj_p float8[];
	lifts float8[];
	lows float8[];
	highs float8[];
	beats float8[];
	required bigint;
	base float8;
	usable boolean := true;
	decide_p float8[];
	seq_p float8[];
	failed text[];
BEGIN
	SELECT hy.alpha, hy.power, hy.minimum_effect, hy.allocation, hy.sequential INTO h
	  FROM @extschema@.hypothesis hy WHERE hy.id = hid;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	-- a hypothesis stored before 0.2.0 checked its parameters may hold a
	-- value the statistics refuse (ALTER EXTENSION journey UPDATE warns
	-- about each): its rows say so, rather than failing every hypothesis
	-- of the view
	BEGIN
		PERFORM journey_internal.check_parameter('alpha', h.alpha),
				journey_internal.check_parameter('power', h.power),
				journey_internal.check_parameter('minimum_effect', h.minimum_effect),
				(SELECT array_agg(a.value::text::float8) FROM jsonb_each(h.allocation) a);
	EXCEPTION WHEN invalid_parameter_value OR null_value_not_allowed
				   OR numeric_value_out_of_range OR invalid_text_representation THEN
		usable := false;
	END;
	SELECT array_agg(u.variant ORDER BY u.variant <> 'control', u.variant),
		   array_agg(u.units ORDER BY u.variant <> 'control', u.variant),
		   array_agg(u.conversions ORDER BY u.variant <> 'control', u.variant)
	  INTO names, n, x
	  FROM @extschema@.hypothesis_units(hid) u;
	IF names IS NULL THEN
		RETURN;
	END IF;
	k := cardinality(names);
	has_control := names[1] = 'control';

	-- sample-ratio check against the planned allocation (equal when none
	-- is given); units in a variant the allocation does not name are a
	-- mismatch by themselves
	IF k >= 2 AND usable THEN
		IF h.allocation IS NULL THEN
			srm := @extschema@.srm_test(n);
		ELSIF EXISTS (SELECT 1 FROM unnest(names) v WHERE NOT h.allocation ? v) THEN
			srm := 0;
		ELSE
			srm := @extschema@.srm_test(n, ARRAY(SELECT (h.allocation ->> v)::float8
												   FROM unnest(names) WITH ORDINALITY AS u(v, o)
												  ORDER BY o));
		END IF;
	END IF;

	-- each variant against control (proportion_test leaves the lift NULL
	-- when the control has no conversion, and gives p = 1 when nothing
	-- differs)
	raw_p := array_fill(NULL::float8, ARRAY[k]);
	lifts := raw_p; lows := raw_p; highs := raw_p; beats := raw_p;
	IF has_control AND usable THEN
		FOR i IN 2..k LOOP
			SELECT * INTO t FROM @extschema@.proportion_test(x[1], n[1], x[i], n[i], h.alpha);
			raw_p[i] := t.p_value;
			lifts[i] := t.lift; lows[i] := t.lift_low; highs[i] := t.lift_high;
			beats[i] := @extschema@.prob_to_beat(x[1], n[1], x[i], n[i]);
		END LOOP;
	END IF;

	-- Holm's correction across the treatments of the hypothesis
	adj_p := raw_p;
	IF has_control AND k > 2 THEN
		adj_p := ARRAY[NULL::float8] || @extschema@.p_adjust(raw_p[2:k], 'holm');
	END IF;

	-- a sequential hypothesis decides on its always-valid p-values (Holm's
	-- correction across treatments as well); the guardrails each variant
	-- failed (hypothesis_effects reads them only when there are some)
	decide_p := adj_p;
	IF effects_known OR h.sequential
	   OR EXISTS (SELECT 1 FROM @extschema@.guardrail g WHERE g.hypothesis_id = hid) THEN
		IF NOT effects_known THEN
			SELECT array_agg(e.variant), array_agg(e.sequential_p_value),
				   array_agg(e.guardrails_failed)
			  INTO effect_variants, effect_sequential_p_values, effect_guardrails_failed
			  FROM @extschema@.hypothesis_effects(hid) e;
		END IF;
		SELECT array_agg(e.sequential_p_value ORDER BY v.o), array_agg(e.guardrails_failed ORDER BY v.o)
		  INTO seq_p, failed
		  FROM unnest(names) WITH ORDINALITY AS v(variant, o)
		  LEFT JOIN unnest(effect_variants, effect_sequential_p_values, effect_guardrails_failed)
				AS e(variant, sequential_p_value, guardrails_failed) ON e.variant = v.variant;
		IF h.sequential AND has_control AND k >= 2 THEN
			decide_p := ARRAY[NULL::float8] ||
				CASE WHEN k > 2 THEN @extschema@.p_adjust(seq_p[2:k], 'holm') ELSE seq_p[2:k] END;
		END IF;
	END IF;

	-- units each arm needs to detect minimum_effect at the control's rate
	IF has_control AND usable AND x[1] > 0 THEN
		base := least(x[1]::float8 / n[1], 1 - h.minimum_effect - 1e-9);
		IF base > 0 THEN
			required := @extschema@.sample_size(base, h.minimum_effect, h.alpha, h.power);
		END IF;
	END IF;

	FOR i IN 1..k LOOP
		variant := names[i];
		units := n[i];
		conversions := x[i];
		rate := x[i]::float8 / n[i];
		lift := lifts[i];
		lift_low := lows[i];
		lift_high := highs[i];
		p_value := adj_p[i];
		prob_to_beat := beats[i];
		srm_p_value := srm;
		verdict := CASE
			WHEN NOT usable THEN 'parameters out of range'
			WHEN srm < 0.001 THEN 'sample ratio mismatch'
			WHEN NOT has_control THEN 'no control'
			WHEN i = 1 THEN 'baseline'
			WHEN required IS NULL OR least(n[1], n[i]) < required THEN 'not enough units'
			WHEN failed[i] IS NOT NULL THEN 'guardrail failed'
			WHEN decide_p[i] < h.alpha AND x[i]::float8 / n[i] > x[1]::float8 / n[1] THEN 'significant win'
			WHEN decide_p[i] < h.alpha AND x[i]::float8 / n[i] < x[1]::float8 / n[1] THEN 'significant loss'
			ELSE 'inconclusive'
		END;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION journey_internal.hypothesis_result_given(bigint, bool, text[], float8[], text[]) IS
  'hypothesis_result, given (effects_known) the variants, sequential p-values and failed guardrails of hypothesis_effects when the caller has them';

CREATE OR REPLACE FUNCTION @extschema@.hypothesis_result(hypothesis_id bigint)
RETURNS TABLE (variant text, units bigint, conversions bigint,
			   rate float8, lift float8, lift_low float8, lift_high float8,
			   p_value float8, prob_to_beat float8, srm_p_value float8, verdict text)
LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM journey_internal.hypothesis_result_given(hypothesis_id, false, NULL, NULL, NULL)
$$;
COMMENT ON FUNCTION @extschema@.hypothesis_result(bigint) IS
  'the result of one hypothesis: per variant units, conversions, rate, lift against control with its interval, p-value (Holm-adjusted across variants), probability to beat control, sample-ratio p-value and verdict (on the sequential p-values for a sequential hypothesis; "guardrail failed" when a guardrail does not show non-inferiority)';

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
