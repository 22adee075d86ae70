-- Attribution kept in a source's snapshot (see doc/snapshots.md): the
-- credits of channel_attribution's default models, maintained by
-- journey.refresh in proportion to the paths that changed, so that
-- channel_attribution(source) over all time reads them in milliseconds.
--
--   snapshot_attr_credit  per source, model and channel: conversions and
--                         value credited, exact numeric sums of the very
--                         float8 products the models compute (first_touch,
--                         last_touch, linear, position_based and shapley
--                         per distinct path, time_decay per customer path,
--                         fractribution per distinct path with the
--                         probabilities of the paths one touch shorter)
--   snapshot_markov_node, the Markov chain of order 1 as sums over the
--   snapshot_markov_edge  distinct paths (per channel: weight from start,
--                         outgoing weight, weight and value into
--                         conversion, weight times steps left; per
--                         transition: weight), solved when read
--   snapshot_attr_drop    per distinct path of two touches or more, the
--                         paths it gives when one touch is dropped: the
--                         paths whose fractribution shares change when a
--                         shorter path's totals change
--
-- Every sum is exact (numeric), so what a refresh subtracts for a path's
-- old totals and adds for its new ones leaves exactly what a rebuild
-- would store, and the credits read are the same bits as the models
-- computed over the paths.  A model with other parameters is computed at
-- read time from the snapshot's paths, as before.

CREATE TABLE @extschema@.snapshot_attr_credit (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	model text NOT NULL,
	channel text NOT NULL,
	conversions numeric NOT NULL,
	value numeric NOT NULL,
	PRIMARY KEY (source, model, channel)
);
COMMENT ON TABLE @extschema@.snapshot_attr_credit IS
  'per source, default attribution model (first_touch, last_touch, linear, position_based, shapley, time_decay, fractribution) and channel: conversions and value credited, exact sums of the models'' float8 shares';

CREATE TABLE @extschema@.snapshot_markov_node (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	channel text NOT NULL,
	start_w bigint NOT NULL,
	tot bigint NOT NULL,
	conv_end bigint NOT NULL,
	value_end numeric NOT NULL,
	stepsum bigint NOT NULL,
	PRIMARY KEY (source, channel)
);
COMMENT ON TABLE @extschema@.snapshot_markov_node IS
  'per source and channel, the state of the Markov chain of order 1 over the distinct conversion paths: weight from start, outgoing weight, weight and value into conversion, weight times steps left (tot > 0: the channels of the paths)';

CREATE TABLE @extschema@.snapshot_markov_edge (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	from_label text NOT NULL,
	to_label text NOT NULL,
	w bigint NOT NULL,
	PRIMARY KEY (source, from_label, to_label)
);
COMMENT ON TABLE @extschema@.snapshot_markov_edge IS
  'per source and transition between two channels of the Markov chain of order 1: its weight (conversions and nulls of the paths that take it)';

CREATE TABLE @extschema@.snapshot_attr_drop (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	dropped text[] NOT NULL,
	path text[] NOT NULL,
	PRIMARY KEY (source, dropped, path)
);
COMMENT ON TABLE @extschema@.snapshot_attr_drop IS
  'per source, distinct conversion path of two touches or more (path) and path it gives without one of its touches (dropped): fractribution''s shares of path depend on dropped''s totals';

REVOKE ALL ON TABLE @extschema@.snapshot_attr_credit, @extschema@.snapshot_markov_node,
	@extschema@.snapshot_markov_edge, @extschema@.snapshot_attr_drop
	FROM PUBLIC;

CREATE FUNCTION journey_internal.fractribution_shares(p float8, p_without float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'journey_fractribution_shares'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION journey_internal.fractribution_shares(float8, float8[]) IS
  'fractribution''s shares of a path''s touches from its conversion probability and, per touch, the probability of the path without it (as the model computes them)';

CREATE FUNCTION journey_internal.markov_stored_credit(states text[], start_w float8[],
	tot float8[], conv_end float8[], value_end float8[], stepsum float8[],
	edge_from int[], edge_to int[], edge_w float8[], total_conv float8, total_value float8)
RETURNS @extschema@.channel_credit[]
AS 'MODULE_PATHNAME', 'journey_markov_stored_credit'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION journey_internal.markov_stored_credit(text[], float8[], float8[], float8[], float8[], float8[], int[], int[], float8[], float8, float8) IS
  'markov (order 1) credits and removal effects from its chain''s sums (per state: weight from start, outgoing weight, weight and value into conversion, weight times steps left; per edge: states and weight), the same bits as markov over the paths';

-- exact_sum_numeric(float8): exact_sum's exact accumulation (src/sum.c),
-- its result the exact sum as numeric, every binary digit: what the
-- snapshot stores, adds to and subtracts from (one conversion per group,
-- where summing exact_numeric of every row would convert every row).
CREATE FUNCTION journey_internal.exact_sum_numeric_final(internal)
RETURNS numeric
AS 'MODULE_PATHNAME', 'journey_exact_sum_numeric_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE journey_internal.exact_sum_numeric(float8) (
	SFUNC = journey_internal.exact_sum_sfunc,
	STYPE = internal,
	COMBINEFUNC = journey_internal.exact_sum_combine,
	SERIALFUNC = journey_internal.exact_sum_serialize,
	DESERIALFUNC = journey_internal.exact_sum_deserialize,
	FINALFUNC = journey_internal.exact_sum_numeric_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE journey_internal.exact_sum_numeric(float8) IS
  'the exact sum of the (finite) values as numeric, every binary digit (sum(exact_numeric(x)) at the cost of exact_sum); NULL for no rows';

-- A path's conversion probability, as fractribution computes it.
CREATE FUNCTION journey_internal.attr_probability(conversions float8, nulls float8)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN conversions + nulls > 0 THEN conversions / (conversions + nulls) ELSE 0 END;
COMMENT ON FUNCTION journey_internal.attr_probability(float8, float8) IS
  'a path''s conversion probability conversions / (conversions + nulls) in float8, as fractribution computes it (0 without rows)';

-- The model a spec names and whether its parameters are the defaults
-- (src/attribution.c); an invalid spec is an error, as in every
-- attribution function, whatever the data.
CREATE FUNCTION journey_internal.attribution_model_kind(model text,
	OUT kind text, OUT is_default bool)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_attribution_model_kind'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION journey_internal.attribution_model_kind(text) IS
  'the attribution model a spec names (its kind) and whether its parameters are the defaults; an invalid spec is an error';

-- The model a channel_attribution model spec reads from a snapshot: its
-- name when it is one of the stored models with its default parameters
-- (written in any case, with or without them), participation as shapley
-- (the same weights); else NULL.
CREATE FUNCTION journey_internal.snapshot_attribution_key(model text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT CASE WHEN NOT k.is_default THEN NULL
                    WHEN k.kind = 'participation' THEN 'shapley'
                    WHEN k.kind IN ('first_touch', 'last_touch', 'linear', 'position_based',
                                    'time_decay', 'markov', 'shapley', 'fractribution')
                    THEN k.kind END
          FROM journey_internal.attribution_model_kind(model) k);
COMMENT ON FUNCTION journey_internal.snapshot_attribution_key(text) IS
  'the stored model a channel_attribution model spec reads from a snapshot (a default model with its default parameters; participation reads shapley''s equal weights), or NULL when it is computed from the paths; an invalid spec is an error';

-- What journey.refresh does for attribution, after it has put the old
-- (-1) and new (+1) states' paths of the customers with new rows in
-- pg_temp.journey_refresh_contrib: the distinct paths' totals, and the
-- stored credits and chain for the paths whose totals changed.
CREATE FUNCTION journey_internal.snapshot_attribution_refresh(source text, rebuilt bool)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
-- (its statements touch a few rows per changed path, but the planner's
-- guesses for the lookups cross JIT's thresholds: compiling would cost
-- more than the statements)
SET jit = off
AS $fn$
DECLARE
	src text := snapshot_attribution_refresh.source;
BEGIN
	-- per distinct path whose totals changed: old and new totals (a path
	-- converted or last touched at an infinite time is in no period, as
	-- in attribution_paths); each old row looked up by its key
	CREATE TEMP TABLE journey_refresh_attr ON COMMIT DROP AS
	WITH d AS (
		SELECT (p).path,
		       coalesce(sum(c.sign) FILTER (WHERE (p).converted), 0) AS conversions,
		       coalesce(journey_internal.exact_sum_numeric(c.sign * coalesce((p).value, 0)) FILTER (WHERE (p).converted), 0) AS value,
		       coalesce(sum(c.sign) FILTER (WHERE NOT (p).converted), 0) AS nulls
		  FROM pg_temp.journey_refresh_contrib c CROSS JOIN LATERAL unnest(c.convs) AS p
		 WHERE isfinite(CASE WHEN (p).converted THEN (p).converted_at
		                     ELSE (p).touch_times[cardinality((p).touch_times)] END)
		 GROUP BY 1
	)
	SELECT d.path, o.path IS NOT NULL AS existed,
	       coalesce(o.conversions, 0) AS old_conv, coalesce(o.value, 0) AS old_value,
	       coalesce(o.nulls, 0) AS old_nulls,
	       coalesce(o.conversions, 0) + d.conversions AS conv,
	       coalesce(o.value, 0) + d.value AS value,
	       coalesce(o.nulls, 0) + d.nulls AS nulls
	  FROM d
	  LEFT JOIN LATERAL (SELECT o.path, o.conversions, o.value, o.nulls
	                       FROM @extschema@.snapshot_attr_path o
	                      WHERE o.source = src AND o.path = d.path OFFSET 0) o ON true
	 WHERE d.conversions <> 0 OR d.value <> 0 OR d.nulls <> 0;
	ANALYZE pg_temp.journey_refresh_attr;

	-- (keys whose counts fell to 0 stay until the next rebuild; the
	-- readers skip them)
	INSERT INTO @extschema@.snapshot_attr_path AS t (source, path, conversions, value, nulls)
	SELECT src, a.path, a.conv, a.value, a.nulls FROM pg_temp.journey_refresh_attr a
	ON CONFLICT ON CONSTRAINT snapshot_attr_path_pkey DO UPDATE
	   SET conversions = excluded.conversions, value = excluded.value, nulls = excluded.nulls;

	-- the rule models and shapley: per path, conversions x w_i and value
	-- x w_i (float8, as the models compute them), old subtracted, new added
	INSERT INTO @extschema@.snapshot_attr_credit AS t (source, model, channel, conversions, value)
	SELECT src, m.model, x.label, journey_internal.exact_sum_numeric(s.sign * (s.conv::float8 * x.w)),
	       journey_internal.exact_sum_numeric(s.sign * (s.value::float8 * x.w))
	  FROM (SELECT -1 AS sign, a.path, a.old_conv AS conv, a.old_value AS value
	          FROM pg_temp.journey_refresh_attr a
	         WHERE (a.old_conv <> a.conv OR a.old_value <> a.value) AND (a.old_conv <> 0 OR a.old_value <> 0)
	        UNION ALL
	        SELECT 1, a.path, a.conv, a.value
	          FROM pg_temp.journey_refresh_attr a
	         WHERE (a.old_conv <> a.conv OR a.old_value <> a.value) AND (a.conv <> 0 OR a.value <> 0)) s
	 CROSS JOIN unnest(ARRAY['first_touch', 'last_touch', 'linear', 'position_based', 'shapley']) AS m(model)
	 CROSS JOIN LATERAL unnest(s.path, @extschema@.touch_weights(s.path, m.model)) AS x(label, w)
	 GROUP BY 2, 3
	ON CONFLICT ON CONSTRAINT snapshot_attr_credit_pkey DO UPDATE
	   SET conversions = t.conversions + excluded.conversions, value = t.value + excluded.value;

	-- time_decay: per customer path that converted, its touches' weights
	-- and value x weight
	INSERT INTO @extschema@.snapshot_attr_credit AS t (source, model, channel, conversions, value)
	SELECT src, 'time_decay', x.label, journey_internal.exact_sum_numeric(c.sign * x.w),
	       journey_internal.exact_sum_numeric(c.sign * (coalesce((p).value, 0) * x.w))
	  FROM pg_temp.journey_refresh_contrib c
	 CROSS JOIN LATERAL unnest(c.convs) AS p
	 CROSS JOIN LATERAL unnest((p).path, @extschema@.touch_weights((p).path, 'time_decay', (p).touch_times,
	                                                                 (p).converted_at)) AS x(label, w)
	 WHERE (p).converted AND isfinite((p).converted_at)
	 GROUP BY 3
	ON CONFLICT ON CONSTRAINT snapshot_attr_credit_pkey DO UPDATE
	   SET conversions = t.conversions + excluded.conversions, value = t.value + excluded.value;

	-- markov, order 1: each path (weight w = conversions + nulls) walks
	-- its touches with consecutive repeats collapsed (markov.c BuildChain)
	CREATE TEMP TABLE journey_refresh_walk ON COMMIT DROP AS
	SELECT s.sign, s.conv, s.value::float8 AS value, s.conv + s.nulls AS w,
	       @extschema@.path_transform(s.path, 'exposure') AS walk
	  FROM (SELECT -1 AS sign, a.path, a.old_conv AS conv, a.old_value AS value, a.old_nulls AS nulls
	          FROM pg_temp.journey_refresh_attr a WHERE a.old_conv + a.old_nulls > 0
	        UNION ALL
	        SELECT 1, a.path, a.conv, a.value, a.nulls
	          FROM pg_temp.journey_refresh_attr a WHERE a.conv + a.nulls > 0) s
	 WHERE cardinality(s.path) > 0;
	INSERT INTO @extschema@.snapshot_markov_node AS t (source, channel, start_w, tot, conv_end, value_end, stepsum)
	SELECT src, u.label,
	       coalesce(sum(k.sign * k.w) FILTER (WHERE u.i = 1), 0),
	       sum(k.sign * k.w),
	       coalesce(sum(k.sign * k.conv) FILTER (WHERE u.i = cardinality(k.walk)), 0),
	       coalesce(journey_internal.exact_sum_numeric(k.sign * k.value) FILTER (WHERE u.i = cardinality(k.walk) AND k.conv > 0), 0),
	       sum(k.sign * k.w * (cardinality(k.walk) - u.i + 1))
	  FROM pg_temp.journey_refresh_walk k
	 CROSS JOIN LATERAL unnest(k.walk) WITH ORDINALITY AS u(label, i)
	 GROUP BY 2
	ON CONFLICT ON CONSTRAINT snapshot_markov_node_pkey DO UPDATE
	   SET start_w = t.start_w + excluded.start_w, tot = t.tot + excluded.tot,
	       conv_end = t.conv_end + excluded.conv_end, value_end = t.value_end + excluded.value_end,
	       stepsum = t.stepsum + excluded.stepsum;
	INSERT INTO @extschema@.snapshot_markov_edge AS t (source, from_label, to_label, w)
	SELECT src, k.walk[g.i], k.walk[g.i + 1], sum(k.sign * k.w)
	  FROM pg_temp.journey_refresh_walk k
	 CROSS JOIN LATERAL generate_series(1, cardinality(k.walk) - 1) AS g(i)
	 GROUP BY 2, 3 HAVING sum(k.sign * k.w) <> 0
	ON CONFLICT ON CONSTRAINT snapshot_markov_edge_pkey DO UPDATE SET w = t.w + excluded.w;
	DROP TABLE pg_temp.journey_refresh_walk;

	-- fractribution: a new path's one-touch-shorter paths go in the index;
	-- the paths whose shares change are those whose totals changed and
	-- those one touch longer than a path whose probability changed
	INSERT INTO @extschema@.snapshot_attr_drop (source, dropped, path)
	SELECT src, a.path[:g.i - 1] || a.path[g.i + 1:], a.path
	  FROM pg_temp.journey_refresh_attr a
	 CROSS JOIN LATERAL generate_series(1, cardinality(a.path)) AS g(i)
	 WHERE NOT a.existed AND cardinality(a.path) > 1
	ON CONFLICT ON CONSTRAINT snapshot_attr_drop_pkey DO NOTHING;
	INSERT INTO @extschema@.snapshot_attr_credit AS t (source, model, channel, conversions, value)
	WITH aff AS MATERIALIZED (
		-- the affected paths that convert (or did) with their old and new
		-- totals
		SELECT a.path, a.old_conv, a.old_value, a.old_nulls, a.conv, a.value, a.nulls
		  FROM pg_temp.journey_refresh_attr a
		 WHERE a.old_conv <> 0 OR a.old_value <> 0 OR a.conv <> 0 OR a.value <> 0
		UNION ALL
		SELECT x.path, cur.conversions, cur.value, cur.nulls, cur.conversions, cur.value, cur.nulls
		  FROM (SELECT x.path
		          FROM pg_temp.journey_refresh_attr a
		         CROSS JOIN LATERAL (SELECT x.path FROM @extschema@.snapshot_attr_drop x
		                              WHERE x.source = src AND x.dropped = a.path OFFSET 0) x
		         WHERE journey_internal.attr_probability(a.old_conv, a.old_nulls)
		               <> journey_internal.attr_probability(a.conv, a.nulls)
		        EXCEPT
		        SELECT a.path FROM pg_temp.journey_refresh_attr a) x
		 CROSS JOIN LATERAL (SELECT o.conversions, o.value, o.nulls FROM @extschema@.snapshot_attr_path o
		                      WHERE o.source = src AND o.path = x.path OFFSET 0) cur
		 WHERE cur.conversions <> 0 OR cur.value <> 0
	), subs AS (
		-- per affected path, the probabilities of the path without each
		-- touch, old and new
		SELECT f.path, array_agg(CASE WHEN sa.path IS NOT NULL
		                              THEN journey_internal.attr_probability(sa.old_conv, sa.old_nulls)
		                              ELSE coalesce(o.p, 0) END ORDER BY g.i) AS old_p,
		       array_agg(coalesce(o.p, 0) ORDER BY g.i) AS new_p
		  FROM aff f
		 CROSS JOIN LATERAL generate_series(1, cardinality(f.path)) AS g(i)
		 CROSS JOIN LATERAL (SELECT f.path[:g.i - 1] || f.path[g.i + 1:] AS sub) d
		  LEFT JOIN LATERAL (SELECT journey_internal.attr_probability(o.conversions, o.nulls) AS p
		                       FROM @extschema@.snapshot_attr_path o
		                      WHERE o.source = src AND o.path = d.sub OFFSET 0) o ON true
		  LEFT JOIN pg_temp.journey_refresh_attr sa ON sa.path = d.sub
		 GROUP BY f.path
	)
	SELECT src, 'fractribution', x.label, journey_internal.exact_sum_numeric(s.sign * (s.conv::float8 * x.share)),
	       journey_internal.exact_sum_numeric(s.sign * (s.value::float8 * x.share))
	  FROM aff f
	  JOIN subs b ON b.path = f.path
	 CROSS JOIN LATERAL (VALUES (-1, f.old_conv, f.old_value,
	                             journey_internal.attr_probability(f.old_conv, f.old_nulls), b.old_p),
	                            (1, f.conv, f.value, journey_internal.attr_probability(f.conv, f.nulls), b.new_p))
	       AS s(sign, conv, value, p, p_without)
	 CROSS JOIN LATERAL unnest(f.path, journey_internal.fractribution_shares(s.p, s.p_without)) AS x(label, share)
	 WHERE s.conv <> 0 OR s.value <> 0
	 GROUP BY 3
	ON CONFLICT ON CONSTRAINT snapshot_attr_credit_pkey DO UPDATE
	   SET conversions = t.conversions + excluded.conversions, value = t.value + excluded.value;

	IF rebuilt THEN
		ANALYZE @extschema@.snapshot_attr_credit, @extschema@.snapshot_markov_node,
		        @extschema@.snapshot_markov_edge, @extschema@.snapshot_attr_drop;
	END IF;
	DROP TABLE pg_temp.journey_refresh_attr;
END;
$fn$;
COMMENT ON FUNCTION journey_internal.snapshot_attribution_refresh(text, bool) IS
  'journey.refresh''s attribution step: the distinct conversion paths'' totals, and the stored credits of the default models and Markov chain, updated for the paths whose totals changed';

-- The credits of a stored model (key: snapshot_attribution_key) from a
-- source's snapshot, for every channel of its paths (0 when the model
-- credits it nothing); markov solved from the stored chain.  The caller
-- has checked the source (snapshot_of).
CREATE FUNCTION journey_internal.snapshot_channel_credit(source text, key text)
RETURNS TABLE (channel text, conversions float8, value float8, removal_effect float8)
LANGUAGE sql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
	WITH n AS MATERIALIZED (
		SELECT row_number() OVER (ORDER BY n.channel COLLATE "C")::int AS k, n.*
		  FROM @extschema@.snapshot_markov_node n
		 WHERE n.source = snapshot_channel_credit.source AND n.tot > 0)
	SELECT c.channel, c.conversions, c.value, c.removal_effect
	  FROM unnest((SELECT journey_internal.markov_stored_credit(
	                        array_agg(n.channel ORDER BY n.k), array_agg(n.start_w::float8 ORDER BY n.k),
	                        array_agg(n.tot::float8 ORDER BY n.k), array_agg(n.conv_end::float8 ORDER BY n.k),
	                        array_agg(n.value_end::float8 ORDER BY n.k), array_agg(n.stepsum::float8 ORDER BY n.k),
	                        coalesce((SELECT array_agg(f.k ORDER BY f.k, t.k) FROM @extschema@.snapshot_markov_edge e
	                                    JOIN n f ON f.channel = e.from_label JOIN n t ON t.channel = e.to_label
	                                   WHERE e.source = snapshot_channel_credit.source AND e.w > 0), '{}'),
	                        coalesce((SELECT array_agg(t.k ORDER BY f.k, t.k) FROM @extschema@.snapshot_markov_edge e
	                                    JOIN n f ON f.channel = e.from_label JOIN n t ON t.channel = e.to_label
	                                   WHERE e.source = snapshot_channel_credit.source AND e.w > 0), '{}'),
	                        coalesce((SELECT array_agg(e.w::float8 ORDER BY f.k, t.k) FROM @extschema@.snapshot_markov_edge e
	                                    JOIN n f ON f.channel = e.from_label JOIN n t ON t.channel = e.to_label
	                                   WHERE e.source = snapshot_channel_credit.source AND e.w > 0), '{}'),
	                        sum(n.conv_end)::float8, sum(n.value_end)::float8)
	                 FROM n HAVING count(*) > 0)) AS c
	 WHERE snapshot_channel_credit.key = 'markov'
	UNION ALL
	SELECT n.channel, coalesce(c.conversions, 0)::float8, coalesce(c.value, 0)::float8, NULL::float8
	  FROM n
	  LEFT JOIN @extschema@.snapshot_attr_credit c
	    ON c.source = snapshot_channel_credit.source AND c.model = snapshot_channel_credit.key AND c.channel = n.channel
	 WHERE snapshot_channel_credit.key <> 'markov'
$$;
COMMENT ON FUNCTION journey_internal.snapshot_channel_credit(text, text) IS
  'per channel of a source''s snapshot, the conversions and value a stored model credits it (markov: solved from the stored chain, with its removal effects)';

-- The checks every attribution report over a source makes before it
-- reads: registered, with a channel column and a conversion event, since
-- not after until, readable by the current role (check_source_relation).
CREATE FUNCTION journey_internal.attribution_source(source text, since timestamptz, until timestamptz)
RETURNS @extschema@.source
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s @extschema@.source;
BEGIN
	SELECT * INTO s FROM @extschema@.source x WHERE x.name = attribution_source.source;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown source "%"', attribution_source.source
			USING ERRCODE = 'undefined_object',
			      HINT = 'Register it in journey.source first.';
	END IF;
	IF s.channel_column IS NULL OR s.conversion_event IS NULL THEN
		RAISE EXCEPTION 'source "%" has no channel column or no conversion event', s.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Attribution needs both: set channel_column and conversion_event in journey.source.';
	END IF;
	IF since IS NOT NULL AND until IS NOT NULL AND since > until THEN
		RAISE EXCEPTION 'since (%) is after until (%)', since, until
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM journey_internal.check_source_relation(s, true);
	RETURN s;
END
$$;
COMMENT ON FUNCTION journey_internal.attribution_source(text, timestamptz, timestamptz) IS
  'the registered source of an attribution report, once checked (registered, channel column and conversion event set, since not after until, readable by the current role)';
