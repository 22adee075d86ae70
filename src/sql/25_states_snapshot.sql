-- Snapshots of a registered source (see doc/snapshots.md): per customer,
-- the stored states of the dashboards' aggregates (journey_state, src/sql/
-- 25_states.sql), and the small additive tables the dashboards read,
-- kept up to date by journey.refresh(source) in proportion to the rows
-- added since the previous refresh.
--
--   snapshot_setting   per source: the late-arrival lookback (a registry
--                      table, dumped with the database)
--   snapshot           per source: what the snapshot was built from, when,
--                      up to which event time and which transactions
--   snapshot_customer  per source and customer: the funnel state over the
--                      moments, the path state over the channel column, the
--                      conversion-path state for attribution
--   snapshot_level, snapshot_gap, snapshot_path, snapshot_edge,
--   snapshot_attr_path the additive aggregates: customers per furthest
--                      moment, per moment the multiset of times to it (for
--                      exact medians), customers per path, per Sankey edge,
--                      and per distinct conversion path the conversions,
--                      value and non-converting paths
--
-- A refresh takes the source's snapshot row lock (two refreshes of one
-- source take turns; the second then reads only what the first did not),
-- records the transaction snapshot it reads in, reads the rows whose event
-- time is at least (highest event time seen - lookback) and whose
-- inserting transaction the previous refresh did not see, merges them into
-- their customers' states, and for those customers subtracts the old
-- contributions from the additive tables and adds the new ones.  All of it
-- in the caller's transaction: a refresh that fails or is cancelled
-- leaves the previous snapshot as it was.  A refresh rebuilds in full
-- when asked, on the first call, when the source's definition or moments
-- changed, when the relation was rewritten (TRUNCATE, VACUUM FULL), when
-- its statistics show rows updated or deleted since the last refresh, and
-- for relations without transaction ids (views, foreign tables).

CREATE TABLE @extschema@.snapshot_setting (
	source text PRIMARY KEY REFERENCES @extschema@.source (name)
		ON UPDATE CASCADE ON DELETE CASCADE,
	lookback interval NOT NULL DEFAULT '1 day' CHECK (lookback >= interval '0')
);
COMMENT ON TABLE @extschema@.snapshot_setting IS
  'per source: how far before the highest event time seen a refresh looks for rows that arrived late (default 1 day when the source has no row here)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.snapshot_setting', '');

CREATE TABLE @extschema@.snapshot (
	source text PRIMARY KEY REFERENCES @extschema@.source (name)
		ON UPDATE CASCADE ON DELETE CASCADE,
	computed_at timestamptz,
	events_until timestamptz,
	seen pg_snapshot,
	rebuilt_at timestamptz,
	rebuild_reason text,
	refreshes bigint NOT NULL DEFAULT 0,
	rows_read bigint NOT NULL DEFAULT 0,
	customers bigint NOT NULL DEFAULT 0,
	definition jsonb,
	relfilenode oid,
	changes bigint,
	path_customers bigint NOT NULL DEFAULT 0
);
COMMENT ON TABLE @extschema@.snapshot IS
  'per source with a snapshot: when it was computed (computed_at), up to which event time (events_until) and which transactions (seen: every row inserted by a transaction visible in it has been read), the last full rebuild and why, and what the states were built from';

CREATE TABLE @extschema@.snapshot_customer (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	customer text NOT NULL,
	funnel @extschema@.journey_state,
	path @extschema@.journey_state,
	conv @extschema@.journey_state,
	PRIMARY KEY (source, customer)
);
COMMENT ON TABLE @extschema@.snapshot_customer IS
  'per source and customer: the stored states (funnel_times over the moments, path_agg over the channel column, paths_to_conversion for attribution)';

CREATE TABLE @extschema@.snapshot_level (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	level int NOT NULL,
	customers bigint NOT NULL,
	PRIMARY KEY (source, level)
);
COMMENT ON TABLE @extschema@.snapshot_level IS
  'per source and furthest moment reached in order within the window (0: none): customers';

CREATE TABLE @extschema@.snapshot_gap (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	position int NOT NULL,
	bucket int NOT NULL,
	gap interval NOT NULL,
	customers bigint NOT NULL,
	PRIMARY KEY (source, position, bucket, gap)
);
COMMENT ON TABLE @extschema@.snapshot_gap IS
  'per source, moment (2 on) and time from the moment before in funnel_times'' chain: customers (the multiset its median is read from), with the time''s bucket (snapshot_gap_bucket)';

CREATE TABLE @extschema@.snapshot_gap_count (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	position int NOT NULL,
	bucket int NOT NULL,
	customers bigint NOT NULL,
	PRIMARY KEY (source, position, bucket)
);
COMMENT ON TABLE @extschema@.snapshot_gap_count IS
  'per source, moment and bucket of times to it: customers (so that a median reads a few hundred counts and one bucket''s times, not every time)';

CREATE TABLE @extschema@.snapshot_path (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	path text[] NOT NULL,
	customers bigint NOT NULL,
	PRIMARY KEY (source, path)
);
COMMENT ON TABLE @extschema@.snapshot_path IS
  'per source and path (path_agg over the channel column): customers';
CREATE INDEX snapshot_path_rank ON @extschema@.snapshot_path
	(source, customers DESC, path COLLATE "C");

CREATE TABLE @extschema@.snapshot_edge (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	step int NOT NULL,
	from_label text NOT NULL,
	to_label text NOT NULL,
	customers bigint NOT NULL,
	PRIMARY KEY (source, step, from_label, to_label)
);
COMMENT ON TABLE @extschema@.snapshot_edge IS
  'per source, step and transition of the customers'' paths (journey.transitions, with (start) and (end)): customers';

CREATE TABLE @extschema@.snapshot_attr_path (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	path text[] NOT NULL,
	conversions bigint NOT NULL,
	value numeric NOT NULL,
	nulls bigint NOT NULL,
	PRIMARY KEY (source, path)
);
COMMENT ON TABLE @extschema@.snapshot_attr_path IS
  'per source and distinct conversion path (paths_to_conversion over the channel column, conversion_event, attribution_lookback): converted paths, their value, non-converting paths';

REVOKE ALL ON TABLE @extschema@.snapshot_setting, @extschema@.snapshot,
	@extschema@.snapshot_customer, @extschema@.snapshot_level, @extschema@.snapshot_gap,
	@extschema@.snapshot_gap_count, @extschema@.snapshot_path, @extschema@.snapshot_edge,
	@extschema@.snapshot_attr_path
	FROM PUBLIC;

-- The bucket of a time between moments: about 40 per factor e of seconds
-- (a few hundred for times up to a year), increasing with the time.
CREATE FUNCTION journey_internal.snapshot_gap_bucket(gap interval)
RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN floor(ln(1 + greatest(extract(epoch FROM gap)::float8, 0)) * 40)::int;
COMMENT ON FUNCTION journey_internal.snapshot_gap_bucket(interval) IS
  'the bucket of a time between moments in a snapshot: floor(40 ln(1 + seconds)), increasing with the time';

-- The time at rank r (from 0, in increasing order) of a moment's times in
-- a snapshot: the bucket holding rank r from the bucket counts, then the
-- time within that bucket.
CREATE FUNCTION journey_internal.snapshot_gap_at(source text, "position" int, r bigint)
RETURNS interval
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (
	WITH b AS (
		SELECT c.bucket, sum(c.customers) OVER (ORDER BY c.bucket) - c.customers AS below
		  FROM @extschema@.snapshot_gap_count c
		 WHERE c.source = snapshot_gap_at.source AND c.position = snapshot_gap_at.position
		   AND c.customers > 0
	), pick AS (
		SELECT b.bucket, b.below FROM b WHERE b.below <= r ORDER BY b.bucket DESC LIMIT 1
	)
	SELECT max(x.gap)
	  FROM (SELECT g.gap, sum(g.customers) OVER (ORDER BY g.gap) - g.customers + p.below AS below
	          FROM pick p
	          JOIN @extschema@.snapshot_gap g
	            ON g.source = snapshot_gap_at.source AND g.position = snapshot_gap_at.position
	           AND g.bucket = p.bucket AND g.customers > 0) x
	 WHERE x.below <= r);
COMMENT ON FUNCTION journey_internal.snapshot_gap_at(text, int, bigint) IS
  'the time to a moment at rank r (from 0, increasing) among a snapshot''s customers who reached it in the chain';

-- What a source's states are built from: a rebuild is needed when it
-- changes (moments and their step rules, columns, windows, conversion
-- event).  Intervals are written in the postgres style whatever the
-- session's, so that a session with another IntervalStyle reads the same
-- definition.
CREATE FUNCTION journey_internal.snapshot_definition(src @extschema@.source)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET intervalstyle = 'postgres'
RETURN jsonb_build_object(
	'relation', src.relation::oid, 'customer_column', src.customer_column,
	'time_column', src.time_column, 'event_column', src.event_column,
	'channel_column', src.channel_column, 'value_column', src.value_column,
	'conversion_event', src.conversion_event, 'moment_window', src.moment_window,
	'attribution_lookback', src.attribution_lookback,
	'moments', (SELECT jsonb_agg(m.event_name ORDER BY m.position)
	              FROM @extschema@.moment m WHERE m.source = src.name),
	'step_rules', (SELECT to_jsonb(r) FROM journey_internal.moment_rules(src.name) r),
	'format', 1);
COMMENT ON FUNCTION journey_internal.snapshot_definition(@extschema@.source) IS
  'what a source''s snapshot is built from (relation, columns, windows, conversion event, moments and their step rules); a refresh rebuilds in full when it changed';

-- The funnel state of a customer's rows r in a refresh: funnel_times'
-- state over the source's moments within its moment_window, and with the
-- moments' step rules exactly as moment_report follows them (the same
-- rules text from moment_rules, step k the condition event = the k-th
-- moment's event, exclusion e the condition event = excluded[e]); a NULL
-- state for a source without moments.
CREATE FUNCTION journey_internal.snapshot_funnel_sql(src @extschema@.source)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (
	SELECT CASE
		WHEN s.steps IS NULL THEN 'NULL::@extschema@.journey_state'
		WHEN mr.rules IS NULL
		THEN format('@extschema@.window_funnel_state(r.%I::timestamptz, %L::interval, VARIADIC ARRAY[%s])',
		            src.time_column, src.moment_window, s.steps)
		ELSE format('@extschema@.window_funnel_state(r.%I::timestamptz, %L::interval, %L, ARRAY[%s], %s)',
		            src.time_column, src.moment_window, mr.rules, s.steps,
		            coalesce('ARRAY[' || x.excl || ']', 'NULL::bool[]')) END
	  FROM (SELECT string_agg(format('r.%I::text = %L', src.event_column, m.event_name), ', '
	                          ORDER BY m.position) AS steps
	          FROM @extschema@.moment m WHERE m.source = src.name) s
	 CROSS JOIN journey_internal.moment_rules(src.name) mr
	 CROSS JOIN LATERAL (SELECT string_agg(format('r.%I::text = %L', src.event_column, u.e), ', '
	                                       ORDER BY u.k) AS excl
	                       FROM unnest(mr.excluded) WITH ORDINALITY AS u(e, k)) x);
COMMENT ON FUNCTION journey_internal.snapshot_funnel_sql(@extschema@.source) IS
  'the expression of a customer''s funnel state over rows r in a refresh: window_funnel_state over the moments, with their step rules as moment_report follows them';

-- Rows updated or deleted in the relation (and its partitions) so far, as
-- the cumulative statistics count them (this transaction's own too).
CREATE FUNCTION journey_internal.snapshot_changes(relation regclass)
RETURNS bigint
LANGUAGE sql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
RETURN (SELECT coalesce(sum(pg_stat_get_tuples_updated(t.relid) + pg_stat_get_tuples_deleted(t.relid)
                            + pg_stat_get_xact_tuples_updated(t.relid)
                            + pg_stat_get_xact_tuples_deleted(t.relid)), 0)::bigint
          FROM (SELECT relation AS relid UNION SELECT p.relid FROM pg_partition_tree(relation) p) t);
COMMENT ON FUNCTION journey_internal.snapshot_changes(regclass) IS
  'rows updated or deleted in the relation and its partitions, from the cumulative statistics (a refresh that sees it grow rebuilds in full)';

-- The files of the relation and its partitions (a rewrite changes them).
CREATE FUNCTION journey_internal.snapshot_relfilenode(relation regclass)
RETURNS oid
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT sum(coalesce(pg_relation_filenode(t.relid), 0)::bigint) % 4294967296
          FROM (SELECT relation AS relid UNION SELECT p.relid FROM pg_partition_tree(relation) p) t)::bigint::oid;
COMMENT ON FUNCTION journey_internal.snapshot_relfilenode(regclass) IS
  'a digest of the file numbers of the relation and its partitions: TRUNCATE, VACUUM FULL or CLUSTER change it, and a refresh then rebuilds in full';

CREATE FUNCTION @extschema@.refresh(source text, full bool DEFAULT false)
RETURNS TABLE (rebuilt bool, reason text, rows_read bigint, customers_changed bigint,
	events_until timestamptz, seconds float8)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	src @extschema@.source := journey_internal.report_source(refresh.source);
	def jsonb := journey_internal.snapshot_definition(src);
	snap @extschema@.snapshot;
	lookback interval;
	cur pg_snapshot;
	cur_full bigint;
	kind "char";
	why text;
	started timestamptz := clock_timestamp();
	visible text;
	q text;
	nrows bigint;
	nchanged bigint;
	latest timestamptz;
	nchanges bigint;
	filenode oid;
	since_clause text := 'true';
BEGIN
	IF refresh.full IS NULL THEN
		RAISE EXCEPTION 'full must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- the relation as it is now; the current role must be able to read
	-- every registered column, trusting the code reading it runs
	PERFORM journey_internal.check_source_relation(src, true);

	-- one refresh of a source at a time: the second waits here for the
	-- first to end and then reads what it left (READ COMMITTED), or fails
	-- with a serialization error (REPEATABLE READ, SERIALIZABLE)
	INSERT INTO @extschema@.snapshot AS s (source) VALUES (src.name)
	ON CONFLICT ON CONSTRAINT snapshot_pkey DO NOTHING;
	SELECT * INTO snap FROM @extschema@.snapshot s WHERE s.source = src.name FOR UPDATE;
	SELECT coalesce((SELECT x.lookback FROM @extschema@.snapshot_setting x
	                  WHERE x.source = src.name), interval '1 day') INTO lookback;

	-- the transactions this refresh reads: those visible now (taken after
	-- the lock, so that it sees what a refresh before it committed)
	cur := pg_current_snapshot();
	cur_full := pg_snapshot_xmax(cur)::text::bigint;
	SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = src.relation;
	nchanges := journey_internal.snapshot_changes(src.relation);
	filenode := journey_internal.snapshot_relfilenode(src.relation);

	why := CASE
		WHEN refresh.full THEN 'asked'
		WHEN snap.seen IS NULL THEN 'first refresh'
		WHEN snap.definition IS DISTINCT FROM def THEN 'the source or its moments changed'
		WHEN kind NOT IN ('r', 'p', 'm') THEN 'the relation has no transaction ids to tell new rows by'
		WHEN snap.relfilenode IS DISTINCT FROM filenode THEN 'the relation was rewritten (TRUNCATE, VACUUM FULL, CLUSTER)'
		WHEN snap.changes IS DISTINCT FROM nchanges THEN 'rows were updated or deleted since the last refresh'
		END;

	-- a row is new when its inserting transaction is visible now and was
	-- not at the last refresh (its 32-bit xmin widened against now's
	-- horizon; frozen and bootstrap rows are old)
	visible := 'CASE WHEN r.xmin::text::bigint < 3 THEN %1$s ELSE pg_visible_in_snapshot(($1 - (($1 - r.xmin::text::bigint) & 4294967295))::text::xid8, %2$s) END';
	IF why IS NULL THEN
		visible := format(visible, 'true', '$2') || ' AND NOT ' || format(visible, 'true', '$3');
	ELSIF kind IN ('r', 'p', 'm') THEN
		visible := format(visible, 'true', '$2');
	ELSE
		visible := 'true';
	END IF;

	IF why IS NOT NULL THEN
		DELETE FROM @extschema@.snapshot_customer x WHERE x.source = src.name;
		DELETE FROM @extschema@.snapshot_level x WHERE x.source = src.name;
		DELETE FROM @extschema@.snapshot_gap x WHERE x.source = src.name;
		DELETE FROM @extschema@.snapshot_gap_count x WHERE x.source = src.name;
		DELETE FROM @extschema@.snapshot_path x WHERE x.source = src.name;
		DELETE FROM @extschema@.snapshot_edge x WHERE x.source = src.name;
		DELETE FROM @extschema@.snapshot_attr_path x WHERE x.source = src.name;
		DELETE FROM @extschema@.snapshot_attr_credit x WHERE x.source = src.name;
		DELETE FROM @extschema@.snapshot_markov_node x WHERE x.source = src.name;
		DELETE FROM @extschema@.snapshot_markov_edge x WHERE x.source = src.name;
		DELETE FROM @extschema@.snapshot_attr_drop x WHERE x.source = src.name;
		snap.events_until := NULL;
	ELSIF snap.events_until IS NOT NULL THEN
		-- (an index on the time column makes this read proportional)
		since_clause := format('r.%I::timestamptz >= $4 - $5', src.time_column);
	END IF;

	-- the new rows' states per customer
	q := format($q$
		CREATE TEMP TABLE journey_refresh_delta ON COMMIT DROP AS
		SELECT r.%1$I::text AS customer, count(*) AS nrows, max(r.%2$I::timestamptz) AS latest,
		       %3$s AS funnel, %4$s AS path, %5$s AS conv
		  FROM %6$s r
		 WHERE r.%1$I IS NOT NULL AND %8$s AND %7$s
		 GROUP BY r.%1$I::text$q$,
		src.customer_column, src.time_column, journey_internal.snapshot_funnel_sql(src),
		CASE WHEN src.channel_column IS NULL THEN 'NULL::@extschema@.journey_state'
		     ELSE format('@extschema@.path_agg_state(r.%I::text, r.%I::timestamptz)',
		                 src.channel_column, src.time_column) END,
		CASE WHEN src.channel_column IS NULL OR src.conversion_event IS NULL
		     THEN 'NULL::@extschema@.journey_state'
		     ELSE format('@extschema@.paths_to_conversion_state(r.%I::text, r.%I::timestamptz, r.%I::text = %L, %s, %L::interval)',
		                 src.channel_column, src.time_column, src.event_column,
		                 src.conversion_event,
		                 CASE WHEN src.value_column IS NULL THEN 'NULL::float8'
		                      ELSE format('r.%I::float8', src.value_column) END,
		                 src.attribution_lookback) END,
		src.relation, visible, since_clause);
	EXECUTE q USING cur_full, cur, snap.seen, snap.events_until, lookback;
	-- (statistics, so that the customers are looked up by key, not scanned)
	ANALYZE pg_temp.journey_refresh_delta;
	SELECT coalesce(sum(d.nrows), 0), count(*), max(d.latest) INTO nrows, nchanged, latest
	  FROM pg_temp.journey_refresh_delta d;

	-- old and new states of the customers with new rows, and what each
	-- contributes (-1: the old, +1: the new); each old state looked up by
	-- its key (OFFSET 0 keeps the lookup from becoming a scan of them all)
	CREATE TEMP TABLE journey_refresh_old ON COMMIT DROP AS
	SELECT d.customer, o.funnel, o.path, o.conv
	  FROM pg_temp.journey_refresh_delta d
	 CROSS JOIN LATERAL (SELECT o.funnel, o.path, o.conv FROM @extschema@.snapshot_customer o
	                      WHERE o.source = src.name AND o.customer = d.customer OFFSET 0) o;
	CREATE TEMP TABLE journey_refresh_contrib ON COMMIT DROP AS
	WITH states AS (
		SELECT -1 AS sign, o.funnel, o.path, o.conv
		  FROM pg_temp.journey_refresh_old o
		UNION ALL
		SELECT 1, @extschema@.merge_state(o.funnel, d.funnel), @extschema@.merge_state(o.path, d.path),
		       @extschema@.merge_state(o.conv, d.conv)
		  FROM pg_temp.journey_refresh_delta d
		  LEFT JOIN pg_temp.journey_refresh_old o ON o.customer = d.customer
	)
	SELECT s.sign, @extschema@.funnel_times_result(s.funnel) AS times,
	       @extschema@.path_agg_result(s.path) AS path,
	       @extschema@.paths_to_conversion_result(s.conv) AS convs
	  FROM states s;

	INSERT INTO @extschema@.snapshot_customer AS o (source, customer, funnel, path, conv)
	SELECT src.name, d.customer, d.funnel, d.path, d.conv FROM pg_temp.journey_refresh_delta d
	ON CONFLICT ON CONSTRAINT snapshot_customer_pkey DO UPDATE
	   SET funnel = @extschema@.merge_state(o.funnel, excluded.funnel),
	       path = @extschema@.merge_state(o.path, excluded.path),
	       conv = @extschema@.merge_state(o.conv, excluded.conv);

	INSERT INTO @extschema@.snapshot_level AS t (source, level, customers)
	SELECT src.name, coalesce(cardinality(c.times), 0), sum(c.sign)
	  FROM pg_temp.journey_refresh_contrib c GROUP BY 2 HAVING sum(c.sign) <> 0
	ON CONFLICT ON CONSTRAINT snapshot_level_pkey DO UPDATE SET customers = t.customers + excluded.customers;
	CREATE TEMP TABLE journey_refresh_gaps ON COMMIT DROP AS
	SELECT x.k, x.gap, journey_internal.snapshot_gap_bucket(x.gap) AS bucket, x.n
	  FROM (SELECT g.k, c.times[g.k] - c.times[g.k - 1] AS gap, sum(c.sign) AS n
	          FROM pg_temp.journey_refresh_contrib c
	         CROSS JOIN LATERAL generate_series(2, cardinality(c.times)) AS g(k)
	         GROUP BY 1, 2 HAVING sum(c.sign) <> 0) x;
	INSERT INTO @extschema@.snapshot_gap AS t (source, position, bucket, gap, customers)
	SELECT src.name, x.k, x.bucket, x.gap, x.n FROM pg_temp.journey_refresh_gaps x
	ON CONFLICT ON CONSTRAINT snapshot_gap_pkey DO UPDATE SET customers = t.customers + excluded.customers;
	INSERT INTO @extschema@.snapshot_gap_count AS t (source, position, bucket, customers)
	SELECT src.name, x.k, x.bucket, sum(x.n) FROM pg_temp.journey_refresh_gaps x
	 GROUP BY 2, 3 HAVING sum(x.n) <> 0
	ON CONFLICT ON CONSTRAINT snapshot_gap_count_pkey DO UPDATE SET customers = t.customers + excluded.customers;
	INSERT INTO @extschema@.snapshot_path AS t (source, path, customers)
	SELECT src.name, c.path, sum(c.sign)
	  FROM pg_temp.journey_refresh_contrib c WHERE c.path IS NOT NULL GROUP BY 2
	HAVING sum(c.sign) <> 0
	ON CONFLICT ON CONSTRAINT snapshot_path_pkey DO UPDATE SET customers = t.customers + excluded.customers;
	INSERT INTO @extschema@.snapshot_edge AS t (source, step, from_label, to_label, customers)
	SELECT src.name, e.step, e.from_label, e.to_label, sum(c.sign)
	  FROM pg_temp.journey_refresh_contrib c
	 CROSS JOIN LATERAL @extschema@.transitions(c.path) e
	 WHERE c.path IS NOT NULL
	 GROUP BY 2, 3, 4 HAVING sum(c.sign) <> 0
	ON CONFLICT ON CONSTRAINT snapshot_edge_pkey DO UPDATE SET customers = t.customers + excluded.customers;
	-- the distinct conversion paths and the stored attribution
	-- (src/sql/31_attribution_snapshot.sql)
	PERFORM journey_internal.snapshot_attribution_refresh(src.name, why IS NOT NULL);
	-- (what the old and new states of a customer both contribute cancels
	-- out and is not written; keys whose count fell to 0 stay until the
	-- next rebuild, finding them would read the whole table; the readers
	-- skip them)

	PERFORM journey_internal.snapshot_refresh_cycles(src, snap.events_until - lookback, nrows);
	IF why IS NOT NULL THEN
		ANALYZE @extschema@.snapshot_customer, @extschema@.snapshot_gap,
		        @extschema@.snapshot_gap_count, @extschema@.snapshot_path,
		        @extschema@.snapshot_edge, @extschema@.snapshot_attr_path;
	END IF;
	UPDATE @extschema@.snapshot s
	   SET computed_at = now(),
	       events_until = CASE WHEN latest IS NULL THEN snap.events_until
	                           ELSE greatest(snap.events_until, latest) END,
	       seen = cur,
	       rebuilt_at = CASE WHEN why IS NULL THEN s.rebuilt_at ELSE now() END,
	       rebuild_reason = coalesce(why, s.rebuild_reason),
	       refreshes = s.refreshes + 1,
	       rows_read = nrows,
	       customers = (SELECT coalesce(sum(l.customers), 0) FROM @extschema@.snapshot_level l
	                     WHERE l.source = src.name),
	       definition = def,
	       relfilenode = filenode,
	       changes = nchanges,
	       path_customers = CASE WHEN why IS NULL THEN s.path_customers ELSE 0 END +
	                        (SELECT coalesce(sum(c.sign), 0) FROM pg_temp.journey_refresh_contrib c
	                          WHERE c.path IS NOT NULL)
	 WHERE s.source = src.name
	RETURNING s.events_until INTO latest;
	DROP TABLE pg_temp.journey_refresh_delta;
	DROP TABLE pg_temp.journey_refresh_old;
	DROP TABLE pg_temp.journey_refresh_contrib;
	DROP TABLE pg_temp.journey_refresh_gaps;

	RETURN QUERY SELECT why IS NOT NULL, why, nrows, nchanged, latest,
	                    extract(epoch FROM clock_timestamp() - started)::float8;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.refresh(text, bool) IS
  'bring the source''s snapshot up to date: read the rows added since the last refresh (event time within the lookback of the highest seen, transaction not seen before), merge them into their customers'' states and update the dashboards'' tables; full => true rebuilds from every row';

-- The snapshot of a source for a reader: its row, after checking that
-- the current role may read the source as the live reports would
-- (check_source_relation); NULL when the source has no snapshot.
CREATE FUNCTION journey_internal.snapshot_of(source text, all_columns bool)
RETURNS @extschema@.snapshot
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src @extschema@.source := journey_internal.report_source(snapshot_of.source);
	snap @extschema@.snapshot;
BEGIN
	PERFORM journey_internal.check_source_relation(src, all_columns);
	-- a role that may not read the snapshot tables reads live
	IF NOT (SELECT bool_and(has_table_privilege(t, 'SELECT'))
	          FROM unnest(ARRAY['@extschema@.snapshot', '@extschema@.snapshot_customer',
	                            '@extschema@.snapshot_level', '@extschema@.snapshot_gap',
	                            '@extschema@.snapshot_gap_count', '@extschema@.snapshot_path', '@extschema@.snapshot_edge',
	                            '@extschema@.snapshot_attr_path', '@extschema@.snapshot_attr_credit',
	                            '@extschema@.snapshot_markov_node', '@extschema@.snapshot_markov_edge',
	                            '@extschema@.snapshot_attr_drop', '@extschema@.snapshot_cycle',
	                            '@extschema@.snapshot_cycle_moment']) AS t) THEN
		RETURN NULL;
	END IF;
	SELECT * INTO snap FROM @extschema@.snapshot s
	 WHERE s.source = src.name AND s.seen IS NOT NULL
	   AND s.definition = journey_internal.snapshot_definition(src);
	RETURN CASE WHEN FOUND THEN snap END;
END;
$$;
COMMENT ON FUNCTION journey_internal.snapshot_of(text, bool) IS
  'the source''s snapshot row once the current role is checked to be able to read the source; NULL when it has none, or one built before a change of the source or its moments (journey.snapshot_status says needs_rebuild), or when the role may not read the snapshot tables';

-- moment_report(source) from the snapshot: the same rows, and when and up
-- to which event time they were computed.
CREATE FUNCTION @extschema@.snapshot_moment_report(source text)
RETURNS TABLE (
	segment text,
	"position" int,
	moment text,
	customers_reached bigint,
	customers_next bigint,
	conversion_rate float8,
	drop_off_rate float8,
	median_time_to_next interval,
	computed_at timestamptz,
	events_until timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	snap @extschema@.snapshot := journey_internal.snapshot_of(snapshot_moment_report.source, false);
	names text[];
BEGIN
	IF snap.source IS NULL THEN
		RETURN;
	END IF;
	SELECT array_agg(m.name ORDER BY m.position) INTO names
	  FROM @extschema@.moment m WHERE m.source = snap.source;
	RETURN QUERY
	WITH lv AS (
		SELECT l.level, l.customers FROM @extschema@.snapshot_level l
		 WHERE l.source = snap.source AND l.customers > 0
	), reached AS (
		SELECT k, (SELECT coalesce(sum(lv.customers), 0) FROM lv WHERE lv.level >= k)::bigint AS n
		  FROM generate_series(1, cardinality(names)) AS k
	), counts AS (
		SELECT c.position, sum(c.customers) AS n
		  FROM @extschema@.snapshot_gap_count c
		 WHERE c.source = snap.source AND c.customers > 0
		 GROUP BY c.position
	), medians AS (
		-- percentile_cont(0.5) over the multiset: the times at ranks floor
		-- and ceil of (n - 1) / 2, and the point between them
		SELECT c.position,
		       journey_internal.snapshot_gap_at(snap.source, c.position, floor((c.n - 1) / 2.0)::bigint) AS lo,
		       journey_internal.snapshot_gap_at(snap.source, c.position, ceil((c.n - 1) / 2.0)::bigint) AS hi,
		       ((c.n - 1) / 2.0 - floor((c.n - 1) / 2.0))::float8 AS frac
		  FROM counts c
	)
	SELECT '(all)'::text, r.k, names[r.k], r.n, nx.n,
	       nx.n::float8 / NULLIF(r.n, 0), (r.n - nx.n)::float8 / NULLIF(r.n, 0),
	       CASE WHEN md.frac = 0 THEN md.lo ELSE (md.hi - md.lo) * md.frac + md.lo END,
	       snap.computed_at, snap.events_until
	  FROM reached r
	  LEFT JOIN reached nx ON nx.k = r.k + 1
	  LEFT JOIN medians md ON md.position = r.k + 1
	 WHERE EXISTS (SELECT 1 FROM lv)
	 ORDER BY r.k;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.snapshot_moment_report(text) IS
  'moment_report(source) read from the source''s snapshot (no rows without one), with when and up to which event time it was computed';

-- path_report(source, top) from the snapshot.
CREATE FUNCTION @extschema@.snapshot_path_report(source text, top int DEFAULT 10)
RETURNS TABLE (path text[], customers bigint, share float8, rank int,
	computed_at timestamptz, events_until timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	snap @extschema@.snapshot := journey_internal.snapshot_of(snapshot_path_report.source, true);
BEGIN
	PERFORM journey_internal.report_check_top(snapshot_path_report.top);
	IF snap.source IS NULL THEN
		RETURN;
	END IF;
	RETURN QUERY
	WITH ranked AS (
		-- the top ones straight from the index on (source, customers DESC, path)
		SELECT p.path, p.customers,
		       row_number() OVER (ORDER BY p.customers DESC, p.path COLLATE "C")::int AS rank
		  FROM (SELECT p.path, p.customers FROM @extschema@.snapshot_path p
		         WHERE p.source = snap.source AND p.customers > 0
		         ORDER BY p.customers DESC, p.path COLLATE "C"
		         LIMIT snapshot_path_report.top) p
	), rows AS (
		SELECT r.path, r.customers, r.rank FROM ranked r
		UNION ALL
		SELECT ARRAY['(other)'],
		       snap.path_customers - coalesce((SELECT sum(r.customers) FROM ranked r), 0)::bigint,
		       NULL
	)
	SELECT r.path, r.customers, r.customers::float8 / NULLIF(snap.path_customers, 0), r.rank,
	       snap.computed_at, snap.events_until
	  FROM rows r ORDER BY r.rank NULLS LAST;
END;
$fn$;
COMMENT ON FUNCTION @extschema@.snapshot_path_report(text, int) IS
  'path_report(source, top) read from the source''s snapshot (channel column, no transforms), with when and up to which event time it was computed';

-- transition_report(source, steps, min_share) from the snapshot.
CREATE FUNCTION @extschema@.snapshot_transition_report(source text, steps int DEFAULT 5,
	min_share float8 DEFAULT 0)
RETURNS TABLE (step int, from_label text, to_label text, customers bigint, share float8,
	computed_at timestamptz, events_until timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	snap @extschema@.snapshot := journey_internal.snapshot_of(snapshot_transition_report.source, true);
BEGIN
	PERFORM journey_internal.report_check_steps(snapshot_transition_report.steps,
	                                           snapshot_transition_report.min_share);
	IF snap.source IS NULL THEN
		RETURN;
	END IF;
	RETURN QUERY
	WITH marked AS (
		SELECT e.step, e.from_label, e.to_label, e.customers,
		       e.customers::float8 / (sum(e.customers) OVER (PARTITION BY e.step))::float8
		         < snapshot_transition_report.min_share AS folded
		  FROM @extschema@.snapshot_edge e
		 WHERE e.source = snap.source AND e.customers > 0
		   AND e.step <= snapshot_transition_report.steps
	), rows AS (
		SELECT m.step, m.from_label, m.to_label, m.customers, false AS folded
		  FROM marked m WHERE NOT m.folded
		UNION ALL
		SELECT m.step, '(other)', '(other)', sum(m.customers)::bigint, true
		  FROM marked m WHERE m.folded GROUP BY m.step
	)
	SELECT r.step, r.from_label, r.to_label, r.customers,
	       r.customers::float8 / sum(r.customers) OVER (PARTITION BY r.step),
	       snap.computed_at, snap.events_until
	  FROM rows r
	 ORDER BY r.step, r.folded, r.customers DESC, r.from_label COLLATE "C", r.to_label COLLATE "C";
END;
$fn$;
COMMENT ON FUNCTION @extschema@.snapshot_transition_report(text, int, float8) IS
  'transition_report(source, steps, min_share) read from the source''s snapshot (channel column, no transforms), with when and up to which event time it was computed';

-- The distinct conversion paths of a source from the snapshot, in
-- ChannelAttribution's row form, ready for journey.attribution.
CREATE FUNCTION @extschema@.snapshot_attribution_paths(source text)
RETURNS TABLE (path text[], conversions float8, value float8, nulls float8,
	computed_at timestamptz, events_until timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	snap @extschema@.snapshot := journey_internal.snapshot_of(snapshot_attribution_paths.source, true);
BEGIN
	IF snap.source IS NULL THEN
		RETURN;
	END IF;
	RETURN QUERY
	SELECT a.path, a.conversions::float8, a.value::float8, a.nulls::float8,
	       snap.computed_at, snap.events_until
	  FROM @extschema@.snapshot_attr_path a
	 WHERE a.source = snap.source AND (a.conversions > 0 OR a.nulls > 0)
	 ORDER BY a.path COLLATE "C";
END;
$fn$;
COMMENT ON FUNCTION @extschema@.snapshot_attribution_paths(text) IS
  'per distinct conversion path of the source''s snapshot: conversions, value and non-converting paths (ChannelAttribution''s rows), with when and up to which event time they were computed';

CREATE VIEW @extschema@.snapshot_status WITH (security_invoker = true) AS
SELECT s.source, s.computed_at, s.events_until, s.customers, s.refreshes, s.rows_read,
       s.rebuilt_at, s.rebuild_reason,
       s.definition IS DISTINCT FROM journey_internal.snapshot_definition(src) AS needs_rebuild,
       l.lookback, extract(epoch FROM l.lookback)::float8 AS lookback_seconds
  FROM @extschema@.snapshot s
  JOIN @extschema@.source src ON src.name = s.source
 CROSS JOIN LATERAL (SELECT coalesce((SELECT x.lookback FROM @extschema@.snapshot_setting x
                                       WHERE x.source = s.source), interval '1 day') AS lookback) l
 WHERE s.seen IS NOT NULL;
COMMENT ON VIEW @extschema@.snapshot_status IS
  'per source with a snapshot: when it was computed, up to which event time, customers, refreshes, the last full rebuild and why, whether the source or its moments changed since (needs_rebuild), and the late-arrival lookback';
COMMENT ON COLUMN @extschema@.snapshot_status.source IS
  'the registered source';
COMMENT ON COLUMN @extschema@.snapshot_status.computed_at IS
  'when the last refresh ran (its transaction''s start)';
COMMENT ON COLUMN @extschema@.snapshot_status.events_until IS
  'the highest event time read so far';
COMMENT ON COLUMN @extschema@.snapshot_status.customers IS
  'customers in the snapshot';
COMMENT ON COLUMN @extschema@.snapshot_status.refreshes IS
  'refreshes since the snapshot was made';
COMMENT ON COLUMN @extschema@.snapshot_status.rows_read IS
  'rows the last refresh read';
COMMENT ON COLUMN @extschema@.snapshot_status.rebuilt_at IS
  'when it was last rebuilt from every row';
COMMENT ON COLUMN @extschema@.snapshot_status.rebuild_reason IS
  'why: asked, first refresh, the source or its moments changed, the relation was rewritten, rows were updated or deleted, or the relation has no transaction ids (views)';
COMMENT ON COLUMN @extschema@.snapshot_status.needs_rebuild IS
  'true when the source or its moments changed since: the dashboards read live until journey.refresh(source) rebuilds it';
COMMENT ON COLUMN @extschema@.snapshot_status.lookback IS
  'how far before events_until a refresh looks for rows that arrived late (journey.snapshot_setting; 1 day by default)';
COMMENT ON COLUMN @extschema@.snapshot_status.lookback_seconds IS
  'lookback in seconds';

-- The dashboards: each gives the report from the source's snapshot when it
-- has a current one, else computes it live, and says which (from_snapshot),
-- when it was computed and up to which event time (both NULL when live:
-- every row, by the query itself).
CREATE FUNCTION journey_internal.dashboard_moment_report(source text)
RETURNS TABLE (
	segment text,
	"position" int,
	moment text,
	customers_reached bigint,
	customers_next bigint,
	conversion_rate float8,
	drop_off_rate float8,
	median_time_to_next interval,
	from_snapshot bool,
	computed_at timestamptz,
	events_until timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF (journey_internal.snapshot_of(dashboard_moment_report.source, false)).source IS NOT NULL THEN
		RETURN QUERY SELECT r.segment, r.position, r.moment, r.customers_reached, r.customers_next,
		                    r.conversion_rate, r.drop_off_rate, r.median_time_to_next, true,
		                    r.computed_at, r.events_until
		               FROM @extschema@.snapshot_moment_report(dashboard_moment_report.source) r;
	ELSE
		RETURN QUERY SELECT r.*, false, NULL::timestamptz, NULL::timestamptz
		               FROM @extschema@.moment_report(dashboard_moment_report.source) r;
	END IF;
END;
$fn$;
COMMENT ON FUNCTION journey_internal.dashboard_moment_report(text) IS
  'moment_report(source) from the source''s snapshot when it has a current one, else live; with which, when and up to which event time';

CREATE FUNCTION journey_internal.dashboard_path_report(source text)
RETURNS TABLE (path text[], customers bigint, share float8, rank int,
	from_snapshot bool, computed_at timestamptz, events_until timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF (journey_internal.snapshot_of(dashboard_path_report.source, true)).source IS NOT NULL THEN
		RETURN QUERY SELECT r.path, r.customers, r.share, r.rank, true, r.computed_at, r.events_until
		               FROM @extschema@.snapshot_path_report(dashboard_path_report.source) r;
	ELSE
		RETURN QUERY SELECT r.*, false, NULL::timestamptz, NULL::timestamptz
		               FROM @extschema@.path_report(dashboard_path_report.source) r;
	END IF;
END;
$fn$;
COMMENT ON FUNCTION journey_internal.dashboard_path_report(text) IS
  'path_report(source) with its defaults from the source''s snapshot when it has a current one, else live; with which, when and up to which event time';

CREATE FUNCTION journey_internal.dashboard_transition_report(source text)
RETURNS TABLE (step int, from_label text, to_label text, customers bigint, share float8,
	from_snapshot bool, computed_at timestamptz, events_until timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF (journey_internal.snapshot_of(dashboard_transition_report.source, true)).source IS NOT NULL THEN
		RETURN QUERY SELECT r.step, r.from_label, r.to_label, r.customers, r.share, true,
		                    r.computed_at, r.events_until
		               FROM @extschema@.snapshot_transition_report(dashboard_transition_report.source) r;
	ELSE
		RETURN QUERY SELECT r.*, false, NULL::timestamptz, NULL::timestamptz
		               FROM @extschema@.transition_report(dashboard_transition_report.source) r;
	END IF;
END;
$fn$;
COMMENT ON FUNCTION journey_internal.dashboard_transition_report(text) IS
  'transition_report(source) with its defaults from the source''s snapshot when it has a current one, else live; with which, when and up to which event time';

-- Whether the all-time attribution of a source reads its snapshot
-- (attribution_paths does when it has a current one), and its times.
CREATE FUNCTION journey_internal.dashboard_snapshot(source text, all_columns bool,
	OUT from_snapshot bool, OUT computed_at timestamptz, OUT events_until timestamptz)
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	snap @extschema@.snapshot := journey_internal.snapshot_of(dashboard_snapshot.source, all_columns);
BEGIN
	from_snapshot := snap.source IS NOT NULL;
	computed_at := snap.computed_at;
	events_until := snap.events_until;
END;
$fn$;
COMMENT ON FUNCTION journey_internal.dashboard_snapshot(text, bool) IS
  'whether a dashboard over the source reads its snapshot (it has a current one), when the numbers were computed and up to which event time (both NULL when live)';
