-- Guardrails of a hypothesis (new in 0.2.0): the table journey.guardrail
-- and its rules, after the experiment registry (src/sql/45_experiments.sql)
-- whose hypotheses they belong to.  hypothesis_guardrails
-- (src/sql/44_hypothesis_effects.sql) tests them.

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
	-- (the hypothesis locked, so that it cannot start between this check
	-- and the commit, as for a removal)
	SELECT hy.id, hy.status, hy.source, s.value_column INTO h
	  FROM @extschema@.hypothesis hy JOIN @extschema@.source s ON s.name = hy.source
	 WHERE hy.id = NEW.hypothesis_id FOR SHARE OF hy;
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
