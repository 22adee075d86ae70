-- Concurrency: the registry's rules that read other rows hold when
-- sessions write at the same time.  Writers of a source's moments and
-- review cycles take turns (journey.source_turn; the review cycle check's
-- row lock on the source it replaces did not hold under REPEATABLE READ);
-- changes to assignments lock their hypothesis FOR SHARE before its status
-- is read; a conclusion locks one customer of each side.  The triggers
-- that take these locks run as the extension's owner.  A conclusion or
-- abandonment in a transaction that began before the hypothesis was
-- started ends it when it started, not before.

CREATE TABLE @extschema@.source_turn (
	source text PRIMARY KEY,
	turns bigint NOT NULL DEFAULT 1
);
COMMENT ON TABLE @extschema@.source_turn IS
  'one row per source whose moments or review cycles have been written: writers of those rows take turns by updating it, so that rules spanning rows hold under concurrency';

CREATE FUNCTION @extschema@.take_source_turn(src text)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO @extschema@.source_turn AS t (source) VALUES (src)
	ON CONFLICT (source) DO UPDATE SET turns = t.turns + 1
$$;
COMMENT ON FUNCTION @extschema@.take_source_turn(text) IS
  'waits for other writers of the source''s moments and review cycles to end (fails with 40001 under REPEATABLE READ or SERIALIZABLE if one committed unseen); called by the registry''s triggers';

CREATE FUNCTION @extschema@.check_registry_trigger(fired_on oid, serves regclass)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF fired_on IS DISTINCT FROM serves THEN
		RAISE EXCEPTION 'this trigger function serves % only', serves
			USING ERRCODE = 'wrong_object_type',
			      DETAIL = format('It fired on %s.', fired_on::regclass),
			      HINT = 'It runs as the extension''s owner: do not attach it to other tables.';
	END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_registry_trigger(oid, regclass) IS
  'error unless a registry trigger function fires on the table it serves (those running as the extension''s owner call it first)';

CREATE OR REPLACE FUNCTION @extschema@.moment_check()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src text := CASE WHEN TG_OP = 'DELETE' THEN OLD.source ELSE NEW.source END;
	key text := statement_timestamp()::text || ' ' || src;
	done text[];
BEGIN
	PERFORM @extschema@.check_registry_trigger(TG_RELID, '@extschema@.moment');
	-- sources already checked in this statement (a transaction-local setting)
	done := coalesce(nullif(current_setting('journey_registry.checked', true), ''), '{}')::text[];
	IF key = ANY (done) THEN
		RETURN NULL;
	END IF;
	PERFORM set_config('journey_registry.checked', (done || key)::text, true);
	IF TG_OP = 'UPDATE' AND OLD.source IS DISTINCT FROM NEW.source THEN
		-- the old source lost a moment: check it as well (turns taken in
		-- name order, as every writer does)
		PERFORM @extschema@.take_source_turn(least(OLD.source, NEW.source));
		PERFORM @extschema@.take_source_turn(greatest(OLD.source, NEW.source));
		PERFORM @extschema@.moment_check_source(OLD.source);
	ELSE
		PERFORM @extschema@.take_source_turn(src);
	END IF;
	PERFORM @extschema@.moment_check_source(src);
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.review_cycle_check()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	other record;
BEGIN
	PERFORM @extschema@.check_registry_trigger(TG_RELID, '@extschema@.review_cycle');
	PERFORM @extschema@.check_source(NEW.source);
	IF NEW.name IS NULL OR btrim(NEW.name) = '' THEN
		RAISE EXCEPTION 'a review cycle needs a name'
			USING ERRCODE = 'not_null_violation',
				  HINT = 'Name it after its period, e.g. ''2026 Q1''.';
	END IF;
	IF NEW.starts_on IS NULL OR NEW.ends_on IS NULL THEN
		RAISE EXCEPTION 'a review cycle needs both starts_on and ends_on'
			USING ERRCODE = 'not_null_violation';
	END IF;
	IF NEW.ends_on < NEW.starts_on THEN
		RAISE EXCEPTION 'review cycle "%" ends before it starts', NEW.name
			USING ERRCODE = 'check_violation',
				  DETAIL = format('starts_on is %s, ends_on is %s.', NEW.starts_on, NEW.ends_on),
				  HINT = 'Both ends are inclusive: a one-day cycle has starts_on = ends_on.';
	END IF;

	-- one writer of the source's cycles at a time, so that two concurrent
	-- writers cannot both miss each other's overlap
	PERFORM @extschema@.take_source_turn(NEW.source);

	SELECT c.id, c.name, c.starts_on, c.ends_on INTO other
	  FROM @extschema@.review_cycle c
	 WHERE c.source = NEW.source
	   AND (TG_OP = 'INSERT' OR c.id <> OLD.id)
	   AND c.id IS DISTINCT FROM NEW.id
	   AND c.starts_on <= NEW.ends_on
	   AND NEW.starts_on <= c.ends_on
	 ORDER BY c.starts_on
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'review cycle "%" overlaps review cycle "%" of source "%"',
				NEW.name, other.name, NEW.source
			USING ERRCODE = 'exclusion_violation',
				  DETAIL = format('"%s" runs from %s to %s; "%s" runs from %s to %s (both ends inclusive).',
								  NEW.name, NEW.starts_on, NEW.ends_on,
								  other.name, other.starts_on, other.ends_on),
				  HINT = 'The cycles of one source must not share a day.';
	END IF;
	RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.conclude_hypothesis(hypothesis_id bigint, decision text, learning text)
RETURNS @extschema@.hypothesis
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.hypothesis := @extschema@.hypothesis_for_update(hypothesis_id);
BEGIN
	IF h.status = 'concluded' THEN
		RAISE EXCEPTION 'hypothesis % is already concluded', h.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Its decision was "%s".', h.decision);
	END IF;
	IF decision IS NULL THEN
		RAISE EXCEPTION 'a conclusion needs a decision'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Decide ship, iterate or discard.';
	END IF;
	-- (now() is when this transaction began: a transaction that began
	-- later may have started the hypothesis)
	UPDATE @extschema@.hypothesis hy
	   SET status = 'concluded', ended_at = greatest(now(), hy.started_at),
		   decision = conclude_hypothesis.decision,
		   learning = conclude_hypothesis.learning,
		   cycle_id = coalesce(hy.cycle_id, @extschema@.cycle_on(hy.source, current_date))
	 WHERE hy.id = h.id
	RETURNING * INTO h;
	RETURN h;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.abandon_hypothesis(hypothesis_id bigint, reason text)
RETURNS @extschema@.hypothesis
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.hypothesis := @extschema@.hypothesis_for_update(hypothesis_id);
BEGIN
	IF h.status = 'abandoned' THEN
		RAISE EXCEPTION 'hypothesis % is already abandoned', h.id
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF coalesce(btrim(reason), '') = '' THEN
		RAISE EXCEPTION 'abandoning a hypothesis needs a reason'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'The reason is kept as the hypothesis''s learning.';
	END IF;
	UPDATE @extschema@.hypothesis hy
	   SET status = 'abandoned', ended_at = greatest(now(), hy.started_at), learning = reason
	 WHERE hy.id = h.id
	RETURNING * INTO h;
	RETURN h;
END
$$;

CREATE FUNCTION @extschema@.assignment_await_hypothesis()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.check_registry_trigger(TG_RELID, '@extschema@.assignment');
	PERFORM 1 FROM @extschema@.hypothesis hy WHERE hy.id = OLD.hypothesis_id FOR SHARE;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER assignment_await_hypothesis
	BEFORE UPDATE OR DELETE ON @extschema@.assignment
	FOR EACH ROW EXECUTE FUNCTION @extschema@.assignment_await_hypothesis();

CREATE FUNCTION @extschema@.hypothesis_evidence_lock()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.check_registry_trigger(TG_RELID, '@extschema@.hypothesis');
	PERFORM 1 FROM @extschema@.assignment a
	 WHERE a.hypothesis_id = NEW.id AND a.variant = 'control'
	 LIMIT 1 FOR SHARE SKIP LOCKED;
	PERFORM 1 FROM @extschema@.assignment a
	 WHERE a.hypothesis_id = NEW.id AND a.variant <> 'control'
	 LIMIT 1 FOR SHARE SKIP LOCKED;
	RETURN NEW;
END
$$;

CREATE TRIGGER hypothesis_evidence_lock
	BEFORE UPDATE OF status ON @extschema@.hypothesis
	FOR EACH ROW WHEN (NEW.status = 'concluded' AND OLD.status IS DISTINCT FROM 'concluded')
	EXECUTE FUNCTION @extschema@.hypothesis_evidence_lock();
