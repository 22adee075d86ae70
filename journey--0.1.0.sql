/* journey: customer journey analytics */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION journey" to load this file. \quit

COMMENT ON SCHEMA @extschema@ IS
  'journey: paths, moments that matter, attribution and experiments over event tables';
-- Combine, serialize and deserialize functions shared by every aggregate
-- whose state is the per-group event buffer (src/events.c).

CREATE FUNCTION @extschema@.events_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_events_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.events_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'journey_events_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.events_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_events_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Sample data: deterministic, realistic customer journeys.

CREATE FUNCTION @extschema@.sample_events(customers int, seed int DEFAULT 1)
RETURNS TABLE (customer_id bigint, ts timestamptz, event text, channel text,
			   source text, medium text, revenue numeric)
AS 'MODULE_PATHNAME', 'journey_sample_events'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 7000;

COMMENT ON FUNCTION @extschema@.sample_events(int, int) IS
  'deterministic sample journeys: the same customers and seed always give the same rows';
-- Paths: path_agg, path_transform, paths_to_conversion, transitions,
-- session_number (src/paths.c, src/transform.c, src/session.c).

-- path_agg(label, ts): labels in time order, ties broken by label.
CREATE FUNCTION @extschema@.path_agg_sfunc(internal, text, timestamptz)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_path_agg_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.path_agg_final(internal)
RETURNS text[]
AS 'MODULE_PATHNAME', 'journey_path_agg_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.path_agg(label text, ts timestamptz) (
	SFUNC = @extschema@.path_agg_sfunc,
	STYPE = internal,
	SSPACE = 400,
	FINALFUNC = @extschema@.path_agg_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.path_agg(text, timestamptz) IS
  'labels in time order (ties broken by label); NULL label or ts skipped; NULL for no rows';

-- path_transform(path, VARIADIC steps): fractribution's path transforms.
CREATE FUNCTION @extschema@.path_transform(path text[], VARIADIC steps text[])
RETURNS text[]
AS 'MODULE_PATHNAME', 'journey_path_transform'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_transform(text[], text[]) IS
  'applies exposure, first, unique, frequency, trim_long_path(n), remove_if_not_all(x), remove_if_last_and_not_all(x) left to right';

-- paths_to_conversion: one path per conversion plus the trailing path.
CREATE TYPE @extschema@.conversion_path AS (
	path text[],
	touch_times timestamptz[],
	converted boolean,
	value float8,
	converted_at timestamptz
);
COMMENT ON TYPE @extschema@.conversion_path IS
  'one path of journey.paths_to_conversion: its touches, their times, and the conversion that closed it (if any)';

CREATE FUNCTION @extschema@.paths_to_conversion_sfunc(internal, text, timestamptz,
	boolean, float8, interval)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_paths_to_conversion_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.paths_to_conversion_final(internal)
RETURNS @extschema@.conversion_path[]
AS 'MODULE_PATHNAME', 'journey_paths_to_conversion_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.paths_to_conversion(label text, ts timestamptz,
	is_conversion boolean, value float8, lookback interval) (
	SFUNC = @extschema@.paths_to_conversion_sfunc,
	STYPE = internal,
	SSPACE = 400,
	FINALFUNC = @extschema@.paths_to_conversion_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paths_to_conversion(text, timestamptz, boolean, float8, interval) IS
  'splits one customer''s events into one path per conversion (within lookback) plus the trailing non-converting path';

-- transitions(path): adjacent pairs with (start) and (end), for Sankey charts.
CREATE FUNCTION @extschema@.transitions(path text[])
RETURNS TABLE (step int, from_label text, to_label text)
AS 'MODULE_PATHNAME', 'journey_transitions'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 6;
COMMENT ON FUNCTION @extschema@.transitions(text[]) IS
  'adjacent pairs of a path, from (start) to (end): the edges of a Sankey chart';

-- session_number(ts, gap): window function numbering sessions 1, 2, ...
CREATE FUNCTION @extschema@.session_number(ts timestamptz, gap interval)
RETURNS int
AS 'MODULE_PATHNAME', 'journey_session_number'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_number(timestamptz, interval) IS
  'window function: session 1, 2, ... where a gap strictly greater than gap starts a new session; use OVER (PARTITION BY customer ORDER BY ts)';
-- Moments that matter: window_funnel, funnel_times and retention
-- (semantics of ClickHouse's windowFunnel and retention; see doc/funnels.md).

-- window_funnel / funnel_times: state = the shared event buffer, with its
-- shared combine, serialize and deserialize functions (src/sql/05_events.sql)
CREATE FUNCTION @extschema@.window_funnel_sfunc(internal, timestamptz, interval, bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_window_funnel_steps_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.window_funnel_sfunc(internal, timestamptz, interval, text, bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_window_funnel_modes_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.window_funnel_final(internal)
RETURNS int
AS 'MODULE_PATHNAME', 'journey_window_funnel_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.funnel_times_sfunc(internal, timestamptz, interval, bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_funnel_times_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.funnel_times_final(internal)
RETURNS timestamptz[]
AS 'MODULE_PATHNAME', 'journey_funnel_times_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- SSPACE: a group's state is one 128-byte chunk until it outgrows it; the
-- planner's default guess for internal states (8 kB) would make hash
-- aggregation spill to disk after a few tens of thousands of customers.
CREATE AGGREGATE @extschema@.window_funnel(ts timestamptz, "window" interval, VARIADIC steps bool[]) (
	SFUNC = @extschema@.window_funnel_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.window_funnel_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(timestamptz, interval, VARIADIC bool[]) IS
  'furthest step reached in order, every step within the window of the chain''s first step';

CREATE AGGREGATE @extschema@.window_funnel(ts timestamptz, "window" interval, modes text, VARIADIC steps bool[]) (
	SFUNC = @extschema@.window_funnel_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.window_funnel_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(timestamptz, interval, text, VARIADIC bool[]) IS
  'window_funnel with modes: strict_order, strict_deduplication, strict_increase, strict_once, allow_reentry';

CREATE AGGREGATE @extschema@.funnel_times(ts timestamptz, "window" interval, VARIADIC steps bool[]) (
	SFUNC = @extschema@.funnel_times_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.funnel_times_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.funnel_times(timestamptz, interval, VARIADIC bool[]) IS
  'timestamps of the earliest-starting chain that reaches the furthest step of window_funnel';

-- retention: state = bigint (condition bitmask and number of conditions)
CREATE FUNCTION @extschema@.retention_sfunc(bigint, bool[])
RETURNS bigint
AS 'MODULE_PATHNAME', 'journey_retention_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.retention_combine(bigint, bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'journey_retention_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.retention_final(bigint)
RETURNS bool[]
AS 'MODULE_PATHNAME', 'journey_retention_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.retention(VARIADIC conds bool[]) (
	SFUNC = @extschema@.retention_sfunc,
	STYPE = bigint,
	FINALFUNC = @extschema@.retention_final,
	COMBINEFUNC = @extschema@.retention_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention(VARIADIC bool[]) IS
  'r1 = condition 1 held on some row; rk = condition 1 and condition k held';
-- Sequence patterns: sequence_match and sequence_count (ClickHouse's
-- sequenceMatch and sequenceCount).  Both aggregates share one transition
-- function and the shared event state; see doc/sequences.md.

CREATE FUNCTION @extschema@.sequence_sfunc(internal, text, timestamptz, bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_sequence_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sequence_match_final(internal)
RETURNS bool
AS 'MODULE_PATHNAME', 'journey_sequence_match_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sequence_count_final(internal)
RETURNS bigint
AS 'MODULE_PATHNAME', 'journey_sequence_count_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.sequence_match(pattern text, ts timestamptz,
											VARIADIC conds bool[]) (
	SFUNC = @extschema@.sequence_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.sequence_match_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.sequence_match(text, timestamptz, bool[]) IS
  'true when the events, in time order, match the pattern of conditions, e.g. ''(?1).*(?t<=604800)(?2)''';

CREATE AGGREGATE @extschema@.sequence_count(pattern text, ts timestamptz,
											VARIADIC conds bool[]) (
	SFUNC = @extschema@.sequence_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.sequence_count_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.sequence_count(text, timestamptz, bool[]) IS
  'number of non-overlapping matches of the pattern of conditions in the events, in time order';
-- Conditions written out, 2 to 8 of them: fixed-arity overloads of every
-- aggregate that takes VARIADIC conditions (window_funnel in both forms,
-- funnel_times, sequence_match, sequence_count, retention).
--
-- A call such as window_funnel(ts, '7 days', event = 'a', event = 'b')
-- resolves to one of these rather than to the VARIADIC bool[] form
-- (PostgreSQL prefers a function that matches without VARIADIC
-- expansion), so no array is built and taken apart for every row.  They
-- share the C transition functions of the VARIADIC forms, which tell the
-- two apart by their number of arguments, and they give the same answers;
-- the VARIADIC forms still serve 1 and 9 to 32 conditions and explicit
-- VARIADIC arrays.
DO $conditions$
DECLARE
	f record;
	n int;
	bools text;		-- 'bool, bool, ...'
	named text;		-- 'step1 bool, step2 bool, ...'
BEGIN
	FOR f IN
		SELECT * FROM (VALUES
			-- aggregate, its leading arguments (named, then types only),
			-- the name for the conditions, transition function, C symbol,
			-- final function, state
			('window_funnel', 'ts timestamptz, "window" interval', 'timestamptz, interval',
			 'step', 'window_funnel_sfunc', 'journey_window_funnel_steps_sfunc', 'window_funnel_final', 'internal'),
			('window_funnel', 'ts timestamptz, "window" interval, modes text', 'timestamptz, interval, text',
			 'step', 'window_funnel_sfunc', 'journey_window_funnel_modes_sfunc', 'window_funnel_final', 'internal'),
			('funnel_times', 'ts timestamptz, "window" interval', 'timestamptz, interval',
			 'step', 'funnel_times_sfunc', 'journey_funnel_times_sfunc', 'funnel_times_final', 'internal'),
			('sequence_match', 'pattern text, ts timestamptz', 'text, timestamptz',
			 'cond', 'sequence_sfunc', 'journey_sequence_sfunc', 'sequence_match_final', 'internal'),
			('sequence_count', 'pattern text, ts timestamptz', 'text, timestamptz',
			 'cond', 'sequence_sfunc', 'journey_sequence_sfunc', 'sequence_count_final', 'internal'),
			('retention', NULL, NULL,
			 'cond', 'retention_sfunc', 'journey_retention_sfunc', 'retention_final', 'bigint'))
		  AS v(agg, lead_named, lead_types, cond_name, sfunc, symbol, final, stype)
	LOOP
		FOR n IN 2..8 LOOP
			SELECT string_agg('bool', ', '),
				   string_agg(format('%s%s bool', f.cond_name, i), ', ')
			  INTO bools, named
			  FROM generate_series(1, n) AS i;
			-- sequence_match and sequence_count share their transition function
			IF to_regprocedure(format('@extschema@.%I(%s, %s)', f.sfunc,
									  concat_ws(', ', f.stype, f.lead_types), bools)) IS NULL
			THEN
				EXECUTE format($$CREATE FUNCTION @extschema@.%I(%s, %s)
					RETURNS %s AS 'MODULE_PATHNAME', %L
					LANGUAGE C IMMUTABLE PARALLEL SAFE$$,
					f.sfunc, concat_ws(', ', f.stype, f.lead_types), bools, f.stype, f.symbol);
			END IF;
			IF f.stype = 'internal' THEN
				-- the event state, with the shared combine, serialize and
				-- deserialize functions (src/sql/05_events.sql)
				EXECUTE format($$CREATE AGGREGATE @extschema@.%I(%s) (
					SFUNC = @extschema@.%I, STYPE = internal, SSPACE = 160,
					FINALFUNC = @extschema@.%I,
					COMBINEFUNC = @extschema@.events_combine,
					SERIALFUNC = @extschema@.events_serialize,
					DESERIALFUNC = @extschema@.events_deserialize,
					PARALLEL = SAFE)$$,
					f.agg, concat_ws(', ', f.lead_named, named), f.sfunc, f.final);
			ELSE
				EXECUTE format($$CREATE AGGREGATE @extschema@.%I(%s) (
					SFUNC = @extschema@.%I, STYPE = %s,
					FINALFUNC = @extschema@.%I,
					COMBINEFUNC = @extschema@.retention_combine,
					PARALLEL = SAFE)$$,
					f.agg, concat_ws(', ', f.lead_named, named), f.sfunc, f.stype, f.final);
			END IF;
			EXECUTE format($$COMMENT ON AGGREGATE @extschema@.%I(%s) IS %L$$,
				f.agg, concat_ws(', ', f.lead_types, bools),
				format('%s with %s %ss written out (same answer as the VARIADIC form)',
					   f.agg, n, CASE f.cond_name WHEN 'step' THEN 'step' ELSE 'condition' END));
		END LOOP;
	END LOOP;
END
$conditions$;
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

-- Deferred check of one source's moments: positions 1..n without gaps, and
-- a notice outside 5..8 moments.  Runs once per source and statement.
CREATE FUNCTION @extschema@.moment_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src text := CASE WHEN TG_OP = 'DELETE' THEN OLD.source ELSE NEW.source END;
	key text := statement_timestamp()::text || ' ' || src;
	done text[];
BEGIN
	-- sources already checked in this statement (a transaction-local setting)
	done := coalesce(nullif(current_setting('journey_registry.checked', true), ''), '{}')::text[];
	IF key = ANY (done) THEN
		RETURN NULL;
	END IF;
	PERFORM set_config('journey_registry.checked', (done || key)::text, true);
	IF TG_OP = 'UPDATE' AND OLD.source IS DISTINCT FROM NEW.source THEN
		-- the old source lost a moment: check it as well
		PERFORM @extschema@.moment_check_source(OLD.source);
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
-- moment_report and the moment_conversion view: conversion between the
-- registered moments that matter of a source, per segment.
--
-- Built with dynamic SQL over the registered relation: identifiers only
-- through format('%I'), the relation only through its regclass, and every
-- value (window, event names, dates) passed as a parameter (EXECUTE ...
-- USING), so that no name or value is ever pasted into the query text.

CREATE FUNCTION @extschema@.moment_report(
	source text,
	"window" interval DEFAULT NULL,
	segment_column text DEFAULT NULL,
	"from" timestamptz DEFAULT NULL,
	"to" timestamptz DEFAULT NULL)
RETURNS TABLE (
	segment text,
	"position" int,
	moment text,
	customers_reached bigint,
	customers_next bigint,
	conversion_rate float8,
	drop_off_rate float8,
	median_time_to_next interval)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	src @extschema@.source;
	names text[];
	events text[];
	n int;
	steps text;
	seg text;
	q text;
BEGIN
	IF moment_report.source IS NULL THEN
		RAISE EXCEPTION 'source must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO src FROM @extschema@.source s WHERE s.name = moment_report.source;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown source "%"', moment_report.source
			USING ERRCODE = 'undefined_object',
			      HINT = coalesce('Registered sources: ' ||
			                      (SELECT string_agg(quote_literal(s.name), ', ' ORDER BY s.name)
			                         FROM @extschema@.source s) || '.',
			                      'Register one in journey.source first.');
	END IF;
	SELECT array_agg(m.name ORDER BY m.position), array_agg(m.event_name ORDER BY m.position)
	  INTO names, events
	  FROM @extschema@.moment m WHERE m.source = src.name;
	n := coalesce(cardinality(names), 0);
	IF n = 0 THEN
		RAISE EXCEPTION 'source "%" has no moments', src.name
			USING ERRCODE = 'no_data_found',
			      HINT = 'Insert its moments that matter into journey.moment (positions 1, 2, ...).';
	END IF;
	IF n > 32 THEN
		RAISE EXCEPTION 'source "%" has % moments; moment_report handles at most 32', src.name, n
			USING ERRCODE = 'program_limit_exceeded';
	END IF;
	IF moment_report."window" < interval '0' THEN
		RAISE EXCEPTION 'window must not be negative'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;

	-- the registry was checked on insert, but the relation may have changed
	PERFORM @extschema@.check_source_columns(src, false);
	IF segment_column IS NOT NULL THEN
		PERFORM @extschema@.check_source_column(src.relation, 'segment', segment_column);
		seg := format('(array_agg(%I::text ORDER BY %I, %I::text))[1]',
		              segment_column, src.time_column, segment_column);
	ELSE
		seg := quote_literal('(all)');
	END IF;

	-- one condition per moment: event = $2[k], written out (2 to 8 moments
	-- take funnel_times' fixed-arity overloads, which build no array per row)
	SELECT string_agg(format('%I::text = $2[%s]', src.event_column, k), ', ' ORDER BY k)
	  INTO steps FROM generate_series(1, n) k;

	q := format($q$
		WITH per_customer AS (
			SELECT %1$s AS segment,
			       @extschema@.funnel_times(%2$I::timestamptz, $1, %3$s) AS t
			  FROM %4$s
			 WHERE ($3::timestamptz IS NULL OR %2$I::timestamptz >= $3)
			   AND ($4::timestamptz IS NULL OR %2$I::timestamptz < $4)
			 GROUP BY %5$I
		), levels AS (
			-- customers per segment and furthest moment reached (0: none)
			SELECT c.segment, coalesce(cardinality(c.t), 0) AS lvl, count(*) AS n
			  FROM per_customer c
			 GROUP BY c.segment, 2
		), counts AS (
			SELECT l.segment, k.k,
			       coalesce(sum(l.n) FILTER (WHERE l.lvl >= k.k), 0)::bigint AS reached,
			       CASE WHEN k.k < $5
			            THEN coalesce(sum(l.n) FILTER (WHERE l.lvl > k.k), 0)::bigint END AS next
			  FROM levels l CROSS JOIN generate_series(1, $5) AS k(k)
			 GROUP BY l.segment, k.k
		), gaps AS (
			-- one row per customer and moment it moved on from
			SELECT c.segment, g.k, percentile_cont(0.5) WITHIN GROUP (ORDER BY g.d) AS median
			  FROM per_customer c
			 CROSS JOIN LATERAL (SELECT k, c.t[k + 1] - c.t[k] AS d
			                       FROM generate_series(1, cardinality(c.t) - 1) AS k) g
			 GROUP BY c.segment, g.k
		)
		SELECT n.segment, n.k, $6[n.k], n.reached, n.next,
		       n.next::float8 / NULLIF(n.reached, 0),
		       (n.reached - n.next)::float8 / NULLIF(n.reached, 0),
		       g.median
		  FROM counts n
		  LEFT JOIN gaps g ON g.segment IS NOT DISTINCT FROM n.segment AND g.k = n.k
		 ORDER BY n.segment NULLS FIRST, n.k
	$q$, seg, src.time_column, steps, src.relation, src.customer_column);

	RETURN QUERY EXECUTE q
		USING coalesce(moment_report."window", src.moment_window), events,
		      moment_report."from", moment_report."to", n, names;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.moment_report(text, interval, text, timestamptz, timestamptz) IS
  'per segment and moment: customers reached, moving on within the window, conversion and drop-off rates, median time to next';

CREATE VIEW @extschema@.moment_conversion AS
SELECT s.name AS source, r.*
  FROM @extschema@.source s
 CROSS JOIN LATERAL @extschema@.moment_report(s.name) r
 WHERE EXISTS (SELECT 1 FROM @extschema@.moment m WHERE m.source = s.name);
COMMENT ON VIEW @extschema@.moment_conversion IS
  'moment_report of every registered source with moments, default window, no segments';
-- Multi-touch attribution: touch_weights() for the rule-based models and the
-- attribution() aggregate over path rows (rule-based, Markov, Shapley).

CREATE TYPE @extschema@.channel_credit AS (
	channel text,
	conversions float8,
	value float8,
	removal_effect float8
);
COMMENT ON TYPE @extschema@.channel_credit IS
  'credit of one channel: conversions and value credited, and (markov only) its removal effect';

CREATE FUNCTION @extschema@.touch_weights(path text[], model text,
	touch_times timestamptz[] DEFAULT NULL, converted_at timestamptz DEFAULT NULL)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'journey_touch_weights'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touch_weights(text[], text, timestamptz[], timestamptz) IS
  'share of each touch of one conversion path under a rule-based attribution model (sums to 1)';

CREATE FUNCTION @extschema@.attribution_sfunc(internal, text[], float8, float8, float8, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.attribution_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.attribution_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'journey_attribution_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.attribution_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.attribution_final(internal)
RETURNS @extschema@.channel_credit[]
AS 'MODULE_PATHNAME', 'journey_attribution_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.attribution(path text[], conversions float8,
	value float8, nulls float8, model text) (
	SFUNC = @extschema@.attribution_sfunc,
	STYPE = internal,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize,
	DESERIALFUNC = @extschema@.attribution_deserialize,
	FINALFUNC = @extschema@.attribution_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attribution(text[], float8, float8, float8, text) IS
  'credit per channel over path rows (path, conversions, value, nulls) under an attribution model';

-- channel_attribution: per registered source, model and channel, the
-- conversions and value credited.  Each source's events are split into
-- per-customer paths by paths_to_conversion (conversion_event closes a
-- path; attribution_lookback bounds it), collapsed into path rows, and
-- credited under a fixed set of models.  time_decay is computed per path
-- with touch_weights (it needs the touch times).  Dynamic SQL names
-- columns only through format('%I') and the relation only through its
-- regclass; the conversion event, the lookback and the source's name are
-- parameters (EXECUTE ... USING), never pasted into the query text.  The
-- source's columns are checked first, so that a column renamed or dropped
-- since the source was registered is reported as such.
CREATE FUNCTION @extschema@.channel_attribution_rows()
RETURNS TABLE (source text, model text, channel text, conversions float8, value float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s @extschema@.source;
	q text;
BEGIN
	FOR s IN SELECT * FROM @extschema@.source
	          WHERE channel_column IS NOT NULL AND conversion_event IS NOT NULL
	          ORDER BY name
	LOOP
		PERFORM @extschema@.check_source_columns(s, true);
		q := format($q$
WITH p AS MATERIALIZED (
  SELECT unnest(@extschema@.paths_to_conversion(%1$I::text, %2$I, %3$I::text = $1,
                                                %4$s, $2)) AS p
    FROM %5$s GROUP BY %6$I),
rows AS MATERIALIZED (
  SELECT (p).path AS path,
         count(*) FILTER (WHERE (p).converted)::float8 AS conversions,
         coalesce(sum((p).value) FILTER (WHERE (p).converted), 0)::float8 AS value,
         count(*) FILTER (WHERE NOT (p).converted)::float8 AS nulls
    FROM p GROUP BY (p).path)
SELECT m, c.channel, c.conversions, c.value
  FROM unnest(ARRAY['first_touch', 'last_touch', 'linear', 'position_based',
                    'markov', 'shapley']) AS m,
       LATERAL unnest((SELECT @extschema@.attribution(path, conversions, value, nulls, m)
                         FROM rows)) AS c
UNION ALL
SELECT 'time_decay', t.label, sum(t.w), sum(t.w * coalesce((p).value, 0))
  FROM p, unnest((p).path, @extschema@.touch_weights((p).path, 'time_decay',
                                                     (p).touch_times, (p).converted_at)) AS t(label, w)
 WHERE (p).converted
 GROUP BY t.label
$q$,
			s.channel_column, s.time_column, s.event_column,
			CASE WHEN s.value_column IS NULL THEN 'NULL::float8'
			     ELSE format('%I::float8', s.value_column) END,
			s.relation, s.customer_column);
		RETURN QUERY EXECUTE format('SELECT $3, m, channel, conversions, value FROM (%s) r(m, channel, conversions, value) ORDER BY m, channel',
		                            q)
			USING s.conversion_event, s.attribution_lookback, s.name;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.channel_attribution_rows() IS
  'rows of journey.channel_attribution: per registered source, model and channel, credited conversions and value';

CREATE VIEW @extschema@.channel_attribution AS
  SELECT source, model, channel, conversions, value
    FROM @extschema@.channel_attribution_rows();
COMMENT ON VIEW @extschema@.channel_attribution IS
  'per registered source (with channel_column and conversion_event), model and channel: conversions and value credited; paths use the source''s attribution_lookback';

-- attribution(paths, model): the conversion_path[] of paths_to_conversion()
-- straight in; each converted path is a row with 1 conversion and its value,
-- each other path a row with 1 null.
CREATE FUNCTION @extschema@.attribution_paths_sfunc(internal, @extschema@.conversion_path[], text)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_paths_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.attribution(paths @extschema@.conversion_path[], model text) (
	SFUNC = @extschema@.attribution_paths_sfunc,
	STYPE = internal,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize,
	DESERIALFUNC = @extschema@.attribution_deserialize,
	FINALFUNC = @extschema@.attribution_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attribution(@extschema@.conversion_path[], text) IS
  'credit per channel over the conversion paths of paths_to_conversion (converted: 1 conversion and its value; otherwise 1 null)';
-- 40_stats.sql
--   Statistics for experiments (C, src/stats.c): two-proportion z-test with
--   a delta-method interval for the relative lift, Wilson interval, sample
--   size per arm, sample-ratio-mismatch test, Bayesian probability to beat
--   control, Holm / Benjamini-Hochberg p-value adjustment.
--   See doc/statistics.md for formulas and edge cases.

CREATE FUNCTION @extschema@.proportion_test(
	conv_a bigint, n_a bigint, conv_b bigint, n_b bigint,
	alpha float8 DEFAULT 0.05,
	OUT rate_a float8, OUT rate_b float8, OUT lift float8,
	OUT lift_low float8, OUT lift_high float8, OUT z float8, OUT p_value float8)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_proportion_test'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.proportion_test(bigint, bigint, bigint, bigint, float8) IS
  'pooled two-proportion z-test of B against A (z > 0: B better), two-sided p, relative lift of B over A with a delta-method interval';

CREATE FUNCTION @extschema@.wilson_interval(
	x bigint, n bigint, confidence float8 DEFAULT 0.95,
	OUT low float8, OUT high float8)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_wilson_interval'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.wilson_interval(bigint, bigint, float8) IS
  'Wilson score interval for a proportion x/n, without continuity correction';

CREATE FUNCTION @extschema@.sample_size(
	baseline float8, mde float8, alpha float8 DEFAULT 0.05, power float8 DEFAULT 0.8)
RETURNS bigint
AS 'MODULE_PATHNAME', 'journey_sample_size'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sample_size(float8, float8, float8, float8) IS
  'units per arm to detect an absolute rise mde over baseline with a two-sided test (Evan Miller''s formula)';

-- not STRICT: a NULL weights array means equal weights
CREATE FUNCTION @extschema@.srm_test(counts bigint[], weights float8[] DEFAULT NULL)
RETURNS float8
AS 'MODULE_PATHNAME', 'journey_srm_test'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.srm_test(bigint[], float8[]) IS
  'sample-ratio-mismatch test: chi-square goodness-of-fit p-value of counts against weights (default equal)';

CREATE FUNCTION @extschema@.prob_to_beat(conv_a bigint, n_a bigint, conv_b bigint, n_b bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'journey_prob_to_beat'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.prob_to_beat(bigint, bigint, bigint, bigint) IS
  'exact P(rate B > rate A) under independent uniform Beta(1,1) priors';

CREATE FUNCTION @extschema@.p_adjust(p float8[], method text)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'journey_p_adjust'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.p_adjust(float8[], text) IS
  'p-values adjusted for multiple comparisons (holm or bh), in input order; NULLs kept and not counted';
-- Hypotheses, experiments and review cycles.
--
-- The registry a team writes (review cycles, if-then hypotheses tied to a
-- moment that matters, the customers assigned to each variant), the
-- functions that move a hypothesis through its life, and the views that
-- read it back: the result of every experiment (journey.hypothesis_results)
-- and the one-page review of every cycle (journey.review,
-- journey.review_moments).
--
-- Rules live in BEFORE triggers rather than bare CHECK constraints so that
-- each refusal says what is wrong and how to fix it (errcode, message,
-- detail, hint).  The triggers accept any consistent row on INSERT, so
-- that pg_dump's data (which is loaded with triggers enabled) restores;
-- the lifecycle rules apply to changes.
--
-- Statistics (proportion_test, sample_size, srm_test, prob_to_beat,
-- p_adjust) and the funnel aggregate (window_funnel) are called from
-- PL/pgSQL bodies only, so this piece does not depend on the order in
-- which the install script is assembled.

-- ---------------------------------------------------------------------
-- Review cycles
-- ---------------------------------------------------------------------

-- Raise unless src is a registered source.
CREATE FUNCTION @extschema@.check_source(src text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF src IS NULL OR NOT EXISTS (SELECT 1 FROM @extschema@.source s WHERE s.name = src) THEN
		RAISE EXCEPTION 'unknown source "%"', src
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'Register the source in journey.source first.';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.check_source(text) IS
  'raises a clear error unless the source is registered (used by the review cycle and hypothesis triggers)';

CREATE TABLE @extschema@.review_cycle (
	id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	source text NOT NULL REFERENCES @extschema@.source (name)
		ON UPDATE CASCADE,
	name text NOT NULL,
	starts_on date NOT NULL,
	ends_on date NOT NULL,
	UNIQUE (source, name),
	UNIQUE (id, source)
);
COMMENT ON TABLE @extschema@.review_cycle IS
  'review cycles of a source: non-overlapping date ranges (both ends inclusive) at whose end the team reviews what it tested, learned and tests next';

CREATE FUNCTION @extschema@.review_cycle_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	other record;
BEGIN
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

	-- Serialize writers of one source's cycles, so that two concurrent
	-- inserts cannot both miss each other's overlap.
	PERFORM 1 FROM @extschema@.source s WHERE s.name = NEW.source FOR NO KEY UPDATE;

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

CREATE TRIGGER review_cycle_check
	BEFORE INSERT OR UPDATE ON @extschema@.review_cycle
	FOR EACH ROW EXECUTE FUNCTION @extschema@.review_cycle_check();

-- ---------------------------------------------------------------------
-- Hypotheses
-- ---------------------------------------------------------------------

CREATE TABLE @extschema@.hypothesis (
	id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	source text NOT NULL,
	moment text NOT NULL,
	statement text NOT NULL,
	mechanism text,
	target_moment text NOT NULL,
	conversion_window interval NOT NULL DEFAULT '7 days',
	status text NOT NULL DEFAULT 'proposed'
		CHECK (status IN ('proposed', 'running', 'concluded', 'abandoned')),
	cycle_id bigint,
	started_at timestamptz,
	ended_at timestamptz,
	decision text CHECK (decision IN ('ship', 'iterate', 'discard')),
	learning text,
	minimum_effect float8 NOT NULL DEFAULT 0.01,
	alpha float8 NOT NULL DEFAULT 0.05,
	power float8 NOT NULL DEFAULT 0.8,
	allocation jsonb,
	FOREIGN KEY (source, moment) REFERENCES @extschema@.moment (source, name)
		ON UPDATE CASCADE,
	FOREIGN KEY (source, target_moment) REFERENCES @extschema@.moment (source, name)
		ON UPDATE CASCADE,
	FOREIGN KEY (cycle_id, source) REFERENCES @extschema@.review_cycle (id, source)
		ON UPDATE CASCADE
);
COMMENT ON TABLE @extschema@.hypothesis IS
  'one if-then hypothesis per row, tied to the moment it improves; proposed -> running -> concluded (or abandoned)';
COMMENT ON COLUMN @extschema@.hypothesis.moment IS
  'the moment the change acts on';
COMMENT ON COLUMN @extschema@.hypothesis.target_moment IS
  'the moment whose reach counts as a conversion (defaults to moment)';
COMMENT ON COLUMN @extschema@.hypothesis.conversion_window IS
  'a conversion is the target moment''s event within this window after assigned_at (inclusive)';
COMMENT ON COLUMN @extschema@.hypothesis.decision IS
  'ship (roll the change out), iterate (refine and test again) or discard';
COMMENT ON COLUMN @extschema@.hypothesis.minimum_effect IS
  'smallest absolute change in conversion rate worth detecting; drives the sample size behind the "not enough units" verdict';
COMMENT ON COLUMN @extschema@.hypothesis.alpha IS
  'significance level of the two-sided test';
COMMENT ON COLUMN @extschema@.hypothesis.power IS
  'power used for the required sample size';
COMMENT ON COLUMN @extschema@.hypothesis.allocation IS
  'planned share of units per variant, e.g. {"control": 0.9, "treatment": 0.1}, checked by the sample-ratio test; NULL: an equal split';

-- Raise unless moment_name is a registered moment of src.
CREATE FUNCTION @extschema@.check_moment(src text, moment_name text, what text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM @extschema@.moment m
					WHERE m.source = src AND m.name = moment_name) THEN
		RAISE EXCEPTION 'unknown % "%" for source "%"', what, moment_name, src
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = coalesce('Its moments are: ' ||
								   (SELECT string_agg(m.name, ', ' ORDER BY m.position)
									  FROM @extschema@.moment m WHERE m.source = src) || '.',
								   'It has no moments yet.'),
				  HINT = 'Register moments in journey.moment.';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.check_moment(text, text, text) IS
  'raises a clear error unless the moment is registered for the source (used by the hypothesis trigger)';

-- Raise unless the statement reads as an if-then hypothesis.
CREATE FUNCTION @extschema@.check_statement(statement text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	example constant text := 'Write it as "If <change>, <outcome> will <happen>.", e.g. "If we send a personalised onboarding sequence in the first 72 hours after signup, more customers will complete their first key action."';
	consequence text;
BEGIN
	IF statement IS NULL OR btrim(statement) = '' THEN
		RAISE EXCEPTION 'a hypothesis needs a statement'
			USING ERRCODE = 'not_null_violation', HINT = example;
	END IF;
	IF statement !~ '^If\s+\S' THEN
		RAISE EXCEPTION 'hypothesis statement is not an if-then sentence'
			USING ERRCODE = 'check_violation',
				  DETAIL = 'It does not start with "If ".',
				  HINT = example;
	END IF;
	IF statement !~ '^If\s+[^,]*\S[^,]*,\s*\S' THEN
		RAISE EXCEPTION 'hypothesis statement is not an if-then sentence'
			USING ERRCODE = 'check_violation',
				  DETAIL = 'It has no comma separating the change from its consequence.',
				  HINT = example;
	END IF;
	consequence := substr(statement, strpos(statement, ',') + 1);
	IF consequence !~* '\m(will|would)\M' THEN
		RAISE EXCEPTION 'hypothesis statement does not state an expected outcome'
			USING ERRCODE = 'check_violation',
				  DETAIL = 'The consequence after the comma does not say what "will" happen.',
				  HINT = example;
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.check_statement(text) IS
  'raises a clear error unless the text is an if-then hypothesis: "If <change>, <outcome> will <happen>."';

CREATE FUNCTION @extschema@.hypothesis_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	frozen text;
	cycle_source text;
	bad_allocation boolean;
BEGIN
	-- what the hypothesis is about
	PERFORM @extschema@.check_source(NEW.source);
	NEW.target_moment := coalesce(NEW.target_moment, NEW.moment);
	-- (on UPDATE only what changed: a rename of a moment cascades into one
	-- column at a time, and the other still names the old moment)
	IF TG_OP = 'INSERT' OR NEW.source IS DISTINCT FROM OLD.source
		OR NEW.moment IS DISTINCT FROM OLD.moment THEN
		PERFORM @extschema@.check_moment(NEW.source, NEW.moment, 'moment');
	END IF;
	IF TG_OP = 'INSERT' OR NEW.source IS DISTINCT FROM OLD.source
		OR NEW.target_moment IS DISTINCT FROM OLD.target_moment THEN
		PERFORM @extschema@.check_moment(NEW.source, NEW.target_moment, 'target moment');
	END IF;
	PERFORM @extschema@.check_statement(NEW.statement);

	-- how it is measured
	IF NEW.conversion_window IS NULL OR NEW.conversion_window <= interval '0' THEN
		RAISE EXCEPTION 'conversion window must be positive'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('The window is %s.', coalesce(NEW.conversion_window::text, 'NULL')),
				  HINT = 'Give the time after assignment within which reaching the target moment counts, e.g. ''7 days''.';
	END IF;
	IF NEW.minimum_effect IS NULL OR NOT (NEW.minimum_effect > 0 AND NEW.minimum_effect < 1) THEN
		RAISE EXCEPTION 'minimum effect must be between 0 and 1 (exclusive)'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('It is %s.', coalesce(NEW.minimum_effect::text, 'NULL')),
				  HINT = 'It is an absolute change in conversion rate: 0.01 means one percentage point.';
	END IF;
	IF NEW.alpha IS NULL OR NOT (NEW.alpha > 0 AND NEW.alpha < 1) THEN
		RAISE EXCEPTION 'alpha must be between 0 and 1 (exclusive)'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('It is %s.', coalesce(NEW.alpha::text, 'NULL'));
	END IF;
	-- an allocation is an object naming control and another variant, each
	-- with a positive number (the CASE keeps jsonb_each off non-objects)
	bad_allocation := CASE
		WHEN NEW.allocation IS NULL THEN false
		WHEN jsonb_typeof(NEW.allocation) <> 'object' THEN true
		WHEN NOT (NEW.allocation ? 'control') THEN true
		ELSE (SELECT count(*) < 2 OR bool_or(jsonb_typeof(a.value) <> 'number')
					 OR bool_or(CASE WHEN jsonb_typeof(a.value) = 'number'
									 THEN a.value::text::float8 <= 0 END)
				FROM jsonb_each(NEW.allocation) a)
	END;
	IF bad_allocation THEN
		RAISE EXCEPTION 'allocation must map control and at least one other variant to positive shares'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('It is %s.', NEW.allocation),
				  HINT = 'For example {"control": 0.9, "treatment": 0.1}; shares need not add up to 1. Leave it NULL for an equal split.';
	END IF;
	IF NEW.power IS NULL OR NOT (NEW.power > 0 AND NEW.power < 1) THEN
		RAISE EXCEPTION 'power must be between 0 and 1 (exclusive)'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('It is %s.', coalesce(NEW.power::text, 'NULL'));
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

CREATE TRIGGER hypothesis_check
	BEFORE INSERT OR UPDATE ON @extschema@.hypothesis
	FOR EACH ROW EXECUTE FUNCTION @extschema@.hypothesis_check();

-- ---------------------------------------------------------------------
-- Assignments
-- ---------------------------------------------------------------------

CREATE TABLE @extschema@.assignment (
	hypothesis_id bigint NOT NULL REFERENCES @extschema@.hypothesis (id)
		ON DELETE CASCADE,
	customer_id text NOT NULL,
	variant text NOT NULL,
	assigned_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (hypothesis_id, customer_id)
);
COMMENT ON TABLE @extschema@.assignment IS
  'which variant each customer got in each hypothesis, and when; variant "control" is the baseline';
COMMENT ON COLUMN @extschema@.assignment.customer_id IS
  'the customer, as text, compared with the source''s customer column cast to text';

CREATE INDEX assignment_variant ON @extschema@.assignment (hypothesis_id, variant);

CREATE FUNCTION @extschema@.assignment_check()
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
		SELECT hy.id, hy.status INTO h FROM @extschema@.hypothesis hy WHERE hy.id = OLD.hypothesis_id;
		IF FOUND AND h.status IN ('concluded', 'abandoned') THEN
			RAISE EXCEPTION 'cannot remove customer "%" from hypothesis %: it is %',
					OLD.customer_id, OLD.hypothesis_id, h.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'The assignments of a finished hypothesis are its evidence.';
		END IF;
		RETURN OLD;
	END IF;

	SELECT hy.id, hy.status INTO h FROM @extschema@.hypothesis hy WHERE hy.id = NEW.hypothesis_id;
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

CREATE TRIGGER assignment_check
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.assignment
	FOR EACH ROW EXECUTE FUNCTION @extschema@.assignment_check();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.review_cycle', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.review_cycle_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.hypothesis', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.hypothesis_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.assignment', '');

-- ---------------------------------------------------------------------
-- Lifecycle
-- ---------------------------------------------------------------------

-- Lock and return a hypothesis, or raise if there is none.
CREATE FUNCTION @extschema@.hypothesis_for_update(hypothesis_id bigint)
RETURNS @extschema@.hypothesis
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.hypothesis;
BEGIN
	IF hypothesis_id IS NULL THEN
		RAISE EXCEPTION 'hypothesis id must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO h FROM @extschema@.hypothesis hy WHERE hy.id = hypothesis_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'hypothesis % does not exist', hypothesis_id
			USING ERRCODE = 'no_data_found';
	END IF;
	RETURN h;
END
$$;

-- The source's review cycle that contains day d, if any.
CREATE FUNCTION @extschema@.cycle_on(src text, d date)
RETURNS bigint
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.id FROM @extschema@.review_cycle c
	 WHERE c.source = src AND d BETWEEN c.starts_on AND c.ends_on
$$;
COMMENT ON FUNCTION @extschema@.cycle_on(text, date) IS
  'the id of the source''s review cycle that contains the day, or NULL';

CREATE FUNCTION @extschema@.start_hypothesis(hypothesis_id bigint)
RETURNS @extschema@.hypothesis
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.hypothesis := @extschema@.hypothesis_for_update(hypothesis_id);
BEGIN
	IF h.status = 'running' THEN
		RAISE EXCEPTION 'hypothesis % is already running', h.id
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	UPDATE @extschema@.hypothesis hy
	   SET status = 'running', started_at = now(),
		   cycle_id = coalesce(hy.cycle_id, @extschema@.cycle_on(hy.source, current_date))
	 WHERE hy.id = h.id
	RETURNING * INTO h;
	RETURN h;
END
$$;
COMMENT ON FUNCTION @extschema@.start_hypothesis(bigint) IS
  'proposed -> running: the change goes live now; its definition is frozen from here on';

CREATE FUNCTION @extschema@.conclude_hypothesis(hypothesis_id bigint, decision text, learning text)
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
	UPDATE @extschema@.hypothesis hy
	   SET status = 'concluded', ended_at = now(),
		   decision = conclude_hypothesis.decision,
		   learning = conclude_hypothesis.learning,
		   cycle_id = coalesce(hy.cycle_id, @extschema@.cycle_on(hy.source, current_date))
	 WHERE hy.id = h.id
	RETURNING * INTO h;
	RETURN h;
END
$$;
COMMENT ON FUNCTION @extschema@.conclude_hypothesis(bigint, text, text) IS
  'running -> concluded with a decision (ship, iterate, discard) and what was learned';

CREATE FUNCTION @extschema@.abandon_hypothesis(hypothesis_id bigint, reason text)
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
	   SET status = 'abandoned', ended_at = now(), learning = reason
	 WHERE hy.id = h.id
	RETURNING * INTO h;
	RETURN h;
END
$$;
COMMENT ON FUNCTION @extschema@.abandon_hypothesis(bigint, text) IS
  'proposed or running -> abandoned; the reason is kept as the learning';

-- ---------------------------------------------------------------------
-- Results
-- ---------------------------------------------------------------------

-- Units and conversions per variant of one hypothesis (optionally of one
-- customer).  A unit converts when the source's relation holds the target
-- moment's event at or after its assigned_at and at most conversion_window
-- later (both ends inclusive: an event at the very instant of assignment
-- counts; several events count once).  This is the two-step window_funnel
-- of the assignment (a step-1 event at assigned_at, sorting first at equal
-- timestamps) and the target event, reaching step 2, read straight off the
-- events it could use.
CREATE FUNCTION @extschema@.hypothesis_units(hypothesis_id bigint, customer_id text DEFAULT NULL)
RETURNS TABLE (variant text, units bigint, conversions bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h record;
BEGIN
	SELECT hy.conversion_window, s.relation, s.customer_column, s.time_column,
		   s.event_column, m.event_name
	  INTO h
	  FROM @extschema@.hypothesis hy
	  JOIN @extschema@.source s ON s.name = hy.source
	  JOIN @extschema@.moment m ON m.source = hy.source AND m.name = hy.target_moment
	 WHERE hy.id = hypothesis_units.hypothesis_id;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	-- the registry was checked on insert, but the relation may have changed
	PERFORM @extschema@.check_source_columns(s, false)
	   FROM @extschema@.source s
	   JOIN @extschema@.hypothesis hy ON hy.source = s.name
	  WHERE hy.id = hypothesis_units.hypothesis_id;

	-- (the assignments are read twice rather than through one CTE, which
	-- would hide their statistics from the join's plan)
	RETURN QUERY EXECUTE format($q$
		SELECT a.variant, count(*), count(c.customer_id)
		  FROM @extschema@.assignment a
		  LEFT JOIN (SELECT DISTINCT u.customer_id
					   FROM %1$s e
					   JOIN @extschema@.assignment u ON e.%3$I::text = u.customer_id
					  WHERE u.hypothesis_id = $1 AND ($4 IS NULL OR u.customer_id = $4)
						AND e.%4$I = $2
						AND e.%2$I >= u.assigned_at AND e.%2$I <= u.assigned_at + $3) c
			ON c.customer_id = a.customer_id
		 WHERE a.hypothesis_id = $1 AND ($4 IS NULL OR a.customer_id = $4)
		 GROUP BY a.variant
		 ORDER BY a.variant <> 'control', a.variant$q$,
		h.relation, h.time_column, h.customer_column, h.event_column)
	USING hypothesis_units.hypothesis_id, h.event_name, h.conversion_window,
		  hypothesis_units.customer_id;
END
$$;
COMMENT ON FUNCTION @extschema@.hypothesis_units(bigint, text) IS
  'per variant: customers assigned and customers who reached the target moment within the conversion window after assignment';

-- One row per variant of one hypothesis: control first, then the other
-- variants by name.  The comparison columns of the control row are NULL.
CREATE FUNCTION @extschema@.hypothesis_result(hypothesis bigint)
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
BEGIN
	SELECT hy.alpha, hy.power, hy.minimum_effect, hy.allocation INTO h
	  FROM @extschema@.hypothesis hy WHERE hy.id = hid;
	IF NOT FOUND THEN
		RETURN;
	END IF;
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
	IF k >= 2 THEN
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
	IF has_control THEN
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
	IF has_control AND x[1] > 0 THEN
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
COMMENT ON FUNCTION @extschema@.hypothesis_result(bigint) IS
  'the result of one hypothesis: per variant units, conversions, rate, lift against control with its interval, p-value (Holm-adjusted across variants), probability to beat control, sample-ratio p-value and verdict';

CREATE VIEW @extschema@.hypothesis_results AS
SELECT h.id AS hypothesis_id, r.variant, r.units, r.conversions, r.rate,
	   r.lift, r.lift_low, r.lift_high, r.p_value, r.prob_to_beat,
	   r.srm_p_value, r.verdict
  FROM @extschema@.hypothesis h
 CROSS JOIN LATERAL @extschema@.hypothesis_result(h.id) r;
COMMENT ON VIEW @extschema@.hypothesis_results IS
  'one row per hypothesis and variant: units, conversions at the target moment within the window, rate, lift against control, p-value, probability to beat control, sample-ratio check and verdict';

-- ---------------------------------------------------------------------
-- Review
-- ---------------------------------------------------------------------

-- How far customers got through the source's moments during one cycle:
-- journey.moment_report over the source's events dated within the cycle
-- (both ends inclusive, in the session's time zone), with the source's
-- moment_window; every moment is listed, with zeros when nobody reached it.
CREATE FUNCTION @extschema@.cycle_moments(cycle_id bigint)
RETURNS TABLE ("position" int, moment text, reached bigint, moved_on bigint,
			   rate float8, share_of_first float8)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	c record;
	last_position int;
BEGIN
	SELECT rc.source, rc.starts_on, rc.ends_on INTO c
	  FROM @extschema@.review_cycle rc WHERE rc.id = cycle_moments.cycle_id;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT max(m.position) INTO last_position
	  FROM @extschema@.moment m WHERE m.source = c.source;
	IF last_position IS NULL THEN
		RETURN;					-- no moments: nothing to report
	END IF;

	RETURN QUERY
	WITH report AS (
		SELECT r.position, r.customers_reached, r.customers_next, r.conversion_rate
		  FROM @extschema@.moment_report(c.source, NULL, NULL,
										 c.starts_on::timestamptz,
										 (c.ends_on + 1)::timestamptz) r
	), counted AS (
		SELECT m.position, m.name, coalesce(r.customers_reached, 0) AS reached,
			   CASE WHEN m.position < last_position
					THEN coalesce(r.customers_next, 0) END AS moved_on,
			   r.conversion_rate
		  FROM @extschema@.moment m
		  LEFT JOIN report r ON r.position = m.position
		 WHERE m.source = c.source
	)
	SELECT k.position, k.name, k.reached, k.moved_on, k.conversion_rate,
		   k.reached::float8 / nullif(first_value(k.reached) OVER (ORDER BY k.position), 0)
	  FROM counted k
	 ORDER BY k.position;
END
$$;
COMMENT ON FUNCTION @extschema@.cycle_moments(bigint) IS
  'per moment of the cycle''s source (from journey.moment_report over the cycle''s dates): customers who reached it, how many moved on to the next moment, that rate, and the share of the first moment''s customers who got this far';

CREATE VIEW @extschema@.review_moments AS
WITH cycles AS (
	SELECT c.id, c.source, c.name, c.starts_on, c.ends_on,
		   lag(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on) AS previous_cycle_id
	  FROM @extschema@.review_cycle c
)
SELECT c.id AS cycle_id, c.source, c.name AS cycle, m.position, m.moment,
	   m.reached, m.moved_on, m.rate, m.share_of_first,
	   c.previous_cycle_id, p.rate AS previous_rate,
	   m.rate - p.rate AS rate_change
  FROM cycles c
 CROSS JOIN LATERAL @extschema@.cycle_moments(c.id) m
  LEFT JOIN LATERAL @extschema@.cycle_moments(c.previous_cycle_id) p
	ON p.position = m.position;
COMMENT ON VIEW @extschema@.review_moments IS
  'per review cycle and moment: customers reached, moved on to the next moment, conversion rate, and the rate of the previous cycle of the same source';

CREATE VIEW @extschema@.review AS
WITH cycles AS (
	SELECT c.id, c.source, c.name, c.starts_on, c.ends_on,
		   c.id = last_value(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on
										 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
			   AS is_latest,
		   lag(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on) AS previous_cycle_id
	  FROM @extschema@.review_cycle c
)
SELECT c.id AS cycle_id, c.source, c.name AS cycle, c.starts_on, c.ends_on,
	   coalesce((SELECT jsonb_agg(jsonb_build_object(
					'hypothesis_id', h.id, 'moment', h.moment,
					'target_moment', h.target_moment, 'statement', h.statement,
					'decision', h.decision,
					'results', (SELECT jsonb_agg(to_jsonb(r) - 'hypothesis_id')
								  FROM @extschema@.hypothesis_result(h.id) r))
					ORDER BY h.ended_at, h.id)
				   FROM @extschema@.hypothesis h
				  WHERE h.cycle_id = c.id AND h.status = 'concluded'), '[]') AS tested,
	   coalesce((SELECT array_agg(h.learning ORDER BY h.ended_at, h.id)
				   FROM @extschema@.hypothesis h
				  WHERE h.cycle_id = c.id AND h.status IN ('concluded', 'abandoned')),
				'{}') AS learned,
	   coalesce((SELECT jsonb_agg(jsonb_build_object(
					'hypothesis_id', h.id, 'status', h.status, 'moment', h.moment,
					'target_moment', h.target_moment, 'statement', h.statement)
					ORDER BY h.status DESC, h.id)
				   FROM @extschema@.hypothesis h
				  WHERE h.source = c.source AND h.status IN ('proposed', 'running')
					AND (h.cycle_id = c.id OR (h.cycle_id IS NULL AND c.is_latest))), '[]') AS next,
	   coalesce((SELECT jsonb_agg(jsonb_build_object(
					'moment', rm.moment, 'reached', rm.reached, 'rate', rm.rate,
					'previous_rate', rm.previous_rate, 'rate_change', rm.rate_change)
					ORDER BY rm.position)
				   FROM (SELECT m.position, m.moment, m.reached, m.rate,
								p.rate AS previous_rate, m.rate - p.rate AS rate_change
						   FROM @extschema@.cycle_moments(c.id) m
						   LEFT JOIN @extschema@.cycle_moments(c.previous_cycle_id) p
							 ON p.position = m.position) rm), '[]') AS moments
  FROM cycles c;
COMMENT ON VIEW @extschema@.review IS
  'one row per review cycle: what was tested (concluded hypotheses with their results and decision), what was learned, what is next (proposed and running hypotheses), and each moment''s conversion rate against the previous cycle';
-- Labels that agree across tools: ICU normalisation of labels and the
-- default channel grouping driven by the editable rule table channel_rule.

CREATE FUNCTION @extschema@.normalize_label(label text) RETURNS text
	AS 'MODULE_PATHNAME', 'journey_normalize_label'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.normalize_label(text) IS
  'NFKC, full Unicode case folding, white space trimmed and inner runs collapsed to one space (depends on the server''s ICU version)';

CREATE TABLE @extschema@.channel_rule (
	priority int PRIMARY KEY,
	channel text NOT NULL CHECK (channel <> ''),
	source_pattern text,
	medium_pattern text,
	shipped boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.channel_rule IS
  'default_channel rules: regular expressions (case-insensitive, NULL matches anything) on the normalized source and medium, tried in ascending priority, first match wins';

-- Reject a rule whose pattern does not compile, with the reason.  The test
-- compiles the pattern as default_channel does (advanced syntax, case
-- insensitive, the database's default collation).
CREATE FUNCTION @extschema@.channel_rule_check() RETURNS trigger
	LANGUAGE plpgsql VOLATILE PARALLEL SAFE
	AS $$
DECLARE
	col text;
	pat text;
	msg text;
BEGIN
	FOREACH col IN ARRAY ARRAY['source_pattern', 'medium_pattern'] LOOP
		pat := CASE col WHEN 'source_pattern' THEN NEW.source_pattern
						ELSE NEW.medium_pattern END;
		CONTINUE WHEN pat IS NULL;
		BEGIN
			PERFORM '' OPERATOR(pg_catalog.~*) pat;
		EXCEPTION WHEN invalid_regular_expression THEN
			GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
			RAISE EXCEPTION 'invalid % in channel rule %: %', col, NEW.priority, msg
				USING ERRCODE = 'invalid_regular_expression',
					  DETAIL = pg_catalog.format('The pattern is %L.', pat),
					  HINT = 'Patterns are PostgreSQL regular expressions, as for the ~* operator.';
		END;
	END LOOP;
	RETURN NEW;
END
$$;

CREATE TRIGGER channel_rule_check BEFORE INSERT OR UPDATE
	ON @extschema@.channel_rule
	FOR EACH ROW EXECUTE FUNCTION @extschema@.channel_rule_check();

-- The shipped rules reproduce Google Analytics 4's default channel group on
-- source and medium alone (no campaign name, no ad network).  Shipped rules
-- use priorities that are multiples of 10; future releases replace exactly
-- the rows marked shipped.
WITH site(kind, names) AS (
	VALUES
	('search', 'google|bing|yahoo|baidu|duckduckgo|yandex|ecosia|naver|ask|aol|seznam|qwant|startpage|sogou|so|daum|brave|msn|onet|rambler|coccoc|lycos|dogpile|perplexity'),
	('social', 'facebook|fb|instagram|ig|linkedin|lnkd|t|twitter|x|reddit|pinterest|tiktok|snapchat|vk|weibo|quora|tumblr|whatsapp|messenger|threads|discord|telegram|mastodon|bsky|bluesky|xing|line|wechat|ok|flickr|meetup|nextdoor'),
	('video', 'youtube|youtu|vimeo|twitch|dailymotion|wistia|youku|bilibili|iqiyi|rutube|vidyard|loom'),
	('shopping', 'amazon|ebay|etsy|shopify|walmart|alibaba|aliexpress|mercadolibre|mercadolivre|rakuten|target|bestbuy|zalando|allegro|flipkart|shopee|lazada|temu|google shopping|igshopping')
),
re(kind, pattern) AS (
	SELECT kind, E'^((www|m|l|lm|mobile|search|[a-z]{2}\\.search)\\.)?(' || names || E')(\\.[a-z]{2,3}){0,2}$'
	  FROM site
	UNION ALL
	SELECT 'paid', E'^(.*cp.*|ppc|retargeting|paid.*)$'
)
INSERT INTO @extschema@.channel_rule (priority, channel, source_pattern, medium_pattern, shipped)
SELECT r.priority, r.channel, r.source_pattern, r.medium_pattern, true
  FROM (VALUES
	(100, 'Direct', E'^(\\(direct\\))?$', E'^(\\(none\\)|\\(not set\\))?$'),
	(200, 'Cross-network', 'cross-network', NULL),
	(210, 'Cross-network', NULL, 'cross-network'),
	(300, 'Paid Shopping', (SELECT pattern FROM re WHERE kind = 'shopping'), (SELECT pattern FROM re WHERE kind = 'paid')),
	(400, 'Paid Search', (SELECT pattern FROM re WHERE kind = 'search'), (SELECT pattern FROM re WHERE kind = 'paid')),
	(500, 'Paid Social', (SELECT pattern FROM re WHERE kind = 'social'), (SELECT pattern FROM re WHERE kind = 'paid')),
	(600, 'Paid Video', (SELECT pattern FROM re WHERE kind = 'video'), (SELECT pattern FROM re WHERE kind = 'paid')),
	(700, 'Display', NULL, '^(display|banner|expandable|interstitial|cpm)$'),
	(800, 'Paid Other', NULL, (SELECT pattern FROM re WHERE kind = 'paid')),
	(900, 'Organic Shopping', (SELECT pattern FROM re WHERE kind = 'shopping'), NULL),
	(1000, 'Organic Social', (SELECT pattern FROM re WHERE kind = 'social'), NULL),
	(1010, 'Organic Social', NULL, '^(social|social-network|social-media|sm|social network|social media)$'),
	(1100, 'Organic Video', (SELECT pattern FROM re WHERE kind = 'video'), NULL),
	(1110, 'Organic Video', NULL, 'video'),
	(1200, 'Organic Search', (SELECT pattern FROM re WHERE kind = 'search'), NULL),
	(1210, 'Organic Search', NULL, '^organic$'),
	(1300, 'Referral', NULL, '^(referral|app|link)$'),
	(1400, 'Email', '^(email|e-mail|e_mail|e mail)$', NULL),
	(1410, 'Email', NULL, '^(email|e-mail|e_mail|e mail)$'),
	(1500, 'Affiliates', NULL, '^affiliate$'),
	(1600, 'Audio', NULL, '^audio$'),
	(1700, 'SMS', '^sms$', NULL),
	(1710, 'SMS', NULL, '^sms$'),
	(1800, 'Mobile Push Notifications', NULL, 'push$'),
	(1810, 'Mobile Push Notifications', NULL, 'mobile|notification'),
	(1820, 'Mobile Push Notifications', '^firebase$', NULL)
  ) AS r(priority, channel, source_pattern, medium_pattern);

-- pg_dump keeps the rules users added, not the shipped ones (CREATE
-- EXTENSION puts those back).
SELECT pg_catalog.pg_extension_config_dump('@extschema@.channel_rule', 'WHERE NOT shipped');

CREATE FUNCTION @extschema@.default_channel(source text, medium text) RETURNS text
	AS 'MODULE_PATHNAME', 'journey_default_channel'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.default_channel(text, text) IS
  'channel of a (source, medium) pair: the first journey.channel_rule matching normalize_label(source) and normalize_label(medium), else Unassigned; NULL counts as empty';
