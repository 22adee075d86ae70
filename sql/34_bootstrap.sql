-- attribution_bootstrap: attribution() with percentile intervals from
-- Poisson-resampled replicates of the customers' paths (src/bootstrap.c).

-- One channel, one path row of 100 conversions (value 10 each): every
-- replicate credits the channel a Poisson(100) draw of conversions, and
-- ten times that in value.  The quantiles of Poisson(100) (computed from
-- its distribution function: P(X <= 80) = 0.0226, P(X <= 81) = 0.0291,
-- P(X <= 119) = 0.9718, P(X <= 120) = 0.9773; P(X <= 92) = 0.2288,
-- P(X <= 93) = 0.2610, P(X <= 106) = 0.7453, P(X <= 107) = 0.7756) are
-- 81 and 120 (95%) and 93 and 107 (quartiles): the sample quantiles of
-- 4,000 replicates fall within one of them.
SELECT (c).channel, (c).conversions, (c).value,
       (c).conversions_low BETWEEN 79 AND 83 AS low_95,
       (c).conversions_high BETWEEN 118 AND 122 AS high_95,
       (c).value_low = 10 * (c).conversions_low AND (c).value_high = 10 * (c).conversions_high
         AS value_follows
  FROM unnest((SELECT journey.attribution_bootstrap(ARRAY['A'], 100, 1000, 0, 'linear', 4000, 1, 0.95))) c;
SELECT (c).conversions_low BETWEEN 92 AND 94 AS q1, (c).conversions_high BETWEEN 106 AND 108 AS q3
  FROM unnest((SELECT journey.attribution_bootstrap(ARRAY['A'], 100, 1000, 0, 'linear', 4000, 1, 0.5))) c;
-- Poisson(3), drawn by inversion (below a mean of 10): P(X <= 1) = 0.199,
-- P(X <= 2) = 0.423, P(X <= 3) = 0.647, P(X <= 4) = 0.815, so its
-- quartiles are 2 and 4, far from any boundary: exactly those.
SELECT (c).conversions_low, (c).conversions_high
  FROM unnest((SELECT journey.attribution_bootstrap(ARRAY['A'], 3, 0, 0, 'linear', 4000, 2, 0.5))) c;

-- Reproducible: the same seed gives the same intervals, another seed others
CREATE TEMP TABLE b_paths AS
  SELECT journey.paths_to_conversion(channel, ts, event = 'purchase', revenue::float8,
                                     '30 days') AS p
    FROM journey.sample_events(1500, 3) GROUP BY customer_id;
CREATE TEMP TABLE b_rows AS
  SELECT (x).path, count(*) FILTER (WHERE (x).converted)::float8 AS conv,
         coalesce(journey.exact_sum((x).value) FILTER (WHERE (x).converted), 0) AS val,
         count(*) FILTER (WHERE NOT (x).converted)::float8 AS nulls
    FROM b_paths, unnest(p) x GROUP BY (x).path;
SELECT (SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'linear', 200, 42, 0.95) FROM b_rows)
     = (SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'linear', 200, 42, 0.95) FROM b_rows)
       AS same_seed_same_intervals,
       (SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'linear', 200, 42, 0.95) FROM b_rows)
    <> (SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'linear', 200, 43, 0.95) FROM b_rows)
       AS other_seed_other_intervals;

-- The seed's whole range: the smallest and largest bigint, 0 and -1 each
-- reproduce and give other intervals than the others
CREATE TEMP TABLE b_seeds AS
  SELECT s, (SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'linear', 50, s, 0.95)
               FROM b_rows)::text AS a
    FROM unnest(ARRAY[-9223372036854775808, -1, 0, 9223372036854775807]::bigint[]) s;
SELECT s, a = (SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'linear', 50, s, 0.95)
                 FROM b_rows)::text AS reproduces,
       (SELECT count(*) FROM b_seeds o WHERE o.a = b.a) = 1 AS its_own
  FROM b_seeds b ORDER BY s;

-- For every model on the sample data: the point credits are attribution()'s
-- exactly, and every interval covers its point estimate
SELECT m, count(*) AS channels,
       bool_and(b.conversions = a.conversions AND b.value = a.value
                AND b.removal_effect IS NOT DISTINCT FROM a.removal_effect) AS points_are_attributions,
       bool_and(b.conversions_low <= b.conversions AND b.conversions <= b.conversions_high
                AND b.value_low <= b.value AND b.value <= b.value_high) AS covers_point,
       bool_and(b.conversions_low < b.conversions_high) AS intervals_not_empty
  FROM unnest(ARRAY['first_touch', 'last_touch', 'last_non_direct(direct=Direct)', 'linear',
                    'position_based', 'participation', 'markov', 'markov(order=2)', 'shapley',
                    'fractribution']) m,
       LATERAL unnest((SELECT journey.attribution_bootstrap(path, conv, val, nulls, m, 100, 7, 0.9)
                         FROM b_rows)) b
  JOIN LATERAL unnest((SELECT journey.attribution(path, conv, val, nulls, m) FROM b_rows)) a
    ON a.channel = b.channel
 GROUP BY m ORDER BY m;

-- A wider confidence gives a wider interval (the same replicates)
SELECT bool_and(w.conversions_low <= n.conversions_low AND n.conversions_high <= w.conversions_high)
       AS nested
  FROM unnest((SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'shapley', 300, 5, 0.99) FROM b_rows)) w
  JOIN unnest((SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'shapley', 300, 5, 0.5) FROM b_rows)) n
    USING (channel);

-- One replicate: both bounds are that replicate's credit
SELECT bool_and(conversions_low = conversions_high AND value_low = value_high) AS one_replicate
  FROM unnest((SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'linear', 1, 9, 0.95) FROM b_rows));
-- the largest number of replicates is accepted
SELECT (c).channel, (c).conversions_low > 0 AS drawn
  FROM unnest((SELECT journey.attribution_bootstrap(ARRAY['A'], 5, 0, 0, 'linear', 10000, 1, 0.95))) c;

-- Parallel: partial states merge; the intervals equal the serial ones
CREATE TABLE boot_par AS SELECT b.* FROM b_rows b, generate_series(1, 20) g;
ANALYZE boot_par;
CREATE TEMP TABLE boot_serial AS
  SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'markov', 50, 3, 0.9) AS a FROM boot_par;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF)
  SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'markov', 50, 3, 0.9) FROM boot_par;
SELECT (SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'markov', 50, 3, 0.9) FROM boot_par)
     = (SELECT a FROM boot_serial) AS parallel_equals_serial;
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;

-- No rows: NULL; NULL paths skipped
SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'linear', 10, 1, 0.9) IS NULL AS none
  FROM b_rows WHERE false;
SELECT (c).channel
  FROM unnest((SELECT journey.attribution_bootstrap(p, 1, 0, 0, 'linear', 10, 1, 0.9)
                 FROM (VALUES (NULL::text[]), (ARRAY['x'])) t(p))) c;

-- time_decay over conversion_path[] (which carry their touch times): each
-- path weighs its touches by 2^(-age/half_life).  A (day 0) > B (day 1),
-- converted at B, half-life 1 day: A 1/2 / (1/2 + 1) = 1/3, B 2/3; C alone
-- gets everything.  Value 30 and 12.
CREATE TEMP TABLE td AS
SELECT ARRAY[ROW(ARRAY['A','B'], ARRAY['2026-01-01 00:00+00', '2026-01-02 00:00+00']::timestamptz[],
                 true, 30, '2026-01-02 00:00+00')::journey.conversion_path,
             ROW(ARRAY['C'], ARRAY['2026-01-05 00:00+00']::timestamptz[],
                 true, 12, '2026-01-06 00:00+00')::journey.conversion_path,
             ROW(ARRAY['A'], ARRAY['2026-01-07 00:00+00']::timestamptz[],
                 false, NULL, NULL)::journey.conversion_path] AS p;
SELECT (c).channel, round((c).conversions::numeric, 12) AS conversions,
       round((c).value::numeric, 12) AS value
  FROM unnest((SELECT journey.attribution(p, 'time_decay(half_life=1 day)') FROM td)) c;
-- the aggregate equals touch_weights summed per channel, on the sample data
SELECT count(*) AS channels,
       bool_and(abs(a.conversions - w.conversions) <= 1e-12 * w.conversions
                AND abs(a.value - w.value) <= 1e-9 * greatest(w.value, 1)) AS same_credit
  FROM unnest((SELECT journey.attribution(p, 'time_decay') FROM b_paths)) a
  JOIN (SELECT t.label, journey.exact_sum(t.w) AS conversions,
               journey.exact_sum(t.w * (x).value) AS value
          FROM b_paths, unnest(p) x,
               unnest((x).path, journey.touch_weights((x).path, 'time_decay', (x).touch_times,
                                                      (x).converted_at)) t(label, w)
         WHERE (x).converted GROUP BY t.label) w ON w.label = a.channel;
-- bootstrap intervals for time_decay (and any model) over conversion paths:
-- the point is attribution(paths, model)'s, the interval covers it, a seed
-- repeats it, and the path-row form gives the same intervals for the other
-- models
SELECT m, bool_and(b.conversions = a.conversions AND b.value = a.value) AS points_are_attributions,
       bool_and(b.conversions_low <= b.conversions AND b.conversions <= b.conversions_high
                AND b.value_low <= b.value AND b.value <= b.value_high) AS covers_point
  FROM unnest(ARRAY['time_decay', 'time_decay(half_life=1 day)', 'linear', 'markov']) m,
       LATERAL unnest((SELECT journey.attribution_bootstrap(p, m, 200, 11, 0.9) FROM b_paths)) b
  JOIN LATERAL unnest((SELECT journey.attribution(p, m) FROM b_paths)) a ON a.channel = b.channel
 GROUP BY m ORDER BY m;
SELECT (SELECT journey.attribution_bootstrap(p, 'time_decay', 100, 5, 0.95) FROM b_paths)
     = (SELECT journey.attribution_bootstrap(p, 'time_decay', 100, 5, 0.95) FROM b_paths) AS repeats,
       (SELECT journey.attribution_bootstrap(p, 'shapley', 100, 5, 0.95) FROM b_paths)
     = (SELECT journey.attribution_bootstrap(path, conv, val, nulls, 'shapley', 100, 5, 0.95)
          FROM b_rows) AS same_as_path_rows;
-- parallel: the weighted keys travel in the serialized state
CREATE TABLE boot_cp AS SELECT customer_id, journey.paths_to_conversion(channel, ts, event = 'purchase', revenue::float8, '30 days') AS p
  FROM journey.sample_events(800, 9) GROUP BY customer_id;
ANALYZE boot_cp;
CREATE TEMP TABLE boot_cp_serial AS
  SELECT journey.attribution_bootstrap(p, 'time_decay', 30, 1, 0.8) AS a FROM boot_cp;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF) SELECT journey.attribution_bootstrap(p, 'time_decay', 30, 1, 0.8) FROM boot_cp;
SELECT (SELECT journey.attribution_bootstrap(p, 'time_decay', 30, 1, 0.8) FROM boot_cp)
     = (SELECT a FROM boot_cp_serial) AS parallel_equals_serial;
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
DROP TABLE boot_cp;
-- time_decay errors over conversion paths: no touch times, a touch after
-- the conversion
SELECT journey.attribution(ARRAY[ROW(ARRAY['A'], NULL, true, 1, NULL)::journey.conversion_path],
                           'time_decay');
SELECT journey.attribution(ARRAY[ROW(ARRAY['A'], ARRAY['2026-01-02']::timestamptz[], true, 1,
                                     '2026-01-01')::journey.conversion_path], 'time_decay');
SELECT journey.attribution_bootstrap(p, 'linear', 0, 1, 0.9) FROM td;

-- Errors
SELECT journey.attribution_bootstrap(ARRAY['A'], 1, 0, 0, 'linear', 0, 1, 0.95);
SELECT journey.attribution_bootstrap(ARRAY['A'], 1, 0, 0, 'linear', 10001, 1, 0.95);
SELECT journey.attribution_bootstrap(ARRAY['A'], 1, 0, 0, 'linear', 10, 1, 0);
SELECT journey.attribution_bootstrap(ARRAY['A'], 1, 0, 0, 'linear', 10, 1, 1);
SELECT journey.attribution_bootstrap(ARRAY['A'], 1, 0, 0, 'linear', 10, 1, 'NaN');
SELECT journey.attribution_bootstrap(ARRAY['A'], 1, 0, 0, 'linear', NULL, 1, 0.9);
SELECT journey.attribution_bootstrap(ARRAY['A'], 1, 0, 0, 'time_decay', 10, 1, 0.9);
SELECT journey.attribution_bootstrap(ARRAY['A'], -1, 0, 0, 'linear', 10, 1, 0.9);
SELECT journey.attribution_bootstrap(p, 1, 0, 0, 'linear', 10, s, 0.9)
  FROM (VALUES (ARRAY['A'], 1), (ARRAY['B'], 2)) t(p, s);
-- The replicates' credits are bounded: 13,422 channels times 10,000
-- replicates is above 2^27 - 1 = 134,217,727 (1 GB of float8 per array)
SELECT journey.attribution_bootstrap(p, 1, 0, 0, 'linear', 10000, 1, 0.9)
  FROM (SELECT array_agg('c' || i) AS p FROM generate_series(1, 13422) i) x;
-- Replicates out of float8's range while the point estimates are not, in
-- every model: a path's value times its drawn conversions (1.5e308 times a
-- Poisson(1) draw of 2 or more), or one channel's credit over paths that
-- are each in range (three paths of 0.3e308 credit 0.9e308 to A; a
-- replicate whose draws add up to 6 or more does not)
SELECT m, journey.attribution(p, c, v, 0, m)
  FROM (VALUES (ARRAY['A', 'B'], 1::float8, 1.5e308::float8)) t(p, c, v),
       unnest(ARRAY['linear', 'first_touch', 'markov', 'shapley', 'fractribution']) m
 GROUP BY m ORDER BY m;
DO $$
DECLARE
	m text;
BEGIN
	FOREACH m IN ARRAY ARRAY['linear', 'first_touch', 'markov', 'shapley', 'fractribution'] LOOP
		BEGIN
			PERFORM journey.attribution_bootstrap(ARRAY['A', 'B'], 1, 1.5e308, 0, m, 50, 1, 0.9);
			RAISE NOTICE '%: no error', m;
		EXCEPTION WHEN numeric_value_out_of_range THEN
			RAISE NOTICE '%: %', m, SQLERRM;
		END;
	END LOOP;
END
$$;
SELECT journey.attribution(p, 1, 0.3e308, 0, 'last_touch')
  FROM (VALUES (ARRAY['A']), (ARRAY['B', 'A']), (ARRAY['C', 'A'])) t(p);
SELECT journey.attribution_bootstrap(p, 1, 0.3e308, 0, 'last_touch', 50, 1, 0.9)
  FROM (VALUES (ARRAY['A']), (ARRAY['B', 'A']), (ARRAY['C', 'A'])) t(p);
DROP TABLE boot_par;
