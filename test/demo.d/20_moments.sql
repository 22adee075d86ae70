-- Demo: the moments that matter of the sample journeys and how many
-- customers move from each to the next within a week.
\echo
\echo '== Moments that matter: conversion from each moment to the next (7-day window)'
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event, moment_window)
VALUES ('sample', 'events', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase', '7 days');
INSERT INTO journey.moment (source, position, name, event_name) VALUES
  ('sample', 1, 'First contact', 'first_contact'),
  ('sample', 2, 'Site visit', 'site_visit'),
  ('sample', 3, 'Signup', 'signup'),
  ('sample', 4, 'Setup complete', 'setup_complete'),
  ('sample', 5, 'Checkout', 'checkout'),
  ('sample', 6, 'Purchase', 'purchase');

SELECT position AS "#", moment, customers_reached AS reached, customers_next AS "moved on",
       round(100 * conversion_rate::numeric, 1) AS "conv %",
       round(100 * drop_off_rate::numeric, 1) AS "drop %",
       justify_hours(date_trunc('minute', median_time_to_next)) AS "median time to next"
  FROM journey.moment_conversion WHERE source = 'sample' ORDER BY position;

\echo
\echo '== The same by channel of first contact (customers reaching each moment)'
SELECT segment AS channel,
       max(customers_reached) FILTER (WHERE position = 1) AS first_contact,
       max(customers_reached) FILTER (WHERE position = 2) AS site_visit,
       max(customers_reached) FILTER (WHERE position = 3) AS signup,
       max(customers_reached) FILTER (WHERE position = 4) AS setup_complete,
       max(customers_reached) FILTER (WHERE position = 5) AS checkout,
       max(customers_reached) FILTER (WHERE position = 6) AS purchase,
       round(100.0 * max(customers_reached) FILTER (WHERE position = 6)
             / nullif(max(customers_reached) FILTER (WHERE position = 1), 0), 1) AS "overall %"
  FROM journey.moment_report('sample', segment_column => 'channel')
 GROUP BY segment ORDER BY first_contact DESC;
