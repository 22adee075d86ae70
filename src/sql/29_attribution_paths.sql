-- The conversion paths of a registered source (attribution_paths, the one
-- place that reads a source's events for attribution) and the credit per
-- model and channel computed from them (channel_attribution), which the
-- view journey.channel_attribution (src/sql/30_attribution.sql) reads.
-- PL/pgSQL functions, whose bodies name what they call (the attribution()
-- aggregate, the snapshot's stored credits of
-- src/sql/31_attribution_snapshot.sql) only when they run, so that they can
-- stand before the attribution piece.

-- attribution_paths(source, since, until, with_times): the one place that
-- reads a source's events for attribution.  Its events are split into
-- per-customer paths by paths_to_conversion (conversion_event closes a
-- path; attribution_lookback bounds it).  A converted path belongs to the
-- period when it converted in [since, until), another path when its last
-- touch is in it (NULL: unbounded; a path converted or last touched at
-- an infinite time is in no period); only events before until and from
-- since minus the lookback are read, so a path still open at until ends
-- there.  Without with_times: rows in ChannelAttribution's format, one per
-- distinct path (path, conversions, value, nulls; touch_times and
-- converted_at NULL).  With with_times: one row per customer path (1
-- conversion and its value, or 1 null) with its touch times and
-- conversion time, for time_decay and the conversion-path report.  Every
-- attribution report over a source (channel_attribution, spend_report,
-- conversion_path_report) takes its paths from here and from nowhere else.
-- Over all time (since and until NULL), a source with a current snapshot
-- (journey.refresh) gives its paths from the snapshot, read by no scan of
-- the events (src/sql/25_states_snapshot.sql).
-- Dynamic SQL names columns only through format('%I') and the relation
-- only through its regclass; the conversion event, the lookback and the
-- period are parameters (EXECUTE ... USING).  Before reading, the source
-- is checked (check_source_relation).  Values are summed with exact_sum.
CREATE FUNCTION @extschema@.attribution_paths(source text, since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL, with_times bool DEFAULT false)
RETURNS TABLE (path text[], conversions float8, value float8, nulls float8,
	touch_times timestamptz[], converted_at timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s @extschema@.source;
	q text;
BEGIN
	s := journey_internal.attribution_source(attribution_paths.source, since, until);
	-- all time, from the source's snapshot when it has a current one
	-- (journey.refresh): its distinct paths, or its customers' paths
	IF since IS NULL AND until IS NULL AND
	   (journey_internal.snapshot_of(s.name, true)).source IS NOT NULL THEN
		IF NOT with_times THEN
			RETURN QUERY SELECT a.path, a.conversions, a.value, a.nulls, NULL::timestamptz[],
			                    NULL::timestamptz
			               FROM @extschema@.snapshot_attribution_paths(s.name) a;
		ELSE
			RETURN QUERY SELECT (p).path, (p).converted::int::float8,
			                    CASE WHEN (p).converted THEN coalesce((p).value, 0) ELSE 0 END,
			                    (NOT (p).converted)::int::float8, (p).touch_times, (p).converted_at
			               FROM @extschema@.snapshot_customer c
			              CROSS JOIN LATERAL unnest(@extschema@.paths_to_conversion_result(c.conv)) p
			              WHERE c.source = s.name
			                AND isfinite(CASE WHEN (p).converted THEN (p).converted_at
			                                  ELSE (p).touch_times[cardinality((p).touch_times)] END);
		END IF;
		RETURN;
	END IF;
	q := format($q$
WITH p AS MATERIALIZED (
  SELECT unnest(@extschema@.paths_to_conversion(%1$I::text, %2$I, %3$I::text = $1,
                                                %4$s, $2)) AS p
    FROM %5$s
   WHERE ($3::timestamptz IS NULL OR %2$I >= $3::timestamptz - $2)
     AND ($4::timestamptz IS NULL OR %2$I < $4::timestamptz)
   GROUP BY %6$I),
inp AS (
  SELECT (p).* FROM p
   WHERE CASE WHEN (p).converted THEN (p).converted_at
              ELSE (p).touch_times[cardinality((p).touch_times)] END
         >= coalesce($3::timestamptz, '-infinity')
     AND CASE WHEN (p).converted THEN (p).converted_at
              ELSE (p).touch_times[cardinality((p).touch_times)] END
         < coalesce($4::timestamptz, 'infinity')
     AND isfinite(CASE WHEN (p).converted THEN (p).converted_at
                       ELSE (p).touch_times[cardinality((p).touch_times)] END))
SELECT path, conversions, value, nulls, touch_times, converted_at FROM (
  SELECT path, count(*) FILTER (WHERE converted)::float8 AS conversions,
         coalesce(@extschema@.exact_sum(value) FILTER (WHERE converted), 0) AS value,
         count(*) FILTER (WHERE NOT converted)::float8 AS nulls,
         NULL::timestamptz[] AS touch_times, NULL::timestamptz AS converted_at
    FROM inp WHERE NOT $5 GROUP BY path
  UNION ALL
  SELECT path, converted::int::float8, CASE WHEN converted THEN coalesce(value, 0) ELSE 0 END,
         (NOT converted)::int::float8, touch_times, converted_at
    FROM inp WHERE $5) r
$q$,
		s.channel_column, s.time_column, s.event_column,
		CASE WHEN s.value_column IS NULL THEN 'NULL::float8'
		     ELSE format('%I::float8', s.value_column) END,
		s.relation, s.customer_column);
	RETURN QUERY EXECUTE q
		USING s.conversion_event, s.attribution_lookback, since, until, with_times;
END
$$;
COMMENT ON FUNCTION @extschema@.attribution_paths(text, timestamptz, timestamptz, bool) IS
  'the conversion paths of a source in a period, as ChannelAttribution path rows (one per distinct path) or, with with_times, one row per customer path with its touch times';

-- channel_attribution(source, models, since, until): per model and
-- channel, the conversions and value credited, Markov's removal effect,
-- and each channel's share of the model's total conversions and value.
-- Over all time, with a current snapshot (journey.refresh), a default
-- model written without parameters reads the credits the snapshot keeps
-- (snapshot_channel_credit: the same bits as the model over the paths).
-- Every other model reads the source's paths once through
-- attribution_paths (with the touch times only when a time_decay model
-- is asked): time_decay credits each channel the exact sum, over the
-- customer paths that converted, of the touches' weights (touch_weights)
-- and of the value times the weights, so no group holds every customer
-- path; the other models run attribution() over the distinct paths.  Sums
-- are exact.  Every model lists every channel of the period's paths, with
-- 0 when it credits it nothing; a model named twice is computed once.
CREATE FUNCTION @extschema@.channel_attribution(source text,
	models text[] DEFAULT ARRAY['first_touch', 'last_touch', 'linear', 'position_based',
	                            'time_decay', 'markov', 'shapley', 'fractribution'],
	since timestamptz DEFAULT NULL, until timestamptz DEFAULT NULL)
RETURNS TABLE (model text, channel text, conversions float8, value float8,
	removal_effect float8, conversion_share float8, value_share float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src @extschema@.source;
	from_snapshot bool;
	need_paths bool;
	need_times bool;
BEGIN
	IF models IS NULL OR cardinality(models) = 0 OR array_position(models, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'models must name at least one attribution model, and no NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- every model checked, whatever the period holds
	PERFORM journey_internal.attribution_model_kind(m) FROM unnest(models) m;
	src := journey_internal.attribution_source(channel_attribution.source, since, until);
	from_snapshot := since IS NULL AND until IS NULL AND
	                 (journey_internal.snapshot_of(src.name, true)).source IS NOT NULL;
	need_paths := EXISTS (SELECT 1 FROM unnest(models) m
	                       WHERE NOT from_snapshot OR journey_internal.snapshot_attribution_key(m) IS NULL);
	need_times := EXISTS (SELECT 1 FROM unnest(models) m
	                       WHERE (NOT from_snapshot OR journey_internal.snapshot_attribution_key(m) IS NULL)
	                         AND (journey_internal.attribution_model_kind(m)).kind = 'time_decay');
	RETURN QUERY
	WITH ms AS (
	  SELECT DISTINCT x AS m, CASE WHEN from_snapshot THEN journey_internal.snapshot_attribution_key(x) END AS key,
	         (journey_internal.attribution_model_kind(x)).kind = 'time_decay' AS decay
	    FROM unnest(models) x),
	p AS MATERIALIZED (
	  SELECT * FROM @extschema@.attribution_paths(src.name, since, until, need_times) WHERE need_paths),
	rows AS MATERIALIZED (
	  SELECT p.path, sum(p.conversions) AS conversions, @extschema@.exact_sum(p.value) AS value,
	         sum(p.nulls) AS nulls
	    FROM p GROUP BY p.path),
	channels AS MATERIALIZED (
	  SELECT DISTINCT x.label FROM rows r CROSS JOIN LATERAL unnest(r.path) AS x(label)),
	decay AS (
	  SELECT ms.m, x.label, @extschema@.exact_sum(p.conversions * x.w) AS conversions,
	         @extschema@.exact_sum(p.value * x.w) AS value
	    FROM ms JOIN p ON p.conversions > 0
	   CROSS JOIN LATERAL unnest(p.path, @extschema@.touch_weights(p.path, ms.m, p.touch_times, p.converted_at))
	         AS x(label, w)
	   WHERE ms.key IS NULL AND ms.decay
	   GROUP BY 1, 2),
	credit AS (
	  SELECT ms.m AS model, c.channel, c.conversions, c.value, c.removal_effect
	    FROM ms CROSS JOIN LATERAL journey_internal.snapshot_channel_credit(src.name, ms.key) c
	   WHERE ms.key IS NOT NULL
	  UNION ALL
	  SELECT ms.m, ch.label, coalesce(d.conversions, 0), coalesce(d.value, 0), NULL::float8
	    FROM ms CROSS JOIN channels ch
	    LEFT JOIN decay d ON d.m = ms.m AND d.label = ch.label
	   WHERE ms.key IS NULL AND ms.decay
	  UNION ALL
	  SELECT ms.m, c.channel, c.conversions, c.value, c.removal_effect
	    FROM ms CROSS JOIN LATERAL unnest((SELECT @extschema@.attribution(r.path, r.conversions, r.value, r.nulls, ms.m)
	                                         FROM rows r)) AS c
	   WHERE ms.key IS NULL AND NOT ms.decay)
	SELECT c.model, c.channel, c.conversions, c.value, c.removal_effect,
	       CASE WHEN c.tot_c > 0 THEN c.conversions / c.tot_c ELSE 0 END,
	       CASE WHEN c.tot_v > 0 THEN c.value / c.tot_v ELSE 0 END
	  FROM (SELECT c.*, @extschema@.exact_sum(c.conversions) OVER w AS tot_c,
	               @extschema@.exact_sum(c.value) OVER w AS tot_v
	          FROM credit c WINDOW w AS (PARTITION BY c.model)) c
	 ORDER BY c.model, c.channel;
END
$$;
COMMENT ON FUNCTION @extschema@.channel_attribution(text, text[], timestamptz, timestamptz) IS
  'per model asked for and channel of one source, conversions and value credited in a period, the removal effect (markov) and shares of the total';
