-- Multi-touch attribution: touch_weights() for the rule-based models (and
-- shapley), the attribution() aggregate over path rows (rule-based,
-- Markov, Shapley, fractribution), attribution_bootstrap() with intervals,
-- the path rows of a registered source (attribution_paths), the credit per
-- source, model and channel (channel_attribution), spend and return
-- (journey.spend, spend_report) and GA4's conversion-path report.

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

-- attribution_bootstrap: attribution() with a percentile interval around
-- each channel's credit, from `replicates` Poisson-resampled replicates of
-- the customers' paths drawn from `seed` (src/bootstrap.c).
CREATE TYPE @extschema@.channel_interval AS (
	channel text,
	conversions float8,
	value float8,
	removal_effect float8,
	conversions_low float8,
	conversions_high float8,
	value_low float8,
	value_high float8
);
COMMENT ON TYPE @extschema@.channel_interval IS
  'credit of one channel (as channel_credit) with the bootstrap percentile interval of its conversions and value';

CREATE FUNCTION journey_internal.attribution_bootstrap_sfunc(internal, text[], float8, float8, float8,
	text, int, bigint, float8)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_bootstrap_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.attribution_bootstrap_final(internal)
RETURNS @extschema@.channel_interval[]
AS 'MODULE_PATHNAME', 'journey_attribution_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.attribution_bootstrap(path text[], conversions float8,
	value float8, nulls float8, model text, replicates int, seed bigint, confidence float8) (
	SFUNC = journey_internal.attribution_bootstrap_sfunc,
	STYPE = internal,
	COMBINEFUNC = journey_internal.attribution_combine,
	SERIALFUNC = journey_internal.attribution_serialize,
	DESERIALFUNC = journey_internal.attribution_deserialize,
	FINALFUNC = journey_internal.attribution_bootstrap_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attribution_bootstrap(text[], float8, float8, float8, text, int, bigint, float8) IS
  'credit per channel as attribution(), with percentile intervals from replicates Poisson-resampled replicates of the paths drawn from seed';

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
	   journey_internal.snapshot_of(s.name, true) IS NOT NULL THEN
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
COMMENT ON FUNCTION @extschema@.channel_attribution(text, text[], timestamptz, timestamptz) IS
  'per model asked for and channel of one source, conversions and value credited in a period, the removal effect (markov) and shares of the total';

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

-- journey.spend: where a team's spend per channel and day lives, registered
-- like a source (a relation and the names of its columns), read by
-- spend_report with the same checks as a source.
CREATE TABLE @extschema@.spend (
	name text PRIMARY KEY CHECK (name <> ''),
	relation regclass NOT NULL,
	channel_column name NOT NULL,
	day_column name NOT NULL,
	amount_column name NOT NULL
);
COMMENT ON TABLE @extschema@.spend IS
  'where a team''s spend lives: one row per table (or view) of channel, day and amount, and the columns to read';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.spend', '');
REVOKE ALL ON TABLE @extschema@.spend FROM PUBLIC;

-- What keeps spend table "sp" from being read: the checks of
-- source_problem (relation gone, columns missing, day column not of a
-- date/time type; for_reading: another session's temporary table, no
-- privilege, untrusted code), run on the spend relation with its channel
-- column as the customer column, its day column as the time column and its
-- amount column as the event column, and the messages naming the roles the
-- columns play here.
CREATE FUNCTION journey_internal.check_spend_relation(sp @extschema@.spend, for_reading bool DEFAULT true)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p record;
	src @extschema@.source;
BEGIN
	src.name := sp.name;
	src.relation := sp.relation;
	src.customer_column := sp.channel_column;
	src.time_column := sp.day_column;
	src.event_column := sp.amount_column;
	SELECT * INTO p FROM journey_internal.source_problem(src, false, NULL, for_reading);
	IF p.message IS NULL THEN
		RETURN;
	END IF;
	p.message := replace(replace(replace(replace(replace(p.message,
		'source "', 'spend "'), '(the customer column)', '(the channel column)'),
		'(the event column)', '(the amount column)'), '(the time column)', '(the day column)'),
		'time column', 'day column');
	p.hint := replace(replace(replace(p.hint, 'The time column', 'The day column'),
		'journey.source', 'journey.spend'), 'Read the source', 'Read the spend table');
	IF p.detail IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = p.sqlstate, MESSAGE = p.message, HINT = p.hint;
	END IF;
	p.detail := replace(replace(replace(p.detail, '(the customer column)', '(the channel column)'),
		'(the event column)', '(the amount column)'), '(the time column)', '(the day column)');
	RAISE EXCEPTION USING ERRCODE = p.sqlstate, MESSAGE = p.message, DETAIL = p.detail, HINT = p.hint;
END;
$$;
COMMENT ON FUNCTION journey_internal.check_spend_relation(@extschema@.spend, bool) IS
  'raises what keeps the current role from reading a registered spend table (as check_source_relation does for sources), if anything';

CREATE FUNCTION journey_internal.spend_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	kind "char";
BEGIN
	SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = NEW.relation;
	IF kind IS NULL OR kind NOT IN ('r', 'p', 'v', 'm', 'f') THEN
		RAISE EXCEPTION 'relation % of spend "%" is not a table or view', NEW.relation, NEW.name
			USING ERRCODE = 'wrong_object_type',
			      HINT = 'Register a table, a view, a materialized view or a foreign table.';
	END IF;
	PERFORM journey_internal.check_spend_relation(NEW, false);
	RETURN NEW;
END;
$$;

CREATE TRIGGER spend_check BEFORE INSERT OR UPDATE ON @extschema@.spend
	FOR EACH ROW EXECUTE FUNCTION journey_internal.spend_check();

-- spend_report(source, spend_table, models, since, until): per model and
-- channel, the conversions and value credited to conversions in the days
-- [since, until) (midnight in the session's time zone; NULL: unbounded),
-- the spend of the same days, cost per conversion and return on ad spend.
-- A channel with spend and no credit, or credit and no spend, still
-- appears (with 0 conversions and value, or 0 spend).
CREATE FUNCTION @extschema@.spend_report(source text, spend_table text,
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
COMMENT ON FUNCTION @extschema@.spend_report(text, text, text[], date, date) IS
  'per model and channel: conversions and value credited in the days [since, until), the spend of those days, cost per conversion and return on ad spend';

-- conversion_path_report(source, since, until): GA4's conversion-path
-- view per channel.  The touches of each converting path are split by
-- position: the last ceil(n/4) are late (a single touch is late), the
-- first round(n/4) (halves rounded up) early, the rest middle (none below
-- 3 touches).  Per channel: its touches in each part and its share of all
-- the touches of that part, the converting paths it is on, and over those
-- paths the mean number of touches and the mean days from the first touch
-- to the conversion.
CREATE FUNCTION @extschema@.conversion_path_report(source text, since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS TABLE (channel text, converting_paths bigint, early_touches bigint,
	middle_touches bigint, late_touches bigint, early_share float8, middle_share float8,
	late_share float8, mean_touches float8, mean_days float8)
LANGUAGE sql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
	WITH p AS MATERIALIZED (
	  SELECT row_number() OVER () AS id, a.path, a.touch_times, a.converted_at
	    FROM @extschema@.attribution_paths(conversion_path_report.source, since, until, true) a
	   WHERE a.conversions > 0),
	t AS (
	  SELECT p.id, x.label, cardinality(p.path) AS n,
	         CASE WHEN x.k > cardinality(p.path) - ceil(cardinality(p.path) / 4.0) THEN 'late'
	              WHEN x.k <= round(cardinality(p.path) / 4.0) THEN 'early'
	              ELSE 'middle' END AS part,
	         (extract(epoch FROM p.converted_at - p.touch_times[1]) / 86400)::float8 AS days
	    FROM p, unnest(p.path) WITH ORDINALITY AS x(label, k)),
	parts AS (
	  SELECT count(*) FILTER (WHERE part = 'early') AS e,
	         count(*) FILTER (WHERE part = 'middle') AS m,
	         count(*) FILTER (WHERE part = 'late') AS l
	    FROM t),
	per_path AS (
	  SELECT DISTINCT ON (t.label, t.id) t.label, t.id, t.n, t.days FROM t)
	SELECT c.label, c.paths, c.e, c.m, c.l,
	       CASE WHEN parts.e > 0 THEN c.e::float8 / parts.e ELSE 0 END,
	       CASE WHEN parts.m > 0 THEN c.m::float8 / parts.m ELSE 0 END,
	       CASE WHEN parts.l > 0 THEN c.l::float8 / parts.l ELSE 0 END,
	       pp.touches, pp.days
	  FROM (SELECT t.label, count(DISTINCT t.id) AS paths,
	               count(*) FILTER (WHERE part = 'early') AS e,
	               count(*) FILTER (WHERE part = 'middle') AS m,
	               count(*) FILTER (WHERE part = 'late') AS l
	          FROM t GROUP BY t.label) c
	  JOIN (SELECT label, avg(n)::float8 AS touches,
	               @extschema@.exact_sum(days) / count(*) AS days
	          FROM per_path GROUP BY label) pp ON pp.label = c.label,
	       parts
	 ORDER BY c.label
$$;
COMMENT ON FUNCTION @extschema@.conversion_path_report(text, timestamptz, timestamptz) IS
  'GA4''s conversion paths per channel: its share of the early (first 25%), middle and late (last 25%) touches of converting paths, the paths it is on, their mean touches and days to conversion';

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

-- attribution_bootstrap(paths, model, replicates, seed, confidence): the
-- conversion_path[] of paths_to_conversion() straight in, as for
-- attribution(paths, model); with their touch times, time_decay too.
CREATE FUNCTION journey_internal.attribution_bootstrap_paths_sfunc(internal,
	@extschema@.conversion_path[], text, int, bigint, float8)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_attribution_bootstrap_paths_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.attribution_bootstrap(paths @extschema@.conversion_path[], model text,
	replicates int, seed bigint, confidence float8) (
	SFUNC = journey_internal.attribution_bootstrap_paths_sfunc,
	STYPE = internal,
	COMBINEFUNC = journey_internal.attribution_combine,
	SERIALFUNC = journey_internal.attribution_serialize,
	DESERIALFUNC = journey_internal.attribution_deserialize,
	FINALFUNC = journey_internal.attribution_bootstrap_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attribution_bootstrap(@extschema@.conversion_path[], text, int, bigint, float8) IS
  'credit per channel over the conversion paths of paths_to_conversion, as attribution(paths, model), with bootstrap percentile intervals';
