-- Views of the path reports for BI tools: the Sankey edges and the top
-- paths of every registered source with a channel column, with the
-- defaults of journey.transition_report and journey.path_report (first 5
-- steps, top 10 paths).  Plain columns only: a path is one text with its
-- labels joined by ' > ' (path_report gives the text[]).
--
-- (source_readable is a condition on the source alone, so it is checked
-- as the sources are read, before any report runs; every registered column
-- must be readable, the channel column among them)

CREATE VIEW @extschema@.sankey_edges WITH (security_invoker = true) AS
SELECT s.name AS source, t.step, t.from_label, t.to_label, t.customers, t.share,
       t.from_snapshot, t.computed_at, t.events_until
  FROM @extschema@.source s
 CROSS JOIN LATERAL journey_internal.dashboard_transition_report(s.name) t
 WHERE s.channel_column IS NOT NULL
   AND journey_internal.source_readable(s.name, true);
COMMENT ON VIEW @extschema@.sankey_edges IS
  'per registered source with a channel column that the current role can read (see journey.source_status): the Sankey edges of the first 5 steps of the customers'' channel paths (journey.transition_report with its defaults)';
COMMENT ON COLUMN @extschema@.sankey_edges.source IS
  'the registered source';
COMMENT ON COLUMN @extschema@.sankey_edges.step IS
  'the edge''s step: 1 from (start) to the first channel, k from the (k-1)th channel to the kth (or to (end))';
COMMENT ON COLUMN @extschema@.sankey_edges.from_label IS
  'the channel the customers come from, or (start)';
COMMENT ON COLUMN @extschema@.sankey_edges.to_label IS
  'the channel they go to, or (end)';
COMMENT ON COLUMN @extschema@.sankey_edges.customers IS
  'customers who took this edge at this step';
COMMENT ON COLUMN @extschema@.sankey_edges.share IS
  'customers divided by all customers taking an edge at this step';
COMMENT ON COLUMN @extschema@.sankey_edges.from_snapshot IS
  'true when the row comes from the source''s snapshot (journey.refresh), false when it was computed live from every row';
COMMENT ON COLUMN @extschema@.sankey_edges.computed_at IS
  'when the numbers were computed: the snapshot''s last refresh; NULL when live (computed by the query itself)';
COMMENT ON COLUMN @extschema@.sankey_edges.events_until IS
  'the highest event time the snapshot had read; NULL when live (every row at the time of the query)';

CREATE VIEW @extschema@.top_paths WITH (security_invoker = true) AS
SELECT s.name AS source, p.ord::int AS rank, p.rank IS NULL AS is_other,
       pg_catalog.array_to_string(p.path, ' > ') AS path,
       CASE WHEN p.rank IS NULL THEN 0 ELSE pg_catalog.cardinality(p.path) END AS touchpoints,
       p.customers, p.share, p.from_snapshot, p.computed_at, p.events_until
  FROM @extschema@.source s
 CROSS JOIN LATERAL journey_internal.dashboard_path_report(s.name)
       WITH ORDINALITY AS p(path, customers, share, rank, from_snapshot, computed_at,
                            events_until, ord)
 WHERE s.channel_column IS NOT NULL
   AND journey_internal.source_readable(s.name, true);
COMMENT ON VIEW @extschema@.top_paths IS
  'per registered source with a channel column that the current role can read (see journey.source_status): its 10 most common channel paths, then (other) for every other customer with a path (journey.path_report with its defaults)';
COMMENT ON COLUMN @extschema@.top_paths.source IS
  'the registered source';
COMMENT ON COLUMN @extschema@.top_paths.rank IS
  '1 for the most common path (ties by path), ...; the (other) row last';
COMMENT ON COLUMN @extschema@.top_paths.is_other IS
  'true for the (other) row: the customers of every path not listed';
COMMENT ON COLUMN @extschema@.top_paths.path IS
  'the channels in time order, joined by '' > ''; (other) for the other row';
COMMENT ON COLUMN @extschema@.top_paths.touchpoints IS
  'the number of channels in the path; 0 for the (other) row';
COMMENT ON COLUMN @extschema@.top_paths.customers IS
  'customers whose path this is';
COMMENT ON COLUMN @extschema@.top_paths.share IS
  'customers divided by every customer with a path';
COMMENT ON COLUMN @extschema@.top_paths.from_snapshot IS
  'true when the row comes from the source''s snapshot (journey.refresh), false when it was computed live from every row';
COMMENT ON COLUMN @extschema@.top_paths.computed_at IS
  'when the numbers were computed: the snapshot''s last refresh; NULL when live (computed by the query itself)';
COMMENT ON COLUMN @extschema@.top_paths.events_until IS
  'the highest event time the snapshot had read; NULL when live (every row at the time of the query)';
