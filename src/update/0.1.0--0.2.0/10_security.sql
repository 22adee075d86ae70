-- Security: reading a source runs only code its reader trusts, the
-- registry grants nothing to PUBLIC, every view reads as its reader, every
-- function pins search_path, and no parameter is named with a reserved word
-- (src/sql/25_registry.sql, 26_moment_report.sql, 30_attribution.sql,
-- 45_experiments.sql, 50_labels.sql, 90_security.sql; doc/security.md).
-- The checks a reader runs before reading a source (untrusted_code,
-- source_problem, check_source_relation, source_readable) come just before
-- from 09_registry_checks.sql, the install piece
-- src/sql/25_registry_checks.sql itself.  The registry grants nothing to
-- PUBLIC, as a fresh install says explicitly: whatever a DBA granted
-- PUBLIC under 0.1.0 is revoked (doc/security.md says to grant named roles
-- instead), and journey.source_status shows what a role can read, both
-- right after from 11_security.sql, the install piece src/sql/90_security.sql
-- itself.

-- channel_rule_check pins search_path like every other function.
ALTER FUNCTION journey_internal.channel_rule_check() SET search_path = pg_catalog, pg_temp;

-- window_funnel's and funnel_times' conversion window was a parameter named
-- "window", a reserved word.  Only the name changes, and no stored call
-- depends on the names of an aggregate's arguments (aggregate calls take
-- no named arguments), so the names are renamed in place: dropping the
-- aggregates would fail for every user view that calls them.
UPDATE pg_catalog.pg_proc
   SET proargnames = pg_catalog.array_replace(proargnames, 'window', 'conversion_window')
 WHERE pronamespace = '@extschema@'::regnamespace
   AND proname IN ('window_funnel', 'funnel_times')
   AND prokind = 'a'
   AND 'window' = ANY (proargnames);

-- the registry's own check of a new source
CREATE OR REPLACE FUNCTION journey_internal.source_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	kind "char";
BEGIN
	SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = NEW.relation;
	IF kind IS NULL THEN
		RAISE EXCEPTION 'relation with OID % of source "%" does not exist', NEW.relation::oid, NEW.name
			USING ERRCODE = 'undefined_table';
	END IF;
	IF kind NOT IN ('r', 'p', 'v', 'm', 'f') THEN
		RAISE EXCEPTION 'relation % of source "%" is not a table or view', NEW.relation, NEW.name
			USING ERRCODE = 'wrong_object_type',
			      HINT = 'Register a table, a view, a materialized view or a foreign table.';
	END IF;
	PERFORM journey_internal.check_source_relation(NEW, true, NULL, false);
	RETURN NEW;
END;
$$;

-- moment_report: parameters conversion_window, since and until (were
-- "window", "from" and "to"), and the source is checked before it is read;
-- moment_conversion depends on it and leaves out unreadable sources.
DROP VIEW @extschema@.moment_conversion;
DROP FUNCTION @extschema@.moment_report(text, interval, text, timestamptz, timestamptz);
CREATE FUNCTION @extschema@.moment_report(
	source text,
	conversion_window interval DEFAULT NULL,
	segment_column text DEFAULT NULL,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS TABLE (
	segment text,
	"position" int,
	moment text,
	customers_reached bigint,
	customers_next bigint,
	conversion_rate float8,
	drop_off_rate float8,
	median_time_to_next interval)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	src @extschema@.source;
	names text[];
	events text[];
	n int;
	steps text;
	seg text;
	q text;
BEGIN
	IF moment_report.source IS NULL THEN
		RAISE EXCEPTION 'source must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO src FROM @extschema@.source s WHERE s.name = moment_report.source;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown source "%"', moment_report.source
			USING ERRCODE = 'undefined_object',
			      HINT = coalesce('Registered sources: ' ||
			                      (SELECT string_agg(quote_literal(s.name), ', ' ORDER BY s.name)
			                         FROM @extschema@.source s) || '.',
			                      'Register one in journey.source first.');
	END IF;
	SELECT array_agg(m.name ORDER BY m.position), array_agg(m.event_name ORDER BY m.position)
	  INTO names, events
	  FROM @extschema@.moment m WHERE m.source = src.name;
	n := coalesce(cardinality(names), 0);
	IF n = 0 THEN
		RAISE EXCEPTION 'source "%" has no moments', src.name
			USING ERRCODE = 'no_data_found',
			      HINT = 'Insert its moments that matter into journey.moment (positions 1, 2, ...).';
	END IF;
	IF n > 32 THEN
		RAISE EXCEPTION 'source "%" has % moments; moment_report handles at most 32', src.name, n
			USING ERRCODE = 'program_limit_exceeded';
	END IF;
	IF moment_report.conversion_window < interval '0' THEN
		RAISE EXCEPTION 'conversion window must not be negative'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;

	-- the registry was checked on insert, but the relation may have changed;
	-- and the current role must be able to read it, trusting what it runs
	PERFORM journey_internal.check_source_relation(src, false, segment_column);
	IF segment_column IS NOT NULL THEN
		seg := format('(array_agg(%I::text ORDER BY %I, %I::text))[1]',
		              segment_column, src.time_column, segment_column);
	ELSE
		seg := quote_literal('(all)');
	END IF;

	-- one condition per moment: event = $2[k], written out (2 to 8 moments
	-- take funnel_times' fixed-arity overloads, which build no array per row)
	SELECT string_agg(format('%I::text = $2[%s]', src.event_column, k), ', ' ORDER BY k)
	  INTO steps FROM generate_series(1, n) k;

	q := format($q$
		WITH per_customer AS (
			SELECT %1$s AS segment,
			       @extschema@.funnel_times(%2$I::timestamptz, $1, %3$s) AS t
			  FROM %4$s
			 WHERE ($3::timestamptz IS NULL OR %2$I::timestamptz >= $3)
			   AND ($4::timestamptz IS NULL OR %2$I::timestamptz < $4)
			 GROUP BY %5$I
		), levels AS (
			-- customers per segment and furthest moment reached (0: none)
			SELECT c.segment, coalesce(cardinality(c.t), 0) AS lvl, count(*) AS n
			  FROM per_customer c
			 GROUP BY c.segment, 2
		), counts AS (
			SELECT l.segment, k.k,
			       coalesce(sum(l.n) FILTER (WHERE l.lvl >= k.k), 0)::bigint AS reached,
			       CASE WHEN k.k < $5
			            THEN coalesce(sum(l.n) FILTER (WHERE l.lvl > k.k), 0)::bigint END AS next
			  FROM levels l CROSS JOIN generate_series(1, $5) AS k(k)
			 GROUP BY l.segment, k.k
		), gaps AS (
			-- one row per customer and moment it moved on from
			SELECT c.segment, g.k, percentile_cont(0.5) WITHIN GROUP (ORDER BY g.d) AS median
			  FROM per_customer c
			 CROSS JOIN LATERAL (SELECT k, c.t[k + 1] - c.t[k] AS d
			                       FROM generate_series(1, cardinality(c.t) - 1) AS k) g
			 GROUP BY c.segment, g.k
		)
		SELECT n.segment, n.k, $6[n.k], n.reached, n.next,
		       n.next::float8 / NULLIF(n.reached, 0),
		       (n.reached - n.next)::float8 / NULLIF(n.reached, 0),
		       g.median
		  FROM counts n
		  LEFT JOIN gaps g ON g.segment IS NOT DISTINCT FROM n.segment AND g.k = n.k
		 ORDER BY n.segment NULLS FIRST, n.k
	$q$, seg, src.time_column, steps, src.relation, src.customer_column);

	RETURN QUERY EXECUTE q
		USING coalesce(moment_report.conversion_window, src.moment_window), events,
		      moment_report.since, moment_report.until, n, names;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.moment_report(text, interval, text, timestamptz, timestamptz) IS
  'per segment and moment: customers reached, moving on within the window, conversion and drop-off rates, median time to next';

CREATE VIEW @extschema@.moment_conversion WITH (security_invoker = true) AS
SELECT s.name AS source, r.*
  FROM @extschema@.source s
 CROSS JOIN LATERAL @extschema@.moment_report(s.name) r
 WHERE EXISTS (SELECT 1 FROM @extschema@.moment m WHERE m.source = s.name)
   AND journey_internal.source_readable(s.name, false);
COMMENT ON VIEW @extschema@.moment_conversion IS
  'moment_report of every registered source with moments that the current role can read (see journey.source_status), default window, no segments';

-- channel_attribution computes one source at a time, for the sources its
-- reader can read, instead of every source in one function.
DROP VIEW @extschema@.channel_attribution;
DROP FUNCTION @extschema@.channel_attribution_rows();
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
	PERFORM journey_internal.check_source_relation(s, true);
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

CREATE VIEW @extschema@.channel_attribution WITH (security_invoker = true) AS
  SELECT s.name AS source, r.model, r.channel, r.conversions, r.value
    FROM @extschema@.source s
   CROSS JOIN LATERAL @extschema@.channel_attribution_rows(s.name) r
   WHERE s.channel_column IS NOT NULL AND s.conversion_event IS NOT NULL
     AND journey_internal.source_readable(s.name, true);
COMMENT ON VIEW @extschema@.channel_attribution IS
  'per registered source (with channel_column and conversion_event) that the current role can read (see journey.source_status), model and channel: conversions and value credited; paths use the source''s attribution_lookback';

-- hypothesis_units checks its source before reading it
CREATE OR REPLACE FUNCTION @extschema@.hypothesis_units(hypothesis_id bigint, customer_id text DEFAULT NULL)
RETURNS TABLE (variant text, units bigint, conversions bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h record;
	src @extschema@.source;
BEGIN
	SELECT hy.conversion_window, s.relation, s.customer_column, s.time_column,
		   s.event_column, m.event_name, s AS source
	  INTO h
	  FROM @extschema@.hypothesis hy
	  JOIN @extschema@.source s ON s.name = hy.source
	  JOIN @extschema@.moment m ON m.source = hy.source AND m.name = hy.target_moment
	 WHERE hy.id = hypothesis_units.hypothesis_id;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	-- the registry was checked on insert, but the relation may have changed;
	-- and the current role must be able to read it, trusting what it runs
	src := h.source;
	PERFORM journey_internal.check_source_relation(src, false);

	-- (the assignments are read twice rather than through one CTE, which
	-- would hide their statistics from the join's plan)
	RETURN QUERY EXECUTE format($q$
		SELECT a.variant, count(*), count(c.customer_id)
		  FROM @extschema@.assignment a
		  LEFT JOIN (SELECT DISTINCT u.customer_id
					   FROM %1$s e
					   JOIN @extschema@.assignment u ON e.%3$I::text = u.customer_id
					  WHERE u.hypothesis_id = $1 AND ($4 IS NULL OR u.customer_id = $4)
						AND e.%4$I = $2
						AND e.%2$I >= u.assigned_at AND e.%2$I <= u.assigned_at + $3) c
			ON c.customer_id = a.customer_id
		 WHERE a.hypothesis_id = $1 AND ($4 IS NULL OR a.customer_id = $4)
		 GROUP BY a.variant
		 ORDER BY a.variant <> 'control', a.variant$q$,
		h.relation, h.time_column, h.customer_column, h.event_column)
	USING hypothesis_units.hypothesis_id, h.event_name, h.conversion_window,
		  hypothesis_units.customer_id;
END
$$;

-- the experiment and review views leave out unreadable sources
CREATE OR REPLACE VIEW @extschema@.hypothesis_results WITH (security_invoker = true) AS
SELECT h.id AS hypothesis_id, r.variant, r.units, r.conversions, r.rate,
	   r.lift, r.lift_low, r.lift_high, r.p_value, r.prob_to_beat,
	   r.srm_p_value, r.verdict
  FROM @extschema@.hypothesis h
 CROSS JOIN LATERAL @extschema@.hypothesis_result(h.id) r
 WHERE journey_internal.source_readable(h.source, false);
COMMENT ON VIEW @extschema@.hypothesis_results IS
  'one row per hypothesis (of a source the current role can read, see journey.source_status) and variant: units, conversions at the target moment within the window, rate, lift against control, p-value, probability to beat control, sample-ratio check and verdict';

CREATE OR REPLACE VIEW @extschema@.review_moments WITH (security_invoker = true) AS
WITH cycles AS (
	SELECT c.id, c.source, c.name, c.starts_on, c.ends_on,
		   lag(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on) AS previous_cycle_id
	  FROM @extschema@.review_cycle c
)
SELECT c.id AS cycle_id, c.source, c.name AS cycle, m.position, m.moment,
	   m.reached, m.moved_on, m.rate, m.share_of_first,
	   c.previous_cycle_id, p.rate AS previous_rate,
	   m.rate - p.rate AS rate_change
  FROM cycles c
 CROSS JOIN LATERAL @extschema@.cycle_moments(c.id) m
  LEFT JOIN LATERAL @extschema@.cycle_moments(c.previous_cycle_id) p
	ON p.position = m.position
 WHERE journey_internal.source_readable(c.source, false);
COMMENT ON VIEW @extschema@.review_moments IS
  'per review cycle (of a source the current role can read, see journey.source_status) and moment: customers reached, moved on to the next moment, conversion rate, and the rate of the previous cycle of the same source';

CREATE OR REPLACE VIEW @extschema@.review WITH (security_invoker = true) AS
WITH cycles AS (
	SELECT c.id, c.source, c.name, c.starts_on, c.ends_on,
		   c.id = last_value(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on
										 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
			   AS is_latest,
		   lag(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on) AS previous_cycle_id
	  FROM @extschema@.review_cycle c
)
SELECT c.id AS cycle_id, c.source, c.name AS cycle, c.starts_on, c.ends_on,
	   coalesce((SELECT jsonb_agg(jsonb_build_object(
					'hypothesis_id', h.id, 'moment', h.moment,
					'target_moment', h.target_moment, 'statement', h.statement,
					'decision', h.decision,
					'results', (SELECT jsonb_agg(to_jsonb(r) - 'hypothesis_id')
								  FROM @extschema@.hypothesis_result(h.id) r))
					ORDER BY h.ended_at, h.id)
				   FROM @extschema@.hypothesis h
				  WHERE h.cycle_id = c.id AND h.status = 'concluded'), '[]') AS tested,
	   coalesce((SELECT array_agg(h.learning ORDER BY h.ended_at, h.id)
				   FROM @extschema@.hypothesis h
				  WHERE h.cycle_id = c.id AND h.status IN ('concluded', 'abandoned')),
				'{}') AS learned,
	   coalesce((SELECT jsonb_agg(jsonb_build_object(
					'hypothesis_id', h.id, 'status', h.status, 'moment', h.moment,
					'target_moment', h.target_moment, 'statement', h.statement)
					ORDER BY h.status DESC, h.id)
				   FROM @extschema@.hypothesis h
				  WHERE h.source = c.source AND h.status IN ('proposed', 'running')
					AND (h.cycle_id = c.id OR (h.cycle_id IS NULL AND c.is_latest))), '[]') AS next,
	   coalesce((SELECT jsonb_agg(jsonb_build_object(
					'moment', rm.moment, 'reached', rm.reached, 'rate', rm.rate,
					'previous_rate', rm.previous_rate, 'rate_change', rm.rate_change)
					ORDER BY rm.position)
				   FROM (SELECT m.position, m.moment, m.reached, m.rate,
								p.rate AS previous_rate, m.rate - p.rate AS rate_change
						   FROM @extschema@.cycle_moments(c.id) m
						   LEFT JOIN @extschema@.cycle_moments(c.previous_cycle_id) p
							 ON p.position = m.position) rm), '[]') AS moments
  FROM cycles c
 WHERE journey_internal.source_readable(c.source, false);
COMMENT ON VIEW @extschema@.review IS
  'one row per review cycle (of a source the current role can read, see journey.source_status): what was tested (concluded hypotheses with their results and decision), what was learned, what is next (proposed and running hypotheses), and each moment''s conversion rate against the previous cycle';

-- replaced by check_source_relation
DROP FUNCTION @extschema@.check_source_columns(@extschema@.source, bool);
DROP FUNCTION @extschema@.check_source_column(regclass, text, text);
