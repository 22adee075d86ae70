-- Multi-touch attribution: touch_weights() for the rule-based models (and
-- shapley), the attribution() aggregate over path rows and over the
-- conversion paths of paths_to_conversion (rule-based, Markov, Shapley,
-- fractribution), and the credit per source, model and channel (the view
-- journey.channel_attribution over the function of the same name in
-- src/sql/29_attribution_paths.sql, which also reads a source's paths).
-- attribution_bootstrap() with intervals, spend and return (journey.spend,
-- spend_report) and GA4's conversion-path report follow in
-- src/sql/30_attribution_reports.sql.

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
  'share of each touch of one conversion path under a rule-based attribution model or shapley (sums to 1)';

CREATE FUNCTION journey_internal.attribution_sfunc(internal, text[], float8, float8, float8, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.attribution_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.attribution_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'journey_attribution_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION journey_internal.attribution_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION journey_internal.attribution_final(internal)
RETURNS @extschema@.channel_credit[]
AS 'MODULE_PATHNAME', 'journey_attribution_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.attribution(path text[], conversions float8,
	value float8, nulls float8, model text) (
	SFUNC = journey_internal.attribution_sfunc,
	STYPE = internal,
	COMBINEFUNC = journey_internal.attribution_combine,
	SERIALFUNC = journey_internal.attribution_serialize,
	DESERIALFUNC = journey_internal.attribution_deserialize,
	FINALFUNC = journey_internal.attribution_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attribution(text[], float8, float8, float8, text) IS
  'credit per channel over path rows (path, conversions, value, nulls) under an attribution model';

-- (source_readable is a condition on the source alone, so it is checked
-- as the sources are read, before any source's rows are computed)
CREATE VIEW @extschema@.channel_attribution WITH (security_invoker = true) AS
  SELECT s.name AS source, r.model, r.channel, r.conversions, r.value,
         r.removal_effect, r.conversion_share, r.value_share,
         d.from_snapshot, d.computed_at, d.events_until
    FROM @extschema@.source s
   CROSS JOIN LATERAL journey_internal.dashboard_snapshot(s.name, true) d
   CROSS JOIN LATERAL @extschema@.channel_attribution(s.name) r
   WHERE s.channel_column IS NOT NULL AND s.conversion_event IS NOT NULL
     AND journey_internal.source_readable(s.name, true);
COMMENT ON VIEW @extschema@.channel_attribution IS
  'per registered source (with channel_column and conversion_event) that the current role can read (see journey.source_status), model and channel: conversions and value credited over all time; paths use the source''s attribution_lookback; journey.channel_attribution(source, models, since, until) computes only what it is asked';
COMMENT ON COLUMN @extschema@.channel_attribution.source IS
  'the registered source''s name';
COMMENT ON COLUMN @extschema@.channel_attribution.model IS
  'the attribution model: first_touch, last_touch, linear, position_based, time_decay, markov, shapley (the exact Shapley value) or fractribution (its leave-one-out model)';
COMMENT ON COLUMN @extschema@.channel_attribution.channel IS
  'the channel (a value of the source''s channel column)';
COMMENT ON COLUMN @extschema@.channel_attribution.conversions IS
  'conversions credited to the channel (fractional; the channels of one model add up to the conversions)';
COMMENT ON COLUMN @extschema@.channel_attribution.value IS
  'conversion value credited to the channel';
COMMENT ON COLUMN @extschema@.channel_attribution.removal_effect IS
  'markov only: the share of conversions lost when the channel is removed from the chain (0 to 1); NULL for the other models';
COMMENT ON COLUMN @extschema@.channel_attribution.conversion_share IS
  'the channel''s share of the model''s credited conversions (0 to 1; 0 when there are none)';
COMMENT ON COLUMN @extschema@.channel_attribution.value_share IS
  'the channel''s share of the model''s credited value (0 to 1; 0 when there is none)';
COMMENT ON COLUMN @extschema@.channel_attribution.from_snapshot IS
  'true when the row comes from the source''s snapshot (journey.refresh), false when it was computed live from every row';
COMMENT ON COLUMN @extschema@.channel_attribution.computed_at IS
  'when the numbers were computed: the snapshot''s last refresh; NULL when live (computed by the query itself)';
COMMENT ON COLUMN @extschema@.channel_attribution.events_until IS
  'the highest event time the snapshot had read; NULL when live (every row at the time of the query)';

-- attribution(paths, model): the conversion_path[] of paths_to_conversion()
-- straight in; each converted path is a row with 1 conversion and its value,
-- each other path a row with 1 null.
CREATE FUNCTION journey_internal.attribution_paths_sfunc(internal, @extschema@.conversion_path[], text)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_paths_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.attribution(paths @extschema@.conversion_path[], model text) (
	SFUNC = journey_internal.attribution_paths_sfunc,
	STYPE = internal,
	COMBINEFUNC = journey_internal.attribution_combine,
	SERIALFUNC = journey_internal.attribution_serialize,
	DESERIALFUNC = journey_internal.attribution_deserialize,
	FINALFUNC = journey_internal.attribution_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attribution(@extschema@.conversion_path[], text) IS
  'credit per channel over the conversion paths of paths_to_conversion (converted: 1 conversion and its value; otherwise 1 null)';
