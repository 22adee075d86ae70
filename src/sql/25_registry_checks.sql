-- What keeps a registered source from being read (new in 0.2.0): the
-- checks every reader of a source runs before reading it (untrusted_code,
-- source_problem, check_source_relation) and source_readable, which the
-- views use to leave out the sources the current role cannot read (see
-- doc/security.md).  After the registry's tables (src/sql/25_registry.sql),
-- whose source rows they take.

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
