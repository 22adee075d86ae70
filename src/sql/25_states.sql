-- Stored states (src/state.c; see doc/snapshots.md): the state of one
-- customer of a per-customer aggregate as a value of type
-- journey.journey_state, which can be kept in a table, merged with a state
-- of the same customer's other rows, and read as the aggregate's answer.
--
--   *_state aggregates   the aggregates' own transition functions, ending in
--                        a state (path_agg_state, paths_to_conversion_state,
--                        window_funnel_state, sequence_state, retention_state)
--   merge_state(a, b)    the state of both states' rows (merge_states: the
--                        aggregate of it)
--   *_result(state)      the aggregate's answer over the state's rows

CREATE TYPE @extschema@.journey_state;

CREATE FUNCTION @extschema@.journey_state_in(cstring)
RETURNS @extschema@.journey_state
AS 'MODULE_PATHNAME', 'journey_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.journey_state_out(@extschema@.journey_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'journey_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.journey_state_recv(internal)
RETURNS @extschema@.journey_state
AS 'MODULE_PATHNAME', 'journey_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.journey_state_send(@extschema@.journey_state)
RETURNS bytea
AS 'MODULE_PATHNAME', 'journey_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.journey_state (
	INPUT = @extschema@.journey_state_in,
	OUTPUT = @extschema@.journey_state_out,
	RECEIVE = @extschema@.journey_state_recv,
	SEND = @extschema@.journey_state_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.journey_state IS
  'the stored state of one group of a per-customer aggregate (format version 1, see doc/snapshots.md): make it with a *_state aggregate, merge with merge_state, read with a *_result function';

-- the aggregates' final functions: the state itself
CREATE FUNCTION journey_internal.path_agg_state_final(internal)
RETURNS @extschema@.journey_state
AS 'MODULE_PATHNAME', 'journey_path_state_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.paths_to_conversion_state_final(internal)
RETURNS @extschema@.journey_state
AS 'MODULE_PATHNAME', 'journey_conversion_state_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.window_funnel_state_final(internal)
RETURNS @extschema@.journey_state
AS 'MODULE_PATHNAME', 'journey_funnel_state_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.window_funnel_rules_state_final(internal)
RETURNS @extschema@.journey_state
AS 'MODULE_PATHNAME', 'journey_funnel_rules_state_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.sequence_state_final(internal)
RETURNS @extschema@.journey_state
AS 'MODULE_PATHNAME', 'journey_sequence_state_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.retention_state_final(bigint)
RETURNS @extschema@.journey_state
AS 'MODULE_PATHNAME', 'journey_retention_state_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.path_agg_state(label text, ts timestamptz) (
	SFUNC = journey_internal.path_agg_sfunc,
	STYPE = internal,
	SSPACE = 400,
	FINALFUNC = journey_internal.path_agg_state_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.path_agg_state(text, timestamptz) IS
  'path_agg''s state as a journey_state (read it with path_agg_result); NULL for no rows with a label and a time';

CREATE AGGREGATE @extschema@.paths_to_conversion_state(label text, ts timestamptz,
	is_conversion boolean, value float8, lookback interval) (
	SFUNC = journey_internal.paths_to_conversion_sfunc,
	STYPE = internal,
	SSPACE = 400,
	FINALFUNC = journey_internal.paths_to_conversion_state_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paths_to_conversion_state(text, timestamptz, boolean, float8, interval) IS
  'paths_to_conversion''s state as a journey_state (read it with paths_to_conversion_result)';

CREATE AGGREGATE @extschema@.window_funnel_state(ts timestamptz, conversion_window interval,
	VARIADIC steps bool[]) (
	SFUNC = journey_internal.window_funnel_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.window_funnel_state_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_state(timestamptz, interval, bool[]) IS
  'the funnel state of window_funnel and funnel_times as a journey_state (read it with window_funnel_result or funnel_times_result)';

CREATE AGGREGATE @extschema@.window_funnel_state(ts timestamptz, conversion_window interval,
	modes text, VARIADIC steps bool[]) (
	SFUNC = journey_internal.window_funnel_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.window_funnel_state_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_state(timestamptz, interval, text, bool[]) IS
  'window_funnel''s state with modes as a journey_state (read it with window_funnel_result)';

-- with step rules (src/sql/21_funnel_rules.sql): window_funnel's rules
-- transition, so the state holds the rules text, each row's steps and
-- exclusion conditions, and its object key
CREATE AGGREGATE @extschema@.window_funnel_state(ts timestamptz, conversion_window interval,
	rules text, steps bool[], exclusions bool[]) (
	SFUNC = journey_internal.window_funnel_rules_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.window_funnel_rules_state_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_state(timestamptz, interval, text, bool[], bool[]) IS
  'the state of window_funnel and funnel_times with step rules as a journey_state (read it with window_funnel_result or funnel_times_result)';

CREATE AGGREGATE @extschema@.window_funnel_state(ts timestamptz, conversion_window interval,
	rules text, steps bool[], exclusions bool[], object_key text) (
	SFUNC = journey_internal.window_funnel_rules_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.window_funnel_rules_state_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_state(timestamptz, interval, text, bool[], bool[], text) IS
  'the state of window_funnel and funnel_times with step rules and object_key as a journey_state (read it with window_funnel_result or funnel_times_result)';

CREATE AGGREGATE @extschema@.sequence_state(pattern text, ts timestamptz,
	VARIADIC conds bool[]) (
	SFUNC = journey_internal.sequence_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.sequence_state_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_state(text, timestamptz, bool[]) IS
  'the state of sequence_match and sequence_count as a journey_state (read it with sequence_match_result or sequence_count_result)';

CREATE AGGREGATE @extschema@.retention_state(VARIADIC conds bool[]) (
	SFUNC = journey_internal.retention_sfunc,
	STYPE = bigint,
	FINALFUNC = journey_internal.retention_state_final,
	COMBINEFUNC = journey_internal.retention_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_state(bool[]) IS
  'retention''s state as a journey_state (read it with retention_result)';

CREATE FUNCTION @extschema@.merge_state(a @extschema@.journey_state, b @extschema@.journey_state)
RETURNS @extschema@.journey_state
AS 'MODULE_PATHNAME', 'journey_merge_state'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.merge_state(@extschema@.journey_state, @extschema@.journey_state) IS
  'the state of the rows of both states (same aggregate and parameters); NULL stands for no rows';

-- (merge_states' transition and combine function: merge_state under the
-- internal schema, so that the aggregate's support function is not listed
-- among what users call)
CREATE FUNCTION journey_internal.merge_states_sfunc(a @extschema@.journey_state, b @extschema@.journey_state)
RETURNS @extschema@.journey_state
AS 'MODULE_PATHNAME', 'journey_merge_state'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.merge_states(state @extschema@.journey_state) (
	SFUNC = journey_internal.merge_states_sfunc,
	STYPE = @extschema@.journey_state,
	COMBINEFUNC = journey_internal.merge_states_sfunc,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.merge_states(@extschema@.journey_state) IS
  'the state of the rows of every state of the group (same aggregate and parameters)';

CREATE FUNCTION @extschema@.path_agg_result(state @extschema@.journey_state)
RETURNS text[]
AS 'MODULE_PATHNAME', 'journey_path_agg_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_agg_result(@extschema@.journey_state) IS
  'what path_agg gives over the rows of a path_agg_state';

CREATE FUNCTION @extschema@.paths_to_conversion_result(state @extschema@.journey_state)
RETURNS @extschema@.conversion_path[]
AS 'MODULE_PATHNAME', 'journey_paths_to_conversion_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paths_to_conversion_result(@extschema@.journey_state) IS
  'what paths_to_conversion gives over the rows of a paths_to_conversion_state';

CREATE FUNCTION @extschema@.window_funnel_result(state @extschema@.journey_state)
RETURNS int
AS 'MODULE_PATHNAME', 'journey_window_funnel_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_result(@extschema@.journey_state) IS
  'what window_funnel gives over the rows of a window_funnel_state (0 for NULL)';

CREATE FUNCTION @extschema@.funnel_times_result(state @extschema@.journey_state)
RETURNS timestamptz[]
AS 'MODULE_PATHNAME', 'journey_funnel_times_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_times_result(@extschema@.journey_state) IS
  'what funnel_times gives over the rows of a window_funnel_state made without modes or with step rules ({} for NULL)';

CREATE FUNCTION @extschema@.sequence_match_result(state @extschema@.journey_state)
RETURNS bool
AS 'MODULE_PATHNAME', 'journey_sequence_match_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_match_result(@extschema@.journey_state) IS
  'what sequence_match gives over the rows of a sequence_state (false for NULL)';

CREATE FUNCTION @extschema@.sequence_count_result(state @extschema@.journey_state)
RETURNS bigint
AS 'MODULE_PATHNAME', 'journey_sequence_count_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_count_result(@extschema@.journey_state) IS
  'what sequence_count gives over the rows of a sequence_state (0 for NULL)';

CREATE FUNCTION @extschema@.retention_result(state @extschema@.journey_state)
RETURNS bool[]
AS 'MODULE_PATHNAME', 'journey_retention_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_result(@extschema@.journey_state) IS
  'what retention gives over the rows of a retention_state';

CREATE FUNCTION @extschema@.state_info(state @extschema@.journey_state,
	OUT kind text, OUT events int, OUT bytes int, OUT format_version int)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_state_info'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.state_info(@extschema@.journey_state) IS
  'what a journey_state holds: its aggregate, its events, its size in bytes and its format version';

CREATE FUNCTION @extschema@.exact_numeric(x float8)
RETURNS numeric
AS 'MODULE_PATHNAME', 'journey_exact_numeric'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.exact_numeric(float8) IS
  'the exact value of a finite float8 as numeric (every binary digit): numeric sums of such values are exact, and their float8 is what exact_sum gives';
