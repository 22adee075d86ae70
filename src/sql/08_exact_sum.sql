-- exact_sum(float8): the sum of finite doubles rounded once, the same bits
-- in any order of the rows and under any split over parallel workers
-- (src/sum.c).  channel_attribution sums values with it.

CREATE FUNCTION journey_internal.exact_sum_sfunc(internal, float8)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_exact_sum_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.exact_sum_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_exact_sum_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.exact_sum_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'journey_exact_sum_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION journey_internal.exact_sum_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_exact_sum_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION journey_internal.exact_sum_final(internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'journey_exact_sum_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.exact_sum(float8) (
	SFUNC = journey_internal.exact_sum_sfunc,
	STYPE = internal,
	COMBINEFUNC = journey_internal.exact_sum_combine,
	SERIALFUNC = journey_internal.exact_sum_serialize,
	DESERIALFUNC = journey_internal.exact_sum_deserialize,
	FINALFUNC = journey_internal.exact_sum_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.exact_sum(float8) IS
  'the exact sum of the (finite) values, rounded once: the same bits whatever the order of the rows or their split over workers; NULL for no rows';
