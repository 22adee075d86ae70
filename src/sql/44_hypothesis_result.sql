-- The result of one hypothesis, per variant (journey.hypothesis_result and
-- the view journey.hypothesis_results in src/sql/45_experiments.sql call
-- it): units, conversions, rate, lift against control with its interval,
-- Holm-adjusted p-value, probability to beat control, sample-ratio check
-- and verdict.  A PL/pgSQL function, whose body names what it reads only
-- when it runs, so that it can stand before the experiment registry.
--
-- One row per variant: control first, then the other variants by name.
-- The comparison columns of the control row are NULL.  (The hypothesis is
-- the argument, so the rows do not repeat it: a PL/pgSQL result column
-- may not share the argument's name.)
-- A sequential hypothesis decides on its effects' sequential p-values, and
-- a guarded one reads which guardrails failed: with effects_known, the
-- caller has computed hypothesis_effects already and passes those two
-- columns (by variant); else they are computed here when needed.  (Not
-- STRICT: the arrays are NULL when not known.)
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
