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

-- untrusted_code(relation, columns): NULL when reading those columns of the
-- relation runs only code the current role trusts, else a sentence naming
-- the first code that it does not trust and who chose it (src/trust.c;
-- the rule is in doc/security.md).  Locks the relation and every relation
-- it reads for the rest of the transaction, so that what was checked is
-- what a read then runs.
CREATE FUNCTION journey_internal.untrusted_code(relation regclass, columns text[])
RETURNS text
AS 'MODULE_PATHNAME', 'journey_untrusted_code'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION journey_internal.untrusted_code(regclass, text[]) IS
  'NULL when reading the columns of the relation runs only code the current role trusts; else which code it does not trust, and who chose it';

-- What keeps source "src" from being read: the first problem, as the
-- fields of the error a reader raises (sqlstate, message, detail, hint),
-- or NULLs when there is none.  The columns are its customer, time and
-- event columns; with all_columns its channel and value columns too, when
-- it names them; and extra_column when given, which messages call the
-- extra_role column (a report's segment column, conversion_drivers'
-- signal column, a hypothesis's value column).  In this order: the
-- relation still exists (a regclass keeps no dependency); every column
-- exists in it; the time column has a time type; then, for_reading, for
-- the current role: the relation is not another session's temporary table,
-- the role may use its schema and read those columns, and reading them
-- runs only code it trusts (untrusted_code).
-- The registry checks a new source without for_reading; every reader
-- checks with it (check_source_relation) before its dynamic SQL over the
-- relation, and the views over every source leave out the sources with a
-- problem (source_readable), which journey.source_status lists.
CREATE FUNCTION journey_internal.source_problem(src @extschema@.source, all_columns bool,
	extra_column text DEFAULT NULL, for_reading bool DEFAULT true,
	extra_role text DEFAULT 'segment',
	OUT sqlstate text, OUT message text, OUT detail text, OUT hint text)
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	cols text[];
	roles text[];
	time_type regtype;
	nsp oid;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = src.relation) THEN
		sqlstate := '42P01';
		message := format('relation of source "%s" no longer exists', src.name);
		detail := format('The source names the relation with OID %s, which has been dropped.',
		                 src.relation::oid);
		hint := 'Point the source at its new relation (UPDATE journey.source SET relation = ...), or delete the source.';
		RETURN;
	END IF;

	SELECT array_agg(c.col ORDER BY c.k), array_agg(c.role ORDER BY c.k) INTO cols, roles
	  FROM (VALUES (1, src.customer_column::text, 'customer'),
	               (2, src.time_column::text, 'time'),
	               (3, src.event_column::text, 'event'),
	               (4, CASE WHEN all_columns THEN src.channel_column::text END, 'channel'),
	               (5, CASE WHEN all_columns THEN src.value_column::text END, 'value'),
	               (6, extra_column, extra_role)) AS c(k, col, role)
	 WHERE c.col IS NOT NULL;
	FOR i IN 1 .. cardinality(cols) LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_attribute a
		                WHERE a.attrelid = src.relation AND a.attname::text = cols[i]
		                  AND a.attnum > 0 AND NOT a.attisdropped) THEN
			sqlstate := '42703';
			message := format('column "%s" (the %s column) does not exist in relation %s',
			                  cols[i], roles[i], src.relation);
			hint := format('Columns of %s are: %s.', src.relation,
			               (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
			                  FROM pg_attribute a
			                 WHERE a.attrelid = src.relation AND a.attnum > 0 AND NOT a.attisdropped));
			RETURN;
		END IF;
	END LOOP;
	SELECT a.atttypid::regtype INTO time_type FROM pg_attribute a
	 WHERE a.attrelid = src.relation AND a.attname = src.time_column;
	IF time_type NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN
		sqlstate := '42804';
		message := format('time column "%s" of source "%s" has type %s', src.time_column, src.name, time_type);
		hint := 'The time column must be of type timestamptz, timestamp or date.';
		RETURN;
	END IF;
	IF NOT for_reading THEN
		RETURN;
	END IF;

	IF EXISTS (SELECT 1 FROM pg_class c
	            WHERE c.oid = src.relation AND c.relpersistence = 't'
	              AND c.relnamespace <> pg_my_temp_schema()) THEN
		sqlstate := '0A000';
		message := format('relation of source "%s" is a temporary table of another session', src.name);
		detail := format('Only the session that created %s can read it.', src.relation);
		hint := 'Read the source in that session, or register a permanent table.';
		RETURN;
	END IF;
	SELECT c.relnamespace INTO nsp FROM pg_class c WHERE c.oid = src.relation;
	IF NOT has_schema_privilege(nsp, 'USAGE') THEN
		sqlstate := '42501';
		message := format('permission denied for source "%s"', src.name);
		detail := format('Role "%s" has no USAGE privilege on schema %s, which holds relation %s.',
		                 current_user, nsp::regnamespace, src.relation);
		hint := format('Ask the owner of schema %s to GRANT USAGE on it to your role.', nsp::regnamespace);
		RETURN;
	END IF;
	FOR i IN 1 .. cardinality(cols) LOOP
		IF NOT has_column_privilege(src.relation, cols[i], 'SELECT') THEN
			sqlstate := '42501';
			message := format('permission denied for source "%s"', src.name);
			detail := format('Role "%s" may not read column %s (the %s column) of relation %s.',
			                 current_user, quote_ident(cols[i]), roles[i], src.relation);
			hint := format('Ask the owner of %s to GRANT SELECT on it (or on its columns) to your role.',
			               src.relation);
			RETURN;
		END IF;
	END LOOP;
	detail := journey_internal.untrusted_code(src.relation, cols);
	IF detail IS NOT NULL THEN
		sqlstate := '42501';
		message := format('source "%s" runs code that role "%s" does not trust', src.name, current_user);
		hint := 'Read the source as the role that chose that code, or have the code owned by a role that has your privileges (yourself, a superuser, or a member of your role).';
	END IF;
END;
$$;
COMMENT ON FUNCTION journey_internal.source_problem(@extschema@.source, bool, text, bool, text) IS
  'the first problem keeping the current role from reading the source (relation gone, column missing, time column of another type; with for_reading: another session''s temporary table, no privilege, or code the role does not trust), as an error''s sqlstate, message, detail and hint; NULLs when none';

-- Raise source_problem's problem, if any.  Every function that reads a
-- registered relation calls this first.
CREATE FUNCTION journey_internal.check_source_relation(src @extschema@.source, all_columns bool,
	extra_column text DEFAULT NULL, for_reading bool DEFAULT true,
	extra_role text DEFAULT 'segment')
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p record;
BEGIN
	SELECT * INTO p FROM journey_internal.source_problem(src, all_columns, extra_column, for_reading,
	                                                       extra_role);
	IF p.message IS NULL THEN
		RETURN;
	ELSIF p.detail IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = p.sqlstate, MESSAGE = p.message, HINT = p.hint;
	ELSE
		RAISE EXCEPTION USING ERRCODE = p.sqlstate, MESSAGE = p.message, DETAIL = p.detail, HINT = p.hint;
	END IF;
END;
$$;
COMMENT ON FUNCTION journey_internal.check_source_relation(@extschema@.source, bool, text, bool, text) IS
  'raises the problem source_problem finds, if any (called by every reader of a registered relation before it reads it)';

-- Whether the current role can read the named source (with all_columns:
-- its channel and value columns too).  The views over every source filter
-- on it, so that one source that cannot be read leaves the others be.
CREATE FUNCTION journey_internal.source_readable(source text, all_columns bool)
RETURNS bool
LANGUAGE sql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT p.message IS NULL
	  FROM @extschema@.source s,
	       LATERAL journey_internal.source_problem(s, all_columns) p
	 WHERE s.name = source_readable.source
$$;
COMMENT ON FUNCTION journey_internal.source_readable(text, bool) IS
  'true when the current role can read the source (see journey.source_status for why not)';

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
