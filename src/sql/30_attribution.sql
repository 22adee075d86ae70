-- Multi-touch attribution: touch_weights() for the rule-based models and the
-- attribution() aggregate over path rows (rule-based, Markov, Shapley).

CREATE TYPE @extschema@.channel_credit AS (
	channel text,
	conversions float8,
	value float8,
	removal_effect float8
);
COMMENT ON TYPE @extschema@.channel_credit IS
  'credit of one channel: conversions and value credited, and (markov only) its removal effect';

CREATE FUNCTION @extschema@.touch_weights(path text[], model text,
	touch_times timestamptz[] DEFAULT NULL, converted_at timestamptz DEFAULT NULL)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'journey_touch_weights'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touch_weights(text[], text, timestamptz[], timestamptz) IS
  'share of each touch of one conversion path under a rule-based attribution model (sums to 1)';

CREATE FUNCTION @extschema@.attribution_sfunc(internal, text[], float8, float8, float8, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.attribution_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.attribution_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'journey_attribution_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.attribution_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.attribution_final(internal)
RETURNS @extschema@.channel_credit[]
AS 'MODULE_PATHNAME', 'journey_attribution_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.attribution(path text[], conversions float8,
	value float8, nulls float8, model text) (
	SFUNC = @extschema@.attribution_sfunc,
	STYPE = internal,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize,
	DESERIALFUNC = @extschema@.attribution_deserialize,
	FINALFUNC = @extschema@.attribution_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attribution(text[], float8, float8, float8, text) IS
  'credit per channel over path rows (path, conversions, value, nulls) under an attribution model';
