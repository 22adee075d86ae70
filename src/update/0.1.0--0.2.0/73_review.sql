-- Review of the attribution layer (src/sql/30_attribution.sql):
-- channel_attribution and spend_report compute a model named twice in
-- "models" once (they returned its rows twice, and channel_attribution
-- halved its shares); attribution_paths leaves out the paths converted or
-- last touched at an infinite time (a touch at -infinity made time_decay
-- fail for the whole source, and the channel_attribution view with it).
-- channel_attribution is the install's (src/sql/30_attribution.sql): over
-- all time it reads the snapshot's stored credits (76c), and time_decay is
-- an exact additive sum over the customer paths.

CREATE OR REPLACE FUNCTION @extschema@.channel_attribution(source text,
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
	                 journey_internal.snapshot_of(src.name, true) IS NOT NULL;
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

CREATE OR REPLACE FUNCTION @extschema@.spend_report(source text, spend_table text,
	models text[] DEFAULT ARRAY['last_touch', 'linear', 'markov', 'shapley'],
	since date DEFAULT NULL, until date DEFAULT NULL)
RETURNS TABLE (model text, channel text, conversions float8, value float8, spend float8,
	cost_per_conversion float8, return_on_ad_spend float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	sp @extschema@.spend;
BEGIN
	SELECT * INTO sp FROM @extschema@.spend x WHERE x.name = spend_report.spend_table;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown spend table "%"', spend_report.spend_table
			USING ERRCODE = 'undefined_object',
			      HINT = 'Register it in journey.spend first.';
	END IF;
	IF since IS NOT NULL AND until IS NOT NULL AND since > until THEN
		RAISE EXCEPTION 'since (%) is after until (%)', since, until
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM journey_internal.check_spend_relation(sp);
	RETURN QUERY EXECUTE format($q$
WITH spent AS (
  SELECT %1$I::text AS channel, sum(%3$I::numeric)::float8 AS amount FROM %4$s
   WHERE ($1::date IS NULL OR %2$I >= $1::date) AND ($2::date IS NULL OR %2$I < $2::date)
     AND %1$I IS NOT NULL
   GROUP BY 1),
credit AS (
  SELECT a.model, a.channel, a.conversions, a.value
    FROM @extschema@.channel_attribution($3, $4, $1::timestamptz, $2::timestamptz) a),
grid AS (
  SELECT m.m AS model, ch.channel
    FROM (SELECT DISTINCT x FROM unnest($4) x) m(m),
         (SELECT c.channel FROM credit c UNION SELECT s.channel FROM spent s) ch)
SELECT g.model, g.channel, coalesce(c.conversions, 0), coalesce(c.value, 0),
       coalesce(s.amount, 0),
       CASE WHEN coalesce(c.conversions, 0) > 0 THEN coalesce(s.amount, 0) / c.conversions END,
       CASE WHEN coalesce(s.amount, 0) > 0 THEN coalesce(c.value, 0) / s.amount END
  FROM grid g
  LEFT JOIN credit c ON c.model = g.model AND c.channel = g.channel
  LEFT JOIN spent s ON s.channel = g.channel
 ORDER BY g.model, g.channel$q$, sp.channel_column, sp.day_column, sp.amount_column, sp.relation)
		USING since, until, source, models;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.attribution_paths(source text, since timestamptz DEFAULT NULL,
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
	SELECT * INTO s FROM @extschema@.source x WHERE x.name = attribution_paths.source;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown source "%"', attribution_paths.source
			USING ERRCODE = 'undefined_object',
			      HINT = 'Register it in journey.source first.';
	END IF;
	IF s.channel_column IS NULL OR s.conversion_event IS NULL THEN
		RAISE EXCEPTION 'source "%" has no channel column or no conversion event', s.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Attribution needs both: set channel_column and conversion_event in journey.source.';
	END IF;
	IF since IS NOT NULL AND until IS NOT NULL AND since > until THEN
		RAISE EXCEPTION 'since (%) is after until (%)', since, until
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM journey_internal.check_source_relation(s, true);
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
