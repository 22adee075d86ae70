-- Demo: the reports over the registered source (journey.funnel_report,
-- path_report, transition_report, sequence_report), which read the table
-- themselves: the same answers as the GROUP BY customer queries above,
-- without the per-row work of the executor.
\echo
\echo '# Reports over the registered source'
\echo
SELECT journey.report_method('sample') AS "how the reports read source 'sample'";

\echo '## Funnel of the moments that matter (7-day window)'
SELECT step AS "#", name, customers,
       round(100 * conversion_from_previous::numeric, 1) AS "from previous %",
       round(100 * conversion_from_first::numeric, 1) AS "from first %",
       justify_hours(date_trunc('minute', make_interval(secs => median_seconds_from_previous)))
         AS "median time from previous"
  FROM journey.funnel_report('sample');

\echo '## Top 8 channel paths (exposure transform), and every other path'
SELECT coalesce(rank::text, '') AS "#", array_to_string(path, ' > ') AS path, customers,
       round(100 * share::numeric, 1) AS pct
  FROM journey.path_report('sample', 8, ARRAY['exposure']);

\echo '## Sankey edges of the first 3 steps; edges under 5% of their step folded'
SELECT step, from_label, to_label, customers, round(100 * share::numeric, 1) AS pct
  FROM journey.transition_report('sample', 3, 0.05, ARRAY['exposure']);

\echo '## Customers who signed up and purchased within a day of it, after a site visit'
SELECT customers, matches
  FROM journey.sequence_report('sample', '(?1).*(?2)(?t<=86400)(?3)', 'site_visit', 'signup', 'purchase');
