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
DROP TABLE boot_par;
