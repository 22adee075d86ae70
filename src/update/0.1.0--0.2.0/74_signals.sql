-- Signals, cohorts and experiment statistics (0.2.0): Fisher's exact
-- test, Kaplan-Meier curves, CUPED, ratio metrics, sequential and
-- non-inferiority tests (src/sql/40_stats.sql); conversion drivers, entry
-- cohorts and time-to-convert curves (src/sql/44_signals.sql); the
-- hypothesis registry's new settings and guardrails, and their figures in
-- hypothesis_result and hypothesis_results (src/sql/45_experiments.sql).
-- Each object as those pieces install it.

CREATE FUNCTION @extschema@.fisher_exact_test(a bigint, b bigint, c bigint, d bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'journey_fisher_exact_test'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.fisher_exact_test(bigint, bigint, bigint, bigint) IS
  'two-sided p-value of Fisher''s exact test of the 2x2 table [[a, b], [c, d]]: the probability, margins fixed, of every table no more likely than this one';

-- not STRICT: NULL arrays are no customers
CREATE FUNCTION @extschema@.kaplan_meier(elapsed float8[], converted bool[],
	confidence float8 DEFAULT 0.95)
RETURNS TABLE (elapsed float8, at_risk bigint, conversions bigint, censored bigint,
			   share_converted float8, std_error float8, low float8, high float8)
AS 'MODULE_PATHNAME', 'journey_kaplan_meier'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 100;

COMMENT ON FUNCTION @extschema@.kaplan_meier(float8[], bool[], float8) IS
  'Kaplan-Meier estimate of the share converted by each distinct elapsed time (customers not converted are censored at their elapsed time), with Greenwood''s standard error and a log(-log) pointwise band';

CREATE FUNCTION @extschema@.cuped_test(control float8[], treatment float8[],
	alpha float8 DEFAULT 0.05, proportion bool DEFAULT false,
	OUT theta float8, OUT mean_a float8, OUT mean_b float8,
	OUT lift float8, OUT std_error float8, OUT lift_low float8, OUT lift_high float8,
	OUT p_value float8,
	OUT cuped_lift float8, OUT cuped_std_error float8, OUT cuped_low float8,
	OUT cuped_high float8, OUT cuped_p_value float8, OUT variance_reduction float8)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_cuped_test'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cuped_test(float8[], float8[], float8, bool) IS
  'relative lift of treatment over control with and without CUPED (theta = Cov(y, x) / Var(x) pooled over both arms, GrowthBook''s definition); each arm is {n, sum y, sum y^2, sum x, sum x^2, sum x*y} with x the pre-assignment value';

CREATE FUNCTION @extschema@.ratio_test(control float8[], treatment float8[],
	alpha float8 DEFAULT 0.05,
	OUT ratio_a float8, OUT ratio_b float8, OUT lift float8, OUT std_error float8,
	OUT lift_low float8, OUT lift_high float8, OUT p_value float8)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_ratio_test'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ratio_test(float8[], float8[], float8) IS
  'relative lift of a ratio metric (sum y / sum x per arm) by the delta method; each arm is {n, sum y, sum y^2, sum x, sum x^2, sum x*y} over its units, y the numerator and x the denominator';

CREATE FUNCTION @extschema@.sequential_test(estimate float8, std_error float8, n bigint,
	alpha float8 DEFAULT 0.05, tuning float8 DEFAULT 5000,
	OUT low float8, OUT high float8, OUT p_value float8)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_sequential_test'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sequential_test(float8, float8, bigint, float8, float8) IS
  'always-valid confidence interval and p-value of an estimate with its standard error over n units (both arms): the asymptotic confidence sequence of Waudby-Smith et al. in GrowthBook''s form, tuning = the units where it is tightest';

CREATE FUNCTION @extschema@.noninferiority_test(estimate float8, std_error float8,
	margin float8, alpha float8 DEFAULT 0.05, higher_is_better bool DEFAULT true,
	OUT z float8, OUT p_value float8, OUT non_inferior bool)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_noninferiority_test'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.noninferiority_test(float8, float8, float8, float8, bool) IS
  'one-sided test that an effect is no worse than -margin (or, lower being better, +margin): z, p-value and whether non-inferiority is shown at alpha';

COMMENT ON FUNCTION journey_internal.check_parameter(text, float8) IS
  'raises the statistics functions'' error unless value lies in the range of the named parameter (alpha, power, confidence, baseline, mde, minimum_effect, winsorize); used by the hypothesis registry';

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
	PERFORM journey_internal.check_source_relation(src, false, signal_column);

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

ALTER TABLE @extschema@.hypothesis
	ADD COLUMN sequential boolean NOT NULL DEFAULT false,
	ADD COLUMN sequential_tuning float8 NOT NULL DEFAULT 5000,
	ADD COLUMN cuped_window interval DEFAULT '14 days',
	ADD COLUMN ratio_numerator text,
	ADD COLUMN ratio_denominator text,
	ADD COLUMN ratio_measure text NOT NULL DEFAULT 'count',
	ADD COLUMN winsorize float8,
	ADD COLUMN cuped_event text;
-- a rewrite of the table stores the new columns' defaults in every row, so
-- that the catalog keeps no "missing values" for them (a fresh install has
-- none; pg_dump --binary-upgrade would show the difference)
ALTER TABLE @extschema@.hypothesis ALTER COLUMN winsorize TYPE float8 USING winsorize + 0;
COMMENT ON COLUMN @extschema@.hypothesis.sequential IS
  'true: the verdict uses always-valid (sequential) p-values, so that results can be read at every review without inflating false positives';
COMMENT ON COLUMN @extschema@.hypothesis.sequential_tuning IS
  'the sequential test''s tuning parameter: the number of units (both arms) at which its interval is tightest (GrowthBook''s default 5000)';
COMMENT ON COLUMN @extschema@.hypothesis.cuped_window IS
  'CUPED''s pre-assignment window: the target moment reached within it before assignment is the covariate; NULL: no CUPED';
COMMENT ON COLUMN @extschema@.hypothesis.ratio_numerator IS
  'event whose count (or value, see ratio_measure) per unit within the window is the ratio metric''s numerator; NULL: no ratio metric';
COMMENT ON COLUMN @extschema@.hypothesis.ratio_denominator IS
  'event whose count per unit within the window is the ratio metric''s denominator (e.g. sessions); NULL: per unit';
COMMENT ON COLUMN @extschema@.hypothesis.ratio_measure IS
  'what the ratio''s numerator adds up: count (its events) or value (the source''s value column over its events)';
COMMENT ON COLUMN @extschema@.hypothesis.winsorize IS
  'percentile (e.g. 0.99) of the non-zero per-unit values of the ratio and guardrail metrics at which they are capped; NULL: no capping';
COMMENT ON COLUMN @extschema@.hypothesis.cuped_event IS
  'the event whose occurrence in the CUPED window before assignment is the covariate; NULL: the target moment''s event (the same metric before assignment)';

CREATE OR REPLACE FUNCTION journey_internal.hypothesis_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	frozen text;
	cycle_source text;
	bad_allocation boolean;
	share record;
BEGIN
	-- what the hypothesis is about
	PERFORM journey_internal.check_source(NEW.source);
	NEW.target_moment := coalesce(NEW.target_moment, NEW.moment);
	-- (on UPDATE only what changed: a rename of a moment cascades into one
	-- column at a time, and the other still names the old moment)
	IF TG_OP = 'INSERT' OR NEW.source IS DISTINCT FROM OLD.source
		OR NEW.moment IS DISTINCT FROM OLD.moment THEN
		PERFORM journey_internal.check_moment(NEW.source, NEW.moment, 'moment');
	END IF;
	IF TG_OP = 'INSERT' OR NEW.source IS DISTINCT FROM OLD.source
		OR NEW.target_moment IS DISTINCT FROM OLD.target_moment THEN
		PERFORM journey_internal.check_moment(NEW.source, NEW.target_moment, 'target moment');
	END IF;
	PERFORM journey_internal.check_statement(NEW.statement);

	-- how it is measured
	IF NEW.conversion_window IS NULL OR NEW.conversion_window <= interval '0' THEN
		RAISE EXCEPTION 'conversion window must be positive'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('The window is %s.', coalesce(NEW.conversion_window::text, 'NULL')),
				  HINT = 'Give the time after assignment within which reaching the target moment counts, e.g. ''7 days''.';
	END IF;
	-- the test's parameters, in the ranges the statistics functions accept
	-- (and with their messages), so that every stored hypothesis computes;
	-- on UPDATE only what changed, so that a row stored before these checks
	-- can still be corrected or abandoned
	IF TG_OP = 'INSERT' OR NEW.minimum_effect IS DISTINCT FROM OLD.minimum_effect THEN
		PERFORM journey_internal.check_parameter('minimum_effect', NEW.minimum_effect);
	END IF;
	IF TG_OP = 'INSERT' OR NEW.alpha IS DISTINCT FROM OLD.alpha THEN
		PERFORM journey_internal.check_parameter('alpha', NEW.alpha);
	END IF;
	IF TG_OP = 'INSERT' OR NEW.power IS DISTINCT FROM OLD.power THEN
		PERFORM journey_internal.check_parameter('power', NEW.power);
	END IF;
	-- an allocation is an object naming control and another variant, each
	-- with a positive number (the CASE keeps jsonb_each off non-objects)
	bad_allocation := CASE
		WHEN NEW.allocation IS NULL THEN false
		WHEN jsonb_typeof(NEW.allocation) <> 'object' THEN true
		WHEN NOT (NEW.allocation ? 'control') THEN true
		ELSE (SELECT count(*) < 2 OR bool_or(jsonb_typeof(a.value) <> 'number')
					 OR bool_or(CASE WHEN jsonb_typeof(a.value) = 'number'
									 THEN a.value::numeric <= 0 END)
				FROM jsonb_each(NEW.allocation) a)
	END;
	IF bad_allocation THEN
		RAISE EXCEPTION 'allocation must map control and at least one other variant to positive shares'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('It is %s.', NEW.allocation),
				  HINT = 'For example {"control": 0.9, "treatment": 0.1}; shares need not add up to 1. Leave it NULL for an equal split.';
	END IF;
	-- shares are weights of srm_test (float8): within a range that float8
	-- holds with every digit
	SELECT a.key, a.value INTO share
	  FROM jsonb_each(CASE WHEN jsonb_typeof(NEW.allocation) = 'object'
							AND (TG_OP = 'INSERT' OR NEW.allocation IS DISTINCT FROM OLD.allocation)
					   THEN NEW.allocation END) a
	 WHERE NOT a.value::numeric BETWEEN 1e-300 AND 1e300
	 ORDER BY a.key
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'allocation share of variant "%" is out of range', share.key
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('It is %s; a share must lie between 1e-300 and 1e300.',
								  btrim(to_char(share.value::numeric, '9.99EEEE'))),
				  HINT = 'Shares are relative: {"control": 9, "treatment": 1} is the same split as {"control": 0.9, "treatment": 0.1}.';
	END IF;

	-- the experiment statistics' settings
	IF NEW.sequential IS NULL THEN
		RAISE EXCEPTION 'sequential must not be NULL'
			USING ERRCODE = 'not_null_violation',
				  HINT = 'true reads always-valid results at every review; false is a fixed-horizon test.';
	END IF;
	IF (TG_OP = 'INSERT' OR NEW.sequential_tuning IS DISTINCT FROM OLD.sequential_tuning)
	   AND NOT coalesce(NEW.sequential_tuning > 0 AND NEW.sequential_tuning < 'infinity', false) THEN
		RAISE EXCEPTION 'sequential tuning must be a positive number'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('It is %s.', coalesce(NEW.sequential_tuning::text, 'NULL')),
				  HINT = 'It is the number of units at which the sequential interval is tightest; 5000 is GrowthBook''s default.';
	END IF;
	IF NEW.cuped_window <= interval '0' THEN
		RAISE EXCEPTION 'CUPED window must be positive'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('The window is %s.', NEW.cuped_window),
				  HINT = 'Give the time before assignment whose conversions are the covariate, e.g. ''14 days'', or NULL for no CUPED.';
	END IF;
	IF NEW.ratio_measure IS NULL OR NEW.ratio_measure NOT IN ('count', 'value') THEN
		RAISE EXCEPTION 'unknown ratio measure "%"', NEW.ratio_measure
			USING ERRCODE = 'check_violation',
				  HINT = 'The numerator adds up the count of its events or their value.';
	END IF;
	IF btrim(NEW.cuped_event) = '' THEN
		RAISE EXCEPTION 'CUPED event must not be empty'
			USING ERRCODE = 'check_violation',
				  HINT = 'Name an event of the source that happens before assignment, or leave it NULL for the target moment''s event.';
	END IF;
	IF btrim(NEW.ratio_numerator) = '' OR btrim(NEW.ratio_denominator) = '' THEN
		RAISE EXCEPTION 'ratio events must not be empty'
			USING ERRCODE = 'check_violation',
				  HINT = 'Name the events of the source, or leave them NULL.';
	END IF;
	IF NEW.ratio_numerator IS NULL AND (NEW.ratio_denominator IS NOT NULL OR NEW.ratio_measure <> 'count') THEN
		RAISE EXCEPTION 'a ratio metric needs a numerator'
			USING ERRCODE = 'check_violation',
				  HINT = 'Set ratio_numerator to the event counted (or valued) per unit.';
	END IF;
	IF NEW.ratio_measure = 'value' AND NOT EXISTS (
			SELECT 1 FROM @extschema@.source s WHERE s.name = NEW.source AND s.value_column IS NOT NULL) THEN
		RAISE EXCEPTION 'source "%" has no value column', NEW.source
			USING ERRCODE = 'check_violation',
				  HINT = 'Register the source''s value_column, or measure the ratio''s count.';
	END IF;
	IF NEW.winsorize IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.winsorize IS DISTINCT FROM OLD.winsorize) THEN
		PERFORM journey_internal.check_parameter('winsorize', NEW.winsorize);
	END IF;

	IF NEW.cycle_id IS NOT NULL THEN
		SELECT c.source INTO cycle_source
		  FROM @extschema@.review_cycle c WHERE c.id = NEW.cycle_id;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'unknown review cycle %', NEW.cycle_id
				USING ERRCODE = 'foreign_key_violation';
		ELSIF cycle_source <> NEW.source THEN
			RAISE EXCEPTION 'review cycle % belongs to source "%", not "%"',
					NEW.cycle_id, cycle_source, NEW.source
				USING ERRCODE = 'foreign_key_violation';
		END IF;
	END IF;

	-- where it is in its life
	IF NEW.status IS NULL OR NEW.status NOT IN ('proposed', 'running', 'concluded', 'abandoned') THEN
		RAISE EXCEPTION 'unknown hypothesis status "%"', NEW.status
			USING ERRCODE = 'check_violation',
				  HINT = 'Status is proposed, running, concluded or abandoned; move a hypothesis with journey.start_hypothesis, journey.conclude_hypothesis or journey.abandon_hypothesis.';
	END IF;
	IF NEW.decision IS NOT NULL AND NEW.decision NOT IN ('ship', 'iterate', 'discard') THEN
		RAISE EXCEPTION 'unknown decision "%"', NEW.decision
			USING ERRCODE = 'check_violation',
				  HINT = 'Decide ship (roll the change out), iterate (refine and test again) or discard.';
	END IF;

	IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status THEN
		IF OLD.status IN ('concluded', 'abandoned') THEN
			RAISE EXCEPTION 'hypothesis % is %: it cannot become %', OLD.id, OLD.status, NEW.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'Concluded and abandoned hypotheses are final.',
					  HINT = 'Propose a new hypothesis to test the idea again.';
		ELSIF NEW.status = 'proposed' THEN
			RAISE EXCEPTION 'hypothesis % is running: it cannot go back to proposed', OLD.id
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Abandon it with journey.abandon_hypothesis and propose it again.';
		ELSIF NEW.status = 'concluded' AND OLD.status = 'proposed' THEN
			RAISE EXCEPTION 'hypothesis % cannot be concluded: it was never started', OLD.id
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Start it with journey.start_hypothesis and collect results first, or abandon it.';
		ELSIF NEW.status = 'concluded' AND NOT (
				EXISTS (SELECT 1 FROM @extschema@.assignment a
						 WHERE a.hypothesis_id = NEW.id AND a.variant = 'control')
				AND EXISTS (SELECT 1 FROM @extschema@.assignment a
							 WHERE a.hypothesis_id = NEW.id AND a.variant <> 'control')) THEN
			RAISE EXCEPTION 'hypothesis % cannot be concluded: it has no control and treatment to compare', OLD.id
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'A conclusion needs customers assigned to variant "control" and to at least one other variant.',
					  HINT = 'Assign customers in journey.assignment, or abandon the hypothesis.';
		END IF;
	END IF;

	IF TG_OP = 'UPDATE' AND OLD.status <> 'proposed' THEN
		-- the definition is frozen once customers have seen the change, so
		-- that the result answers the question that was asked (renaming a
		-- source or moment in the registry cascades here and is no change)
		frozen := CASE
			WHEN NEW.source IS DISTINCT FROM OLD.source
				 AND EXISTS (SELECT 1 FROM @extschema@.source s WHERE s.name = OLD.source)
				THEN 'source'
			WHEN NEW.moment IS DISTINCT FROM OLD.moment
				 AND EXISTS (SELECT 1 FROM @extschema@.moment m
							  WHERE m.source = NEW.source AND m.name = OLD.moment)
				THEN 'moment'
			WHEN NEW.target_moment IS DISTINCT FROM OLD.target_moment
				 AND EXISTS (SELECT 1 FROM @extschema@.moment m
							  WHERE m.source = NEW.source AND m.name = OLD.target_moment)
				THEN 'target_moment'
			WHEN NEW.statement IS DISTINCT FROM OLD.statement THEN 'statement'
			WHEN NEW.conversion_window IS DISTINCT FROM OLD.conversion_window THEN 'conversion_window'
			WHEN NEW.minimum_effect IS DISTINCT FROM OLD.minimum_effect THEN 'minimum_effect'
			WHEN NEW.alpha IS DISTINCT FROM OLD.alpha THEN 'alpha'
			WHEN NEW.power IS DISTINCT FROM OLD.power THEN 'power'
			WHEN NEW.allocation IS DISTINCT FROM OLD.allocation THEN 'allocation'
			WHEN NEW.sequential IS DISTINCT FROM OLD.sequential THEN 'sequential'
			WHEN NEW.sequential_tuning IS DISTINCT FROM OLD.sequential_tuning THEN 'sequential_tuning'
			WHEN NEW.cuped_window IS DISTINCT FROM OLD.cuped_window THEN 'cuped_window'
			WHEN NEW.ratio_numerator IS DISTINCT FROM OLD.ratio_numerator THEN 'ratio_numerator'
			WHEN NEW.ratio_denominator IS DISTINCT FROM OLD.ratio_denominator THEN 'ratio_denominator'
			WHEN NEW.ratio_measure IS DISTINCT FROM OLD.ratio_measure THEN 'ratio_measure'
			WHEN NEW.winsorize IS DISTINCT FROM OLD.winsorize THEN 'winsorize'
			WHEN NEW.cuped_event IS DISTINCT FROM OLD.cuped_event THEN 'cuped_event'
			WHEN OLD.status IN ('concluded', 'abandoned')
				 AND NEW.decision IS DISTINCT FROM OLD.decision THEN 'decision'
			WHEN OLD.status IN ('concluded', 'abandoned')
				 AND NEW.ended_at IS DISTINCT FROM OLD.ended_at THEN 'ended_at'
			WHEN NEW.started_at IS DISTINCT FROM OLD.started_at THEN 'started_at'
		END;
		IF frozen IS NOT NULL THEN
			RAISE EXCEPTION 'cannot change % of hypothesis %: it is %', frozen, OLD.id, OLD.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'A hypothesis is frozen once started, so that its result answers the question that was asked.',
					  HINT = 'Abandon it and propose a new hypothesis instead; the mechanism, learning and cycle can still be edited.';
		END IF;
	END IF;

	-- the row must be consistent with its status
	IF NEW.status = 'proposed' AND (NEW.started_at IS NOT NULL OR NEW.ended_at IS NOT NULL
									 OR NEW.decision IS NOT NULL) THEN
		RAISE EXCEPTION 'a proposed hypothesis has no started_at, ended_at or decision'
			USING ERRCODE = 'check_violation',
				  HINT = 'Move it with journey.start_hypothesis.';
	ELSIF NEW.status = 'running' AND (NEW.started_at IS NULL OR NEW.ended_at IS NOT NULL
									   OR NEW.decision IS NOT NULL) THEN
		RAISE EXCEPTION 'a running hypothesis has a started_at and no ended_at or decision'
			USING ERRCODE = 'check_violation',
				  HINT = 'Move it with journey.start_hypothesis and journey.conclude_hypothesis.';
	ELSIF NEW.status = 'concluded' AND (NEW.started_at IS NULL OR NEW.ended_at IS NULL) THEN
		RAISE EXCEPTION 'a concluded hypothesis has a started_at and an ended_at'
			USING ERRCODE = 'check_violation',
				  HINT = 'Move it with journey.conclude_hypothesis.';
	ELSIF NEW.status = 'concluded' AND NEW.decision IS NULL THEN
		RAISE EXCEPTION 'a concluded hypothesis needs a decision'
			USING ERRCODE = 'check_violation',
				  HINT = 'Decide ship, iterate or discard.';
	ELSIF NEW.status = 'concluded' AND coalesce(btrim(NEW.learning), '') = '' THEN
		RAISE EXCEPTION 'a concluded hypothesis needs a learning'
			USING ERRCODE = 'check_violation',
				  HINT = 'Write down what the result taught you: it is what the review cycle keeps.';
	ELSIF NEW.status = 'abandoned' AND (NEW.ended_at IS NULL OR NEW.decision IS NOT NULL) THEN
		RAISE EXCEPTION 'an abandoned hypothesis has an ended_at and no decision'
			USING ERRCODE = 'check_violation',
				  HINT = 'Move it with journey.abandon_hypothesis.';
	END IF;
	IF NEW.ended_at < NEW.started_at THEN
		RAISE EXCEPTION 'hypothesis ends before it starts'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('started_at is %s, ended_at is %s.', NEW.started_at, NEW.ended_at);
	END IF;
	RETURN NEW;
END
$$;

-- A guardrail is a metric the change must not make worse by more than a
-- margin: a one-sided non-inferiority test per variant against control
-- (journey.hypothesis_guardrails); a variant that does not show it has the
-- verdict "guardrail failed".  Like the hypothesis, a guardrail is frozen
-- once the hypothesis has started (an insertion is accepted in every
-- status, as for assignments, so that a dump restores).
CREATE TABLE @extschema@.guardrail (
	hypothesis_id bigint NOT NULL REFERENCES @extschema@.hypothesis (id)
		ON DELETE CASCADE,
	name text NOT NULL,
	event_name text NOT NULL,
	measure text NOT NULL DEFAULT 'conversion',
	higher_is_better boolean NOT NULL DEFAULT true,
	margin float8 NOT NULL DEFAULT 0.02,
	PRIMARY KEY (hypothesis_id, name)
);
COMMENT ON TABLE @extschema@.guardrail IS
  'guardrail metrics of a hypothesis: per unit within the conversion window after assignment, the conversion to, count of, or value of an event, which the change must not worsen by more than a relative margin';
COMMENT ON COLUMN @extschema@.guardrail.measure IS
  'conversion (the event reached, 0 or 1), count (its events) or value (the source''s value column summed over its events), per unit within the window';
COMMENT ON COLUMN @extschema@.guardrail.higher_is_better IS
  'true: a fall is harm (e.g. conversions); false: a rise is harm (e.g. refunds, errors)';
COMMENT ON COLUMN @extschema@.guardrail.margin IS
  'the relative change the guardrail tolerates in the harmful direction, e.g. 0.02 for 2%';

CREATE FUNCTION journey_internal.guardrail_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h record;
BEGIN
	IF TG_OP = 'DELETE' THEN
		SELECT hy.id, hy.status INTO h FROM @extschema@.hypothesis hy
		 WHERE hy.id = OLD.hypothesis_id FOR SHARE;
		IF FOUND AND h.status <> 'proposed' THEN
			RAISE EXCEPTION 'cannot remove guardrail "%" of hypothesis %: it is %',
					OLD.name, OLD.hypothesis_id, h.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'A hypothesis is frozen once started, so that its result answers the question that was asked.';
		END IF;
		RETURN OLD;
	END IF;
	SELECT hy.id, hy.status, hy.source, s.value_column INTO h
	  FROM @extschema@.hypothesis hy JOIN @extschema@.source s ON s.name = hy.source
	 WHERE hy.id = NEW.hypothesis_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown hypothesis %', NEW.hypothesis_id
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'Register the hypothesis in journey.hypothesis first.';
	END IF;
	IF TG_OP = 'UPDATE' AND h.status <> 'proposed' THEN
		RAISE EXCEPTION 'cannot change guardrail "%" of hypothesis %: it is %',
				OLD.name, OLD.hypothesis_id, h.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'A hypothesis is frozen once started, so that its result answers the question that was asked.',
				  HINT = 'Abandon it and propose a new hypothesis instead.';
	END IF;
	IF NEW.name IS NULL OR btrim(NEW.name) = '' THEN
		RAISE EXCEPTION 'a guardrail needs a name'
			USING ERRCODE = 'not_null_violation';
	END IF;
	IF NEW.event_name IS NULL OR btrim(NEW.event_name) = '' THEN
		RAISE EXCEPTION 'guardrail "%" needs an event name', NEW.name
			USING ERRCODE = 'not_null_violation',
				  HINT = 'Name the event of the source whose conversion, count or value is guarded.';
	END IF;
	IF NEW.measure IS NULL OR NEW.measure NOT IN ('conversion', 'count', 'value') THEN
		RAISE EXCEPTION 'unknown guardrail measure "%"', NEW.measure
			USING ERRCODE = 'check_violation',
				  HINT = 'Measure the event''s conversion, count or value per unit.';
	END IF;
	IF NEW.measure = 'value' AND h.value_column IS NULL THEN
		RAISE EXCEPTION 'source "%" has no value column', h.source
			USING ERRCODE = 'check_violation',
				  HINT = 'Register the source''s value_column, or guard the event''s conversion or count.';
	END IF;
	IF NEW.higher_is_better IS NULL THEN
		RAISE EXCEPTION 'guardrail "%" needs higher_is_better', NEW.name
			USING ERRCODE = 'not_null_violation';
	END IF;
	IF NOT coalesce(NEW.margin >= 0 AND NEW.margin < 'infinity', false) THEN
		RAISE EXCEPTION 'guardrail margin must be a finite number of at least 0'
			USING ERRCODE = 'check_violation',
				  DETAIL = format('It is %s.', coalesce(NEW.margin::text, 'NULL')),
				  HINT = 'The margin is the relative change tolerated, e.g. 0.02 for 2%.';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER guardrail_check
	BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.guardrail
	FOR EACH ROW EXECUTE FUNCTION journey_internal.guardrail_check();

REVOKE ALL ON TABLE @extschema@.guardrail FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.guardrail', '');

-- Per unit of one hypothesis: whether it converted (the definition of
-- hypothesis_units: the target moment's event within the conversion window
-- after assigned_at, both ends inclusive), whether it had the CUPED event
-- (by default the target moment's) in the CUPED window before assignment
-- (NULL without CUPED: at or after assigned_at - cuped_window and before
-- assigned_at), and the
-- ratio metric's numerator and denominator within the conversion window
-- (NULL without a ratio metric; the denominator 1 when it is per unit).
CREATE FUNCTION @extschema@.hypothesis_unit_values(hypothesis_id bigint)
RETURNS TABLE (customer_id text, variant text, converted float8, pre_converted float8,
			   numerator float8, denominator float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h record;
	src @extschema@.source;
BEGIN
	SELECT hy.conversion_window, hy.cuped_window, hy.ratio_numerator, hy.ratio_denominator,
		   hy.ratio_measure, m.event_name, coalesce(hy.cuped_event, m.event_name) AS cuped_event,
		   s AS source
	  INTO h
	  FROM @extschema@.hypothesis hy
	  JOIN @extschema@.source s ON s.name = hy.source
	  JOIN @extschema@.moment m ON m.source = hy.source AND m.name = hy.target_moment
	 WHERE hy.id = hypothesis_unit_values.hypothesis_id;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	src := h.source;
	PERFORM journey_internal.check_source_relation(src, false,
		CASE WHEN h.ratio_numerator IS NOT NULL AND h.ratio_measure = 'value'
			 THEN src.value_column END);

	RETURN QUERY EXECUTE format($q$
		SELECT a.customer_id, a.variant,
			   (count(e.%2$I) FILTER (WHERE e.%4$I = $2 AND e.%2$I >= a.assigned_at
										 AND e.%2$I <= a.assigned_at + $3) > 0)::int::float8,
			   CASE WHEN $4::interval IS NOT NULL THEN
			   (count(e.%2$I) FILTER (WHERE e.%4$I = $8 AND e.%2$I >= a.assigned_at - $4
										 AND e.%2$I < a.assigned_at) > 0)::int::float8 END,
			   CASE WHEN $5::text IS NULL THEN NULL
					WHEN $7 = 'value' THEN coalesce(@extschema@.exact_sum(%5$s) FILTER (
						WHERE e.%4$I = $5 AND e.%2$I >= a.assigned_at
						  AND e.%2$I <= a.assigned_at + $3), 0)
					ELSE count(e.%2$I) FILTER (WHERE e.%4$I = $5 AND e.%2$I >= a.assigned_at
												AND e.%2$I <= a.assigned_at + $3) END::float8,
			   CASE WHEN $5::text IS NULL THEN NULL WHEN $6::text IS NULL THEN 1
					ELSE count(e.%2$I) FILTER (WHERE e.%4$I = $6 AND e.%2$I >= a.assigned_at
												AND e.%2$I <= a.assigned_at + $3) END::float8
		  FROM @extschema@.assignment a
		  LEFT JOIN %1$s e ON e.%3$I::text = a.customer_id
			   AND (e.%4$I = $2 OR e.%4$I = $5 OR e.%4$I = $6 OR e.%4$I = $8)
			   AND e.%2$I >= a.assigned_at - coalesce($4, interval '0')
			   AND e.%2$I <= a.assigned_at + $3
		 WHERE a.hypothesis_id = $1
		 GROUP BY a.customer_id, a.variant$q$,
		src.relation, src.time_column, src.customer_column, src.event_column,
		CASE WHEN h.ratio_measure = 'value' AND src.value_column IS NOT NULL
			 THEN format('e.%I::float8', src.value_column) ELSE 'NULL::float8' END)
	USING hypothesis_unit_values.hypothesis_id, h.event_name, h.conversion_window,
		  h.cuped_window, h.ratio_numerator, h.ratio_denominator, h.ratio_measure, h.cuped_event;
END
$$;
COMMENT ON FUNCTION @extschema@.hypothesis_unit_values(bigint) IS
  'per unit of a hypothesis: converted (0/1), the CUPED event in the CUPED window before assignment (0/1), and the ratio metric''s numerator and denominator';

-- A variant's sums for cuped_test and ratio_test: {n, sum y, sum y^2,
-- sum x, sum x^2, sum x y}, from sums taken with exact_sum (the same bits
-- in any order).
CREATE FUNCTION journey_internal.arm_sums(n bigint, sy float8, syy float8,
	sx float8, sxx float8, sxy float8)
RETURNS float8[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN ARRAY[n::float8, coalesce(sy, 0), coalesce(syy, 0),
			 coalesce(sx, 0), coalesce(sxx, 0), coalesce(sxy, 0)];
COMMENT ON FUNCTION journey_internal.arm_sums(bigint, float8, float8, float8, float8, float8) IS
  'an arm of cuped_test and ratio_test from its exact sums (NULL sums are 0)';

-- The cap of winsorizing at percentile p: the p-th percentile (continuous)
-- of the non-zero values; NULL (no cap) when p is NULL or no value is
-- non-zero.
CREATE FUNCTION journey_internal.winsorize_cap(vals float8[], p float8)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT percentile_cont(p) WITHIN GROUP (ORDER BY v)
		  FROM unnest(vals) v WHERE p IS NOT NULL AND v <> 0);
COMMENT ON FUNCTION journey_internal.winsorize_cap(float8[], float8) IS
  'the value at which winsorizing at percentile p caps: the p-th continuous percentile of the non-zero values (NULL: no cap)';

-- Per guardrail of one hypothesis and variant other than control: the
-- guardrail's mean per unit in control and in the variant (winsorized as
-- the hypothesis says), the relative change, its standard error, and the
-- one-sided non-inferiority test at the hypothesis's alpha.  The change
-- and its error are cuped_test's unadjusted lift (conversion: a
-- proportion; count and value: a mean).  non_inferior is false when the
-- change cannot be measured (no control units with the metric).
CREATE FUNCTION @extschema@.hypothesis_guardrails(hypothesis_id bigint)
RETURNS TABLE (guardrail text, variant text, measure text,
			   higher_is_better boolean, margin float8, control_mean float8, mean float8,
			   lift float8, std_error float8, p_value float8, non_inferior boolean)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	hid constant bigint := hypothesis_guardrails.hypothesis_id;
	h record;
	src @extschema@.source;
	g record;
	t record;
	ni record;
BEGIN
	SELECT hy.conversion_window, hy.alpha, hy.winsorize, s AS source INTO h
	  FROM @extschema@.hypothesis hy JOIN @extschema@.source s ON s.name = hy.source
	 WHERE hy.id = hid;
	IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM @extschema@.guardrail gr WHERE gr.hypothesis_id = hid) THEN
		RETURN;
	END IF;
	src := h.source;
	PERFORM journey_internal.check_source_relation(src, false,
		CASE WHEN EXISTS (SELECT 1 FROM @extschema@.guardrail gr
						   WHERE gr.hypothesis_id = hid AND gr.measure = 'value')
			 THEN src.value_column END);

	FOR g IN EXECUTE format($q$
		WITH unit AS (
			SELECT gr.name, gr.measure, gr.higher_is_better, gr.margin, a.variant,
				   CASE gr.measure
						WHEN 'conversion' THEN (count(e.%2$I) > 0)::int::float8
						WHEN 'count' THEN count(e.%2$I)::float8
						ELSE coalesce(@extschema@.exact_sum(%5$s), 0) END AS v
			  FROM @extschema@.guardrail gr
			  JOIN @extschema@.assignment a ON a.hypothesis_id = gr.hypothesis_id
			  LEFT JOIN %1$s e ON e.%3$I::text = a.customer_id AND e.%4$I = gr.event_name
				   AND e.%2$I >= a.assigned_at AND e.%2$I <= a.assigned_at + $2
			 WHERE gr.hypothesis_id = $1
			 GROUP BY gr.name, gr.measure, gr.higher_is_better, gr.margin, a.customer_id, a.variant
		), capped AS (
			SELECT u.*, CASE WHEN u.measure = 'conversion' THEN NULL
							 ELSE journey_internal.winsorize_cap(array_agg(u.v) OVER (PARTITION BY u.name), $3)
						END AS cap
			  FROM unit u
		), arms AS (
			SELECT c.name, c.measure, c.higher_is_better, c.margin, c.variant,
				   journey_internal.arm_sums(count(*), @extschema@.exact_sum(c.w),
						@extschema@.exact_sum(c.w * c.w), 0, 0, 0) AS sums
			  FROM (SELECT d.*, least(d.v, coalesce(d.cap, d.v)) AS w FROM capped d) c
			 GROUP BY c.name, c.measure, c.higher_is_better, c.margin, c.variant
		)
		SELECT t.name, t.measure, t.higher_is_better, t.margin, t.variant,
			   c.sums AS control_sums, t.sums
		  FROM arms t JOIN arms c ON c.name = t.name AND c.variant = 'control'
		 WHERE t.variant <> 'control'
		 ORDER BY t.name, t.variant$q$,
		src.relation, src.time_column, src.customer_column, src.event_column,
		CASE WHEN src.value_column IS NOT NULL
			 THEN format('e.%I::float8', src.value_column) ELSE 'NULL::float8' END)
	USING hid, h.conversion_window, h.winsorize
	LOOP
		guardrail := g.name;
		variant := g.variant;
		measure := g.measure;
		higher_is_better := g.higher_is_better;
		margin := g.margin;
		control_mean := g.control_sums[2] / g.control_sums[1];
		mean := g.sums[2] / g.sums[1];
		lift := NULL; std_error := NULL; p_value := NULL; non_inferior := false;
		IF g.control_sums[1] >= 2 AND g.sums[1] >= 2 THEN
			SELECT * INTO t FROM @extschema@.cuped_test(g.control_sums, g.sums, h.alpha,
														g.measure = 'conversion');
			lift := t.lift;
			std_error := t.std_error;
			IF t.lift IS NOT NULL THEN
				SELECT * INTO ni FROM @extschema@.noninferiority_test(t.lift, t.std_error,
						g.margin, h.alpha, g.higher_is_better);
				p_value := ni.p_value;
				non_inferior := ni.non_inferior;
			END IF;
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.hypothesis_guardrails(bigint) IS
  'per guardrail of a hypothesis and variant: control and variant means per unit, relative change with its standard error, and the one-sided non-inferiority test against the margin at the hypothesis''s alpha';

-- The figures of one hypothesis beyond the conversion test, per variant
-- (control first, its comparison columns NULL): CUPED (when cuped_window
-- is set), the sequential interval and p-value (when sequential), the
-- ratio metric (when ratio_numerator is set), and the guardrails.  A
-- variant compared with control needs 2 units in each arm.
CREATE FUNCTION @extschema@.hypothesis_effects(hypothesis_id bigint)
RETURNS TABLE (variant text,
			   cuped_lift float8, cuped_low float8, cuped_high float8, cuped_p_value float8,
			   variance_reduction float8,
			   sequential_low float8, sequential_high float8, sequential_p_value float8,
			   ratio float8, ratio_lift float8, ratio_low float8, ratio_high float8,
			   ratio_p_value float8,
			   guardrails_failed text)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	hid constant bigint := hypothesis_effects.hypothesis_id;
	h record;
	v record;
	ctrl record;
	c record;
	r record;
	s record;
	usable boolean := true;
	has_control boolean := false;
	ctrl_units bigint := 0;
	failed_variants text[];
	failed_lists text[];
	est float8;
	se float8;
BEGIN
	SELECT hy.alpha, hy.sequential, hy.sequential_tuning, hy.cuped_window,
		   hy.ratio_numerator, hy.winsorize INTO h
	  FROM @extschema@.hypothesis hy WHERE hy.id = hid;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	-- (a hypothesis stored with parameters out of range: its figures are
	-- NULL, as hypothesis_result says why)
	BEGIN
		PERFORM journey_internal.check_parameter('alpha', h.alpha);
	EXCEPTION WHEN invalid_parameter_value OR null_value_not_allowed THEN
		usable := false;
	END;
	-- the guardrails each variant failed
	SELECT array_agg(f.variant), array_agg(f.failed) INTO failed_variants, failed_lists
	  FROM (SELECT g.variant, string_agg(g.guardrail, ', ' ORDER BY g.guardrail) AS failed
			  FROM @extschema@.hypothesis_guardrails(hid) g
			 WHERE NOT g.non_inferior
			 GROUP BY g.variant) f;

	FOR v IN
		WITH u AS (
			SELECT * FROM @extschema@.hypothesis_unit_values(hid)
		), caps AS (
			SELECT journey_internal.winsorize_cap(array_agg(u.numerator), h.winsorize) AS num_cap,
				   journey_internal.winsorize_cap(array_agg(u.denominator), h.winsorize) AS den_cap
			  FROM u
		), w AS (
			SELECT u.variant, u.converted, coalesce(u.pre_converted, 0) AS pre,
				   least(u.numerator, coalesce(k.num_cap, u.numerator)) AS num,
				   least(u.denominator, coalesce(k.den_cap, u.denominator)) AS den
			  FROM u, caps k
		)
		SELECT w.variant, count(*) AS units,
			   journey_internal.arm_sums(count(*), sum(w.converted), sum(w.converted),
									sum(w.pre), sum(w.pre), sum(w.converted * w.pre)) AS conv,
			   journey_internal.arm_sums(count(*), @extschema@.exact_sum(w.num),
									@extschema@.exact_sum(w.num * w.num),
									@extschema@.exact_sum(w.den), @extschema@.exact_sum(w.den * w.den),
									@extschema@.exact_sum(w.num * w.den)) AS ratio_sums
		  FROM w
		 GROUP BY w.variant
		 ORDER BY w.variant <> 'control', w.variant
	LOOP
		variant := v.variant;
		cuped_lift := NULL; cuped_low := NULL; cuped_high := NULL; cuped_p_value := NULL;
		variance_reduction := NULL; sequential_low := NULL; sequential_high := NULL;
		sequential_p_value := NULL; ratio := NULL; ratio_lift := NULL; ratio_low := NULL;
		ratio_high := NULL; ratio_p_value := NULL; guardrails_failed := NULL;
		IF h.ratio_numerator IS NOT NULL AND v.ratio_sums[4] <> 0 THEN
			ratio := v.ratio_sums[2] / v.ratio_sums[4];
		END IF;
		IF v.variant = 'control' THEN
			ctrl := v;
			has_control := true;
			ctrl_units := v.units;
		ELSIF has_control AND usable AND ctrl_units >= 2 AND v.units >= 2 THEN
			SELECT * INTO c FROM @extschema@.cuped_test(ctrl.conv, v.conv, h.alpha, true);
			IF h.cuped_window IS NOT NULL THEN
				cuped_lift := c.cuped_lift; cuped_low := c.cuped_low;
				cuped_high := c.cuped_high; cuped_p_value := c.cuped_p_value;
				variance_reduction := c.variance_reduction;
			END IF;
			-- the sequential test reads the estimate the hypothesis reports:
			-- CUPED's when it has a pre-period, else the plain lift
			IF h.cuped_window IS NOT NULL THEN
				est := c.cuped_lift; se := c.cuped_std_error;
			ELSE
				est := c.lift; se := c.std_error;
			END IF;
			IF h.sequential AND se > 0 THEN
				SELECT * INTO s FROM @extschema@.sequential_test(est, se, ctrl.units + v.units,
																  h.alpha, h.sequential_tuning);
				sequential_low := s.low; sequential_high := s.high;
				sequential_p_value := s.p_value;
			END IF;
			IF h.ratio_numerator IS NOT NULL THEN
				SELECT * INTO r FROM @extschema@.ratio_test(ctrl.ratio_sums, v.ratio_sums, h.alpha);
				ratio_lift := r.lift; ratio_low := r.lift_low; ratio_high := r.lift_high;
				ratio_p_value := r.p_value;
			END IF;
		END IF;
		guardrails_failed := failed_lists[array_position(failed_variants, v.variant)];
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.hypothesis_effects(bigint) IS
  'per variant of a hypothesis: CUPED lift, interval, p-value and variance reduction; sequential (always-valid) interval and p-value; ratio metric and its lift; the guardrails that failed';

