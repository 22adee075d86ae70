-- Demo: the paths customers take (journey.path_agg, path_transform,
-- transitions, paths_to_conversion, session_number).
\echo
\echo '# Paths'
\echo
\echo '## Top 10 channel paths (consecutive repeats collapsed with the exposure transform)'
SELECT array_to_string(path, ' > ') AS path,
       count(*) AS customers,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
  FROM (SELECT journey.path_transform(journey.path_agg(channel, ts), 'exposure') AS path
          FROM events GROUP BY customer_id) p
 GROUP BY path
 ORDER BY customers DESC, path
 LIMIT 10;

\echo '## Top 15 transitions between channels (edges of a Sankey chart)'
SELECT t.step, t.from_label, t.to_label, count(*) AS customers
  FROM (SELECT journey.path_transform(journey.path_agg(channel, ts), 'exposure') AS path
          FROM events GROUP BY customer_id) p
 CROSS JOIN LATERAL journey.transitions(p.path) t
 GROUP BY t.step, t.from_label, t.to_label
 ORDER BY customers DESC, t.step, t.from_label, t.to_label
 LIMIT 15;

\echo '## Conversion paths: purchases within a 30-day lookback, and the paths that did not convert'
CREATE TEMP TABLE conversion_paths AS
SELECT p.*
  FROM (SELECT journey.paths_to_conversion(channel, ts, event = 'purchase',
                                           revenue::float8, '30 days') AS ps
          FROM events GROUP BY customer_id) s,
       unnest(s.ps) AS p;
SELECT CASE WHEN converted THEN 'converted' ELSE 'not (yet) converted' END AS outcome,
       count(*) AS paths,
       round(avg(cardinality(path)), 2) AS avg_touches,
       round(avg(EXTRACT(epoch FROM touch_times[cardinality(touch_times)] - touch_times[1]) / 86400)::numeric, 1)
         AS avg_days_first_to_last,
       round(sum(value)::numeric, 2) AS value
  FROM pg_temp.conversion_paths
 GROUP BY converted
 ORDER BY converted DESC;

\echo '## Top 10 converting paths (first touches only, last 4 touches) by value'
SELECT array_to_string(journey.path_transform(path, 'first', 'trim_long_path(4)'), ' > ') AS path,
       count(*) AS conversions,
       round(sum(value)::numeric, 2) AS value
  FROM pg_temp.conversion_paths
 WHERE converted
 GROUP BY 1
 ORDER BY value DESC, path
 LIMIT 10;

\echo '## Sessions per customer (a new session after 30 minutes without an event)'
SELECT sessions, count(*) AS customers
  FROM (SELECT customer_id, max(session) AS sessions
          FROM (SELECT customer_id,
                       journey.session_number(ts, '30 minutes')
                         OVER (PARTITION BY customer_id ORDER BY ts) AS session
                  FROM events) s
         GROUP BY customer_id) c
 GROUP BY sessions
 ORDER BY sessions;
