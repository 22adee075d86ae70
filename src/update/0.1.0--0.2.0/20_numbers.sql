-- Numbers and inputs (0.2.0): every statistical parameter checked
-- against its range where it enters, the hypothesis registry with the
-- statistics functions' own ranges and messages (check_parameter, created
-- just before by 16_stats_tests.sql, the install piece
-- src/sql/40_stats_tests.sql itself); values summed exactly with
-- exact_sum (15_exact_sum.sql, src/sql/08_exact_sum.sql).

-- prob_to_beat: exact up to 1e7 in the smallest shape, an expansion beyond
COMMENT ON FUNCTION @extschema@.prob_to_beat(bigint, bigint, bigint, bigint) IS
  'P(rate B > rate A) under independent uniform Beta(1,1) priors: the exact sum up to 1e7 in the smallest posterior shape, an Edgeworth expansion beyond; absolute error below 1e-12';

CREATE OR REPLACE FUNCTION journey_internal.hypothesis_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	frozen text;
	cycle_source text;
	bad_allocation boolean;
	share record;
BEGIN
	-- what the hypothesis is about
	PERFORM journey_internal.check_source(NEW.source);
	NEW.target_moment := coalesce(NEW.target_moment, NEW.moment);
	-- (on UPDATE only what changed: a rename of a moment cascades into one
	-- column at a time, and the other still names the old moment)
	IF TG_OP = 'INSERT' OR NEW.source IS DISTINCT FROM OLD.source
		OR NEW.moment IS DISTINCT FROM OLD.moment THEN
		PERFORM journey_internal.check_moment(NEW.source, NEW.moment, 'moment');
	END IF;
	IF TG_OP = 'INSERT' OR NEW.source IS DISTINCT FROM OLD.source
		OR NEW.target_moment IS DISTINCT FROM OLD.target_moment THEN
		PERFORM journey_internal.check_moment(NEW.source, NEW.target_moment, 'target moment');
	END IF;
	PERFORM journey_internal.check_statement(NEW.statement);

	-- how it is measured
	IF NEW.conversion_window IS NULL OR NEW.conversion_window <= interval '0' THEN
		RAISE EXCEPTION 'conversion window must be positive'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('The window is %s.', coalesce(NEW.conversion_window::text, 'NULL')),
				  HINT = 'Give the time after assignment within which reaching the target moment counts, e.g. ''7 days''.';
	END IF;
	-- the test's parameters, in the ranges the statistics functions accept
	-- (and with their messages), so that every stored hypothesis computes;
	-- on UPDATE only what changed, so that a row stored before these checks
	-- can still be corrected or abandoned
	IF TG_OP = 'INSERT' OR NEW.minimum_effect IS DISTINCT FROM OLD.minimum_effect THEN
		PERFORM journey_internal.check_parameter('minimum_effect', NEW.minimum_effect);
	END IF;
	IF TG_OP = 'INSERT' OR NEW.alpha IS DISTINCT FROM OLD.alpha THEN
		PERFORM journey_internal.check_parameter('alpha', NEW.alpha);
	END IF;
	IF TG_OP = 'INSERT' OR NEW.power IS DISTINCT FROM OLD.power THEN
		PERFORM journey_internal.check_parameter('power', NEW.power);
	END IF;
	-- an allocation is an object naming control and another variant, each
	-- with a positive number (the CASE keeps jsonb_each off non-objects)
	bad_allocation := CASE
		WHEN NEW.allocation IS NULL THEN false
		WHEN jsonb_typeof(NEW.allocation) <> 'object' THEN true
		WHEN NOT (NEW.allocation ? 'control') THEN true
		ELSE (SELECT count(*) < 2 OR bool_or(jsonb_typeof(a.value) <> 'number')
					 OR bool_or(CASE WHEN jsonb_typeof(a.value) = 'number'
									 THEN a.value::numeric <= 0 END)
				FROM jsonb_each(NEW.allocation) a)
	END;
	IF bad_allocation THEN
		RAISE EXCEPTION 'allocation must map control and at least one other variant to positive shares'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('It is %s.', NEW.allocation),
				  HINT = 'For example {"control": 0.9, "treatment": 0.1}; shares need not add up to 1. Leave it NULL for an equal split.';
	END IF;
	-- shares are weights of srm_test (float8): within a range that float8
	-- holds with every digit
	SELECT a.key, a.value INTO share
	  FROM jsonb_each(CASE WHEN jsonb_typeof(NEW.allocation) = 'object'
							AND (TG_OP = 'INSERT' OR NEW.allocation IS DISTINCT FROM OLD.allocation)
					   THEN NEW.allocation END) a
	 WHERE NOT a.value::numeric BETWEEN 1e-300 AND 1e300
	 ORDER BY a.key
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'allocation share of variant "%" is out of range', share.key
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('It is %s; a share must lie between 1e-300 and 1e300.',
								  btrim(to_char(share.value::numeric, '9.99EEEE'))),
				  HINT = 'Shares are relative: {"control": 9, "treatment": 1} is the same split as {"control": 0.9, "treatment": 0.1}.';
	END IF;

	IF NEW.cycle_id IS NOT NULL THEN
		SELECT c.source INTO cycle_source
		  FROM @extschema@.review_cycle c WHERE c.id = NEW.cycle_id;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'unknown review cycle %', NEW.cycle_id
				USING ERRCODE = 'foreign_key_violation';
		ELSIF cycle_source <> NEW.source THEN
			RAISE EXCEPTION 'review cycle % belongs to source "%", not "%"',
					NEW.cycle_id, cycle_source, NEW.source
				USING ERRCODE = 'foreign_key_violation';
		END IF;
	END IF;

	-- where it is in its life
	IF NEW.status IS NULL OR NEW.status NOT IN ('proposed', 'running', 'concluded', 'abandoned') THEN
		RAISE EXCEPTION 'unknown hypothesis status "%"', NEW.status
			USING ERRCODE = 'check_violation',
				  HINT = 'Status is proposed, running, concluded or abandoned; move a hypothesis with journey.start_hypothesis, journey.conclude_hypothesis or journey.abandon_hypothesis.';
	END IF;
	IF NEW.decision IS NOT NULL AND NEW.decision NOT IN ('ship', 'iterate', 'discard') THEN
		RAISE EXCEPTION 'unknown decision "%"', NEW.decision
			USING ERRCODE = 'check_violation',
				  HINT = 'Decide ship (roll the change out), iterate (refine and test again) or discard.';
	END IF;

	IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status THEN
		IF OLD.status IN ('concluded', 'abandoned') THEN
			RAISE EXCEPTION 'hypothesis % is %: it cannot become %', OLD.id, OLD.status, NEW.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'Concluded and abandoned hypotheses are final.',
					  HINT = 'Propose a new hypothesis to test the idea again.';
		ELSIF NEW.status = 'proposed' THEN
			RAISE EXCEPTION 'hypothesis % is running: it cannot go back to proposed', OLD.id
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Abandon it with journey.abandon_hypothesis and propose it again.';
		ELSIF NEW.status = 'concluded' AND OLD.status = 'proposed' THEN
			RAISE EXCEPTION 'hypothesis % cannot be concluded: it was never started', OLD.id
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Start it with journey.start_hypothesis and collect results first, or abandon it.';
		ELSIF NEW.status = 'concluded' AND NOT (
				EXISTS (SELECT 1 FROM @extschema@.assignment a
						 WHERE a.hypothesis_id = NEW.id AND a.variant = 'control')
				AND EXISTS (SELECT 1 FROM @extschema@.assignment a
							 WHERE a.hypothesis_id = NEW.id AND a.variant <> 'control')) THEN
			RAISE EXCEPTION 'hypothesis % cannot be concluded: it has no control and treatment to compare', OLD.id
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'A conclusion needs customers assigned to variant "control" and to at least one other variant.',
					  HINT = 'Assign customers in journey.assignment, or abandon the hypothesis.';
		END IF;
	END IF;

	IF TG_OP = 'UPDATE' AND OLD.status <> 'proposed' THEN
		-- the definition is frozen once customers have seen the change, so
		-- that the result answers the question that was asked (renaming a
		-- source or moment in the registry cascades here and is no change)
		frozen := CASE
			WHEN NEW.source IS DISTINCT FROM OLD.source
				 AND EXISTS (SELECT 1 FROM @extschema@.source s WHERE s.name = OLD.source)
				THEN 'source'
			WHEN NEW.moment IS DISTINCT FROM OLD.moment
				 AND EXISTS (SELECT 1 FROM @extschema@.moment m
							  WHERE m.source = NEW.source AND m.name = OLD.moment)
				THEN 'moment'
			WHEN NEW.target_moment IS DISTINCT FROM OLD.target_moment
				 AND EXISTS (SELECT 1 FROM @extschema@.moment m
							  WHERE m.source = NEW.source AND m.name = OLD.target_moment)
				THEN 'target_moment'
			WHEN NEW.statement IS DISTINCT FROM OLD.statement THEN 'statement'
			WHEN NEW.conversion_window IS DISTINCT FROM OLD.conversion_window THEN 'conversion_window'
			WHEN NEW.minimum_effect IS DISTINCT FROM OLD.minimum_effect THEN 'minimum_effect'
			WHEN NEW.alpha IS DISTINCT FROM OLD.alpha THEN 'alpha'
			WHEN NEW.power IS DISTINCT FROM OLD.power THEN 'power'
			WHEN NEW.allocation IS DISTINCT FROM OLD.allocation THEN 'allocation'
			WHEN OLD.status IN ('concluded', 'abandoned')
				 AND NEW.decision IS DISTINCT FROM OLD.decision THEN 'decision'
			WHEN OLD.status IN ('concluded', 'abandoned')
				 AND NEW.ended_at IS DISTINCT FROM OLD.ended_at THEN 'ended_at'
			WHEN NEW.started_at IS DISTINCT FROM OLD.started_at THEN 'started_at'
		END;
		IF frozen IS NOT NULL THEN
			RAISE EXCEPTION 'cannot change % of hypothesis %: it is %', frozen, OLD.id, OLD.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'A hypothesis is frozen once started, so that its result answers the question that was asked.',
					  HINT = 'Abandon it and propose a new hypothesis instead; the mechanism, learning and cycle can still be edited.';
		END IF;
	END IF;

	-- the row must be consistent with its status
	IF NEW.status = 'proposed' AND (NEW.started_at IS NOT NULL OR NEW.ended_at IS NOT NULL
									 OR NEW.decision IS NOT NULL) THEN
		RAISE EXCEPTION 'a proposed hypothesis has no started_at, ended_at or decision'
			USING ERRCODE = 'check_violation',
				  HINT = 'Move it with journey.start_hypothesis.';
	ELSIF NEW.status = 'running' AND (NEW.started_at IS NULL OR NEW.ended_at IS NOT NULL
									   OR NEW.decision IS NOT NULL) THEN
		RAISE EXCEPTION 'a running hypothesis has a started_at and no ended_at or decision'
			USING ERRCODE = 'check_violation',
				  HINT = 'Move it with journey.start_hypothesis and journey.conclude_hypothesis.';
	ELSIF NEW.status = 'concluded' AND (NEW.started_at IS NULL OR NEW.ended_at IS NULL) THEN
		RAISE EXCEPTION 'a concluded hypothesis has a started_at and an ended_at'
			USING ERRCODE = 'check_violation',
				  HINT = 'Move it with journey.conclude_hypothesis.';
	ELSIF NEW.status = 'concluded' AND NEW.decision IS NULL THEN
		RAISE EXCEPTION 'a concluded hypothesis needs a decision'
			USING ERRCODE = 'check_violation',
				  HINT = 'Decide ship, iterate or discard.';
	ELSIF NEW.status = 'concluded' AND coalesce(btrim(NEW.learning), '') = '' THEN
		RAISE EXCEPTION 'a concluded hypothesis needs a learning'
			USING ERRCODE = 'check_violation',
				  HINT = 'Write down what the result taught you: it is what the review cycle keeps.';
	ELSIF NEW.status = 'abandoned' AND (NEW.ended_at IS NULL OR NEW.decision IS NOT NULL) THEN
		RAISE EXCEPTION 'an abandoned hypothesis has an ended_at and no decision'
			USING ERRCODE = 'check_violation',
				  HINT = 'Move it with journey.abandon_hypothesis.';
	END IF;
	IF NEW.ended_at < NEW.started_at THEN
		RAISE EXCEPTION 'hypothesis ends before it starts'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('started_at is %s, ended_at is %s.', NEW.started_at, NEW.ended_at);
	END IF;
	RETURN NEW;
END
$$;

-- a hypothesis stored with parameters out of range gives rows that say so
CREATE OR REPLACE FUNCTION @extschema@.hypothesis_result(hypothesis bigint)
RETURNS TABLE (hypothesis_id bigint, variant text, units bigint, conversions bigint,
			   rate float8, lift float8, lift_low float8, lift_high float8,
			   p_value float8, prob_to_beat float8, srm_p_value float8, verdict text)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	hid constant bigint := hypothesis_result.hypothesis;
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
BEGIN
	SELECT hy.alpha, hy.power, hy.minimum_effect, hy.allocation INTO h
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

	-- units each arm needs to detect minimum_effect at the control's rate
	IF has_control AND usable AND x[1] > 0 THEN
		base := least(x[1]::float8 / n[1], 1 - h.minimum_effect - 1e-9);
		IF base > 0 THEN
			required := @extschema@.sample_size(base, h.minimum_effect, h.alpha, h.power);
		END IF;
	END IF;

	FOR i IN 1..k LOOP
		hypothesis_id := hid;
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
			WHEN adj_p[i] < h.alpha AND x[i]::float8 / n[i] > x[1]::float8 / n[1] THEN 'significant win'
			WHEN adj_p[i] < h.alpha AND x[i]::float8 / n[i] < x[1]::float8 / n[1] THEN 'significant loss'
			ELSE 'inconclusive'
		END;
		RETURN NEXT;
	END LOOP;
END
$$;

-- channel_attribution sums values with exact_sum
CREATE OR REPLACE FUNCTION @extschema@.channel_attribution_rows(source text)
RETURNS TABLE (model text, channel text, conversions float8, value float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s @extschema@.source;
	q text;
BEGIN
	SELECT * INTO s FROM @extschema@.source x WHERE x.name = channel_attribution_rows.source;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown source "%"', channel_attribution_rows.source
			USING ERRCODE = 'undefined_object',
			      HINT = 'Register it in journey.source first.';
	END IF;
	IF s.channel_column IS NULL OR s.conversion_event IS NULL THEN
		RAISE EXCEPTION 'source "%" has no channel column or no conversion event', s.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Attribution needs both: set channel_column and conversion_event in journey.source.';
	END IF;
	PERFORM journey_internal.check_source_relation(s, true);
	q := format($q$
WITH p AS MATERIALIZED (
  SELECT unnest(@extschema@.paths_to_conversion(%1$I::text, %2$I, %3$I::text = $1,
                                                %4$s, $2)) AS p
    FROM %5$s GROUP BY %6$I),
rows AS MATERIALIZED (
  SELECT (p).path AS path,
         count(*) FILTER (WHERE (p).converted)::float8 AS conversions,
         coalesce(@extschema@.exact_sum((p).value) FILTER (WHERE (p).converted), 0) AS value,
         count(*) FILTER (WHERE NOT (p).converted)::float8 AS nulls
    FROM p GROUP BY (p).path)
SELECT m, c.channel, c.conversions, c.value
  FROM unnest(ARRAY['first_touch', 'last_touch', 'linear', 'position_based',
                    'markov', 'shapley']) AS m,
       LATERAL unnest((SELECT @extschema@.attribution(path, conversions, value, nulls, m)
                         FROM rows)) AS c
UNION ALL
SELECT 'time_decay', t.label, @extschema@.exact_sum(t.w), @extschema@.exact_sum(t.w * coalesce((p).value, 0))
  FROM p, unnest((p).path, @extschema@.touch_weights((p).path, 'time_decay',
                                                     (p).touch_times, (p).converted_at)) AS t(label, w)
 WHERE (p).converted
 GROUP BY t.label
$q$,
		s.channel_column, s.time_column, s.event_column,
		CASE WHEN s.value_column IS NULL THEN 'NULL::float8'
		     ELSE format('%I::float8', s.value_column) END,
		s.relation, s.customer_column);
	RETURN QUERY EXECUTE format('SELECT m, channel, conversions, value FROM (%s) r(m, channel, conversions, value) ORDER BY m, channel',
	                            q)
		USING s.conversion_event, s.attribution_lookback;
END
$$;

-- Hypotheses stored before 0.2.0 keep their values; one outside the ranges
-- the registry now checks cannot be computed (its statistics refuse the
-- value: journey.hypothesis_results says "parameters out of range"): say
-- which, so that it can be fixed.
DO $$
DECLARE
	h record;
	param text;
BEGIN
	FOR h IN SELECT id, alpha, power, minimum_effect FROM @extschema@.hypothesis ORDER BY id LOOP
		FOREACH param IN ARRAY ARRAY['alpha', 'power', 'minimum_effect'] LOOP
			BEGIN
				PERFORM journey_internal.check_parameter(param,
					CASE param WHEN 'alpha' THEN h.alpha WHEN 'power' THEN h.power
							   ELSE h.minimum_effect END);
			EXCEPTION WHEN invalid_parameter_value OR null_value_not_allowed THEN
				RAISE WARNING 'hypothesis %: %', h.id, SQLERRM
					USING HINT = 'journey.hypothesis_results shows its verdict as "parameters out of range": correct it with UPDATE journey.hypothesis (a proposed one), or abandon it and propose it again.';
			END;
		END LOOP;
	END LOOP;
END
$$;
