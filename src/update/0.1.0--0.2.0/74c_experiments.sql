-- The hypothesis registry's new settings (0.2.0) and the rules that check
-- them (hypothesis_check), as src/sql/45_experiments.sql installs them;
-- after the signals of 74b_signals.sql.  The guardrails follow in
-- 74c_guardrail.sql (the install piece src/sql/45_guardrail.sql itself),
-- then the figures they feed (hypothesis_unit_values,
-- hypothesis_guardrails, hypothesis_effects) in 74d_hypothesis_effects.sql
-- (src/sql/44_hypothesis_effects.sql).

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
