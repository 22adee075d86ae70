-- Attribution beyond the credit: attribution_bootstrap() with intervals on
-- every credit (over path rows and over the conversion paths of
-- paths_to_conversion), spend and return (journey.spend, spend_report)
-- and GA4's conversion-path report (conversion_path_report), after the
-- attribution() aggregate of src/sql/30_attribution.sql and the paths of
-- src/sql/29_attribution_paths.sql.

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
