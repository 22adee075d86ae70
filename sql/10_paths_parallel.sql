-- Paths under parallel query: path_agg and paths_to_conversion combine
-- partial states from workers (serialized, then deserialized) and give the
-- serial plan's result.
CREATE TABLE paths_par AS
  SELECT * FROM journey.sample_events(3000, 11);
ANALYZE paths_par;

-- serial answers
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE paths_par_serial AS
SELECT journey.path_agg(channel, ts) AS everyone,
       journey.paths_to_conversion(channel, ts, event = 'purchase',
                                   revenue::float8, '30 days') AS conv
  FROM paths_par;
CREATE TEMP TABLE paths_par_serial_top AS
SELECT path, count(*) AS customers
  FROM (SELECT journey.path_agg(channel, ts) AS path
          FROM paths_par GROUP BY customer_id) s
 GROUP BY path;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT journey.path_agg(channel, ts),
       journey.paths_to_conversion(channel, ts, event = 'purchase',
                                   revenue::float8, '30 days')
  FROM paths_par;
SELECT cardinality(p.everyone) AS events,
       p.everyone = s.everyone AS path_agg_same,
       cardinality(p.conv) AS paths,
       p.conv = s.conv AS paths_to_conversion_same
  FROM (SELECT journey.path_agg(channel, ts) AS everyone,
               journey.paths_to_conversion(channel, ts, event = 'purchase',
                                           revenue::float8, '30 days') AS conv
          FROM paths_par) p, paths_par_serial s;

-- grouped by customer under the same settings: the same top paths
SELECT count(*) AS distinct_paths,
       count(*) FILTER (WHERE p.customers IS NOT DISTINCT FROM s.customers) AS same_counts
  FROM (SELECT path, count(*) AS customers
          FROM (SELECT journey.path_agg(channel, ts) AS path
                  FROM paths_par GROUP BY customer_id) x
         GROUP BY path) p
  FULL JOIN paths_par_serial_top s USING (path);

-- parameters travel with the partial states: still checked when combined
-- (terse: the error may come from a worker or the leader)
\set VERBOSITY terse
SELECT journey.paths_to_conversion(channel, ts, false, 0,
         CASE WHEN customer_id % 2 = 0 THEN interval '1 day' ELSE '2 days' END)
  FROM paths_par;
\set VERBOSITY default

RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
DROP TABLE paths_par;
