-- Registry of event sources and their moments that matter.
--
-- Checks (see doc/funnels.md, "The registry"):
--  * journey.source: the relation is a table, view, materialized view or
--    foreign table, and every named column exists in it (time column of a
--    date/time type); windows are not negative; names are not empty.
--  * journey.moment: names and event names are not empty; positions are
--    unique (primary key) and contiguous from 1, checked by a deferred
--    constraint trigger at the end of the transaction (or of the statement
--    under SET CONSTRAINTS ... IMMEDIATE), so moments can be inserted one
--    by one in position order, or in any order inside one transaction,
--    while a gap is always rejected; at most 32 moments (what
--    moment_report can follow); a NOTICE reports a source with fewer than
--    5 or more than 8 moments.
--    Under concurrency the checks of one source's moments take turns (see
--    moment_check).
-- What a source's row is checked with (source_problem, which readers run
-- too) is in src/sql/25_registry_checks.sql.

CREATE TABLE @extschema@.source (
	name text PRIMARY KEY CHECK (name <> ''),
	relation regclass NOT NULL,
	customer_column name NOT NULL,
	time_column name NOT NULL,
	event_column name NOT NULL,
	channel_column name,
	value_column name,
	conversion_event text CHECK (conversion_event <> ''),
	moment_window interval NOT NULL DEFAULT '7 days'
		CHECK (moment_window >= interval '0'),
	attribution_lookback interval NOT NULL DEFAULT '30 days'
		CHECK (attribution_lookback >= interval '0')
);
COMMENT ON TABLE @extschema@.source IS
  'where a team''s events live: one row per event table (or view) and the columns to read';

CREATE TABLE @extschema@.moment (
	source text NOT NULL REFERENCES @extschema@.source (name)
		ON UPDATE CASCADE ON DELETE CASCADE,
	position int NOT NULL CHECK (position >= 1),
	name text NOT NULL CHECK (name <> ''),
	event_name text NOT NULL CHECK (event_name <> ''),
	PRIMARY KEY (source, position),
	UNIQUE (source, name),
	-- step rules from the moment before (doc/funnels.md, "Step rules")
	max_gap interval CHECK (max_gap >= interval '0'),
	min_gap interval CHECK (min_gap >= interval '0'),
	excluded_events text[],
	excluded_since int,
	CONSTRAINT moment_rules_check CHECK (
		(position > 1 OR (max_gap IS NULL AND min_gap IS NULL AND excluded_events IS NULL))
		AND (min_gap IS NULL OR max_gap IS NULL OR min_gap <= max_gap)
		AND (excluded_events IS NULL
		     OR (array_ndims(excluded_events) = 1 AND cardinality(excluded_events) BETWEEN 1 AND 32
		         AND array_position(excluded_events, NULL) IS NULL))
		AND (excluded_since IS NULL
		     OR (excluded_events IS NOT NULL AND excluded_since >= 1 AND excluded_since < position)))
);
COMMENT ON TABLE @extschema@.moment IS
  'the five to eight decision points of a source''s journey, in order';
COMMENT ON COLUMN @extschema@.moment.max_gap IS
  'the longest time from the moment before to this one (inclusive), or NULL: only the window';
COMMENT ON COLUMN @extschema@.moment.min_gap IS
  'the shortest time from the moment before to this one, or NULL';
COMMENT ON COLUMN @extschema@.moment.excluded_events IS
  'events that must not happen strictly between the moment excluded_since (default: the one before) and this one';
COMMENT ON COLUMN @extschema@.moment.excluded_since IS
  'the position the exclusion of excluded_events starts at (NULL: the moment before)';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.source', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.moment', '');

CREATE FUNCTION journey_internal.source_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	kind "char";
BEGIN
	SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = NEW.relation;
	IF kind IS NULL THEN
		RAISE EXCEPTION 'relation with OID % of source "%" does not exist', NEW.relation::oid, NEW.name
			USING ERRCODE = 'undefined_table';
	END IF;
	IF kind NOT IN ('r', 'p', 'v', 'm', 'f') THEN
		RAISE EXCEPTION 'relation % of source "%" is not a table or view', NEW.relation, NEW.name
			USING ERRCODE = 'wrong_object_type',
			      HINT = 'Register a table, a view, a materialized view or a foreign table.';
	END IF;
	PERFORM journey_internal.check_source_relation(NEW, true, NULL, false);
	RETURN NEW;
END;
$$;

CREATE TRIGGER source_check BEFORE INSERT OR UPDATE ON @extschema@.source
	FOR EACH ROW EXECUTE FUNCTION journey_internal.source_check();

-- Deferred check of one source's moments: positions 1..n without gaps, and
-- a notice outside 5..8 moments.  Runs once per source and statement.
--
-- Checks of one source's moments take turns: each first updates the
-- source's first moment in place (no value changes), which makes a second
-- check wait until the first one's transaction has ended and then read
-- what it committed (READ COMMITTED), or fail with a serialization error
-- (40001) when its snapshot predates that commit (REPEATABLE READ,
-- SERIALIZABLE).  A row lock alone (SELECT ... FOR UPDATE) would not do
-- the latter: a row that was only locked raises no error there.  Two
-- checks that see different first moments conflict as well: one of them
-- has changed or removed the other's first moment itself.  So a role that
-- writes moments needs UPDATE on journey.moment.
CREATE FUNCTION journey_internal.moment_check()
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

CREATE FUNCTION journey_internal.moment_check_source(src text)
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
COMMENT ON FUNCTION journey_internal.moment_check_source(text) IS
  'error unless the source''s moment positions run 1..n and there are at most 32; notice outside 5..8 moments';

CREATE CONSTRAINT TRIGGER moment_check AFTER INSERT OR UPDATE OR DELETE ON @extschema@.moment
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION journey_internal.moment_check();
