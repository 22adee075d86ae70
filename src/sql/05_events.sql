-- Combine, serialize and deserialize functions shared by every aggregate
-- whose state is the per-group event buffer (src/events.c).

CREATE FUNCTION journey_internal.events_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_events_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.events_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'journey_events_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION journey_internal.events_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_events_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
