-- sequence_next_node: the event value right after (or before) a chain of
-- events (ClickHouse's sequenceNextNode); see doc/sequences.md.  State =
-- the shared event buffer (value as label, conditions as flags, the base
-- condition as the event's value); the fixed-arity overloads for 2 to 8
-- conditions are declared with the others in src/sql/24_conditions.sql.

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
