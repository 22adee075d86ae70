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
--    while a gap is always rejected; a NOTICE reports a source with fewer
--    than 5 or more than 8 moments.
--  * Rules that span several rows of one source (its moments numbered
--    1..n here, its review cycles not overlapping in 45_experiments.sql)
--    are checked by one writer of that source at a time: see
--    journey.source_turn.

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
	UNIQUE (source, name)
);
COMMENT ON TABLE @extschema@.moment IS
  'the five to eight decision points of a source''s journey, in order';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.source', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.moment', '');

-- Raise an error unless column "col" (the source's "role" column) exists in
-- relation "rel".  Shared by the source check and moment_report.
CREATE FUNCTION @extschema@.check_source_column(rel regclass, role text, col text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_attribute a
	                WHERE a.attrelid = rel AND a.attname::text = col
	                  AND a.attnum > 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION 'column "%" (the % column) does not exist in relation %', col, role, rel
			USING ERRCODE = 'undefined_column',
			      HINT = format('Columns of %s are: %s.', rel,
			                    (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
			                       FROM pg_attribute a
			                      WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped));
	END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_source_column(regclass, text, text) IS
  'error unless the named column exists in the relation (used by the registry checks)';

-- Raise an error unless source "src"'s relation still exists and its
-- registered columns exist in it: its customer, time and event columns (the
-- time column of type timestamptz, timestamp or date), and with all_columns
-- its channel and value columns too, when it names them.  The registry
-- checks them on insert; readers check again the columns they use, since
-- the relation may have changed since.
CREATE FUNCTION @extschema@.check_source_columns(src @extschema@.source, all_columns bool)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	time_type regtype;
BEGIN
	-- a regclass column keeps no dependency: the relation may have been dropped
	IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = src.relation) THEN
		RAISE EXCEPTION 'relation of source "%" no longer exists', src.name
			USING ERRCODE = 'undefined_table',
			      DETAIL = format('The source names the relation with OID %s, which has been dropped.',
			                      src.relation::oid),
			      HINT = 'Point the source at its new relation (UPDATE journey.source SET relation = ...), or delete the source.';
	END IF;
	PERFORM @extschema@.check_source_column(src.relation, 'customer', src.customer_column);
	PERFORM @extschema@.check_source_column(src.relation, 'time', src.time_column);
	PERFORM @extschema@.check_source_column(src.relation, 'event', src.event_column);
	SELECT a.atttypid::regtype INTO time_type FROM pg_attribute a
	 WHERE a.attrelid = src.relation AND a.attname = src.time_column;
	IF time_type NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN
		RAISE EXCEPTION 'time column "%" of source "%" has type %', src.time_column, src.name, time_type
			USING ERRCODE = 'datatype_mismatch',
			      HINT = 'The time column must be of type timestamptz, timestamp or date.';
	END IF;
	IF all_columns AND src.channel_column IS NOT NULL THEN
		PERFORM @extschema@.check_source_column(src.relation, 'channel', src.channel_column);
	END IF;
	IF all_columns AND src.value_column IS NOT NULL THEN
		PERFORM @extschema@.check_source_column(src.relation, 'value', src.value_column);
	END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.check_source_columns(@extschema@.source, bool) IS
  'error unless the source''s relation exists and its customer, time (of a time type) and event columns (and with all_columns its channel and value columns) exist in it';

CREATE FUNCTION @extschema@.source_check()
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
	PERFORM @extschema@.check_source_columns(NEW, true);
	RETURN NEW;
END;
$$;

CREATE TRIGGER source_check BEFORE INSERT OR UPDATE ON @extschema@.source
	FOR EACH ROW EXECUTE FUNCTION @extschema@.source_check();

-- Writers of a rule that spans several rows of one source (its moments
-- are numbered 1..n, its review cycles do not overlap) take turns: a
-- writer first takes the source's turn, an update of the source's row
-- here, and then checks the rule.  Under READ COMMITTED a second writer
-- waits until the first has ended and then checks with what it wrote in
-- view; under REPEATABLE READ or SERIALIZABLE it fails with a
-- serialization error (40001) instead of checking against a snapshot that
-- misses the first writer's rows.  (Only an update does that: a row that
-- was merely locked, as by SELECT ... FOR UPDATE, raises no error under
-- REPEATABLE READ.)  Rows are added as sources are first written; the
-- counts mean nothing else.  Written only by the registry's triggers, as
-- the extension's owner: writers of the registry need no privilege on it.
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

-- Raise unless a registry trigger function that runs as the extension's
-- owner fires on the table it serves: attached to another table, it would
-- take turns and read the registry for whoever writes that table.
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

-- Deferred check of one source's moments: positions 1..n without gaps, and
-- a notice outside 5..8 moments.  Runs once per source and statement,
-- after taking the source's turn (journey.source_turn), as the extension's
-- owner; it reads nothing but the registry.
CREATE FUNCTION @extschema@.moment_check()
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

CREATE FUNCTION @extschema@.moment_check_source(src text)
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
	IF n < 5 OR n > 8 THEN
		RAISE NOTICE 'source "%" has % moment%', src, n, CASE WHEN n = 1 THEN '' ELSE 's' END
			USING DETAIL = 'A journey usually has five to eight moments that matter.';
	END IF;
END;
$$;
COMMENT ON FUNCTION @extschema@.moment_check_source(text) IS
  'error unless the source''s moment positions run 1..n; notice outside 5..8 moments';

CREATE CONSTRAINT TRIGGER moment_check AFTER INSERT OR UPDATE OR DELETE ON @extschema@.moment
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION @extschema@.moment_check();
