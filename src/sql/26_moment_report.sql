-- moment_report and the moment_conversion view: conversion between the
-- registered moments that matter of a source, per segment.
--
-- Built with dynamic SQL over the registered relation: identifiers only
-- through format('%I'), the relation only through its regclass, and every
-- value (window, event names, dates) passed as a parameter (EXECUTE ...
-- USING), so that no name or value is ever pasted into the query text.
-- Before it reads the relation, the report checks that the current role
-- may read it and that reading it runs only code the role trusts
-- (check_source_relation); moment_conversion leaves out the sources it
-- cannot read.

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
	PERFORM @extschema@.check_source_relation(src, false, segment_column);
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

-- (source_readable is a condition on the source alone, so it is checked
-- as the sources are read, before any report runs)
CREATE VIEW @extschema@.moment_conversion WITH (security_invoker = true) AS
SELECT s.name AS source, r.*
  FROM @extschema@.source s
 CROSS JOIN LATERAL @extschema@.moment_report(s.name) r
 WHERE EXISTS (SELECT 1 FROM @extschema@.moment m WHERE m.source = s.name)
   AND @extschema@.source_readable(s.name, false);
COMMENT ON VIEW @extschema@.moment_conversion IS
  'moment_report of every registered source with moments that the current role can read (see journey.source_status), default window, no segments';
