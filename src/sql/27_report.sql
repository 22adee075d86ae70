-- The report engine: funnel_report, path_report, transition_report and
-- sequence_report over a registered source (src/report*.c; see
-- doc/reports.md).
--
-- Each report function finds its source in the registry and checks it,
-- then computes the report's rows either with the engine, which reads the
-- relation itself (tables, partitioned tables and materialized views the
-- caller may read without row-level security), or, for every other
-- relation, with the same per-customer aggregates in SQL (built as
-- moment_report builds its query: identifiers through format('%I'), every
-- value a parameter).  Both give the same rows, which one query then
-- presents; journey.report_method(source) says which is used.

-- The engine, one function per report (called by the report functions;
-- callable directly with a relation and its column names, under the
-- caller's privileges).
CREATE FUNCTION @extschema@.report_funnel_rows(relation regclass, customer_column text,
	time_column text, event_column text, events text[], conversion_window interval,
	modes text, with_times bool, all_customers bool, segment_column text,
	segment_value text, since timestamptz, until timestamptz)
RETURNS TABLE (segment text, step int, customers bigint, median_seconds float8,
	median interval)
AS 'MODULE_PATHNAME', 'journey_report_funnel'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.report_funnel_rows(regclass, text, text, text, text[], interval, text, bool, bool, text, text, timestamptz, timestamptz) IS
  'report engine: per segment and step, customers who reached it and the median gap from the previous step (used by funnel_report and moment_report)';

CREATE FUNCTION @extschema@.report_path_rows(relation regclass, customer_column text,
	time_column text, label_column text, transforms text[], top int,
	segment_column text, segment_value text, since timestamptz, until timestamptz)
RETURNS TABLE (path text[], customers bigint, rank int)
AS 'MODULE_PATHNAME', 'journey_report_paths'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.report_path_rows(regclass, text, text, text, text[], int, text, text, timestamptz, timestamptz) IS
  'report engine: the top paths and their customers, then (other) (used by path_report)';

CREATE FUNCTION @extschema@.report_transition_rows(relation regclass, customer_column text,
	time_column text, label_column text, transforms text[], steps int, min_share float8,
	segment_column text, segment_value text, since timestamptz, until timestamptz)
RETURNS TABLE (step int, from_label text, to_label text, customers bigint, folded bool)
AS 'MODULE_PATHNAME', 'journey_report_transitions'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.report_transition_rows(regclass, text, text, text, text[], int, float8, text, text, timestamptz, timestamptz) IS
  'report engine: the transitions of the first steps with their customers, small ones folded per step (used by transition_report)';

CREATE FUNCTION @extschema@.report_sequence_rows(relation regclass, customer_column text,
	time_column text, event_column text, pattern text, events text[],
	segment_column text, segment_value text, since timestamptz, until timestamptz)
RETURNS TABLE (customers bigint, matches bigint)
AS 'MODULE_PATHNAME', 'journey_report_sequence'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.report_sequence_rows(regclass, text, text, text, text, text[], text, text, timestamptz, timestamptz) IS
  'report engine: customers matching a sequence pattern, and matches (used by sequence_report)';

CREATE FUNCTION journey_internal.report_relation_method(relation regclass, columns text[])
RETURNS text
AS 'MODULE_PATHNAME', 'journey_report_method'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey_internal.report_relation_method(regclass, text[]) IS
  'how a report over these columns (customer, time, event, label, segment) reads the relation: scan (the report engine) or sql and why';

-- The source named, from the registry; errors name what is wrong.  (The
-- reports check its relation with check_source_relation once their
-- parameters are checked.)
CREATE FUNCTION journey_internal.report_source(source text)
RETURNS @extschema@.source
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src @extschema@.source;
BEGIN
	IF report_source.source IS NULL THEN
		RAISE EXCEPTION 'source must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO src FROM @extschema@.source s WHERE s.name = report_source.source;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown source "%"', report_source.source
			USING ERRCODE = 'undefined_object',
			      HINT = coalesce('Registered sources: ' ||
			                      (SELECT string_agg(quote_literal(s.name), ', ' ORDER BY s.name)
			                         FROM @extschema@.source s) || '.',
			                      'Register one in journey.source first.');
	END IF;
	RETURN src;
END;
$$;
COMMENT ON FUNCTION journey_internal.report_source(text) IS
  'the registered source of that name, or an error naming the registered ones (used by the reports)';

-- The SQL form's pieces shared by every report: a customer's segment (the
-- segment column's text at its first row) and the time range.
CREATE FUNCTION journey_internal.report_segment_sql(src @extschema@.source, segment_column text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN segment_column IS NULL THEN 'NULL::text'
            ELSE format('(array_agg(%1$I::text ORDER BY %2$I, %1$I::text COLLATE "C"))[1]',
                        segment_column, src.time_column) END;
COMMENT ON FUNCTION journey_internal.report_segment_sql(@extschema@.source, text) IS
  'the SQL form of a customer''s segment: the segment column''s text at its first row (ties: the lowest text, bytewise)';

CREATE FUNCTION journey_internal.report_range_sql(src @extschema@.source, since_param int, until_param int)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN format('($%2$s::timestamptz IS NULL OR %1$I::timestamptz >= $%2$s) AND ($%3$s::timestamptz IS NULL OR %1$I::timestamptz < $%3$s)',
              src.time_column, since_param, until_param);
COMMENT ON FUNCTION journey_internal.report_range_sql(@extschema@.source, int, int) IS
  'the SQL form of a report''s time range: rows from since (inclusive) until until (exclusive), parameters numbered as given';

-- How the reports read a source: 'scan' (the engine reads it, with
-- parallel workers when it is large enough), or 'sql: ' and the reason it
-- goes through SQL.
CREATE FUNCTION @extschema@.report_method(source text, segment_column text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src @extschema@.source := journey_internal.report_source(report_method.source);
BEGIN
	RETURN journey_internal.report_relation_method(src.relation,
		ARRAY[src.customer_column, src.time_column, src.event_column,
		      src.channel_column, report_method.segment_column]::text[]);
END;
$$;
COMMENT ON FUNCTION @extschema@.report_method(text, text) IS
  'how the reports read a source: scan (the report engine) or sql and why';

-- Whether the engine reads the source for a report over these columns
-- (else the report goes through SQL).
CREATE FUNCTION journey_internal.report_uses_engine(src @extschema@.source, event_column text,
	label_column text, segment_column text)
RETURNS bool
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN journey_internal.report_relation_method(src.relation,
	ARRAY[src.customer_column, src.time_column, event_column, label_column,
	      segment_column]::text[]) NOT LIKE 'sql:%';
COMMENT ON FUNCTION journey_internal.report_uses_engine(@extschema@.source, text, text, text) IS
  'whether the report engine reads the source for a report over these columns (else SQL does)';

-- The SQL form of report_funnel_counts (the same rows), and the funnel
-- with step rules, which only SQL computes: rules (window_funnel's rules
-- text, exclude(i, j) rules taking the conditions event = excluded[e] in
-- turn) makes it use funnel_times with rules; else modes as in
-- report_funnel_counts.  Customers that drop_excluded leaves out have no
-- level (they count at no step).
CREATE FUNCTION journey_internal.report_funnel_sql_counts(src @extschema@.source, events text[],
	conversion_window interval, modes text, rules text, excluded text[],
	all_customers bool, segment_column text, segment_value text,
	since timestamptz, until timestamptz)
RETURNS TABLE (segment text, step int, customers bigint, median_seconds float8,
	median interval)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	n int := cardinality(events);
	no_modes bool := coalesce(modes, '') = '';
	steps text;
	excl text;
	per_customer text;
BEGIN
	-- one condition per step: event = $2[k], written out (2 to 8 steps
	-- take the aggregates' fixed-arity overloads)
	SELECT string_agg(format('%I::text = $2[%s]', src.event_column, k), ', ' ORDER BY k)
	  INTO steps FROM generate_series(1, n) k;
	SELECT string_agg(format('%I::text = $10[%s]', src.event_column, k), ', ' ORDER BY k)
	  INTO excl FROM generate_series(1, coalesce(cardinality(excluded), 0)) k;
	per_customer := CASE
		WHEN rules IS NOT NULL
		THEN format('NULL::int AS lvl, @extschema@.funnel_times(%I::timestamptz, $1, $11, ARRAY[%s], %s) AS t',
		            src.time_column, steps, coalesce('ARRAY[' || excl || ']', 'NULL::bool[]'))
		WHEN no_modes
		THEN format('NULL::int AS lvl, @extschema@.funnel_times(%I::timestamptz, $1, %s) AS t',
		            src.time_column, steps)
		ELSE format('@extschema@.window_funnel(%I::timestamptz, $1, $3, %s) AS lvl, NULL::timestamptz[] AS t',
		            src.time_column, steps) END;
	RETURN QUERY EXECUTE format($q$
		WITH per_customer AS (
			SELECT %1$s AS segment, %2$s
			  FROM %3$s
			 WHERE %4$s
			 GROUP BY %5$I
		), kept AS (
			SELECT c.segment, coalesce(c.lvl, cardinality(c.t), 0) AS lvl, c.t
			  FROM per_customer c
			 WHERE ($6::text IS NULL OR c.segment = $6)
			   AND NOT ($11::text IS NOT NULL AND c.t IS NULL)
		), levels AS (
			SELECT k.segment, k.lvl, count(*) AS n FROM kept k GROUP BY k.segment, k.lvl
		), groups AS (
			SELECT DISTINCT k.segment FROM kept k WHERE $7
			UNION ALL
			SELECT NULL::text WHERE NOT $7
		), gaps AS (
			SELECT k.segment, g.k,
			       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM k.t[g.k] - k.t[g.k - 1])::float8) AS seconds,
			       percentile_cont(0.5) WITHIN GROUP (ORDER BY k.t[g.k] - k.t[g.k - 1]) AS median
			  FROM kept k CROSS JOIN LATERAL generate_series(2, cardinality(k.t)) AS g(k)
			 GROUP BY k.segment, g.k
		)
		SELECT g.segment, s.k,
		       (SELECT coalesce(sum(l.n), 0)::bigint FROM levels l
		         WHERE l.segment IS NOT DISTINCT FROM g.segment AND l.lvl >= s.k),
		       gp.seconds, gp.median
		  FROM groups g
		 CROSS JOIN generate_series(CASE WHEN $8 THEN 0 ELSE 1 END, $9) AS s(k)
		  LEFT JOIN gaps gp ON gp.segment IS NOT DISTINCT FROM g.segment AND gp.k = s.k
	$q$,
		journey_internal.report_segment_sql(src, segment_column),
		per_customer,
		src.relation,
		journey_internal.report_range_sql(src, 4, 5),
		src.customer_column)
	USING conversion_window, events, coalesce(modes, ''), since, until, segment_value,
	      segment_column IS NOT NULL, all_customers, n, excluded, rules;
END;
$fn$;
COMMENT ON FUNCTION journey_internal.report_funnel_sql_counts(@extschema@.source, text[], interval, text, text, text[], bool, text, text, timestamptz, timestamptz) IS
  'report_funnel_counts'' rows computed by SQL over the aggregates, with step rules and exclusion events when given (used by moment_report for moments with rules)';

-- funnel_report's rows for moment_report too: per segment (NULL: none) and
-- step (from 0, every customer, with all_customers), the customers who
-- reached it and the median gap from the previous step of funnel_times'
-- chain (without modes).
CREATE FUNCTION journey_internal.report_funnel_counts(src @extschema@.source, events text[],
	conversion_window interval, modes text, all_customers bool, segment_column text,
	segment_value text, since timestamptz, until timestamptz)
RETURNS TABLE (segment text, step int, customers bigint, median_seconds float8,
	median interval)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	no_modes bool := coalesce(modes, '') = '';
BEGIN
	IF journey_internal.report_uses_engine(src, src.event_column, NULL, segment_column) THEN
		RETURN QUERY SELECT * FROM @extschema@.report_funnel_rows(src.relation,
			src.customer_column, src.time_column, src.event_column, events,
			conversion_window, modes, no_modes, all_customers, segment_column,
			segment_value, since, until);
		RETURN;
	END IF;
	RETURN QUERY SELECT * FROM journey_internal.report_funnel_sql_counts(src, events,
		conversion_window, modes, NULL, NULL, all_customers, segment_column,
		segment_value, since, until);
END;
$fn$;
COMMENT ON FUNCTION journey_internal.report_funnel_counts(@extschema@.source, text[], interval, text, bool, text, text, timestamptz, timestamptz) IS
  'per segment and step: customers who reached it and the median gap from the previous step, by the report engine or its SQL form';

CREATE FUNCTION @extschema@.funnel_report(
	source text,
	steps text[] DEFAULT NULL,
	conversion_window interval DEFAULT '7 days',
	modes text DEFAULT NULL,
	segment_column text DEFAULT NULL,
	segment_value text DEFAULT NULL,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS TABLE (
	step int,
	name text,
	customers bigint,
	conversion_from_previous float8,
	conversion_from_first float8,
	median_seconds_from_previous float8,
	segment text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	src @extschema@.source := journey_internal.report_source(funnel_report.source);
	names text[];
	events text[];
	n int;
	cw interval := coalesce(funnel_report.conversion_window, src.moment_window);
BEGIN
	IF funnel_report.steps IS NULL THEN
		SELECT array_agg(m.name ORDER BY m.position), array_agg(m.event_name ORDER BY m.position)
		  INTO names, events
		  FROM @extschema@.moment m WHERE m.source = src.name;
		IF names IS NULL THEN
			RAISE EXCEPTION 'source "%" has no moments', src.name
				USING ERRCODE = 'no_data_found',
				      HINT = 'Insert its moments that matter into journey.moment, or pass steps.';
		END IF;
	ELSE
		IF array_ndims(funnel_report.steps) > 1 THEN
			RAISE EXCEPTION 'steps must be a one-dimensional array'
				USING ERRCODE = 'array_subscript_error';
		END IF;
		IF array_position(funnel_report.steps, NULL) IS NOT NULL THEN
			RAISE EXCEPTION 'steps must not contain NULL'
				USING ERRCODE = 'null_value_not_allowed',
				      DETAIL = format('Element %s is NULL.', array_position(funnel_report.steps, NULL));
		END IF;
		events := funnel_report.steps;
		names := funnel_report.steps;
	END IF;
	n := coalesce(cardinality(events), 0);
	IF n < 1 OR n > 32 THEN
		RAISE EXCEPTION 'a funnel has 1 to 32 steps, not %', n
			USING ERRCODE = 'program_limit_exceeded';
	END IF;
	IF cw < interval '0' THEN
		RAISE EXCEPTION 'conversion_window must not be negative'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- the modes, checked by window_funnel itself
	PERFORM @extschema@.window_funnel(now(), cw, coalesce(funnel_report.modes, ''),
	                                  VARIADIC array_fill(false, ARRAY[n]));
	IF funnel_report.segment_value IS NOT NULL AND funnel_report.segment_column IS NULL THEN
		RAISE EXCEPTION 'segment_value needs segment_column'
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Name the column whose value at a customer''s first event is its segment.';
	END IF;
	PERFORM journey_internal.check_source_relation(src, false, funnel_report.segment_column);

	RETURN QUERY
	SELECT r.step, names[r.step], r.customers,
	       r.customers::float8 / NULLIF(lag(r.customers) OVER win, 0),
	       r.customers::float8 / NULLIF(first_value(r.customers) OVER win, 0),
	       r.median_seconds, r.segment
	  FROM journey_internal.report_funnel_counts(src, events, cw, funnel_report.modes, false,
	                                        funnel_report.segment_column,
	                                        funnel_report.segment_value,
	                                        funnel_report.since, funnel_report.until) r
	 WHERE r.step >= 1
	WINDOW win AS (PARTITION BY r.segment ORDER BY r.step)
	 ORDER BY r.segment COLLATE "C" NULLS FIRST, r.step;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.funnel_report(text, text[], interval, text, text, text, timestamptz, timestamptz) IS
  'per step of a funnel (the source''s moments, or steps): customers reaching it (window_funnel), conversion from the previous and the first step, median seconds from the previous step (funnel_times)';

-- The segment filter of path, transition and sequence reports (a column
-- and a value, or neither), then the source's relation checked for reading
-- with that column (check_source_relation: columns, privileges, trust).
CREATE FUNCTION journey_internal.report_check_segment(src @extschema@.source, segment_column text,
	segment_value text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF (segment_column IS NULL) <> (segment_value IS NULL) THEN
		RAISE EXCEPTION 'segment_column and segment_value go together'
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass both to keep the customers of one segment, or neither.';
	END IF;
	PERFORM journey_internal.check_source_relation(src, false, segment_column);
END;
$$;
COMMENT ON FUNCTION journey_internal.report_check_segment(@extschema@.source, text, text) IS
  'error unless a report''s segment column and value are both given or both NULL, or the source cannot be read with that column';

-- The numbers a path report takes (top) and a transition report or Sankey
-- takes (steps, min_share), checked alike live and from a snapshot.
CREATE FUNCTION journey_internal.report_check_top(top int)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF top IS NULL OR top < 0 OR top > 1000000 THEN
		RAISE EXCEPTION 'top must be between 0 and 1000000'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
END;
$$;
COMMENT ON FUNCTION journey_internal.report_check_top(int) IS
  'error unless a path report''s top is between 0 and 1000000';

CREATE FUNCTION journey_internal.report_check_steps(steps int, min_share float8)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF steps IS NULL OR steps < 1 OR steps > 1000000 THEN
		RAISE EXCEPTION 'steps must be between 1 and 1000000'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF min_share IS NULL OR min_share = 'NaN' OR min_share < 0 OR min_share > 1 THEN
		RAISE EXCEPTION 'min_share must be between 0 and 1'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
END;
$$;
COMMENT ON FUNCTION journey_internal.report_check_steps(int, float8) IS
  'error unless a transition report''s steps are between 1 and 1000000 and its min_share between 0 and 1';

-- The checks of a path or transition report: its label column (the one
-- given, else the source's channel column), returned; its transforms
-- (checked by path_transform itself); its segment filter; reading the
-- source with those columns.
CREATE FUNCTION journey_internal.report_path_checks(src @extschema@.source, label_column text,
	transforms text[], segment_column text, segment_value text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	col text := coalesce(label_column, src.channel_column);
BEGIN
	IF col IS NULL THEN
		RAISE EXCEPTION 'source "%" has no channel column', src.name
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Register its channel column, or pass label_column (e.g. label_column => ''' ||
			             src.event_column || ''').';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_attribute a
	                WHERE a.attrelid = src.relation AND a.attname::text = col
	                  AND a.attnum > 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION 'column "%" (the label column) does not exist in relation %', col, src.relation
			USING ERRCODE = 'undefined_column',
			      HINT = 'Pass the name of a column of the source''s relation as label_column.';
	END IF;
	IF transforms IS NOT NULL THEN
		PERFORM @extschema@.path_transform(ARRAY['x'], VARIADIC transforms);
	END IF;
	PERFORM journey_internal.report_check_segment(src, segment_column, segment_value);
	PERFORM journey_internal.check_source_relation(src, false, col, extra_role => 'label');
	RETURN col;
END;
$$;
COMMENT ON FUNCTION journey_internal.report_path_checks(@extschema@.source, text, text[], text, text) IS
  'checks a path report''s label column (else the source''s channel column), transforms, segment filter and reading the source; returns the label column';

-- The per-customer path of the SQL form: path_agg, then the transforms,
-- for customers with a label and of the segment kept.
CREATE FUNCTION journey_internal.report_paths_sql(src @extschema@.source, label_column text,
	segment_column text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN format($q$
	WITH per_customer AS (
		SELECT %1$s AS segment, @extschema@.path_agg(%2$I::text, %3$I::timestamptz) AS path
		  FROM %4$s
		 WHERE %5$s
		 GROUP BY %6$I
	), kept AS (
		-- a path around a moment the customer never reached is empty: left out
		SELECT t.path FROM (
			SELECT CASE WHEN $1::text[] IS NULL THEN c.path
			            ELSE @extschema@.path_transform(c.path, VARIADIC $1) END AS path
			  FROM per_customer c
			 WHERE c.path IS NOT NULL AND ($2::text IS NULL OR c.segment = $2)) t
		 WHERE cardinality(t.path) > 0
	)$q$,
	journey_internal.report_segment_sql(src, segment_column), label_column, src.time_column,
	src.relation, journey_internal.report_range_sql(src, 3, 4), src.customer_column);
COMMENT ON FUNCTION journey_internal.report_paths_sql(@extschema@.source, text, text) IS
  'the SQL form''s per-customer paths (parameters: $1 transforms, $2 segment value, $3 since, $4 until)';

CREATE FUNCTION @extschema@.path_report(
	source text,
	top int DEFAULT 10,
	transforms text[] DEFAULT NULL,
	label_column text DEFAULT NULL,
	segment_column text DEFAULT NULL,
	segment_value text DEFAULT NULL,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS TABLE (path text[], customers bigint, share float8, rank int)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	src @extschema@.source := journey_internal.report_source(path_report.source);
	col text := journey_internal.report_path_checks(src, path_report.label_column,
	                                           path_report.transforms,
	                                           path_report.segment_column,
	                                           path_report.segment_value);
BEGIN
	PERFORM journey_internal.report_check_top(path_report.top);
	IF journey_internal.report_uses_engine(src, NULL, col, path_report.segment_column) THEN
		RETURN QUERY
		SELECT r.path, r.customers, r.customers::float8 / NULLIF(sum(r.customers) OVER (), 0),
		       r.rank
		  FROM @extschema@.report_path_rows(src.relation, src.customer_column,
		           src.time_column, col, path_report.transforms, path_report.top,
		           path_report.segment_column, path_report.segment_value,
		           path_report.since, path_report.until) r
		 ORDER BY r.rank NULLS LAST;
		RETURN;
	END IF;
	RETURN QUERY EXECUTE journey_internal.report_paths_sql(src, col, path_report.segment_column) || $q$
	, counts AS (
		SELECT k.path, count(*) AS customers FROM kept k GROUP BY k.path
	), ranked AS (
		SELECT c.path, c.customers,
		       row_number() OVER (ORDER BY c.customers DESC, c.path COLLATE "C")::int AS rank
		  FROM counts c
	), rows AS (
		SELECT r.path, r.customers, r.rank FROM ranked r WHERE r.rank <= $5
		UNION ALL
		SELECT ARRAY['(other)'],
		       (SELECT count(*) FROM kept) -
		       coalesce((SELECT sum(r.customers) FROM ranked r WHERE r.rank <= $5), 0)::bigint,
		       NULL
	)
	SELECT r.path, r.customers, r.customers::float8 / NULLIF(sum(r.customers) OVER (), 0), r.rank
	  FROM rows r ORDER BY r.rank NULLS LAST$q$
	USING path_report.transforms, path_report.segment_value, path_report.since,
	      path_report.until, path_report.top;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.path_report(text, int, text[], text, text, text, timestamptz, timestamptz) IS
  'the top paths of a source''s customers (path_agg, optionally path_transform), then (other), so that customers add up to every customer with a path';

CREATE FUNCTION @extschema@.transition_report(
	source text,
	steps int DEFAULT 5,
	min_share float8 DEFAULT 0,
	transforms text[] DEFAULT NULL,
	label_column text DEFAULT NULL,
	segment_column text DEFAULT NULL,
	segment_value text DEFAULT NULL,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS TABLE (step int, from_label text, to_label text, customers bigint, share float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	src @extschema@.source := journey_internal.report_source(transition_report.source);
	col text := journey_internal.report_path_checks(src, transition_report.label_column,
	                                           transition_report.transforms,
	                                           transition_report.segment_column,
	                                           transition_report.segment_value);
BEGIN
	PERFORM journey_internal.report_check_steps(transition_report.steps, transition_report.min_share);
	IF journey_internal.report_uses_engine(src, NULL, col, transition_report.segment_column) THEN
		RETURN QUERY
		SELECT r.step, r.from_label, r.to_label, r.customers,
		       r.customers::float8 / sum(r.customers) OVER (PARTITION BY r.step)
		  FROM @extschema@.report_transition_rows(src.relation, src.customer_column,
		           src.time_column, col, transition_report.transforms,
		           transition_report.steps, transition_report.min_share,
		           transition_report.segment_column, transition_report.segment_value,
		           transition_report.since, transition_report.until) r
		 ORDER BY r.step, r.folded, r.customers DESC, r.from_label COLLATE "C",
		          r.to_label COLLATE "C";
		RETURN;
	END IF;
	RETURN QUERY EXECUTE journey_internal.report_paths_sql(src, col, transition_report.segment_column) || $q$
	, edges AS (
		SELECT t.step, t.from_label, t.to_label, count(*) AS customers
		  FROM kept k CROSS JOIN LATERAL @extschema@.transitions(k.path) t
		 WHERE t.step <= $5
		 GROUP BY t.step, t.from_label, t.to_label
	), marked AS (
		SELECT e.*, e.customers::float8 / (sum(e.customers) OVER (PARTITION BY e.step))::float8 < $6 AS folded
		  FROM edges e
	), rows AS (
		SELECT m.step, m.from_label, m.to_label, m.customers, false AS folded
		  FROM marked m WHERE NOT m.folded
		UNION ALL
		SELECT m.step, '(other)', '(other)', sum(m.customers)::bigint, true
		  FROM marked m WHERE m.folded GROUP BY m.step
	)
	SELECT r.step, r.from_label, r.to_label, r.customers,
	       r.customers::float8 / sum(r.customers) OVER (PARTITION BY r.step)
	  FROM rows r
	 ORDER BY r.step, r.folded, r.customers DESC, r.from_label COLLATE "C", r.to_label COLLATE "C"$q$
	USING transition_report.transforms, transition_report.segment_value,
	      transition_report.since, transition_report.until, transition_report.steps,
	      transition_report.min_share;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.transition_report(text, int, float8, text[], text, text, text, timestamptz, timestamptz) IS
  'Sankey edges of the first steps of the customers'' paths (transitions of path_agg, optionally path_transform), edges under min_share of their step folded into (other)';

-- The time range and segment come with the events as an array, since is
-- required (NULL: no lower bound) so that a call with the events written
-- out always means the VARIADIC form below.
CREATE FUNCTION @extschema@.sequence_report(
	source text,
	pattern text,
	events text[],
	since timestamptz,
	until timestamptz DEFAULT NULL,
	segment_column text DEFAULT NULL,
	segment_value text DEFAULT NULL)
RETURNS TABLE (customers bigint, matches bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	src @extschema@.source := journey_internal.report_source(sequence_report.source);
	n int;
	conds text;
BEGIN
	IF sequence_report.events IS NULL THEN
		RAISE EXCEPTION 'events must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF array_ndims(sequence_report.events) > 1 THEN
		RAISE EXCEPTION 'events must be a one-dimensional array'
			USING ERRCODE = 'array_subscript_error';
	END IF;
	IF array_position(sequence_report.events, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'events must not contain NULL'
			USING ERRCODE = 'null_value_not_allowed',
			      DETAIL = format('Element %s is NULL.', array_position(sequence_report.events, NULL));
	END IF;
	n := coalesce(cardinality(sequence_report.events), 0);
	IF n < 1 OR n > 32 THEN
		RAISE EXCEPTION 'a sequence pattern has 1 to 32 events, not %', n
			USING ERRCODE = 'program_limit_exceeded';
	END IF;
	-- the pattern, checked by sequence_match itself
	PERFORM @extschema@.sequence_match(sequence_report.pattern, now(),
	                                   VARIADIC array_fill(false, ARRAY[n]));
	PERFORM journey_internal.report_check_segment(src, sequence_report.segment_column,
	                                         sequence_report.segment_value);
	IF journey_internal.report_uses_engine(src, src.event_column, NULL,
	                                  sequence_report.segment_column) THEN
		RETURN QUERY
		SELECT * FROM @extschema@.report_sequence_rows(src.relation, src.customer_column,
		    src.time_column, src.event_column, sequence_report.pattern,
		    sequence_report.events, sequence_report.segment_column,
		    sequence_report.segment_value, sequence_report.since, sequence_report.until);
		RETURN;
	END IF;
	SELECT string_agg(format('%I::text = $2[%s]', src.event_column, k), ', ' ORDER BY k)
	  INTO conds FROM generate_series(1, n) k;
	RETURN QUERY EXECUTE format($q$
		WITH per_customer AS (
			SELECT %1$s AS segment,
			       @extschema@.sequence_match($1, %2$I::timestamptz, %3$s) AS m,
			       @extschema@.sequence_count($1, %2$I::timestamptz, %3$s) AS c
			  FROM %4$s
			 WHERE %5$s
			 GROUP BY %6$I
		)
		SELECT count(*) FILTER (WHERE c.m), coalesce(sum(c.c), 0)::bigint
		  FROM per_customer c
		 WHERE $5::text IS NULL OR c.segment = $5
	$q$,
		journey_internal.report_segment_sql(src, sequence_report.segment_column),
		src.time_column, conds, src.relation, journey_internal.report_range_sql(src, 3, 4),
		src.customer_column)
	USING sequence_report.pattern, sequence_report.events, sequence_report.since,
	      sequence_report.until, sequence_report.segment_value;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.sequence_report(text, text, text[], timestamptz, timestamptz, text, text) IS
  'customers whose events match a sequence pattern (sequence_match) and matches (sequence_count), (?N) meaning events[N]';

CREATE FUNCTION @extschema@.sequence_report(source text, pattern text, VARIADIC events text[])
RETURNS TABLE (customers bigint, matches bigint)
LANGUAGE sql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.customers, r.matches
	  FROM @extschema@.sequence_report($1, $2, $3, NULL::timestamptz) r;
$$;
COMMENT ON FUNCTION @extschema@.sequence_report(text, text, text[]) IS
  'customers whose events match a sequence pattern and matches, the events written out: sequence_report(source, ''(?1).*(?2)'', ''signup'', ''purchase'')';
