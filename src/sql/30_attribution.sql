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

-- channel_attribution: per registered source, model and channel, the
-- conversions and value credited.  channel_attribution_rows(source) credits
-- one source: its events are split into per-customer paths by
-- paths_to_conversion (conversion_event closes a path;
-- attribution_lookback bounds it), collapsed into path rows, and credited
-- under a fixed set of models.  time_decay is computed per path with
-- touch_weights (it needs the touch times).  Dynamic SQL names columns
-- only through format('%I') and the relation only through its regclass;
-- the conversion event and the lookback are parameters (EXECUTE ...
-- USING), never pasted into the query text.  Before reading, the source is
-- checked (check_source_relation): a column renamed or dropped since it was
-- registered is reported as such, and the current role must be able to
-- read the relation and trust the code reading it runs.  The view calls
-- it once per source it can read, so that a filter on the source is
-- applied before any source is read and a source that cannot be read
-- leaves the others be.
CREATE FUNCTION @extschema@.channel_attribution_rows(source text)
RETURNS TABLE (model text, channel text, conversions float8, value float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s @extschema@.source;
	q text;
BEGIN
	SELECT * INTO s FROM @extschema@.source x WHERE x.name = channel_attribution_rows.source;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown source "%"', channel_attribution_rows.source
			USING ERRCODE = 'undefined_object',
			      HINT = 'Register it in journey.source first.';
	END IF;
	IF s.channel_column IS NULL OR s.conversion_event IS NULL THEN
		RAISE EXCEPTION 'source "%" has no channel column or no conversion event', s.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Attribution needs both: set channel_column and conversion_event in journey.source.';
	END IF;
	PERFORM @extschema@.check_source_relation(s, true);
	q := format($q$
WITH p AS MATERIALIZED (
  SELECT unnest(@extschema@.paths_to_conversion(%1$I::text, %2$I, %3$I::text = $1,
                                                %4$s, $2)) AS p
    FROM %5$s GROUP BY %6$I),
rows AS MATERIALIZED (
  SELECT (p).path AS path,
         count(*) FILTER (WHERE (p).converted)::float8 AS conversions,
         coalesce(sum((p).value) FILTER (WHERE (p).converted), 0)::float8 AS value,
         count(*) FILTER (WHERE NOT (p).converted)::float8 AS nulls
    FROM p GROUP BY (p).path)
SELECT m, c.channel, c.conversions, c.value
  FROM unnest(ARRAY['first_touch', 'last_touch', 'linear', 'position_based',
                    'markov', 'shapley']) AS m,
       LATERAL unnest((SELECT @extschema@.attribution(path, conversions, value, nulls, m)
                         FROM rows)) AS c
UNION ALL
SELECT 'time_decay', t.label, sum(t.w), sum(t.w * coalesce((p).value, 0))
  FROM p, unnest((p).path, @extschema@.touch_weights((p).path, 'time_decay',
                                                     (p).touch_times, (p).converted_at)) AS t(label, w)
 WHERE (p).converted
 GROUP BY t.label
$q$,
		s.channel_column, s.time_column, s.event_column,
		CASE WHEN s.value_column IS NULL THEN 'NULL::float8'
		     ELSE format('%I::float8', s.value_column) END,
		s.relation, s.customer_column);
	RETURN QUERY EXECUTE format('SELECT m, channel, conversions, value FROM (%s) r(m, channel, conversions, value) ORDER BY m, channel',
	                            q)
		USING s.conversion_event, s.attribution_lookback;
END
$$;
COMMENT ON FUNCTION @extschema@.channel_attribution_rows(text) IS
  'rows of journey.channel_attribution for one source: per model and channel, credited conversions and value';

-- (source_readable is a condition on the source alone, so it is checked
-- as the sources are read, before any source's rows are computed)
CREATE VIEW @extschema@.channel_attribution WITH (security_invoker = true) AS
  SELECT s.name AS source, r.model, r.channel, r.conversions, r.value
    FROM @extschema@.source s
   CROSS JOIN LATERAL @extschema@.channel_attribution_rows(s.name) r
   WHERE s.channel_column IS NOT NULL AND s.conversion_event IS NOT NULL
     AND @extschema@.source_readable(s.name, true);
COMMENT ON VIEW @extschema@.channel_attribution IS
  'per registered source (with channel_column and conversion_event) that the current role can read (see journey.source_status), model and channel: conversions and value credited; paths use the source''s attribution_lookback';

-- attribution(paths, model): the conversion_path[] of paths_to_conversion()
-- straight in; each converted path is a row with 1 conversion and its value,
-- each other path a row with 1 null.
CREATE FUNCTION @extschema@.attribution_paths_sfunc(internal, @extschema@.conversion_path[], text)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_paths_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.attribution(paths @extschema@.conversion_path[], model text) (
	SFUNC = @extschema@.attribution_paths_sfunc,
	STYPE = internal,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize,
	DESERIALFUNC = @extschema@.attribution_deserialize,
	FINALFUNC = @extschema@.attribution_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attribution(@extschema@.conversion_path[], text) IS
  'credit per channel over the conversion paths of paths_to_conversion (converted: 1 conversion and its value; otherwise 1 null)';
