-- The figures of one hypothesis beyond its conversion rates: per unit the
-- values they are computed from (hypothesis_unit_values), the guardrails
-- and whether each variant shows non-inferiority on them
-- (hypothesis_guardrails), and per variant CUPED, the sequential test and
-- the ratio metric (hypothesis_effects).  hypothesis_result and the view
-- journey.hypothesis_results (src/sql/45_experiments.sql) and the review
-- (src/sql/46_review.sql) read them.  PL/pgSQL functions, whose bodies name
-- what they read only when they run, and two small SQL functions over
-- their arguments alone, so that they can stand before the experiment
-- registry.

-- Per unit of one hypothesis: whether it converted (the definition of
-- hypothesis_units: the target moment's event within the conversion window
-- after assigned_at, both ends inclusive), whether it had the CUPED event
-- (by default the target moment's) in the CUPED window before assignment
-- (NULL without CUPED: at or after assigned_at - cuped_window and before
-- assigned_at), and the
-- ratio metric's numerator and denominator within the conversion window
-- (NULL without a ratio metric; the denominator 1 when it is per unit).
CREATE FUNCTION @extschema@.hypothesis_unit_values(hypothesis_id bigint)
RETURNS TABLE (customer_id text, variant text, converted float8, pre_converted float8,
			   numerator float8, denominator float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h record;
	src @extschema@.source;
BEGIN
	SELECT hy.conversion_window, hy.cuped_window, hy.ratio_numerator, hy.ratio_denominator,
		   hy.ratio_measure, m.event_name, coalesce(hy.cuped_event, m.event_name) AS cuped_event,
		   s AS source
	  INTO h
	  FROM @extschema@.hypothesis hy
	  JOIN @extschema@.source s ON s.name = hy.source
	  JOIN @extschema@.moment m ON m.source = hy.source AND m.name = hy.target_moment
	 WHERE hy.id = hypothesis_unit_values.hypothesis_id;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	src := h.source;
	PERFORM journey_internal.check_source_relation(src, false,
		CASE WHEN h.ratio_numerator IS NOT NULL AND h.ratio_measure = 'value'
			 THEN src.value_column END, extra_role => 'value');

	RETURN QUERY EXECUTE format($q$
		SELECT a.customer_id, a.variant,
			   (count(e.%2$I) FILTER (WHERE e.%4$I = $2 AND e.%2$I >= a.assigned_at
										 AND e.%2$I <= a.assigned_at + $3) > 0)::int::float8,
			   CASE WHEN $4::interval IS NOT NULL THEN
			   (count(e.%2$I) FILTER (WHERE e.%4$I = $8 AND e.%2$I >= a.assigned_at - $4
										 AND e.%2$I < a.assigned_at) > 0)::int::float8 END,
			   CASE WHEN $5::text IS NULL THEN NULL
					WHEN $7 = 'value' THEN coalesce(@extschema@.exact_sum(%5$s) FILTER (
						WHERE e.%4$I = $5 AND e.%2$I >= a.assigned_at
						  AND e.%2$I <= a.assigned_at + $3), 0)
					ELSE count(e.%2$I) FILTER (WHERE e.%4$I = $5 AND e.%2$I >= a.assigned_at
												AND e.%2$I <= a.assigned_at + $3) END::float8,
			   CASE WHEN $5::text IS NULL THEN NULL WHEN $6::text IS NULL THEN 1
					ELSE count(e.%2$I) FILTER (WHERE e.%4$I = $6 AND e.%2$I >= a.assigned_at
												AND e.%2$I <= a.assigned_at + $3) END::float8
		  FROM @extschema@.assignment a
		  LEFT JOIN %1$s e ON e.%3$I::text = a.customer_id
			   AND (e.%4$I = $2 OR e.%4$I = $5 OR e.%4$I = $6 OR e.%4$I = $8)
			   AND e.%2$I >= a.assigned_at - coalesce($4, interval '0')
			   AND e.%2$I <= a.assigned_at + $3
		 WHERE a.hypothesis_id = $1
		 GROUP BY a.customer_id, a.variant$q$,
		src.relation, src.time_column, src.customer_column, src.event_column,
		CASE WHEN h.ratio_measure = 'value' AND src.value_column IS NOT NULL
			 THEN format('e.%I::float8', src.value_column) ELSE 'NULL::float8' END)
	USING hypothesis_unit_values.hypothesis_id, h.event_name, h.conversion_window,
		  h.cuped_window, h.ratio_numerator, h.ratio_denominator, h.ratio_measure, h.cuped_event;
END
$$;
COMMENT ON FUNCTION @extschema@.hypothesis_unit_values(bigint) IS
  'per unit of a hypothesis: converted (0/1), the CUPED event in the CUPED window before assignment (0/1), and the ratio metric''s numerator and denominator';

-- A variant's sums for cuped_test and ratio_test: {n, sum y, sum y^2,
-- sum x, sum x^2, sum x y}, from sums taken with exact_sum (the same bits
-- in any order).
CREATE FUNCTION journey_internal.arm_sums(n bigint, sy float8, syy float8,
	sx float8, sxx float8, sxy float8)
RETURNS float8[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN ARRAY[n::float8, coalesce(sy, 0), coalesce(syy, 0),
			 coalesce(sx, 0), coalesce(sxx, 0), coalesce(sxy, 0)];
COMMENT ON FUNCTION journey_internal.arm_sums(bigint, float8, float8, float8, float8, float8) IS
  'an arm of cuped_test and ratio_test from its exact sums (NULL sums are 0)';

-- The cap of winsorizing at percentile p: the p-th percentile (continuous)
-- of the non-zero values; NULL (no cap) when p is NULL or no value is
-- non-zero.
CREATE FUNCTION journey_internal.winsorize_cap(vals float8[], p float8)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT percentile_cont(p) WITHIN GROUP (ORDER BY v)
		  FROM unnest(vals) v WHERE p IS NOT NULL AND v <> 0);
COMMENT ON FUNCTION journey_internal.winsorize_cap(float8[], float8) IS
  'the value at which winsorizing at percentile p caps: the p-th continuous percentile of the non-zero values (NULL: no cap)';

-- Per guardrail of one hypothesis and variant other than control: the
-- guardrail's mean per unit in control and in the variant (winsorized as
-- the hypothesis says), the relative change, its standard error, and the
-- one-sided non-inferiority test at the hypothesis's alpha.  The change
-- and its error are cuped_test's unadjusted lift (conversion: a
-- proportion; count and value: a mean).  non_inferior is false when the
-- change cannot be measured (no control units with the metric).
CREATE FUNCTION @extschema@.hypothesis_guardrails(hypothesis_id bigint)
RETURNS TABLE (guardrail text, variant text, measure text,
			   higher_is_better boolean, margin float8, control_mean float8, mean float8,
			   lift float8, std_error float8, p_value float8, non_inferior boolean)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	hid constant bigint := hypothesis_guardrails.hypothesis_id;
	h record;
	src @extschema@.source;
	g record;
	t record;
	ni record;
	value_col text;
BEGIN
	SELECT hy.conversion_window, hy.alpha, hy.winsorize, s AS source INTO h
	  FROM @extschema@.hypothesis hy JOIN @extschema@.source s ON s.name = hy.source
	 WHERE hy.id = hid;
	IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM @extschema@.guardrail gr WHERE gr.hypothesis_id = hid) THEN
		RETURN;
	END IF;
	src := h.source;
	-- the value column is read (and checked) only when a guardrail measures it
	IF EXISTS (SELECT 1 FROM @extschema@.guardrail gr
				WHERE gr.hypothesis_id = hid AND gr.measure = 'value') THEN
		value_col := src.value_column;
	END IF;
	PERFORM journey_internal.check_source_relation(src, false, value_col, extra_role => 'value');

	FOR g IN EXECUTE format($q$
		WITH unit AS (
			SELECT gr.name, gr.measure, gr.higher_is_better, gr.margin, a.variant,
				   CASE gr.measure
						WHEN 'conversion' THEN (count(e.%2$I) > 0)::int::float8
						WHEN 'count' THEN count(e.%2$I)::float8
						ELSE coalesce(@extschema@.exact_sum(%5$s), 0) END AS v
			  FROM @extschema@.guardrail gr
			  JOIN @extschema@.assignment a ON a.hypothesis_id = gr.hypothesis_id
			  LEFT JOIN %1$s e ON e.%3$I::text = a.customer_id AND e.%4$I = gr.event_name
				   AND e.%2$I >= a.assigned_at AND e.%2$I <= a.assigned_at + $2
			 WHERE gr.hypothesis_id = $1
			 GROUP BY gr.name, gr.measure, gr.higher_is_better, gr.margin, a.customer_id, a.variant
		), caps AS (
			-- one cap per guardrail measuring counts or value
			SELECT u.name, journey_internal.winsorize_cap(array_agg(u.v), $3) AS cap
			  FROM unit u WHERE u.measure <> 'conversion' GROUP BY u.name
		), capped AS (
			SELECT u.*, k.cap FROM unit u LEFT JOIN caps k ON k.name = u.name
		), arms AS (
			SELECT c.name, c.measure, c.higher_is_better, c.margin, c.variant,
				   journey_internal.arm_sums(count(*), @extschema@.exact_sum(c.w),
						@extschema@.exact_sum(c.w * c.w), 0, 0, 0) AS sums
			  FROM (SELECT d.*, least(d.v, coalesce(d.cap, d.v)) AS w FROM capped d) c
			 GROUP BY c.name, c.measure, c.higher_is_better, c.margin, c.variant
		)
		SELECT t.name, t.measure, t.higher_is_better, t.margin, t.variant,
			   c.sums AS control_sums, t.sums
		  FROM arms t JOIN arms c ON c.name = t.name AND c.variant = 'control'
		 WHERE t.variant <> 'control'
		 ORDER BY t.name, t.variant$q$,
		src.relation, src.time_column, src.customer_column, src.event_column,
		CASE WHEN value_col IS NOT NULL
			 THEN format('e.%I::float8', value_col) ELSE 'NULL::float8' END)
	USING hid, h.conversion_window, h.winsorize
	LOOP
		guardrail := g.name;
		variant := g.variant;
		measure := g.measure;
		higher_is_better := g.higher_is_better;
		margin := g.margin;
		control_mean := g.control_sums[2] / g.control_sums[1];
		mean := g.sums[2] / g.sums[1];
		lift := NULL; std_error := NULL; p_value := NULL; non_inferior := false;
		IF g.control_sums[1] >= 2 AND g.sums[1] >= 2 THEN
			SELECT * INTO t FROM @extschema@.cuped_test(g.control_sums, g.sums, h.alpha,
														g.measure = 'conversion');
			lift := t.lift;
			std_error := t.std_error;
			IF t.lift IS NOT NULL THEN
				SELECT * INTO ni FROM @extschema@.noninferiority_test(t.lift, t.std_error,
						g.margin, h.alpha, g.higher_is_better);
				p_value := ni.p_value;
				non_inferior := ni.non_inferior;
			END IF;
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.hypothesis_guardrails(bigint) IS
  'per guardrail of a hypothesis and variant: control and variant means per unit, relative change with its standard error, and the one-sided non-inferiority test against the margin at the hypothesis''s alpha';

-- The figures of one hypothesis beyond the conversion test, per variant
-- (control first, its comparison columns NULL): CUPED (when cuped_window
-- is set), the sequential interval and p-value (when sequential), the
-- ratio metric (when ratio_numerator is set), and the guardrails.  A
-- variant compared with control needs 2 units in each arm.
CREATE FUNCTION @extschema@.hypothesis_effects(hypothesis_id bigint)
RETURNS TABLE (variant text,
			   cuped_lift float8, cuped_low float8, cuped_high float8, cuped_p_value float8,
			   variance_reduction float8,
			   sequential_low float8, sequential_high float8, sequential_p_value float8,
			   ratio float8, ratio_lift float8, ratio_low float8, ratio_high float8,
			   ratio_p_value float8,
			   guardrails_failed text)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	hid constant bigint := hypothesis_effects.hypothesis_id;
	h record;
	v record;
	ctrl record;
	c record;
	r record;
	s record;
	usable boolean := true;
	has_control boolean := false;
	ctrl_units bigint := 0;
	failed_variants text[];
	failed_lists text[];
	est float8;
	se float8;
BEGIN
	SELECT hy.alpha, hy.sequential, hy.sequential_tuning, hy.cuped_window,
		   hy.ratio_numerator, hy.winsorize INTO h
	  FROM @extschema@.hypothesis hy WHERE hy.id = hid;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	-- (a hypothesis stored with parameters out of range: its figures are
	-- NULL, as hypothesis_result says why)
	BEGIN
		PERFORM journey_internal.check_parameter('alpha', h.alpha);
	EXCEPTION WHEN invalid_parameter_value OR null_value_not_allowed THEN
		usable := false;
	END;
	-- the guardrails each variant failed
	SELECT array_agg(f.variant), array_agg(f.failed) INTO failed_variants, failed_lists
	  FROM (SELECT g.variant, string_agg(g.guardrail, ', ' ORDER BY g.guardrail) AS failed
			  FROM @extschema@.hypothesis_guardrails(hid) g
			 WHERE NOT g.non_inferior
			 GROUP BY g.variant) f;

	FOR v IN
		WITH u AS (
			SELECT * FROM @extschema@.hypothesis_unit_values(hid)
		), caps AS (
			SELECT journey_internal.winsorize_cap(array_agg(u.numerator), h.winsorize) AS num_cap,
				   journey_internal.winsorize_cap(array_agg(u.denominator), h.winsorize) AS den_cap
			  FROM u
		), w AS (
			SELECT u.variant, u.converted, coalesce(u.pre_converted, 0) AS pre,
				   least(u.numerator, coalesce(k.num_cap, u.numerator)) AS num,
				   least(u.denominator, coalesce(k.den_cap, u.denominator)) AS den
			  FROM u, caps k
		)
		SELECT w.variant, count(*) AS units,
			   journey_internal.arm_sums(count(*), sum(w.converted), sum(w.converted),
									sum(w.pre), sum(w.pre), sum(w.converted * w.pre)) AS conv,
			   journey_internal.arm_sums(count(*), @extschema@.exact_sum(w.num),
									@extschema@.exact_sum(w.num * w.num),
									@extschema@.exact_sum(w.den), @extschema@.exact_sum(w.den * w.den),
									@extschema@.exact_sum(w.num * w.den)) AS ratio_sums
		  FROM w
		 GROUP BY w.variant
		 ORDER BY w.variant <> 'control', w.variant
	LOOP
		variant := v.variant;
		cuped_lift := NULL; cuped_low := NULL; cuped_high := NULL; cuped_p_value := NULL;
		variance_reduction := NULL; sequential_low := NULL; sequential_high := NULL;
		sequential_p_value := NULL; ratio := NULL; ratio_lift := NULL; ratio_low := NULL;
		ratio_high := NULL; ratio_p_value := NULL; guardrails_failed := NULL;
		IF h.ratio_numerator IS NOT NULL AND v.ratio_sums[4] <> 0 THEN
			ratio := v.ratio_sums[2] / v.ratio_sums[4];
		END IF;
		IF v.variant = 'control' THEN
			ctrl := v;
			has_control := true;
			ctrl_units := v.units;
		ELSIF has_control AND usable AND ctrl_units >= 2 AND v.units >= 2 THEN
			SELECT * INTO c FROM @extschema@.cuped_test(ctrl.conv, v.conv, h.alpha, true);
			IF h.cuped_window IS NOT NULL THEN
				cuped_lift := c.cuped_lift; cuped_low := c.cuped_low;
				cuped_high := c.cuped_high; cuped_p_value := c.cuped_p_value;
				variance_reduction := c.variance_reduction;
			END IF;
			-- the sequential test reads the estimate the hypothesis reports:
			-- CUPED's when it has a pre-period, else the plain lift
			IF h.cuped_window IS NOT NULL THEN
				est := c.cuped_lift; se := c.cuped_std_error;
			ELSE
				est := c.lift; se := c.std_error;
			END IF;
			IF h.sequential AND se > 0 THEN
				SELECT * INTO s FROM @extschema@.sequential_test(est, se, ctrl.units + v.units,
																  h.alpha, h.sequential_tuning);
				sequential_low := s.low; sequential_high := s.high;
				sequential_p_value := s.p_value;
			END IF;
			IF h.ratio_numerator IS NOT NULL THEN
				SELECT * INTO r FROM @extschema@.ratio_test(ctrl.ratio_sums, v.ratio_sums, h.alpha);
				ratio_lift := r.lift; ratio_low := r.lift_low; ratio_high := r.lift_high;
				ratio_p_value := r.p_value;
			END IF;
		END IF;
		guardrails_failed := failed_lists[array_position(failed_variants, v.variant)];
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.hypothesis_effects(bigint) IS
  'per variant of a hypothesis: CUPED lift, interval, p-value and variance reduction; sequential (always-valid) interval and p-value; ratio metric and its lift; the guardrails that failed';
