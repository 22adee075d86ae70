-- The hypothesis registry's new settings (0.2.0) and guardrails, and the
-- figures they feed (hypothesis_unit_values, hypothesis_guardrails,
-- hypothesis_effects), as src/sql/45_experiments.sql installs them; after
-- the signals of 74b_signals.sql.

ALTER TABLE @extschema@.hypothesis
	ADD COLUMN sequential boolean NOT NULL DEFAULT false,
	ADD COLUMN sequential_tuning float8 NOT NULL DEFAULT 5000,
	ADD COLUMN cuped_window interval DEFAULT '14 days',
	ADD COLUMN ratio_numerator text,
	ADD COLUMN ratio_denominator text,
	ADD COLUMN ratio_measure text NOT NULL DEFAULT 'count',
	ADD COLUMN winsorize float8,
	ADD COLUMN cuped_event text;
-- a rewrite of the table stores the new columns' defaults in every row, so
-- that the catalog keeps no "missing values" for them (a fresh install has
-- none; pg_dump --binary-upgrade would show the difference)
ALTER TABLE @extschema@.hypothesis ALTER COLUMN winsorize TYPE float8 USING winsorize + 0;
COMMENT ON COLUMN @extschema@.hypothesis.sequential IS
  'true: the verdict uses always-valid (sequential) p-values, so that results can be read at every review without inflating false positives';
COMMENT ON COLUMN @extschema@.hypothesis.sequential_tuning IS
  'the sequential test''s tuning parameter: the number of units (both arms) at which its interval is tightest (GrowthBook''s default 5000)';
COMMENT ON COLUMN @extschema@.hypothesis.cuped_window IS
  'CUPED''s pre-assignment window: the target moment reached within it before assignment is the covariate; NULL: no CUPED';
COMMENT ON COLUMN @extschema@.hypothesis.ratio_numerator IS
  'event whose count (or value, see ratio_measure) per unit within the window is the ratio metric''s numerator; NULL: no ratio metric';
COMMENT ON COLUMN @extschema@.hypothesis.ratio_denominator IS
  'event whose count per unit within the window is the ratio metric''s denominator (e.g. sessions); NULL: per unit';
COMMENT ON COLUMN @extschema@.hypothesis.ratio_measure IS
  'what the ratio''s numerator adds up: count (its events) or value (the source''s value column over its events)';
COMMENT ON COLUMN @extschema@.hypothesis.winsorize IS
  'percentile (e.g. 0.99) of the non-zero per-unit values of the ratio and guardrail metrics at which they are capped; NULL: no capping';
COMMENT ON COLUMN @extschema@.hypothesis.cuped_event IS
  'the event whose occurrence in the CUPED window before assignment is the covariate; NULL: the target moment''s event (the same metric before assignment)';

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

	-- the experiment statistics' settings
	IF NEW.sequential IS NULL THEN
		RAISE EXCEPTION 'sequential must not be NULL'
			USING ERRCODE = 'not_null_violation',
				  HINT = 'true reads always-valid results at every review; false is a fixed-horizon test.';
	END IF;
	IF (TG_OP = 'INSERT' OR NEW.sequential_tuning IS DISTINCT FROM OLD.sequential_tuning)
	   AND NOT coalesce(NEW.sequential_tuning > 0 AND NEW.sequential_tuning < 'infinity', false) THEN
		RAISE EXCEPTION 'sequential tuning must be a positive number'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('It is %s.', coalesce(NEW.sequential_tuning::text, 'NULL')),
				  HINT = 'It is the number of units at which the sequential interval is tightest; 5000 is GrowthBook''s default.';
	END IF;
	IF NEW.cuped_window <= interval '0' THEN
		RAISE EXCEPTION 'CUPED window must be positive'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('The window is %s.', NEW.cuped_window),
				  HINT = 'Give the time before assignment whose conversions are the covariate, e.g. ''14 days'', or NULL for no CUPED.';
	END IF;
	IF NEW.ratio_measure IS NULL OR NEW.ratio_measure NOT IN ('count', 'value') THEN
		RAISE EXCEPTION 'unknown ratio measure "%"', NEW.ratio_measure
			USING ERRCODE = 'check_violation',
				  HINT = 'The numerator adds up the count of its events or their value.';
	END IF;
	IF btrim(NEW.cuped_event) = '' THEN
		RAISE EXCEPTION 'CUPED event must not be empty'
			USING ERRCODE = 'check_violation',
				  HINT = 'Name an event of the source that happens before assignment, or leave it NULL for the target moment''s event.';
	END IF;
	IF btrim(NEW.ratio_numerator) = '' OR btrim(NEW.ratio_denominator) = '' THEN
		RAISE EXCEPTION 'ratio events must not be empty'
			USING ERRCODE = 'check_violation',
				  HINT = 'Name the events of the source, or leave them NULL.';
	END IF;
	IF NEW.ratio_numerator IS NULL AND (NEW.ratio_denominator IS NOT NULL OR NEW.ratio_measure <> 'count') THEN
		RAISE EXCEPTION 'a ratio metric needs a numerator'
			USING ERRCODE = 'check_violation',
				  HINT = 'Set ratio_numerator to the event counted (or valued) per unit.';
	END IF;
	IF NEW.ratio_measure = 'value' AND NOT EXISTS (
			SELECT 1 FROM @extschema@.source s WHERE s.name = NEW.source AND s.value_column IS NOT NULL) THEN
		RAISE EXCEPTION 'source "%" has no value column', NEW.source
			USING ERRCODE = 'check_violation',
				  HINT = 'Register the source''s value_column, or measure the ratio''s count.';
	END IF;
	IF NEW.winsorize IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.winsorize IS DISTINCT FROM OLD.winsorize) THEN
		PERFORM journey_internal.check_parameter('winsorize', NEW.winsorize);
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
			WHEN NEW.sequential IS DISTINCT FROM OLD.sequential THEN 'sequential'
			WHEN NEW.sequential_tuning IS DISTINCT FROM OLD.sequential_tuning THEN 'sequential_tuning'
			WHEN NEW.cuped_window IS DISTINCT FROM OLD.cuped_window THEN 'cuped_window'
			WHEN NEW.ratio_numerator IS DISTINCT FROM OLD.ratio_numerator THEN 'ratio_numerator'
			WHEN NEW.ratio_denominator IS DISTINCT FROM OLD.ratio_denominator THEN 'ratio_denominator'
			WHEN NEW.ratio_measure IS DISTINCT FROM OLD.ratio_measure THEN 'ratio_measure'
			WHEN NEW.winsorize IS DISTINCT FROM OLD.winsorize THEN 'winsorize'
			WHEN NEW.cuped_event IS DISTINCT FROM OLD.cuped_event THEN 'cuped_event'
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

-- A guardrail is a metric the change must not make worse by more than a
-- margin: a one-sided non-inferiority test per variant against control
-- (journey.hypothesis_guardrails); a variant that does not show it has the
-- verdict "guardrail failed".  Like the hypothesis, a guardrail is frozen
-- once the hypothesis has started (an insertion is accepted in every
-- status, as for assignments, so that a dump restores).
CREATE TABLE @extschema@.guardrail (
	hypothesis_id bigint NOT NULL REFERENCES @extschema@.hypothesis (id)
		ON DELETE CASCADE,
	name text NOT NULL,
	event_name text NOT NULL,
	measure text NOT NULL DEFAULT 'conversion',
	higher_is_better boolean NOT NULL DEFAULT true,
	margin float8 NOT NULL DEFAULT 0.02,
	PRIMARY KEY (hypothesis_id, name)
);
COMMENT ON TABLE @extschema@.guardrail IS
  'guardrail metrics of a hypothesis: per unit within the conversion window after assignment, the conversion to, count of, or value of an event, which the change must not worsen by more than a relative margin';
COMMENT ON COLUMN @extschema@.guardrail.measure IS
  'conversion (the event reached, 0 or 1), count (its events) or value (the source''s value column summed over its events), per unit within the window';
COMMENT ON COLUMN @extschema@.guardrail.higher_is_better IS
  'true: a fall is harm (e.g. conversions); false: a rise is harm (e.g. refunds, errors)';
COMMENT ON COLUMN @extschema@.guardrail.margin IS
  'the relative change the guardrail tolerates in the harmful direction, e.g. 0.02 for 2%';

CREATE FUNCTION journey_internal.guardrail_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h record;
BEGIN
	IF TG_OP = 'DELETE' THEN
		SELECT hy.id, hy.status INTO h FROM @extschema@.hypothesis hy
		 WHERE hy.id = OLD.hypothesis_id FOR SHARE;
		IF FOUND AND h.status <> 'proposed' THEN
			RAISE EXCEPTION 'cannot remove guardrail "%" of hypothesis %: it is %',
					OLD.name, OLD.hypothesis_id, h.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'A hypothesis is frozen once started, so that its result answers the question that was asked.';
		END IF;
		RETURN OLD;
	END IF;
	SELECT hy.id, hy.status, hy.source, s.value_column INTO h
	  FROM @extschema@.hypothesis hy JOIN @extschema@.source s ON s.name = hy.source
	 WHERE hy.id = NEW.hypothesis_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown hypothesis %', NEW.hypothesis_id
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'Register the hypothesis in journey.hypothesis first.';
	END IF;
	IF TG_OP = 'UPDATE' AND h.status <> 'proposed' THEN
		RAISE EXCEPTION 'cannot change guardrail "%" of hypothesis %: it is %',
				OLD.name, OLD.hypothesis_id, h.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'A hypothesis is frozen once started, so that its result answers the question that was asked.',
				  HINT = 'Abandon it and propose a new hypothesis instead.';
	END IF;
	IF NEW.name IS NULL OR btrim(NEW.name) = '' THEN
		RAISE EXCEPTION 'a guardrail needs a name'
			USING ERRCODE = 'not_null_violation';
	END IF;
	IF NEW.event_name IS NULL OR btrim(NEW.event_name) = '' THEN
		RAISE EXCEPTION 'guardrail "%" needs an event name', NEW.name
			USING ERRCODE = 'not_null_violation',
				  HINT = 'Name the event of the source whose conversion, count or value is guarded.';
	END IF;
	IF NEW.measure IS NULL OR NEW.measure NOT IN ('conversion', 'count', 'value') THEN
		RAISE EXCEPTION 'unknown guardrail measure "%"', NEW.measure
			USING ERRCODE = 'check_violation',
				  HINT = 'Measure the event''s conversion, count or value per unit.';
	END IF;
	IF NEW.measure = 'value' AND h.value_column IS NULL THEN
		RAISE EXCEPTION 'source "%" has no value column', h.source
			USING ERRCODE = 'check_violation',
				  HINT = 'Register the source''s value_column, or guard the event''s conversion or count.';
	END IF;
	IF NEW.higher_is_better IS NULL THEN
		RAISE EXCEPTION 'guardrail "%" needs higher_is_better', NEW.name
			USING ERRCODE = 'not_null_violation';
	END IF;
	IF NOT coalesce(NEW.margin >= 0 AND NEW.margin < 'infinity', false) THEN
		RAISE EXCEPTION 'guardrail margin must be a finite number of at least 0'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('It is %s.', coalesce(NEW.margin::text, 'NULL')),
				  HINT = 'The margin is the relative change tolerated, e.g. 0.02 for 2%.';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER guardrail_check
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.guardrail
	FOR EACH ROW EXECUTE FUNCTION journey_internal.guardrail_check();

REVOKE ALL ON TABLE @extschema@.guardrail FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.guardrail', '');

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
BEGIN
	SELECT hy.conversion_window, hy.alpha, hy.winsorize, s AS source INTO h
	  FROM @extschema@.hypothesis hy JOIN @extschema@.source s ON s.name = hy.source
	 WHERE hy.id = hid;
	IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM @extschema@.guardrail gr WHERE gr.hypothesis_id = hid) THEN
		RETURN;
	END IF;
	src := h.source;
	PERFORM journey_internal.check_source_relation(src, false,
		CASE WHEN EXISTS (SELECT 1 FROM @extschema@.guardrail gr
						   WHERE gr.hypothesis_id = hid AND gr.measure = 'value')
			 THEN src.value_column END, extra_role => 'value');

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
		), capped AS (
			SELECT u.*, CASE WHEN u.measure = 'conversion' THEN NULL
							 ELSE journey_internal.winsorize_cap(array_agg(u.v) OVER (PARTITION BY u.name), $3)
						END AS cap
			  FROM unit u
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
		CASE WHEN src.value_column IS NOT NULL
			 THEN format('e.%I::float8', src.value_column) ELSE 'NULL::float8' END)
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

