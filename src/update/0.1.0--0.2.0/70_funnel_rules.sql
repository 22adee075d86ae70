-- Funnels as analysts define them (new in 0.2.0): window_funnel and
-- funnel_times with step rules (src/sql/21_funnel_rules.sql) and
-- sequence_next_node with its fixed-arity overloads (src/sql/23_next_node.sql,
-- src/sql/24_conditions.sql).  See doc/funnels.md and doc/sequences.md.
-- Then the step rules of registered moments (journey.moment's new columns)
-- and moment_report, which follows them.
CREATE FUNCTION journey_internal.window_funnel_rules_sfunc(internal, timestamptz, interval, text, bool[], bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_window_funnel_rules_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.window_funnel_rules_sfunc(internal, timestamptz, interval, text, bool[], bool[], text)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_window_funnel_rules_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.window_funnel_rules_final(internal)
RETURNS int
AS 'MODULE_PATHNAME', 'journey_window_funnel_rules_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.funnel_times_rules_sfunc(internal, timestamptz, interval, text, bool[], bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_funnel_times_rules_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.funnel_times_rules_sfunc(internal, timestamptz, interval, text, bool[], bool[], text)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_funnel_times_rules_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.funnel_times_rules_final(internal)
RETURNS timestamptz[]
AS 'MODULE_PATHNAME', 'journey_funnel_times_rules_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.window_funnel(ts timestamptz, conversion_window interval, rules text,
										   steps bool[], exclusions bool[]) (
	SFUNC = journey_internal.window_funnel_rules_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.window_funnel_rules_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(timestamptz, interval, text, bool[], bool[]) IS
  'window_funnel with step rules: modes, exclude(i, j), max_gap(k, interval), min_gap(k, interval), drop_excluded (level -1)';

CREATE AGGREGATE @extschema@.window_funnel(ts timestamptz, conversion_window interval, rules text,
										   steps bool[], exclusions bool[], object_key text) (
	SFUNC = journey_internal.window_funnel_rules_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.window_funnel_rules_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(timestamptz, interval, text, bool[], bool[], text) IS
  'window_funnel with step rules, every step of a chain carrying the same non-NULL object_key; the best key wins';

CREATE AGGREGATE @extschema@.funnel_times(ts timestamptz, conversion_window interval, rules text,
										  steps bool[], exclusions bool[]) (
	SFUNC = journey_internal.funnel_times_rules_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.funnel_times_rules_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.funnel_times(timestamptz, interval, text, bool[], bool[]) IS
  'timestamps of the chain that gives window_funnel''s level under step rules (NULL when drop_excluded leaves the customer out)';

CREATE AGGREGATE @extschema@.funnel_times(ts timestamptz, conversion_window interval, rules text,
										  steps bool[], exclusions bool[], object_key text) (
	SFUNC = journey_internal.funnel_times_rules_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.funnel_times_rules_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.funnel_times(timestamptz, interval, text, bool[], bool[], text) IS
  'timestamps of the chain that gives window_funnel''s level under step rules with object_key';

-- time_to_convert: the distribution over customers of the time from step
-- from_step to step to_step of the chain funnel_times reports for each.
-- State = the shared event buffer (one event per customer: the gap).
CREATE TYPE @extschema@.conversion_time AS (
	customers bigint,
	mean_seconds float8,
	median_seconds float8,
	percentiles float8[],
	percentile_seconds float8[],
	bucket_seconds float8[],
	bucket_customers bigint[]
);
COMMENT ON TYPE @extschema@.conversion_time IS
  'time_to_convert''s answer: customers counted, mean and median seconds, the chosen percentiles and their seconds, equal-width histogram buckets (lower bounds in seconds) and their customers';

CREATE FUNCTION journey_internal.time_to_convert_sfunc(internal, timestamptz[], int, int, float8[], int)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_time_to_convert_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.time_to_convert_final(internal)
RETURNS @extschema@.conversion_time
AS 'MODULE_PATHNAME', 'journey_time_to_convert_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.time_to_convert(times timestamptz[], from_step int, to_step int,
											 percentiles float8[], buckets int) (
	SFUNC = journey_internal.time_to_convert_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.time_to_convert_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.time_to_convert(timestamptz[], int, int, float8[], int) IS
  'distribution of the time from step from_step to step to_step over the customers'' funnel_times chains: count, mean, median, percentiles, histogram';

CREATE FUNCTION journey_internal.sequence_next_node_sfunc(internal, text, text, timestamptz, text, bool, bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_sequence_next_node_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.sequence_next_node_sfunc(internal, text, text, timestamptz, text, bool)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_sequence_next_node_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.sequence_next_node_final(internal)
RETURNS text
AS 'MODULE_PATHNAME', 'journey_sequence_next_node_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, ts timestamptz,
												event_value text, base_condition bool,
												VARIADIC conds bool[]) (
	SFUNC = journey_internal.sequence_next_node_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.sequence_next_node_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_next_node(text, text, timestamptz, text, bool, bool[]) IS
  'the event value after (forward) or before (backward) the base node and the nodes meeting the conditions in turn, as ClickHouse''s sequenceNextNode';

CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, ts timestamptz,
												event_value text, base_condition bool) (
	SFUNC = journey_internal.sequence_next_node_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.sequence_next_node_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_next_node(text, text, timestamptz, text, bool) IS
  'sequence_next_node without event conditions: the base node''s own value (head or tail)';

-- sequence_next_node with 2 to 8 conditions written out, as
-- src/sql/24_conditions.sql declares them for a fresh install
DO $next_node$
DECLARE
	n int;
	bools text;
	named text;
BEGIN
	FOR n IN 2..8 LOOP
		SELECT string_agg('bool', ', '), string_agg(format('cond%s bool', i), ', ')
		  INTO bools, named
		  FROM generate_series(1, n) AS i;
		EXECUTE format($$CREATE FUNCTION journey_internal.sequence_next_node_sfunc(internal, text, text, timestamptz, text, bool, %s)
			RETURNS internal AS 'MODULE_PATHNAME', 'journey_sequence_next_node_sfunc'
			LANGUAGE C IMMUTABLE PARALLEL SAFE$$, bools);
		EXECUTE format($$CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, ts timestamptz, event_value text, base_condition bool, %s) (
			SFUNC = journey_internal.sequence_next_node_sfunc, STYPE = internal, SSPACE = 160,
			FINALFUNC = journey_internal.sequence_next_node_final,
			COMBINEFUNC = journey_internal.events_combine,
			SERIALFUNC = journey_internal.events_serialize,
			DESERIALFUNC = journey_internal.events_deserialize,
			PARALLEL = SAFE)$$, named);
		EXECUTE format($$COMMENT ON AGGREGATE @extschema@.sequence_next_node(text, text, timestamptz, text, bool, %s) IS %L$$,
			bools, format('sequence_next_node with %s conditions written out (same answer as the VARIADIC form)', n));
	END LOOP;
END
$next_node$;

-- step rules of registered moments (journey.moment's new columns), which
-- moment_report follows by SQL over the aggregates
ALTER TABLE @extschema@.moment
	ADD COLUMN max_gap interval CHECK (max_gap >= interval '0'),
	ADD COLUMN min_gap interval CHECK (min_gap >= interval '0'),
	ADD COLUMN excluded_events text[],
	ADD COLUMN excluded_since int,
	ADD CONSTRAINT moment_rules_check CHECK (
		(position > 1 OR (max_gap IS NULL AND min_gap IS NULL AND excluded_events IS NULL))
		AND (min_gap IS NULL OR max_gap IS NULL OR min_gap <= max_gap)
		AND (excluded_events IS NULL
		     OR (array_ndims(excluded_events) = 1 AND cardinality(excluded_events) BETWEEN 1 AND 32
		         AND array_position(excluded_events, NULL) IS NULL))
		AND (excluded_since IS NULL
		     OR (excluded_events IS NOT NULL AND excluded_since >= 1 AND excluded_since < position)));
COMMENT ON COLUMN @extschema@.moment.max_gap IS
  'the longest time from the moment before to this one (inclusive), or NULL: only the window';
COMMENT ON COLUMN @extschema@.moment.min_gap IS
  'the shortest time from the moment before to this one, or NULL';
COMMENT ON COLUMN @extschema@.moment.excluded_events IS
  'events that must not happen strictly between the moment excluded_since (default: the one before) and this one';
COMMENT ON COLUMN @extschema@.moment.excluded_since IS
  'the position the exclusion of excluded_events starts at (NULL: the moment before)';

-- moment_report as src/sql/26_moment_report.sql installs it: computed by
-- the report engine (60_report_engine.sql), and by SQL over the aggregates
-- (report_funnel_sql_counts) for moments with step rules
CREATE OR REPLACE FUNCTION @extschema@.moment_report(
	source text,
	conversion_window interval DEFAULT NULL,
	segment_column text DEFAULT NULL,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
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
SET intervalstyle = 'postgres'
AS $fn$
DECLARE
	src @extschema@.source := journey_internal.report_source(moment_report.source);
	names text[];
	events text[];
	n int;
	rules text;
	excluded text[];
BEGIN
	SELECT array_agg(m.name ORDER BY m.position), array_agg(m.event_name ORDER BY m.position)
	  INTO names, events
	  FROM @extschema@.moment m WHERE m.source = src.name;
	-- the moments' step rules (max_gap, min_gap, excluded_events), as
	-- window_funnel's rules text and the exclusion events in its order
	SELECT r.rules, r.excluded INTO rules, excluded
	  FROM journey_internal.moment_rules(src.name) r;
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
	IF cardinality(excluded) > 32 THEN
		RAISE EXCEPTION 'source "%" excludes % events between its moments; moment_report handles at most 32',
			src.name, cardinality(excluded)
			USING ERRCODE = 'program_limit_exceeded',
			      HINT = 'Keep fewer excluded_events in journey.moment.';
	END IF;
	IF moment_report.conversion_window < interval '0' THEN
		RAISE EXCEPTION 'conversion window must not be negative'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;

	-- the registry was checked on insert, but the relation may have changed;
	-- and the current role must be able to read it, trusting what it runs
	PERFORM journey_internal.check_source_relation(src, false, segment_column);

	-- per segment (those with a customer) and moment: the customers who
	-- reached it and the median gap to it from the moment before, from the
	-- report engine (or its SQL form); the next moment's row gives the
	-- customers moving on and the median time to next
	RETURN QUERY
	SELECT c.segment, c.step, names[c.step], c.customers, c.next,
	       c.next::float8 / NULLIF(c.customers, 0),
	       (c.customers - c.next)::float8 / NULLIF(c.customers, 0),
	       c.median_next
	  FROM (SELECT CASE WHEN moment_report.segment_column IS NULL THEN '(all)'
	                    ELSE r.segment END AS segment,
	               r.step, r.customers,
	               first_value(r.customers) OVER w AS customers_any,
	               lead(r.customers) OVER w AS next, lead(r.median) OVER w AS median_next
	          FROM (SELECT * FROM journey_internal.report_funnel_counts(src, events,
	                   coalesce(moment_report.conversion_window, src.moment_window), NULL, true,
	                   moment_report.segment_column, NULL, moment_report.since,
	                   moment_report.until)
	                 WHERE rules IS NULL
	                UNION ALL
	                -- moments with step rules: computed by SQL over the aggregates
	                SELECT * FROM journey_internal.report_funnel_sql_counts(src, events,
	                   coalesce(moment_report.conversion_window, src.moment_window), NULL,
	                   rules, excluded, true, moment_report.segment_column, NULL,
	                   moment_report.since, moment_report.until)
	                 WHERE rules IS NOT NULL) r
	        WINDOW w AS (PARTITION BY r.segment ORDER BY r.step)) c
	 WHERE c.step >= 1 AND c.customers_any > 0
	 ORDER BY c.segment NULLS FIRST, c.step;
END;
$fn$;
