-- Funnels with step rules: window_funnel and funnel_times with exclusion
-- steps, per-step windows and one object held through the funnel (see
-- doc/funnels.md, "Step rules").  State = the shared event buffer (the
-- exclusion conditions of a row travel as its value, the key as its
-- label), with its shared combine, serialize and deserialize functions.

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
