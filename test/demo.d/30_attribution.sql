-- Demo: which channels get the purchase credit (journey.attribution under
-- last_touch, linear, markov and shapley, the last with bootstrap intervals).  Paths: one per purchase (touches
-- since the previous purchase, 30-day lookback), plus each customer's
-- trailing non-converting path.
\echo
\echo '# Attribution: which channels earn the purchases'
\echo
\echo '## The path table: distinct paths, purchases, revenue, non-converting journeys'
CREATE TEMP TABLE demo_attr_paths AS
  SELECT (p).path, count(*) FILTER (WHERE (p).converted) AS conversions,
         coalesce(sum((p).value) FILTER (WHERE (p).converted), 0) AS value,
         count(*) FILTER (WHERE NOT (p).converted) AS nulls
    FROM (SELECT unnest(journey.paths_to_conversion(channel, ts, event = 'purchase',
                                                    revenue::float8, '30 days')) AS p
            FROM events GROUP BY customer_id) s
   GROUP BY (p).path;
SELECT count(*) AS distinct_paths, sum(conversions) AS purchases,
       round(sum(value)::numeric) AS revenue, sum(nulls) AS non_converting
  FROM demo_attr_paths;
\echo
\echo '## Purchases credited per channel under four models; Markov removal effect and revenue'
WITH credit AS (
  SELECT m, c.*
    FROM unnest(ARRAY['last_touch', 'linear', 'markov', 'shapley']) m,
         LATERAL unnest((SELECT journey.attribution(path, conversions, value, nulls, m)
                           FROM demo_attr_paths)) c)
SELECT channel,
       round(max(conversions) FILTER (WHERE m = 'last_touch')) AS last_touch,
       round(max(conversions) FILTER (WHERE m = 'linear')) AS linear,
       round(max(conversions) FILTER (WHERE m = 'markov')) AS markov,
       round(max(conversions) FILTER (WHERE m = 'shapley')) AS shapley,
       round(max(removal_effect) FILTER (WHERE m = 'markov')::numeric, 3) AS removal_effect,
       round(max(value) FILTER (WHERE m = 'markov')) AS markov_revenue
  FROM credit GROUP BY channel ORDER BY markov DESC;
\echo
\echo '## How sure: Shapley credits with 95% bootstrap intervals (500 replicates, seed 42)'
SELECT (b).channel, round((b).conversions) AS shapley, round((b).conversions_low) AS low,
       round((b).conversions_high) AS high
  FROM unnest((SELECT journey.attribution_bootstrap(path, conversions, value, nulls,
                                                    'shapley', 500, 42, 0.95)
                 FROM demo_attr_paths)) b
 ORDER BY (b).conversions DESC;
