-- Demo: what the sample data looks like.
\echo
\echo '# The sample journeys'
\echo
SELECT count(DISTINCT customer_id) AS customers,
       count(*) AS events,
       min(ts)::date AS first_day,
       max(ts)::date AS last_day,
       count(*) FILTER (WHERE event = 'purchase') AS purchases,
       sum(revenue) AS revenue
  FROM events;

\echo '## Customers reaching each event'
SELECT event, count(DISTINCT customer_id) AS customers
  FROM events GROUP BY event ORDER BY customers DESC;
