-- Review of the attribution layer (src/sql/30_attribution.sql):
-- channel_attribution and spend_report compute a model named twice in
-- "models" once (they returned its rows twice, and channel_attribution
-- halved its shares); attribution_paths leaves out the paths converted or
-- last touched at an infinite time (a touch at -infinity made time_decay
-- fail for the whole source, and the channel_attribution view with it).

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
	need_times bool;
BEGIN
	IF models IS NULL OR cardinality(models) = 0 OR array_position(models, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'models must name at least one attribution model, and no NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	need_times := EXISTS (SELECT 1 FROM unnest(models) m WHERE m ~* '^\s*time_decay\s*(\(|$)');
	RETURN QUERY
	WITH p AS MATERIALIZED (
	  SELECT * FROM @extschema@.attribution_paths(channel_attribution.source, since, until, need_times)),
	rows AS MATERIALIZED (
	  SELECT p.path, sum(p.conversions) AS conversions, @extschema@.exact_sum(p.value) AS value,
	         sum(p.nulls) AS nulls
	    FROM p GROUP BY p.path),
	credit AS (
	  SELECT m.m AS model, c.channel, c.conversions, c.value, c.removal_effect
	    FROM (SELECT DISTINCT x FROM unnest(models) x) AS m(m),
	         LATERAL unnest(CASE WHEN m.m ~* '^\s*time_decay\s*(\(|$)'
	                        THEN (SELECT @extschema@.attribution(
	                                       ARRAY[ROW(p.path, p.touch_times, p.conversions > 0, p.value,
	                                                 p.converted_at)::@extschema@.conversion_path], m.m)
	                                FROM p)
	                        ELSE (SELECT @extschema@.attribution(r.path, r.conversions, r.value, r.nulls, m.m)
	                                FROM rows r) END) AS c)
	SELECT c.model, c.channel, c.conversions, c.value, c.removal_effect,
	       CASE WHEN tot.c > 0 THEN c.conversions / tot.c ELSE 0 END,
	       CASE WHEN tot.v > 0 THEN c.value / tot.v ELSE 0 END
	  FROM credit c,
	       LATERAL (SELECT @extschema@.exact_sum(c2.conversions) AS c, @extschema@.exact_sum(c2.value) AS v
	                  FROM credit c2 WHERE c2.model = c.model) tot
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
