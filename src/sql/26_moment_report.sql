-- moment_report and the moment_conversion view: conversion between the
-- registered moments that matter of a source, per segment.
--
-- Computed by the report engine (report_funnel_counts, src/sql/27_report.sql),
-- which reads the relation itself or, for relations it does not read,
-- runs the same report as SQL built over the aggregates (identifiers
-- through format('%I'), every value a parameter).  Moments with step rules
-- (journey.moment's max_gap, min_gap, excluded_events) are computed by that
-- SQL with window_funnel's rules (report_funnel_sql_counts).  Before it reads the
-- relation, the report checks that the current role may read it and that
-- reading it runs only code the role trusts (check_source_relation);
-- moment_conversion leaves out the sources it cannot read.

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
SET intervalstyle = 'postgres'
AS $fn$
DECLARE
	src @extschema@.source := journey_internal.report_source(moment_report.source);
	names text[];
	events text[];
	n int;
	rules text;
	excluded text[];
BEGIN
	SELECT array_agg(m.name ORDER BY m.position), array_agg(m.event_name ORDER BY m.position)
	  INTO names, events
	  FROM @extschema@.moment m WHERE m.source = src.name;
	-- the moments' step rules (max_gap, min_gap, excluded_events), as
	-- window_funnel's rules text and the exclusion events in its order
	SELECT r.rules, r.excluded INTO rules, excluded
	  FROM journey_internal.moment_rules(src.name) r;
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
	IF cardinality(excluded) > 32 THEN
		RAISE EXCEPTION 'source "%" excludes % events between its moments; moment_report handles at most 32',
			src.name, cardinality(excluded)
			USING ERRCODE = 'program_limit_exceeded',
			      HINT = 'Keep fewer excluded_events in journey.moment.';
	END IF;
	IF moment_report.conversion_window < interval '0' THEN
		RAISE EXCEPTION 'conversion window must not be negative'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;

	-- the registry was checked on insert, but the relation may have changed;
	-- and the current role must be able to read it, trusting what it runs
	PERFORM journey_internal.check_source_relation(src, false, segment_column);

	-- per segment (those with a customer) and moment: the customers who
	-- reached it and the median gap to it from the moment before, from the
	-- report engine (or its SQL form); the next moment's row gives the
	-- customers moving on and the median time to next
	RETURN QUERY
	SELECT c.segment, c.step, names[c.step], c.customers, c.next,
	       c.next::float8 / NULLIF(c.customers, 0),
	       (c.customers - c.next)::float8 / NULLIF(c.customers, 0),
	       c.median_next
	  FROM (SELECT CASE WHEN moment_report.segment_column IS NULL THEN '(all)'
	                    ELSE r.segment END AS segment,
	               r.step, r.customers,
	               first_value(r.customers) OVER w AS customers_any,
	               lead(r.customers) OVER w AS next, lead(r.median) OVER w AS median_next
	          FROM (SELECT * FROM journey_internal.report_funnel_counts(src, events,
	                   coalesce(moment_report.conversion_window, src.moment_window), NULL, true,
	                   moment_report.segment_column, NULL, moment_report.since,
	                   moment_report.until)
	                 WHERE rules IS NULL
	                UNION ALL
	                -- moments with step rules: computed by SQL over the aggregates
	                SELECT * FROM journey_internal.report_funnel_sql_counts(src, events,
	                   coalesce(moment_report.conversion_window, src.moment_window), NULL,
	                   rules, excluded, true, moment_report.segment_column, NULL,
	                   moment_report.since, moment_report.until)
	                 WHERE rules IS NOT NULL) r
	        WINDOW w AS (PARTITION BY r.segment ORDER BY r.step)) c
	 WHERE c.step >= 1 AND c.customers_any > 0
	 ORDER BY c.segment NULLS FIRST, c.step;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.moment_report(text, interval, text, timestamptz, timestamptz) IS
  'per segment and moment: customers reached, moving on within the window, conversion and drop-off rates, median time to next';

-- (source_readable is a condition on the source alone, so it is checked
-- as the sources are read, before any report runs)
--
-- For BI tools: counts are bigint and never NULL (customers_next is 0 at the
-- last moment, which has no next), the median time to next also as float8
-- seconds, and the share of the first moment's customers and the customers
-- dropped are computed here, so that a chart needs no arithmetic.
CREATE VIEW @extschema@.moment_conversion WITH (security_invoker = true) AS
SELECT s.name AS source, r.segment, r.position, r.moment, r.customers_reached,
       coalesce(r.customers_next, 0) AS customers_next,
       CASE WHEN r.customers_next IS NULL THEN 0
            ELSE r.customers_reached - r.customers_next END AS customers_dropped,
       r.customers_reached::float8
         / NULLIF(first_value(r.customers_reached) OVER (PARTITION BY s.name, r.segment
                                                         ORDER BY r.position), 0)
         AS share_of_first,
       r.conversion_rate, r.drop_off_rate, r.median_time_to_next,
       extract(epoch FROM r.median_time_to_next)::float8 AS median_time_to_next_seconds,
       r.from_snapshot, r.computed_at, r.events_until
  FROM @extschema@.source s
 CROSS JOIN LATERAL journey_internal.dashboard_moment_report(s.name) r
 WHERE EXISTS (SELECT 1 FROM @extschema@.moment m WHERE m.source = s.name)
   AND journey_internal.source_readable(s.name, false);
COMMENT ON VIEW @extschema@.moment_conversion IS
  'moment_report of every registered source with moments that the current role can read (see journey.source_status), default window, no segments; with the share of the first moment and the customers dropped';
COMMENT ON COLUMN @extschema@.moment_conversion.source IS
  'the registered source';
COMMENT ON COLUMN @extschema@.moment_conversion.segment IS
  'always (all): the view does not split by segment (moment_report does, with segment_column)';
COMMENT ON COLUMN @extschema@.moment_conversion.position IS
  'the moment''s position in the journey, 1 for the first';
COMMENT ON COLUMN @extschema@.moment_conversion.moment IS
  'the moment''s name';
COMMENT ON COLUMN @extschema@.moment_conversion.customers_reached IS
  'customers who reached this moment after every earlier one, each within the source''s moment_window of their first moment';
COMMENT ON COLUMN @extschema@.moment_conversion.customers_next IS
  'of those, customers who also reached the next moment within the window; 0 at the last moment';
COMMENT ON COLUMN @extschema@.moment_conversion.customers_dropped IS
  'customers_reached minus customers_next: who reached this moment but not the next; 0 at the last moment';
COMMENT ON COLUMN @extschema@.moment_conversion.share_of_first IS
  'customers_reached divided by the first moment''s customers_reached (1 at the first moment)';
COMMENT ON COLUMN @extschema@.moment_conversion.conversion_rate IS
  'customers_next divided by customers_reached; NULL at the last moment';
COMMENT ON COLUMN @extschema@.moment_conversion.drop_off_rate IS
  'customers_dropped divided by customers_reached; NULL at the last moment';
COMMENT ON COLUMN @extschema@.moment_conversion.median_time_to_next IS
  'median time from this moment to the next among the customers who moved on, as an interval; NULL when nobody did';
COMMENT ON COLUMN @extschema@.moment_conversion.median_time_to_next_seconds IS
  'median_time_to_next in seconds';
COMMENT ON COLUMN @extschema@.moment_conversion.from_snapshot IS
  'true when the row comes from the source''s snapshot (journey.refresh), false when it was computed live from every row';
COMMENT ON COLUMN @extschema@.moment_conversion.computed_at IS
  'when the numbers were computed: the snapshot''s last refresh; NULL when live (computed by the query itself)';
COMMENT ON COLUMN @extschema@.moment_conversion.events_until IS
  'the highest event time the snapshot had read; NULL when live (every row at the time of the query)';
