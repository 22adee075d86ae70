-- Demo: labels from different tools land on one channel.
\echo
\echo '# Labels: one channel however the tools spell it'
\echo
\echo '## Raw (source, medium) spellings and the channel default_channel gives them'
SELECT source, medium, journey.normalize_label(medium) AS normalized_medium,
       journey.default_channel(source, medium) AS channel, count(*) AS events
  FROM events
 GROUP BY source, medium
 ORDER BY channel, events DESC;

\echo '## default_channel agrees with the channel the sample data was generated with'
SELECT channel AS generated, journey.default_channel(source, medium) AS derived, count(*) AS events
  FROM events
 GROUP BY 1, 2
 ORDER BY 1, 2;
