-- Signals and cohorts: which signals go with moving on past a moment
-- (conversion_drivers), conversion by entry cohort that is honest about
-- windows still open (cohort_conversion), and Kaplan-Meier curves of the
-- time to convert with customers still in their window censored
-- (time_to_convert_curve).  See doc/guide-moments.md and doc/statistics.md.
--
-- Each reads a registered source: the source is checked first
-- (check_source_relation: the relation and columns exist, the current
-- role may read them and trusts the code reading them runs), and the SQL
-- over it is built with format('%I') for columns and the regclass for the
-- relation, every value a parameter.  The statistics are the C functions
-- of src/sql/40_stats.sql and 40_stats_tests.sql (fisher_exact_test,
-- p_adjust, kaplan_meier).
--
-- (This piece comes before 45_experiments.sql and 46_review.sql, which use it.)

-- The moment of source src named moment_name, or an error listing them.
CREATE FUNCTION journey_internal.signal_moment(src @extschema@.source, moment_name text, what text)
RETURNS @extschema@.moment
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m @extschema@.moment;
BEGIN
	SELECT * INTO m FROM @extschema@.moment mo
	 WHERE mo.source = src.name AND mo.name = moment_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown % "%" for source "%"', what, moment_name, src.name
			USING ERRCODE = 'undefined_object',
				  DETAIL = coalesce('Its moments are: ' ||
								   (SELECT string_agg(mo.name, ', ' ORDER BY mo.position)
									  FROM @extschema@.moment mo WHERE mo.source = src.name) || '.',
								   'It has no moments yet.'),
				  HINT = 'Register moments in journey.moment.';
	END IF;
	RETURN m;
END
$$;
COMMENT ON FUNCTION journey_internal.signal_moment(@extschema@.source, text, text) IS
  'the registered moment of the source with that name, or an error listing its moments (used by the signal and cohort functions)';

-- Per customer who reached from_event (within since .. until, and not
-- after as_of): the customer's segment (the segment column at that first
-- event; ties: the lowest text, bytewise), the entry period (date_trunc of
-- the entry in the session's time zone, NULL when period is NULL), the
-- entry time, and the first to_event at or after the entry, within the
-- window (both ends inclusive; no limit when it is NULL) and not after
-- as_of.  The one definition behind cohort_conversion and time_to_convert_curve.
CREATE FUNCTION journey_internal.signal_entries(src @extschema@.source, from_event text,
	to_event text, conversion_window interval, as_of timestamptz, period text,
	segment_column text, since timestamptz, until timestamptz)
RETURNS TABLE (segment text, cohort timestamptz, entered_at timestamptz,
			   converted_at timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF period IS NOT NULL AND period NOT IN ('day', 'week', 'month', 'quarter') THEN
		RAISE EXCEPTION 'unknown cohort period "%"', period
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use day, week, month or quarter (or NULL for one cohort of every customer).';
	END IF;
	IF conversion_window <= interval '0' THEN
		RAISE EXCEPTION 'conversion window must be positive'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The window is %s.', conversion_window);
	END IF;
	-- the current role must be able to read the relation, trusting what it runs
	PERFORM journey_internal.check_source_relation(src, false, segment_column);

	RETURN QUERY EXECUTE format($q$
		WITH entry AS (
			SELECT DISTINCT ON (e.%1$I::text) e.%1$I::text AS customer_id,
				   e.%2$I::timestamptz AS entered_at, %4$s AS segment
			  FROM %5$s e
			 WHERE e.%3$I = $1 AND e.%2$I::timestamptz <= $4
			   AND ($6::timestamptz IS NULL OR e.%2$I::timestamptz >= $6)
			   AND ($7::timestamptz IS NULL OR e.%2$I::timestamptz < $7)
			 ORDER BY e.%1$I::text, e.%2$I::timestamptz, %4$s COLLATE "C"
		)
		SELECT n.segment,
			   CASE WHEN $5::text IS NULL THEN NULL::timestamptz
					ELSE date_trunc($5, n.entered_at) END,
			   n.entered_at,
			   (SELECT min(e.%2$I::timestamptz)
				  FROM %5$s e
				 WHERE e.%1$I::text = n.customer_id AND e.%3$I = $2
				   AND e.%2$I::timestamptz >= n.entered_at
				   AND e.%2$I::timestamptz <= $4
				   AND ($3::interval IS NULL OR e.%2$I::timestamptz <= n.entered_at + $3))
		  FROM entry n$q$,
		src.customer_column, src.time_column, src.event_column,
		CASE WHEN segment_column IS NULL THEN 'NULL::text'
			 ELSE format('e.%I::text', segment_column) END,
		src.relation)
	USING from_event, to_event, conversion_window, as_of, period, since, until;
END
$$;
COMMENT ON FUNCTION journey_internal.signal_entries(@extschema@.source, text, text, interval, timestamptz, text, text, timestamptz, timestamptz) IS
  'per customer reaching from_event: segment, entry period, entry time and first to_event within the window and not after as_of (used by cohort_conversion and time_to_convert_curve)';

-- The time of the source's last event: the default as_of.
CREATE FUNCTION journey_internal.source_last_time(src @extschema@.source)
RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	last timestamptz;
BEGIN
	PERFORM journey_internal.check_source_relation(src, false);
	EXECUTE format('SELECT max(e.%I::timestamptz) FROM %s e', src.time_column, src.relation)
	   INTO last;
	RETURN last;
END
$$;
COMMENT ON FUNCTION journey_internal.source_last_time(@extschema@.source) IS
  'the timestamp of the source''s last event (the default as_of of the cohort functions)';

-- The from and to moments of a cohort or curve: to defaults to the moment
-- after from, and must come after it.
CREATE FUNCTION journey_internal.signal_moment_pair(src @extschema@.source, from_moment text,
	to_moment text, OUT from_event text, OUT to_event text)
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f @extschema@.moment := journey_internal.signal_moment(src, from_moment, 'moment');
	t @extschema@.moment;
BEGIN
	IF to_moment IS NULL THEN
		SELECT * INTO t FROM @extschema@.moment m
		 WHERE m.source = src.name AND m.position = f.position + 1;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'moment "%" is the last moment of source "%"', f.name, src.name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Name the moment to convert to, or start from an earlier moment.';
		END IF;
	ELSE
		t := journey_internal.signal_moment(src, to_moment, 'moment');
		IF t.position <= f.position THEN
			RAISE EXCEPTION 'moment "%" does not come after moment "%"', t.name, f.name
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('"%s" is at position %s and "%s" at position %s.',
									  f.name, f.position, t.name, t.position);
		END IF;
	END IF;
	from_event := f.event_name;
	to_event := t.event_name;
END
$$;
COMMENT ON FUNCTION journey_internal.signal_moment_pair(@extschema@.source, text, text) IS
  'the event names of a from and a to moment of the source (to: by default the next moment), checked to be in order';

-- ---------------------------------------------------------------------
-- Conversion drivers
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.conversion_drivers(
	source text,
	moment text,
	signal_column text DEFAULT NULL,
	min_customers bigint DEFAULT 25,
	conversion_window interval DEFAULT NULL,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS TABLE (
	signal text,
	customers bigint,
	moved_on bigint,
	dropped bigint,
	moved_on_without bigint,
	dropped_without bigint,
	odds_ratio float8,
	p_value float8,
	adjusted_p_value float8,
	direction text,
	signals_left_out bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
	src @extschema@.source := journey_internal.report_source(conversion_drivers.source);
	here @extschema@.moment := journey_internal.signal_moment(src, conversion_drivers.moment, 'moment');
	next_event text;
	win interval;
BEGIN
	SELECT m.event_name INTO next_event FROM @extschema@.moment m
	 WHERE m.source = src.name AND m.position = here.position + 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'moment "%" is the last moment of source "%"', here.name, src.name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Drivers compare the customers who moved on to the next moment with those who did not.',
				  HINT = 'Ask about an earlier moment.';
	END IF;
	IF min_customers IS NULL OR min_customers < 1 THEN
		RAISE EXCEPTION 'min_customers must be at least 1'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('It is %s.', coalesce(min_customers::text, 'NULL')),
				  HINT = 'Signals seen by fewer customers are left out; 25 is the default.';
	END IF;
	win := coalesce(conversion_drivers.conversion_window, src.moment_window);
	IF win <= interval '0' THEN
		RAISE EXCEPTION 'conversion window must be positive'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The window is %s.', win);
	END IF;
	-- the current role must be able to read the relation, trusting what it runs
	PERFORM journey_internal.check_source_relation(src, false, signal_column,
	                                                extra_role => 'signal');

	-- Per customer who reached the moment (first event, within since ..
	-- until): moved on when the next moment's event follows within the
	-- window (both ends inclusive).  Their signals: the events (or the
	-- signal column's values) from the entry up to moving on (excluded),
	-- or, for those who dropped off, to the end of the window; the
	-- moment's own event is no signal (everyone has it).
	RETURN QUERY EXECUTE format($q$
		WITH entry AS (
			SELECT e.%1$I::text AS customer_id, min(e.%2$I::timestamptz) AS entered_at
			  FROM %5$s e
			 WHERE e.%3$I = $1
			   AND ($4::timestamptz IS NULL OR e.%2$I::timestamptz >= $4)
			   AND ($5::timestamptz IS NULL OR e.%2$I::timestamptz < $5)
			 GROUP BY 1
		), outcome AS (
			SELECT n.customer_id, n.entered_at,
				   (SELECT min(e.%2$I::timestamptz) FROM %5$s e
					 WHERE e.%1$I::text = n.customer_id AND e.%3$I = $2
					   AND e.%2$I::timestamptz >= n.entered_at
					   AND e.%2$I::timestamptz <= n.entered_at + $3) AS moved_at
			  FROM entry n
		), totals AS (
			SELECT count(*) FILTER (WHERE o.moved_at IS NOT NULL) AS moved,
				   count(*) FILTER (WHERE o.moved_at IS NULL) AS dropped
			  FROM outcome o
		), seen AS (
			SELECT DISTINCT o.customer_id, o.moved_at IS NOT NULL AS moved, %4$s AS signal
			  FROM outcome o
			  JOIN %5$s e ON e.%1$I::text = o.customer_id
			 WHERE e.%2$I::timestamptz >= o.entered_at
			   AND CASE WHEN o.moved_at IS NOT NULL THEN e.%2$I::timestamptz < o.moved_at
						ELSE e.%2$I::timestamptz <= o.entered_at + $3 END
			   AND %4$s IS NOT NULL
			   AND ($6::text IS NOT NULL OR e.%3$I::text <> $1)
		), counts AS (
			SELECT s.signal, count(*) FILTER (WHERE s.moved) AS a,
				   count(*) FILTER (WHERE NOT s.moved) AS b
			  FROM seen s
			 GROUP BY s.signal
		), tested AS (
			SELECT c.signal, c.a, c.b, t.moved - c.a AS c, t.dropped - c.b AS d,
				   ((c.a + 1)::float8 * (t.dropped - c.b + 1)) /
				   ((c.b + 1)::float8 * (t.moved - c.a + 1)) AS odds_ratio,
				   @extschema@.fisher_exact_test(c.a, c.b, t.moved - c.a, t.dropped - c.b) AS p
			  FROM counts c, totals t
			 WHERE c.a + c.b >= $7
		), adjusted AS (
			SELECT array_agg(t.signal ORDER BY t.signal COLLATE "C") AS signals,
				   @extschema@.p_adjust(array_agg(t.p ORDER BY t.signal COLLATE "C"), 'bh') AS adj
			  FROM tested t
		), left_out AS (
			SELECT count(*) AS n FROM counts c WHERE c.a + c.b < $7
		)
		SELECT t.signal, t.a + t.b, t.a, t.b, t.c, t.d, t.odds_ratio, t.p,
			   x.adj[array_position(x.signals, t.signal)],
			   CASE WHEN t.odds_ratio > 1 THEN 'moves on'
					WHEN t.odds_ratio < 1 THEN 'drops off' ELSE 'neither' END,
			   l.n
		  FROM tested t, adjusted x, left_out l
		 ORDER BY CASE WHEN t.odds_ratio > 1 THEN 1 WHEN t.odds_ratio < 1 THEN 2 ELSE 3 END,
				  abs(ln(t.odds_ratio)) DESC, t.p, t.signal COLLATE "C"$q$,
		src.customer_column, src.time_column, src.event_column,
		CASE WHEN signal_column IS NULL THEN format('e.%I::text', src.event_column)
			 ELSE format('e.%I::text', signal_column) END,
		src.relation)
	USING here.event_name, next_event, win, since, until, signal_column, min_customers;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.conversion_drivers(text, text, text, bigint, interval, timestamptz, timestamptz) IS
  'per signal (event, or value of signal_column) seen by customers who reached the moment before they moved on or dropped off: customers with it who moved on and dropped, the odds ratio (each count + 1), Fisher''s exact p, its Benjamini-Hochberg adjustment, and how many signals were left out for having fewer than min_customers customers; strongest first each way';

-- ---------------------------------------------------------------------
-- Conversion by entry cohort
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.cohort_conversion(
	source text,
	from_moment text,
	to_moment text DEFAULT NULL,
	period text DEFAULT 'week',
	conversion_window interval DEFAULT NULL,
	as_of timestamptz DEFAULT NULL,
	segment_column text DEFAULT NULL,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS TABLE (
	segment text,
	cohort timestamptz,
	cohort_end timestamptz,
	entered bigint,
	converted bigint,
	rate float8,
	rate_so_far float8,
	window_closed boolean,
	closes_at timestamptz,
	as_of_time timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
	src @extschema@.source := journey_internal.report_source(cohort_conversion.source);
	pair record;
	win interval;
	upto timestamptz;
	step interval;
BEGIN
	SELECT * INTO pair FROM journey_internal.signal_moment_pair(src, from_moment, to_moment);
	step := CASE period WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '1 week'
						WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months' END;
	IF step IS NULL THEN
		RAISE EXCEPTION 'unknown cohort period "%"', coalesce(period, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use day, week, month or quarter.';
	END IF;
	win := coalesce(cohort_conversion.conversion_window, src.moment_window);
	upto := coalesce(cohort_conversion.as_of, journey_internal.source_last_time(src));
	IF upto IS NULL THEN
		RETURN;					-- no events at all
	END IF;

	-- a cohort is final when the window of its last possible entrant (just
	-- before the period ends) has ended by as_of; until then its rate is
	-- NULL, never a drop
	RETURN QUERY
	SELECT CASE WHEN cohort_conversion.segment_column IS NULL THEN '(all)' ELSE x.segment END,
		   x.cohort, x.cohort + step,
		   count(*), count(x.converted_at),
		   CASE WHEN x.cohort + step + win <= upto
				THEN count(x.converted_at)::float8 / count(*) END,
		   count(x.converted_at)::float8 / count(*),
		   x.cohort + step + win <= upto,
		   x.cohort + step + win,
		   upto
	  FROM journey_internal.signal_entries(src, pair.from_event, pair.to_event, win, upto,
									  period, segment_column, since, until) x
	 GROUP BY x.segment, x.cohort
	 ORDER BY x.segment COLLATE "C" NULLS FIRST, x.cohort;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.cohort_conversion(text, text, text, text, interval, timestamptz, text, timestamptz, timestamptz) IS
  'per segment and entry cohort (day, week, month or quarter of the first from-moment event): customers entering, converting to the to-moment within the window by as_of, the rate once every entrant''s window has closed (NULL before), the rate so far, and when the window closes';

-- ---------------------------------------------------------------------
-- Time to convert, with censoring
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.time_to_convert_curve(
	source text,
	from_moment text,
	to_moment text DEFAULT NULL,
	period text DEFAULT NULL,
	conversion_window interval DEFAULT NULL,
	as_of timestamptz DEFAULT NULL,
	segment_column text DEFAULT NULL,
	confidence float8 DEFAULT 0.95,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS TABLE (
	segment text,
	cohort timestamptz,
	customers bigint,
	elapsed interval,
	elapsed_seconds float8,
	at_risk bigint,
	conversions bigint,
	censored bigint,
	share_converted float8,
	std_error float8,
	low float8,
	high float8,
	median_seconds float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
	src @extschema@.source := journey_internal.report_source(time_to_convert_curve.source);
	pair record;
	upto timestamptz;
BEGIN
	SELECT * INTO pair FROM journey_internal.signal_moment_pair(src, from_moment, to_moment);
	PERFORM journey_internal.check_parameter('confidence', confidence);
	upto := coalesce(time_to_convert_curve.as_of, journey_internal.source_last_time(src));
	IF upto IS NULL THEN
		RETURN;
	END IF;

	-- a customer converts at converted_at, or is censored where what is
	-- known of them ends: at as_of, or at the end of the window
	RETURN QUERY
	WITH obs AS (
		SELECT CASE WHEN time_to_convert_curve.segment_column IS NULL THEN '(all)'
					ELSE x.segment END AS segment,
			   x.cohort,
			   extract(epoch FROM coalesce(x.converted_at,
				   CASE WHEN time_to_convert_curve.conversion_window IS NULL THEN upto
						ELSE least(upto, x.entered_at + time_to_convert_curve.conversion_window) END)
				   - x.entered_at)::float8 AS t,
			   x.converted_at IS NOT NULL AS converted
		  FROM journey_internal.signal_entries(src, pair.from_event, pair.to_event,
										  time_to_convert_curve.conversion_window, upto, period,
										  time_to_convert_curve.segment_column, since, until) x
	), groups AS (
		SELECT o.segment, o.cohort, count(*) AS customers,
			   array_agg(o.t) AS times, array_agg(o.converted) AS flags
		  FROM obs o
		 GROUP BY o.segment, o.cohort
	), curves AS (
		SELECT g.segment, g.cohort, g.customers, k.*
		  FROM groups g
		 CROSS JOIN LATERAL @extschema@.kaplan_meier(g.times, g.flags,
													 time_to_convert_curve.confidence) k
	)
	SELECT c.segment, c.cohort, c.customers, justify_hours(make_interval(secs => c.elapsed)), c.elapsed,
		   c.at_risk, c.conversions, c.censored, c.share_converted, c.std_error,
		   c.low, c.high,
		   -- the first time more than half have converted (SAS, statsmodels)
		   min(c.elapsed) FILTER (WHERE c.share_converted > 0.5)
			   OVER (PARTITION BY c.segment, c.cohort)
	  FROM curves c
	 ORDER BY c.segment COLLATE "C", c.cohort NULLS FIRST, c.elapsed;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.time_to_convert_curve(text, text, text, text, interval, timestamptz, text, float8, timestamptz, timestamptz) IS
  'Kaplan-Meier curve of the share of customers converted (from-moment to to-moment) by time after entry, per segment and entry cohort, customers not converted censored at as_of or at the end of the window; Greenwood standard error, log(-log) band, and the median time to convert where more than half have converted';

-- ---------------------------------------------------------------------
-- A hypothesis's signals, for the review
-- ---------------------------------------------------------------------

-- For the review of a hypothesis: at its moment, the strongest signal
-- each way among the customers who entered during its cycle (all
-- customers when it has none), by conversion_drivers with its conversion
-- window; and the time-to-convert curve from its moment to its target
-- moment (or, when they are the same, to the next moment) over the same
-- customers: how many entered, the share converted by the end of the
-- curve, and the median time to convert.  Figures that do not apply (the
-- last moment has no next one, no signal reaches the minimum) are NULL.
CREATE FUNCTION @extschema@.hypothesis_signals(hypothesis_id bigint)
RETURNS TABLE (top_driver text, top_driver_odds_ratio float8,
			   top_driver_adjusted_p_value float8, top_drop_off_signal text,
			   top_drop_off_odds_ratio float8, top_drop_off_adjusted_p_value float8,
			   entered bigint, converted_share float8, median_seconds_to_convert float8)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	h record;
	to_moment text;
	d record;
	t record;
BEGIN
	SELECT hy.id, hy.source, hy.moment, hy.target_moment, hy.conversion_window,
		   c.starts_on::timestamptz AS since, (c.ends_on + 1)::timestamptz AS until,
		   m.position, tm.position AS target_position
	  INTO h
	  FROM @extschema@.hypothesis hy
	  JOIN @extschema@.moment m ON m.source = hy.source AND m.name = hy.moment
	  JOIN @extschema@.moment tm ON tm.source = hy.source AND tm.name = hy.target_moment
	  LEFT JOIN @extschema@.review_cycle c ON c.id = hy.cycle_id
	 WHERE hy.id = hypothesis_signals.hypothesis_id;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT mo.name INTO to_moment FROM @extschema@.moment mo
	 WHERE mo.source = h.source
	   AND mo.position = CASE WHEN h.target_position > h.position THEN h.target_position
							  ELSE h.position + 1 END;
	IF to_moment IS NOT NULL THEN
		FOR d IN SELECT * FROM @extschema@.conversion_drivers(h.source, h.moment, NULL, 25,
							h.conversion_window, h.since, h.until) LOOP
			IF d.direction = 'moves on' AND top_driver IS NULL THEN
				top_driver := d.signal;
				top_driver_odds_ratio := d.odds_ratio;
				top_driver_adjusted_p_value := d.adjusted_p_value;
			ELSIF d.direction = 'drops off' AND top_drop_off_signal IS NULL THEN
				top_drop_off_signal := d.signal;
				top_drop_off_odds_ratio := d.odds_ratio;
				top_drop_off_adjusted_p_value := d.adjusted_p_value;
			END IF;
		END LOOP;
		SELECT max(c.customers) AS customers, max(c.share_converted) AS share,
			   max(c.median_seconds) AS median
		  INTO t
		  FROM @extschema@.time_to_convert_curve(h.source, h.moment, to_moment, NULL,
										   h.conversion_window, NULL, NULL, 0.95,
										   h.since, h.until) c;
		entered := coalesce(t.customers, 0);
		converted_share := t.share;
		median_seconds_to_convert := t.median;
	END IF;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION @extschema@.hypothesis_signals(bigint) IS
  'for the review of a hypothesis: the strongest signal each way at its moment (conversion_drivers), and the time-to-convert curve''s customers, final share converted and median time to its target (or next) moment, over the customers who entered during its cycle';
