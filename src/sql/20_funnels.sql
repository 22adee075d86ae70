-- Moments that matter: window_funnel, funnel_times and retention
-- (semantics of ClickHouse's windowFunnel and retention; see doc/funnels.md).

-- window_funnel / funnel_times: state = the shared event buffer, with its
-- shared combine, serialize and deserialize functions (src/sql/05_events.sql)
CREATE FUNCTION journey_internal.window_funnel_sfunc(internal, timestamptz, interval, bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_window_funnel_steps_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.window_funnel_sfunc(internal, timestamptz, interval, text, bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_window_funnel_modes_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.window_funnel_final(internal)
RETURNS int
AS 'MODULE_PATHNAME', 'journey_window_funnel_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.funnel_times_sfunc(internal, timestamptz, interval, bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_funnel_times_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.funnel_times_final(internal)
RETURNS timestamptz[]
AS 'MODULE_PATHNAME', 'journey_funnel_times_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- SSPACE: a group's state is one 128-byte chunk until it outgrows it; the
-- planner's default guess for internal states (8 kB) would make hash
-- aggregation spill to disk after a few tens of thousands of customers.
CREATE AGGREGATE @extschema@.window_funnel(ts timestamptz, conversion_window interval, VARIADIC steps bool[]) (
	SFUNC = journey_internal.window_funnel_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.window_funnel_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(timestamptz, interval, VARIADIC bool[]) IS
  'furthest step reached in order, every step within the window of the chain''s first step';

CREATE AGGREGATE @extschema@.window_funnel(ts timestamptz, conversion_window interval, modes text, VARIADIC steps bool[]) (
	SFUNC = journey_internal.window_funnel_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.window_funnel_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(timestamptz, interval, text, VARIADIC bool[]) IS
  'window_funnel with modes: strict_order, strict_deduplication, strict_increase, strict_once, allow_reentry';

CREATE AGGREGATE @extschema@.funnel_times(ts timestamptz, conversion_window interval, VARIADIC steps bool[]) (
	SFUNC = journey_internal.funnel_times_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.funnel_times_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.funnel_times(timestamptz, interval, VARIADIC bool[]) IS
  'timestamps of the earliest-starting chain that reaches the furthest step of window_funnel';

-- retention: state = bigint (condition bitmask and number of conditions)
CREATE FUNCTION journey_internal.retention_sfunc(bigint, bool[])
RETURNS bigint
AS 'MODULE_PATHNAME', 'journey_retention_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.retention_combine(bigint, bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'journey_retention_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION journey_internal.retention_final(bigint)
RETURNS bool[]
AS 'MODULE_PATHNAME', 'journey_retention_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.retention(VARIADIC conds bool[]) (
	SFUNC = journey_internal.retention_sfunc,
	STYPE = bigint,
	FINALFUNC = journey_internal.retention_final,
	COMBINEFUNC = journey_internal.retention_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention(VARIADIC bool[]) IS
  'r1 = condition 1 held on some row; rk = condition 1 and condition k held';
