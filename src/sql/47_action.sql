-- From signals to action: what data there is after each moment
-- (moment_coverage), who to act on now (stalled_customers,
-- inactive_customers and the journey.stalled view for automation tools),
-- and what customers said (the journey.note registry and its counts per
-- review cycle, moment and theme, journey.review_heard).  What a review
-- cycle shows of them (journey.review, review_moments, review_details) is
-- computed by the functions of src/sql/44_action_cycle.sql.  See
-- doc/guide-moments.md and doc/guide-review-cycle.md.
--
-- Every function that reads a registered relation checks it first
-- (check_source_relation), then builds its SQL with format('%I') over the
-- registered column names and passes every value as a parameter.
--
-- Who to act on is read with an index-friendly plan: one scan of the rows
-- of the two moments' events, then index lookups through a btree index on
-- (customer, time) when the relation has one (the latest row; for the
-- customers listed, the latest channel when that row has none, and the
-- segment when asked for); without such an index the same answers come from
-- one GROUP BY customer pass over the relation.

-- ---------------------------------------------------------------------
-- Shared pieces
-- ---------------------------------------------------------------------

-- The source's moment of that name, with its position and the event of the
-- next moment (NULL for the last one); errors name what is wrong.
CREATE FUNCTION journey_internal.action_moment(src @extschema@.source, moment text,
	OUT "position" int, OUT event_name text, OUT next_event_name text)
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF action_moment.moment IS NULL THEN
		RAISE EXCEPTION 'moment must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM journey_internal.check_moment(src.name, action_moment.moment, 'moment');
	SELECT m.position, m.event_name, n.event_name
	  INTO action_moment.position, action_moment.event_name, action_moment.next_event_name
	  FROM @extschema@.moment m
	  LEFT JOIN @extschema@.moment n ON n.source = m.source AND n.position = m.position + 1
	 WHERE m.source = src.name AND m.name = action_moment.moment;
END;
$$;
COMMENT ON FUNCTION journey_internal.action_moment(@extschema@.source, text) IS
  'the source''s moment of that name: its position, its event and the next moment''s event (NULL for the last moment); an error naming the moments when there is none';

-- Whether the relation has a valid btree index whose first two columns are
-- the customer and time columns (no predicate): then a customer's first and
-- last rows are index lookups.
CREATE FUNCTION @extschema@.customer_time_index(relation regclass, customer_column name,
	time_column name)
RETURNS bool
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (
		SELECT 1
		  FROM pg_index i
		  JOIN pg_class ic ON ic.oid = i.indexrelid
		  JOIN pg_am am ON am.oid = ic.relam
		  JOIN pg_attribute c ON c.attrelid = i.indrelid AND c.attname = customer_column
		  JOIN pg_attribute t ON t.attrelid = i.indrelid AND t.attname = time_column
		 WHERE i.indrelid = relation AND i.indisvalid AND i.indpred IS NULL
		   AND am.amname = 'btree' AND i.indnkeyatts >= 2
		   AND i.indkey[0] = c.attnum AND i.indkey[1] = t.attnum)
$$;
COMMENT ON FUNCTION @extschema@.customer_time_index(regclass, name, name) IS
  'true when the relation has a valid btree index on (customer column, time column, ...) without a predicate, which stalled_customers and inactive_customers look customers up through';

-- The key of one entry of an action list: the same kind, source, moment,
-- customer and instant always give the same key, so that an automation
-- tool can tell entries it has already acted on from new ones.
CREATE FUNCTION @extschema@.action_key(kind text, source text, moment text,
	customer_id text, since_at timestamptz)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN md5(ROW(kind, source, moment, customer_id, extract(epoch FROM since_at))::text);
COMMENT ON FUNCTION @extschema@.action_key(text, text, text, text, timestamptz) IS
  'the stable key of an action list entry: md5 of (kind, source, moment, customer, the instant the entry started: its arrival for stalled, its last event for inactive)';

-- Raise unless the interval argument is given and not negative.
CREATE FUNCTION journey_internal.check_action_interval(what text, value interval, positive bool)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF value IS NULL THEN
		RAISE EXCEPTION '% must not be NULL', what
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF value < interval '0' OR (positive AND value = interval '0') THEN
		RAISE EXCEPTION '% must be %, not %', what,
				CASE WHEN positive THEN 'positive' ELSE 'zero or positive' END, value
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
END;
$$;
COMMENT ON FUNCTION journey_internal.check_action_interval(text, interval, bool) IS
  'raises a clear error unless the named interval argument is given and not negative (with positive: greater than zero)';

-- The source's moments in position order (positions run 1..n: the
-- registry keeps them so), or an error when it has none.
CREATE FUNCTION journey_internal.action_moments(src @extschema@.source,
	OUT names text[], OUT events text[])
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	SELECT array_agg(m.name ORDER BY m.position), array_agg(m.event_name ORDER BY m.position)
	  INTO names, events
	  FROM @extschema@.moment m WHERE m.source = src.name;
	IF names IS NULL THEN
		RAISE EXCEPTION 'source "%" has no moments', src.name
			USING ERRCODE = 'no_data_found',
			      HINT = 'Insert its moments that matter into journey.moment (positions 1, 2, ...).';
	END IF;
END;
$$;
COMMENT ON FUNCTION journey_internal.action_moments(@extschema@.source) IS
  'the names and events of the source''s moments in position order; an error when it has none';

-- Raise unless as_of is given and finite and since, when given, finite.
CREATE FUNCTION journey_internal.check_action_instants(as_of timestamptz, since timestamptz)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF as_of IS NULL THEN
		RAISE EXCEPTION 'as_of must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF as_of IN ('infinity', '-infinity') OR since IN ('infinity', '-infinity') THEN
		RAISE EXCEPTION 'as_of and since must be finite'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
END;
$$;
COMMENT ON FUNCTION journey_internal.check_action_instants(timestamptz, timestamptz) IS
  'raises a clear error unless as_of is given and finite, and since is NULL or finite';

-- ---------------------------------------------------------------------
-- What data there is after each moment
-- ---------------------------------------------------------------------

-- Per moment: the customers whose events (from since, inclusive, until
-- until, exclusive) include the moment's event; their arrival is the first
-- such event.  "Data after" is any event of the customer strictly later than
-- the arrival and at most horizon later (inclusive), within the range.
CREATE FUNCTION @extschema@.moment_coverage(
	source text,
	horizon interval DEFAULT '30 days',
	dark_share float8 DEFAULT 0.2,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS TABLE (
	"position" int,
	moment text,
	customers_reached bigint,
	customers_with_data bigint,
	share_with_data float8,
	event_types_after bigint,
	median_silent_gap interval,
	dark bool)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
	src @extschema@.source := journey_internal.report_source(moment_coverage.source);
	names text[];
	events text[];
BEGIN
	PERFORM journey_internal.check_action_interval('horizon', moment_coverage.horizon, true);
	IF dark_share IS NULL OR dark_share = 'NaN' OR dark_share < 0 OR dark_share > 1 THEN
		RAISE EXCEPTION 'dark_share must be between 0 and 1, not %', coalesce(dark_share::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'A moment is dark when fewer than this share of the customers who reached it have any event within the horizon after it.';
	END IF;
	SELECT * INTO names, events FROM journey_internal.action_moments(src);

	-- the registry was checked on insert, but the relation may have changed;
	-- and the current role must be able to read it, trusting what it runs
	PERFORM journey_internal.check_source_relation(src, false);

	-- One sort of the rows by customer: each row carries its customer's
	-- arrival at every moment (a1, a2, ...: window aggregates over the
	-- customer's rows); then per customer, the first event after each
	-- arrival (n1, n2, ...), and per event type, whether it falls within the
	-- horizon after some customer's arrival (t1, t2, ...); then one row per
	-- moment.  The pieces repeated per moment k are built from k alone.
	RETURN QUERY EXECUTE format($q$
		WITH w AS (
			SELECT e.%1$I AS customer, e.%2$I::timestamptz AS ts, e.%3$I::text AS event, %5$s
			  FROM %4$s e
			 WHERE %6$s
			WINDOW c AS (PARTITION BY e.%1$I)
		), per_customer AS MATERIALIZED (
			SELECT %7$s FROM w GROUP BY w.customer
		), per_event AS MATERIALIZED (
			SELECT %8$s FROM w GROUP BY w.event
		), per_moment AS (
			%9$s
		)
		SELECT p.position, m.name, p.reached, p.with_data,
		       p.with_data::float8 / nullif(p.reached, 0), p.types, p.median_gap,
		       coalesce(p.with_data::float8 / nullif(p.reached, 0) < $6, true)
		  FROM per_moment p JOIN unnest($1::text[]) WITH ORDINALITY AS m(name, position)
		    ON m.position = p.position
		 ORDER BY p.position$q$,
		src.customer_column, src.time_column, src.event_column, src.relation,
		(SELECT string_agg(format('min(e.%1$I::timestamptz) FILTER (WHERE e.%2$I = ($2)[%3$s]) OVER c AS a%3$s',
		                          src.time_column, src.event_column, k), ', ' ORDER BY k)
		   FROM generate_subscripts(names, 1) k),
		format('($3::timestamptz IS NULL OR e.%1$I::timestamptz >= $3) AND ($4::timestamptz IS NULL OR e.%1$I::timestamptz < $4)',
		       src.time_column),
		(SELECT string_agg(format('min(w.a%1$s) AS a%1$s, min(w.ts) FILTER (WHERE w.ts > w.a%1$s) AS n%1$s', k),
		                   ', ' ORDER BY k)
		   FROM generate_subscripts(names, 1) k),
		(SELECT string_agg(format('bool_or(w.ts > w.a%1$s AND w.ts <= w.a%1$s + $5) AS t%1$s', k),
		                   ', ' ORDER BY k)
		   FROM generate_subscripts(names, 1) k),
		(SELECT string_agg(format($k$SELECT %1$s AS position, count(c.a%1$s) AS reached,
		                                   count(*) FILTER (WHERE c.n%1$s <= c.a%1$s + $5) AS with_data,
		                                   (SELECT count(*) FILTER (WHERE t.t%1$s) FROM per_event t) AS types,
		                                   percentile_cont(0.5) WITHIN GROUP (ORDER BY c.n%1$s - c.a%1$s) AS median_gap
		                              FROM per_customer c$k$, k), ' UNION ALL ' ORDER BY k)
		   FROM generate_subscripts(names, 1) k))
	USING names, events, moment_coverage.since, moment_coverage.until,
	      moment_coverage.horizon, moment_coverage.dark_share;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.moment_coverage(text, interval, float8, timestamptz, timestamptz) IS
  'per moment of the source: customers who reached it (had its event), how many and what share have any later event within the horizon, the distinct event types seen there, the median gap to the next event, and whether the moment is dark (share below dark_share)';

-- ---------------------------------------------------------------------
-- Who to act on now
-- ---------------------------------------------------------------------

-- The rule that lists a customer as stalled, as SQL over the given
-- expressions: the arrival (the latest event of the moment before as_of) is
-- at or after since (when given) and at least wait before as_of, and no
-- event of the next moment (its latest before as_of: moved) is at or after
-- the arrival.  Used by action_list and stalled_counts.
CREATE FUNCTION journey_internal.stalled_sql(arrived text, moved text, as_of text, wait text,
	since text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN format('(%1$s IS NOT NULL AND (%5$s::timestamptz IS NULL OR %1$s >= %5$s) AND %1$s <= %3$s - %4$s AND (%2$s IS NULL OR %2$s < %1$s))',
              arrived, moved, as_of, wait, since);
COMMENT ON FUNCTION journey_internal.stalled_sql(text, text, text, text, text) IS
  'the SQL condition that lists a customer as stalled, over the given expressions for the arrival, the latest move on, as_of, the wait and since (used by stalled_customers and stalled_counts)';

-- The customers listed by stalled_customers ('stalled') or
-- inactive_customers ('inactive'), built over the relation as described
-- there.  Events considered are those before as_of; arrivals at or after
-- since.
CREATE FUNCTION journey_internal.action_list(src @extschema@.source, moment text, kind text,
	wait interval, segment_column text, as_of timestamptz, since timestamptz)
RETURNS TABLE (
	customer_id text,
	arrived_at timestamptz,
	moved_at timestamptz,
	last_event_at timestamptz,
	segment text,
	last_channel text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
	m record := journey_internal.action_moment(src, moment);
	-- the segment and channel columns of row e, or NULL when none
	seg text := CASE WHEN segment_column IS NULL THEN 'NULL' ELSE format('e.%I', segment_column) END;
	chan text := CASE WHEN src.channel_column IS NULL THEN 'NULL'
	                  ELSE format('e.%I', src.channel_column) END;
	-- which customers: stalled: arrived at least wait before as_of, not
	-- moved on since; inactive: last event (%s) at least wait before as_of
	listed text := CASE kind
		WHEN 'stalled' THEN journey_internal.stalled_sql('a.arrived_at', 'a.moved_at', '$3', '$4', '$5')
		ELSE 'a.arrived_at IS NOT NULL AND ($5::timestamptz IS NULL OR a.arrived_at >= $5) AND %s <= $3 - $4' END;
BEGIN
	PERFORM journey_internal.check_action_instants(as_of, since);
	IF kind = 'stalled' AND m.next_event_name IS NULL THEN
		RAISE EXCEPTION 'moment "%" is the last moment of source "%": no next moment to wait for',
				moment, src.name
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'List the customers who have gone quiet after it with journey.inactive_customers.';
	END IF;

	-- the registry was checked on insert, but the relation may have changed;
	-- and the current role must be able to read it (every registered column:
	-- the channel column is read), trusting what it runs
	PERFORM journey_internal.check_source_relation(src, true, segment_column);

	IF @extschema@.customer_time_index(src.relation, src.customer_column, src.time_column) THEN
		-- one pass over the rows of the two moments' events, then index
		-- lookups: the latest row of each candidate (its time and channel),
		-- and for the customers listed only, the latest channel when that row
		-- has none, and the first row's segment
		RETURN QUERY EXECUTE format($q$
			SELECT a.customer::text, a.arrived_at, a.moved_at, l.ts, %6$s, coalesce(l.channel, %5$s)
			  FROM (SELECT e.%1$I AS customer,
			               max(e.%2$I::timestamptz) FILTER (WHERE e.%3$I = $1) AS arrived_at,
			               max(e.%2$I::timestamptz) FILTER (WHERE e.%3$I = $2) AS moved_at
			          FROM %4$s e
			         WHERE e.%3$I IN ($1, $2) AND e.%2$I::timestamptz < $3
			         GROUP BY e.%1$I) a
			 CROSS JOIN LATERAL (
			        SELECT e.%2$I::timestamptz AS ts, %8$s::text AS channel FROM %4$s e
			         WHERE e.%1$I = a.customer AND e.%2$I::timestamptz < $3
			         ORDER BY e.%2$I DESC, %8$s::text COLLATE "C" DESC NULLS LAST LIMIT 1) l
			 WHERE %7$s
			 ORDER BY a.arrived_at, a.customer::text$q$,
			src.customer_column, src.time_column, src.event_column, src.relation,
			CASE WHEN src.channel_column IS NULL THEN 'NULL::text'
			     ELSE format('(SELECT %1$s::text FROM %2$s e WHERE e.%3$I = a.customer AND e.%4$I::timestamptz < $3 AND %1$s IS NOT NULL ORDER BY e.%4$I DESC, %1$s::text COLLATE "C" DESC LIMIT 1)',
			                 chan, src.relation, src.customer_column, src.time_column) END,
			CASE WHEN segment_column IS NULL THEN 'NULL::text'
			     ELSE format('(SELECT %1$s::text FROM %2$s e WHERE e.%3$I = a.customer AND e.%4$I::timestamptz < $3 ORDER BY e.%4$I, %1$s::text COLLATE "C" LIMIT 1)',
			                 seg, src.relation, src.customer_column, src.time_column) END,
			format(listed, 'l.ts'), chan)
		USING m.event_name, m.next_event_name, as_of, wait, since;
	ELSE
		-- one GROUP BY customer pass over every row before as_of
		RETURN QUERY EXECUTE format($q$
			SELECT a.customer::text, a.arrived_at, a.moved_at, a.last_event_at, a.segment, a.channel
			  FROM (SELECT e.%1$I AS customer,
			               max(e.%2$I::timestamptz) FILTER (WHERE e.%3$I = $1) AS arrived_at,
			               max(e.%2$I::timestamptz) FILTER (WHERE e.%3$I = $2) AS moved_at,
			               max(e.%2$I::timestamptz) AS last_event_at,
			               (array_agg(%5$s::text ORDER BY e.%2$I DESC, %5$s::text COLLATE "C" DESC)
			                  FILTER (WHERE %5$s IS NOT NULL))[1] AS channel,
			               (array_agg(%6$s::text ORDER BY e.%2$I, %6$s::text COLLATE "C"))[1] AS segment
			          FROM %4$s e
			         WHERE e.%2$I::timestamptz < $3
			         GROUP BY e.%1$I) a
			 WHERE %7$s
			 ORDER BY a.arrived_at, a.customer::text$q$,
			src.customer_column, src.time_column, src.event_column, src.relation, chan, seg,
			format(listed, 'a.last_event_at'))
		USING m.event_name, m.next_event_name, as_of, wait, since;
	END IF;
END;
$fn$;
COMMENT ON FUNCTION journey_internal.action_list(@extschema@.source, text, text, interval, text, timestamptz, timestamptz) IS
  'the customers stalled at a moment or inactive after it, with their arrival, move on, last event, segment and last channel (used by stalled_customers and inactive_customers)';

-- Customers who reached the moment, have not reached the next one since,
-- and have waited there at least stalled_for.  A customer's arrival is
-- their latest event of the moment before as_of; they moved on when the
-- next moment's event follows it (at the same instant or later) before
-- as_of; they are listed when as_of - arrival >= stalled_for.
CREATE FUNCTION @extschema@.stalled_customers(
	source text,
	moment text,
	stalled_for interval DEFAULT '3 days',
	segment_column text DEFAULT NULL,
	as_of timestamptz DEFAULT now(),
	since timestamptz DEFAULT NULL)
RETURNS TABLE (
	customer_id text,
	arrived_at timestamptz,
	waiting interval,
	segment text,
	last_channel text,
	last_event_at timestamptz,
	window_open bool,
	action_key text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
	src @extschema@.source := journey_internal.report_source(stalled_customers.source);
BEGIN
	PERFORM journey_internal.check_action_interval('stalled_for', stalled_for, false);
	RETURN QUERY
	SELECT l.customer_id, l.arrived_at, stalled_customers.as_of - l.arrived_at, l.segment,
	       l.last_channel, l.last_event_at,
	       l.arrived_at + src.moment_window >= stalled_customers.as_of,
	       @extschema@.action_key('stalled', src.name, stalled_customers.moment, l.customer_id,
	                              l.arrived_at)
	  FROM journey_internal.action_list(src, stalled_customers.moment, 'stalled', stalled_for,
	                               stalled_customers.segment_column, stalled_customers.as_of,
	                               stalled_customers.since) l;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.stalled_customers(text, text, interval, text, timestamptz, timestamptz) IS
  'customers who reached the moment (latest arrival before as_of, at or after since), have not reached the next moment since, and have waited at least stalled_for: arrival, wait, segment, last channel, last event, whether the source''s moment window is still open, and a stable key';

-- How many customers stalled_customers lists at every moment but the last
-- (NULL there), with the same stalled_for, as_of and since: one pass over
-- the rows of the moments' events, grouped per customer, that counts
-- without listing.
CREATE FUNCTION @extschema@.stalled_counts(
	source text,
	stalled_for interval DEFAULT '3 days',
	as_of timestamptz DEFAULT now(),
	since timestamptz DEFAULT NULL)
RETURNS TABLE ("position" int, moment text, stalled bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
	src @extschema@.source := journey_internal.report_source(stalled_counts.source);
	names text[];
	events text[];
	n int;
BEGIN
	PERFORM journey_internal.check_action_interval('stalled_for', stalled_for, false);
	PERFORM journey_internal.check_action_instants(as_of, since);
	SELECT * INTO names, events FROM journey_internal.action_moments(src);
	n := cardinality(names);

	-- the registry was checked on insert, but the relation may have changed;
	-- and the current role must be able to read it, trusting what it runs
	PERFORM journey_internal.check_source_relation(src, false);

	-- per customer, the latest event of each moment before as_of (l1, l2,
	-- ...); then per moment k but the last, the customers stalled_sql
	-- lists with l(k) as the arrival and l(k+1) as the move on.  With
	-- since, only the rows from since on are read: an arrival before since
	-- is not listed, and a move on before since comes before every arrival
	-- that is, so neither changes a count (a review cycle reads its dates)
	RETURN QUERY EXECUTE format($q$
		WITH per_customer AS MATERIALIZED (
			SELECT %5$s
			  FROM %4$s e
			 WHERE e.%3$I = ANY ($1) AND e.%2$I::timestamptz < $2
			   AND ($4::timestamptz IS NULL OR e.%2$I::timestamptz >= $4)
			 GROUP BY e.%1$I
		)
		SELECT m.position::int, m.name, c.stalled
		  FROM unnest($5::text[]) WITH ORDINALITY AS m(name, position)
		  LEFT JOIN (%6$s) c ON c.position = m.position
		 ORDER BY m.position$q$,
		src.customer_column, src.time_column, src.event_column, src.relation,
		(SELECT string_agg(format('max(e.%1$I::timestamptz) FILTER (WHERE e.%2$I = ($1)[%3$s]) AS l%3$s',
		                          src.time_column, src.event_column, k), ', ' ORDER BY k)
		   FROM generate_series(1, n) k),
		coalesce((SELECT string_agg(format('SELECT %1$s AS position, count(*) FILTER (WHERE %2$s) AS stalled FROM per_customer c',
		                                   k, journey_internal.stalled_sql(format('c.l%s', k), format('c.l%s', k + 1),
		                                                              '$2', '$3', '$4')),
		                            ' UNION ALL ' ORDER BY k)
		            FROM generate_series(1, n - 1) k),
		         'SELECT NULL::int AS position, NULL::bigint AS stalled'))
	USING events, stalled_counts.as_of, stalled_counts.stalled_for, stalled_counts.since, names;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.stalled_counts(text, interval, timestamptz, timestamptz) IS
  'per moment of the source: how many customers stalled_customers lists there with the same stalled_for, as_of and since (NULL at the last moment), counted in one pass';

-- Customers who reached the moment and have had no event at all for at
-- least inactive_for: their last event before as_of is at least
-- inactive_for before it.  Works for every moment, the last one included.
CREATE FUNCTION @extschema@.inactive_customers(
	source text,
	moment text,
	inactive_for interval DEFAULT '30 days',
	segment_column text DEFAULT NULL,
	as_of timestamptz DEFAULT now(),
	since timestamptz DEFAULT NULL)
RETURNS TABLE (
	customer_id text,
	arrived_at timestamptz,
	last_event_at timestamptz,
	inactive interval,
	segment text,
	last_channel text,
	action_key text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
	src @extschema@.source := journey_internal.report_source(inactive_customers.source);
BEGIN
	PERFORM journey_internal.check_action_interval('inactive_for', inactive_for, false);
	RETURN QUERY
	SELECT l.customer_id, l.arrived_at, l.last_event_at,
	       inactive_customers.as_of - l.last_event_at, l.segment, l.last_channel,
	       @extschema@.action_key('inactive', src.name, inactive_customers.moment, l.customer_id,
	                              l.last_event_at)
	  FROM journey_internal.action_list(src, inactive_customers.moment, 'inactive', inactive_for,
	                               inactive_customers.segment_column, inactive_customers.as_of,
	                               inactive_customers.since) l;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.inactive_customers(text, text, interval, text, timestamptz, timestamptz) IS
  'customers who reached the moment (latest arrival before as_of, at or after since) and have had no event for at least inactive_for: arrival, last event, time inactive, segment, last channel and a stable key';

-- (source_readable is a condition on the source alone, so it is checked as
-- the sources are read, before any of them is read)
CREATE VIEW @extschema@.stalled WITH (security_invoker = true) AS
SELECT s.name AS source, m.position, m.name AS moment, c.customer_id, c.arrived_at,
       extract(epoch FROM c.waiting)::float8 AS seconds_waiting,
       c.last_channel, c.last_event_at, c.window_open, c.action_key
  FROM @extschema@.source s
  JOIN @extschema@.moment m ON m.source = s.name
 CROSS JOIN LATERAL @extschema@.stalled_customers(s.name, m.name) c
 WHERE EXISTS (SELECT 1 FROM @extschema@.moment n
                WHERE n.source = m.source AND n.position = m.position + 1)
   AND journey_internal.source_readable(s.name, true);
COMMENT ON VIEW @extschema@.stalled IS
  'for automation tools: per registered source the current role can read (see journey.source_status) and moment but the last, the customers stalled there for at least 3 days now (journey.stalled_customers); action_key tells new entries from ones already acted on';
COMMENT ON COLUMN @extschema@.stalled.source IS
  'the registered source';
COMMENT ON COLUMN @extschema@.stalled.position IS
  'the moment''s position in the source''s journey (1 = first)';
COMMENT ON COLUMN @extschema@.stalled.moment IS
  'the moment the customer reached and has not moved on from';
COMMENT ON COLUMN @extschema@.stalled.customer_id IS
  'the customer, as text';
COMMENT ON COLUMN @extschema@.stalled.arrived_at IS
  'when the customer last reached the moment (the latest event of the moment)';
COMMENT ON COLUMN @extschema@.stalled.seconds_waiting IS
  'seconds since arrived_at, at least 3 days (259,200 s)';
COMMENT ON COLUMN @extschema@.stalled.last_channel IS
  'the channel of the customer''s latest event that has one (latest time, then the highest channel bytewise); NULL when the source names no channel column';
COMMENT ON COLUMN @extschema@.stalled.last_event_at IS
  'the customer''s latest event of any kind';
COMMENT ON COLUMN @extschema@.stalled.window_open IS
  'true while arrived_at plus the source''s moment_window is not past (a move on now still counts as a conversion within the window)';
COMMENT ON COLUMN @extschema@.stalled.action_key IS
  'stable key of this entry (journey.action_key of stalled, source, moment, customer, arrived_at): the same while the customer stays, a new key when the customer reaches the moment again';

-- ---------------------------------------------------------------------
-- What customers said
-- ---------------------------------------------------------------------

CREATE TABLE @extschema@.note (
	id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	source text NOT NULL,
	moment text NOT NULL,
	customer_id text,
	noted_at timestamptz,
	origin text,
	theme text NOT NULL,
	body text NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (source, moment) REFERENCES @extschema@.moment (source, name)
		ON UPDATE CASCADE
);
COMMENT ON TABLE @extschema@.note IS
  'what customers said: survey answers, support tickets, call and sales notes, one per row, tied to a source''s moment, optionally to a customer and a time, with a theme label';
COMMENT ON COLUMN @extschema@.note.id IS
  'the note''s number';
COMMENT ON COLUMN @extschema@.note.source IS
  'the registered source whose journey the note is about';
COMMENT ON COLUMN @extschema@.note.moment IS
  'the moment of that source the note is about';
COMMENT ON COLUMN @extschema@.note.customer_id IS
  'the customer who said it, as text (compared with the source''s customer column cast to text); NULL when unknown';
COMMENT ON COLUMN @extschema@.note.noted_at IS
  'when it was said; NULL when unknown (then recorded_at places the note in a review cycle)';
COMMENT ON COLUMN @extschema@.note.origin IS
  'where it was heard, e.g. survey, support ticket, sales call; NULL when not said';
COMMENT ON COLUMN @extschema@.note.theme IS
  'the theme label the team gave it (counted per moment and theme in each review cycle)';
COMMENT ON COLUMN @extschema@.note.body IS
  'what was said';
COMMENT ON COLUMN @extschema@.note.recorded_at IS
  'when the note was recorded';

CREATE INDEX note_source_moment ON @extschema@.note (source, moment);

CREATE FUNCTION journey_internal.note_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM journey_internal.check_source(NEW.source);
	PERFORM journey_internal.check_moment(NEW.source, NEW.moment, 'moment');
	IF NEW.theme IS NULL OR btrim(NEW.theme) = '' THEN
		RAISE EXCEPTION 'a note needs a theme'
			USING ERRCODE = 'not_null_violation',
			      HINT = 'Label what the note is about in a few words, e.g. ''price'' or ''delivery time'': the review counts notes per moment and theme.';
	END IF;
	IF NEW.body IS NULL OR btrim(NEW.body) = '' THEN
		RAISE EXCEPTION 'a note needs a body'
			USING ERRCODE = 'not_null_violation',
			      HINT = 'Write down what the customer said.';
	END IF;
	IF NEW.customer_id = '' THEN
		RAISE EXCEPTION 'a note''s customer_id must not be empty'
			USING ERRCODE = 'check_violation',
			      HINT = 'Leave it NULL when the customer is not known.';
	END IF;
	IF NEW.origin IS NOT NULL AND btrim(NEW.origin) = '' THEN
		RAISE EXCEPTION 'a note''s origin must not be empty'
			USING ERRCODE = 'check_violation',
			      HINT = 'Leave it NULL, or say where it was heard (survey, support ticket, sales call, ...).';
	END IF;
	IF NEW.noted_at IN ('infinity', '-infinity') OR NEW.recorded_at IN ('infinity', '-infinity') THEN
		RAISE EXCEPTION 'a note''s noted_at and recorded_at must be finite'
			USING ERRCODE = 'invalid_datetime_format';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER note_check
	BEFORE INSERT OR UPDATE ON @extschema@.note
	FOR EACH ROW EXECUTE FUNCTION journey_internal.note_check();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.note', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.note_id_seq', '');
REVOKE ALL ON TABLE @extschema@.note FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.note_id_seq FROM PUBLIC;

CREATE VIEW @extschema@.review_heard WITH (security_invoker = true) AS
SELECT c.id AS cycle_id, c.source, c.name AS cycle, n.position, n.moment, n.theme,
       n.notes, n.customers
  FROM @extschema@.review_cycle c
 CROSS JOIN LATERAL @extschema@.cycle_notes(c.id) n;
COMMENT ON VIEW @extschema@.review_heard IS
  'what customers said, per review cycle, moment and theme: the notes said on a day of the cycle and the customers they name';
COMMENT ON COLUMN @extschema@.review_heard.cycle_id IS
  'the review cycle';
COMMENT ON COLUMN @extschema@.review_heard.source IS
  'the cycle''s source';
COMMENT ON COLUMN @extschema@.review_heard.cycle IS
  'the cycle''s name';
COMMENT ON COLUMN @extschema@.review_heard.position IS
  'the moment''s position in the source''s journey';
COMMENT ON COLUMN @extschema@.review_heard.moment IS
  'the moment the notes are about';
COMMENT ON COLUMN @extschema@.review_heard.theme IS
  'the theme label';
COMMENT ON COLUMN @extschema@.review_heard.notes IS
  'notes with this moment and theme said during the cycle (noted_at, else recorded_at)';
COMMENT ON COLUMN @extschema@.review_heard.customers IS
  'distinct customers those notes name (notes without a customer count in notes only)';
