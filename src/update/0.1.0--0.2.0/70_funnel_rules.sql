-- Funnels as analysts define them (new in 0.2.0): window_funnel and
-- funnel_times with step rules and sequence_next_node come just before
-- from their install pieces (68_funnel_rules.sql and 69_next_node.sql are
-- src/sql/21_funnel_rules.sql and src/sql/23_next_node.sql themselves);
-- here, sequence_next_node's fixed-arity overloads, the step rules of
-- registered moments (journey.moment's new columns) and moment_report,
-- which follows them.  See doc/funnels.md and doc/sequences.md.

-- sequence_next_node with 2 to 8 conditions written out, as
-- src/sql/24_conditions.sql declares them for a fresh install
DO $next_node$
DECLARE
	n int;
	bools text;
	named text;
BEGIN
	FOR n IN 2..8 LOOP
		SELECT string_agg('bool', ', '), string_agg(format('cond%s bool', i), ', ')
		  INTO bools, named
		  FROM generate_series(1, n) AS i;
		EXECUTE format($$CREATE FUNCTION journey_internal.sequence_next_node_sfunc(internal, text, text, timestamptz, text, bool, %s)
			RETURNS internal AS 'MODULE_PATHNAME', 'journey_sequence_next_node_sfunc'
			LANGUAGE C IMMUTABLE PARALLEL SAFE$$, bools);
		EXECUTE format($$CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, ts timestamptz, event_value text, base_condition bool, %s) (
			SFUNC = journey_internal.sequence_next_node_sfunc, STYPE = internal, SSPACE = 160,
			FINALFUNC = journey_internal.sequence_next_node_final,
			COMBINEFUNC = journey_internal.events_combine,
			SERIALFUNC = journey_internal.events_serialize,
			DESERIALFUNC = journey_internal.events_deserialize,
			PARALLEL = SAFE)$$, named);
		EXECUTE format($$COMMENT ON AGGREGATE @extschema@.sequence_next_node(text, text, timestamptz, text, bool, %s) IS %L$$,
			bools, format('sequence_next_node with %s conditions written out (same answer as the VARIADIC form)', n));
	END LOOP;
END
$next_node$;

-- step rules of registered moments (journey.moment's new columns), which
-- moment_report follows by SQL over the aggregates
ALTER TABLE @extschema@.moment
	ADD COLUMN max_gap interval CHECK (max_gap >= interval '0'),
	ADD COLUMN min_gap interval CHECK (min_gap >= interval '0'),
	ADD COLUMN excluded_events text[],
	ADD COLUMN excluded_since int,
	ADD CONSTRAINT moment_rules_check CHECK (
		(position > 1 OR (max_gap IS NULL AND min_gap IS NULL AND excluded_events IS NULL))
		AND (min_gap IS NULL OR max_gap IS NULL OR min_gap <= max_gap)
		AND (excluded_events IS NULL
		     OR (array_ndims(excluded_events) = 1 AND cardinality(excluded_events) BETWEEN 1 AND 32
		         AND array_position(excluded_events, NULL) IS NULL))
		AND (excluded_since IS NULL
		     OR (excluded_events IS NOT NULL AND excluded_since >= 1 AND excluded_since < position)));
COMMENT ON COLUMN @extschema@.moment.max_gap IS
  'the longest time from the moment before to this one (inclusive), or NULL: only the window';
COMMENT ON COLUMN @extschema@.moment.min_gap IS
  'the shortest time from the moment before to this one, or NULL';
COMMENT ON COLUMN @extschema@.moment.excluded_events IS
  'events that must not happen strictly between the moment excluded_since (default: the one before) and this one';
COMMENT ON COLUMN @extschema@.moment.excluded_since IS
  'the position the exclusion of excluded_events starts at (NULL: the moment before)';

-- moment_report as src/sql/26_moment_report.sql installs it: computed by
-- the report engine (60_report_engine.sql), and by SQL over the aggregates
-- (report_funnel_sql_counts) for moments with step rules
CREATE OR REPLACE FUNCTION @extschema@.moment_report(
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
