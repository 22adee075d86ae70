-- Funnels with step rules: window_funnel and funnel_times with exclusion
-- steps, per-step windows and one object held through the funnel (see
-- doc/funnels.md, "Step rules").  State = the shared event buffer (the
-- exclusion conditions of a row travel as its value, the key as its
-- label), with its shared combine, serialize and deserialize functions.

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
