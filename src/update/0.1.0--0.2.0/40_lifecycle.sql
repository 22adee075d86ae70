-- Concurrency: the registry's rules that read other rows hold when
-- sessions write at the same time.  Review cycles of one source must not
-- overlap: an exclusion constraint holds it (over journey.text_range, a
-- range type of text created just before by 39_text_range.sql, the
-- install piece src/sql/44_text_range.sql itself, so that it needs no
-- btree_gist).  Checks of one source's moments take turns by updating its
-- first moment in place.  Changes to assignments read their hypothesis
-- locked FOR SHARE; a conclusion locks one customer of each side (the
-- trigger hypothesis_evidence_lock, which follows in 41_evidence_lock.sql,
-- the install piece src/sql/45_hypothesis_evidence_lock.sql itself).  A
-- conclusion or abandonment in a transaction that began before the
-- hypothesis was started ends it when it started, not before.
-- A source may have at most 32 moments, what moment_report can follow.
--
-- Adding the constraint fails if cycles of a source overlap already (as
-- the race this closes could leave them): the error's detail shows the
-- source and both date ranges; move or delete one, then update again.

ALTER TABLE @extschema@.review_cycle ADD CONSTRAINT review_cycle_no_overlap EXCLUDE USING gist (
	@extschema@.text_range(source, source, '[]') WITH OPERATOR(pg_catalog.&&),
	pg_catalog.daterange(starts_on, ends_on, '[]') WITH OPERATOR(pg_catalog.&&));

CREATE OR REPLACE FUNCTION journey_internal.moment_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src text := CASE WHEN TG_OP = 'DELETE' THEN OLD.source ELSE NEW.source END;
	key text := statement_timestamp()::text || ' ' || src;
	done text[];
	turn text;
BEGIN
	-- sources already checked in this statement (a transaction-local setting)
	done := coalesce(nullif(current_setting('journey_registry.checked', true), ''), '{}')::text[];
	IF key = ANY (done) THEN
		RETURN NULL;
	END IF;
	PERFORM set_config('journey_registry.checked', (done || key)::text, true);
	-- the sources' turns, in name order as every check takes them (the
	-- update fires this trigger again, which returns above)
	FOR turn IN SELECT DISTINCT s FROM unnest(ARRAY[src, CASE WHEN TG_OP = 'UPDATE' THEN OLD.source END]) s
				 WHERE s IS NOT NULL ORDER BY s LOOP
		UPDATE @extschema@.moment m SET position = m.position
		 WHERE m.source = turn AND m.position = 1;
	END LOOP;
	IF TG_OP = 'UPDATE' AND OLD.source IS DISTINCT FROM NEW.source THEN
		-- the old source lost a moment: check it as well
		PERFORM journey_internal.moment_check_source(OLD.source);
	END IF;
	PERFORM journey_internal.moment_check_source(src);
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION journey_internal.moment_check_source(src text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int;
	top int;
	missing int;
BEGIN
	SELECT count(*), max(m.position) INTO n, top FROM @extschema@.moment m WHERE m.source = src;
	IF n = 0 THEN
		RETURN;
	END IF;
	IF top <> n THEN
		SELECT min(g) INTO missing FROM generate_series(1, top) g
		 WHERE NOT EXISTS (SELECT 1 FROM @extschema@.moment m WHERE m.source = src AND m.position = g);
		RAISE EXCEPTION 'moments of source "%" must be numbered 1 to % without gaps', src, n
			USING ERRCODE = 'check_violation',
			      DETAIL = format('Position %s is missing; the highest position is %s.', missing, top),
			      HINT = 'Insert the moments in position order, or all of them in one transaction.';
	END IF;
	IF n > 32 THEN
		-- (moment_report, and so the views over every source, could not
		-- read it)
		RAISE EXCEPTION 'source "%" has % moments; at most 32 are allowed', src, n
			USING ERRCODE = 'program_limit_exceeded',
			      DETAIL = 'moment_report follows a customer through at most 32 moments, as window_funnel does steps.',
			      HINT = 'Keep the five to eight moments that matter.';
	END IF;
	IF n < 5 OR n > 8 THEN
		RAISE NOTICE 'source "%" has % moment%', src, n, CASE WHEN n = 1 THEN '' ELSE 's' END
			USING DETAIL = 'A journey usually has five to eight moments that matter.';
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION journey_internal.review_cycle_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	other record;
BEGIN
	PERFORM journey_internal.check_source(NEW.source);
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

	-- (a cycle that another transaction is writing is not seen here:
	-- review_cycle_no_overlap catches that one)
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

CREATE OR REPLACE FUNCTION journey_internal.assignment_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h record;
BEGIN
	IF TG_OP = 'DELETE' THEN
		-- a hypothesis being deleted takes its assignments along (its row is
		-- already gone when the cascade arrives here)
		SELECT hy.id, hy.status INTO h FROM @extschema@.hypothesis hy
		 WHERE hy.id = OLD.hypothesis_id FOR SHARE;
		IF FOUND AND h.status IN ('concluded', 'abandoned') THEN
			RAISE EXCEPTION 'cannot remove customer "%" from hypothesis %: it is %',
					OLD.customer_id, OLD.hypothesis_id, h.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'The assignments of a finished hypothesis are its evidence.';
		END IF;
		RETURN OLD;
	END IF;

	IF TG_OP = 'INSERT' THEN
		-- (an insertion is accepted in every status: nothing to lock)
		SELECT hy.id, hy.status INTO h FROM @extschema@.hypothesis hy WHERE hy.id = NEW.hypothesis_id;
	ELSE
		SELECT hy.id, hy.status INTO h FROM @extschema@.hypothesis hy
		 WHERE hy.id = NEW.hypothesis_id FOR SHARE;
	END IF;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown hypothesis %', NEW.hypothesis_id
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'Register the hypothesis in journey.hypothesis first.';
	END IF;
	IF NEW.customer_id IS NULL OR NEW.customer_id = '' THEN
		RAISE EXCEPTION 'an assignment needs a customer_id'
			USING ERRCODE = 'not_null_violation';
	END IF;
	IF NEW.variant IS NULL OR btrim(NEW.variant) = '' THEN
		RAISE EXCEPTION 'an assignment needs a variant'
			USING ERRCODE = 'not_null_violation',
				  HINT = 'Use "control" for the baseline and a short name for each change.';
	END IF;
	IF NEW.variant <> 'control' AND lower(btrim(NEW.variant)) = 'control' THEN
		RAISE EXCEPTION 'variant "%" looks like the baseline but is not spelled "control"', NEW.variant
			USING ERRCODE = 'check_violation',
				  HINT = 'The baseline variant is exactly "control" (lower case, no spaces): results compare every other variant with it.';
	END IF;
	IF NEW.assigned_at IS NULL THEN
		RAISE EXCEPTION 'an assignment needs assigned_at'
			USING ERRCODE = 'not_null_violation',
				  HINT = 'Conversions are counted from this instant.';
	END IF;

	IF TG_OP = 'INSERT' THEN
		-- a second assignment of the customer is refused by the primary
		-- key, after this trigger, so that ON CONFLICT DO NOTHING works
		RETURN NEW;
	END IF;

	-- UPDATE
	IF NEW.hypothesis_id <> OLD.hypothesis_id OR NEW.customer_id <> OLD.customer_id THEN
		RAISE EXCEPTION 'cannot move an assignment to another hypothesis or customer'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Insert a new assignment instead.';
	END IF;
	IF NEW.variant IS DISTINCT FROM OLD.variant OR NEW.assigned_at IS DISTINCT FROM OLD.assigned_at THEN
		IF h.status IN ('concluded', 'abandoned') THEN
			RAISE EXCEPTION 'cannot reassign customer "%" in hypothesis %: it is %',
					OLD.customer_id, OLD.hypothesis_id, h.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'The assignments of a finished hypothesis are its evidence.';
		END IF;
		IF h.status = 'running' AND EXISTS (
				SELECT 1 FROM @extschema@.hypothesis_units(OLD.hypothesis_id, OLD.customer_id) u
				 WHERE u.conversions > 0) THEN
			RAISE EXCEPTION 'cannot reassign customer "%" in hypothesis %: the customer has already converted',
					OLD.customer_id, OLD.hypothesis_id
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'Moving a customer after the result is known would bias the comparison.';
		END IF;
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
	h @extschema@.hypothesis := journey_internal.hypothesis_for_update(hypothesis_id);
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
	h @extschema@.hypothesis := journey_internal.hypothesis_for_update(hypothesis_id);
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

COMMENT ON FUNCTION journey_internal.moment_check_source(text) IS
  'error unless the source''s moment positions run 1..n and there are at most 32; notice outside 5..8 moments';
