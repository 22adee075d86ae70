-- Funnels as analysts define them (new in 0.2.0): window_funnel and
-- funnel_times with step rules (src/sql/21_funnel_rules.sql) and
-- sequence_next_node with its fixed-arity overloads (src/sql/23_next_node.sql,
-- src/sql/24_conditions.sql).  See doc/funnels.md and doc/sequences.md.
CREATE FUNCTION @extschema@.window_funnel_rules_sfunc(internal, timestamptz, interval, text, bool[], bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_window_funnel_rules_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.window_funnel_rules_sfunc(internal, timestamptz, interval, text, bool[], bool[], text)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_window_funnel_rules_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.window_funnel_rules_final(internal)
RETURNS int
AS 'MODULE_PATHNAME', 'journey_window_funnel_rules_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.funnel_times_rules_sfunc(internal, timestamptz, interval, text, bool[], bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_funnel_times_rules_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.funnel_times_rules_sfunc(internal, timestamptz, interval, text, bool[], bool[], text)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_funnel_times_rules_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.funnel_times_rules_final(internal)
RETURNS timestamptz[]
AS 'MODULE_PATHNAME', 'journey_funnel_times_rules_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.window_funnel(ts timestamptz, conversion_window interval, rules text,
										   steps bool[], exclusions bool[]) (
	SFUNC = @extschema@.window_funnel_rules_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.window_funnel_rules_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(timestamptz, interval, text, bool[], bool[]) IS
  'window_funnel with step rules: modes, exclude(i, j), max_gap(k, interval), min_gap(k, interval), drop_excluded (level -1)';

CREATE AGGREGATE @extschema@.window_funnel(ts timestamptz, conversion_window interval, rules text,
										   steps bool[], exclusions bool[], object_key text) (
	SFUNC = @extschema@.window_funnel_rules_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.window_funnel_rules_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(timestamptz, interval, text, bool[], bool[], text) IS
  'window_funnel with step rules, every step of a chain carrying the same non-NULL object_key; the best key wins';

CREATE AGGREGATE @extschema@.funnel_times(ts timestamptz, conversion_window interval, rules text,
										  steps bool[], exclusions bool[]) (
	SFUNC = @extschema@.funnel_times_rules_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.funnel_times_rules_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.funnel_times(timestamptz, interval, text, bool[], bool[]) IS
  'timestamps of the chain that gives window_funnel''s level under step rules (NULL when drop_excluded leaves the customer out)';

CREATE AGGREGATE @extschema@.funnel_times(ts timestamptz, conversion_window interval, rules text,
										  steps bool[], exclusions bool[], object_key text) (
	SFUNC = @extschema@.funnel_times_rules_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.funnel_times_rules_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
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

CREATE FUNCTION @extschema@.time_to_convert_sfunc(internal, timestamptz[], int, int, float8[], int)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_time_to_convert_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.time_to_convert_final(internal)
RETURNS @extschema@.conversion_time
AS 'MODULE_PATHNAME', 'journey_time_to_convert_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.time_to_convert(times timestamptz[], from_step int, to_step int,
											 percentiles float8[], buckets int) (
	SFUNC = @extschema@.time_to_convert_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.time_to_convert_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.time_to_convert(timestamptz[], int, int, float8[], int) IS
  'distribution of the time from step from_step to step to_step over the customers'' funnel_times chains: count, mean, median, percentiles, histogram';

CREATE FUNCTION @extschema@.sequence_next_node_sfunc(internal, text, text, timestamptz, text, bool, bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_sequence_next_node_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sequence_next_node_sfunc(internal, text, text, timestamptz, text, bool)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_sequence_next_node_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sequence_next_node_final(internal)
RETURNS text
AS 'MODULE_PATHNAME', 'journey_sequence_next_node_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, ts timestamptz,
												event_value text, base_condition bool,
												VARIADIC conds bool[]) (
	SFUNC = @extschema@.sequence_next_node_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.sequence_next_node_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_next_node(text, text, timestamptz, text, bool, bool[]) IS
  'the event value after (forward) or before (backward) the base node and the nodes meeting the conditions in turn, as ClickHouse''s sequenceNextNode';

CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, ts timestamptz,
												event_value text, base_condition bool) (
	SFUNC = @extschema@.sequence_next_node_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = @extschema@.sequence_next_node_final,
	COMBINEFUNC = @extschema@.events_combine,
	SERIALFUNC = @extschema@.events_serialize,
	DESERIALFUNC = @extschema@.events_deserialize,
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
		EXECUTE format($$CREATE FUNCTION @extschema@.sequence_next_node_sfunc(internal, text, text, timestamptz, text, bool, %s)
			RETURNS internal AS 'MODULE_PATHNAME', 'journey_sequence_next_node_sfunc'
			LANGUAGE C IMMUTABLE PARALLEL SAFE$$, bools);
		EXECUTE format($$CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, ts timestamptz, event_value text, base_condition bool, %s) (
			SFUNC = @extschema@.sequence_next_node_sfunc, STYPE = internal, SSPACE = 160,
			FINALFUNC = @extschema@.sequence_next_node_final,
			COMBINEFUNC = @extschema@.events_combine,
			SERIALFUNC = @extschema@.events_serialize,
			DESERIALFUNC = @extschema@.events_deserialize,
			PARALLEL = SAFE)$$, named);
		EXECUTE format($$COMMENT ON AGGREGATE @extschema@.sequence_next_node(text, text, timestamptz, text, bool, %s) IS %L$$,
			bools, format('sequence_next_node with %s conditions written out (same answer as the VARIADIC form)', n));
	END LOOP;
END
$next_node$;

-- paths around a moment (path_transform's starting_at, ending_at, between):
-- the SQL form of path_report and transition_report leaves out the
-- customers whose path became empty, as the engine does
CREATE OR REPLACE FUNCTION @extschema@.report_paths_sql(src @extschema@.source, label_column text,
	segment_column text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN format($q$
	WITH per_customer AS (
		SELECT %1$s AS segment, @extschema@.path_agg(%2$I::text, %3$I::timestamptz) AS path
		  FROM %4$s
		 WHERE %5$s
		 GROUP BY %6$I
	), kept AS (
		-- a path around a moment the customer never reached is empty: left out
		SELECT t.path FROM (
			SELECT CASE WHEN $1::text[] IS NULL THEN c.path
			            ELSE @extschema@.path_transform(c.path, VARIADIC $1) END AS path
			  FROM per_customer c
			 WHERE c.path IS NOT NULL AND ($2::text IS NULL OR c.segment = $2)) t
		 WHERE cardinality(t.path) > 0
	)$q$,
	@extschema@.report_segment_sql(src, segment_column), label_column, src.time_column,
	src.relation, @extschema@.report_range_sql(src, 3, 4), src.customer_column);
