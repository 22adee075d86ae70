-- Sequence patterns: sequence_match and sequence_count (ClickHouse's
-- sequenceMatch and sequenceCount).  Both aggregates share one transition
-- function and the shared event state; see doc/sequences.md.

CREATE FUNCTION journey_internal.sequence_sfunc(internal, text, timestamptz, bool[])
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_sequence_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.sequence_match_final(internal)
RETURNS bool
AS 'MODULE_PATHNAME', 'journey_sequence_match_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.sequence_count_final(internal)
RETURNS bigint
AS 'MODULE_PATHNAME', 'journey_sequence_count_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.sequence_match(pattern text, ts timestamptz,
											VARIADIC conds bool[]) (
	SFUNC = journey_internal.sequence_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.sequence_match_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.sequence_match(text, timestamptz, bool[]) IS
  'true when the events, in time order, match the pattern of conditions, e.g. ''(?1).*(?t<=604800)(?2)''';

CREATE AGGREGATE @extschema@.sequence_count(pattern text, ts timestamptz,
											VARIADIC conds bool[]) (
	SFUNC = journey_internal.sequence_sfunc,
	STYPE = internal,
	SSPACE = 160,
	FINALFUNC = journey_internal.sequence_count_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.sequence_count(text, timestamptz, bool[]) IS
  'number of non-overlapping matches of the pattern of conditions in the events, in time order';
