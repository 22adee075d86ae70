-- Snapshots in the dashboards (src/sql/25_states_snapshot.sql): the views
-- moment_conversion, sankey_edges, top_paths and channel_attribution read a
-- source's snapshot when it has a current one and say so in three columns
-- at their end (from_snapshot, computed_at, events_until), as
-- attribution_paths (71_attribution_paths.sql) reads it for all time.  The
-- views are rebuilt (dropped from the extension, dropped, created); nothing
-- depends on them.
ALTER EXTENSION journey DROP VIEW @extschema@.moment_conversion;
DROP VIEW @extschema@.moment_conversion;
ALTER EXTENSION journey DROP VIEW @extschema@.sankey_edges;
DROP VIEW @extschema@.sankey_edges;
ALTER EXTENSION journey DROP VIEW @extschema@.top_paths;
DROP VIEW @extschema@.top_paths;
ALTER EXTENSION journey DROP VIEW @extschema@.channel_attribution;
DROP VIEW @extschema@.channel_attribution;

CREATE VIEW @extschema@.moment_conversion WITH (security_invoker = true) AS
SELECT s.name AS source, r.segment, r.position, r.moment, r.customers_reached,
       coalesce(r.customers_next, 0) AS customers_next,
       CASE WHEN r.customers_next IS NULL THEN 0
            ELSE r.customers_reached - r.customers_next END AS customers_dropped,
       r.customers_reached::float8
         / NULLIF(first_value(r.customers_reached) OVER (PARTITION BY s.name, r.segment
                                                         ORDER BY r.position), 0)
         AS share_of_first,
       r.conversion_rate, r.drop_off_rate, r.median_time_to_next,
       extract(epoch FROM r.median_time_to_next)::float8 AS median_time_to_next_seconds,
       r.from_snapshot, r.computed_at, r.events_until
  FROM @extschema@.source s
 CROSS JOIN LATERAL journey_internal.dashboard_moment_report(s.name) r
 WHERE EXISTS (SELECT 1 FROM @extschema@.moment m WHERE m.source = s.name)
   AND journey_internal.source_readable(s.name, false);
COMMENT ON VIEW @extschema@.moment_conversion IS
  'moment_report of every registered source with moments that the current role can read (see journey.source_status), default window, no segments; with the share of the first moment and the customers dropped';
COMMENT ON COLUMN @extschema@.moment_conversion.source IS
  'the registered source';
COMMENT ON COLUMN @extschema@.moment_conversion.segment IS
  'always (all): the view does not split by segment (moment_report does, with segment_column)';
COMMENT ON COLUMN @extschema@.moment_conversion.position IS
  'the moment''s position in the journey, 1 for the first';
COMMENT ON COLUMN @extschema@.moment_conversion.moment IS
  'the moment''s name';
COMMENT ON COLUMN @extschema@.moment_conversion.customers_reached IS
  'customers who reached this moment after every earlier one, each within the source''s moment_window of their first moment';
COMMENT ON COLUMN @extschema@.moment_conversion.customers_next IS
  'of those, customers who also reached the next moment within the window; 0 at the last moment';
COMMENT ON COLUMN @extschema@.moment_conversion.customers_dropped IS
  'customers_reached minus customers_next: who reached this moment but not the next; 0 at the last moment';
COMMENT ON COLUMN @extschema@.moment_conversion.share_of_first IS
  'customers_reached divided by the first moment''s customers_reached (1 at the first moment)';
COMMENT ON COLUMN @extschema@.moment_conversion.conversion_rate IS
  'customers_next divided by customers_reached; NULL at the last moment';
COMMENT ON COLUMN @extschema@.moment_conversion.drop_off_rate IS
  'customers_dropped divided by customers_reached; NULL at the last moment';
COMMENT ON COLUMN @extschema@.moment_conversion.median_time_to_next IS
  'median time from this moment to the next among the customers who moved on, as an interval; NULL when nobody did';
COMMENT ON COLUMN @extschema@.moment_conversion.median_time_to_next_seconds IS
  'median_time_to_next in seconds';
COMMENT ON COLUMN @extschema@.moment_conversion.from_snapshot IS
  'true when the row comes from the source''s snapshot (journey.refresh), false when it was computed live from every row';
COMMENT ON COLUMN @extschema@.moment_conversion.computed_at IS
  'when the numbers were computed: the snapshot''s last refresh; NULL when live (computed by the query itself)';
COMMENT ON COLUMN @extschema@.moment_conversion.events_until IS
  'the highest event time the snapshot had read; NULL when live (every row at the time of the query)';

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

CREATE VIEW @extschema@.channel_attribution WITH (security_invoker = true) AS
  SELECT s.name AS source, r.model, r.channel, r.conversions, r.value,
         r.removal_effect, r.conversion_share, r.value_share,
         d.from_snapshot, d.computed_at, d.events_until
    FROM @extschema@.source s
   CROSS JOIN LATERAL journey_internal.dashboard_snapshot(s.name, true) d
   CROSS JOIN LATERAL @extschema@.channel_attribution(s.name) r
   WHERE s.channel_column IS NOT NULL AND s.conversion_event IS NOT NULL
     AND journey_internal.source_readable(s.name, true);
COMMENT ON VIEW @extschema@.channel_attribution IS
  'per registered source (with channel_column and conversion_event) that the current role can read (see journey.source_status), model and channel: conversions and value credited over all time; paths use the source''s attribution_lookback; journey.channel_attribution(source, models, since, until) computes only what it is asked';
COMMENT ON COLUMN @extschema@.channel_attribution.source IS
  'the registered source''s name';
COMMENT ON COLUMN @extschema@.channel_attribution.model IS
  'the attribution model: first_touch, last_touch, linear, position_based, time_decay, markov, shapley (the exact Shapley value) or fractribution (its leave-one-out model)';
COMMENT ON COLUMN @extschema@.channel_attribution.channel IS
  'the channel (a value of the source''s channel column)';
COMMENT ON COLUMN @extschema@.channel_attribution.conversions IS
  'conversions credited to the channel (fractional; the channels of one model add up to the conversions)';
COMMENT ON COLUMN @extschema@.channel_attribution.value IS
  'conversion value credited to the channel';
COMMENT ON COLUMN @extschema@.channel_attribution.removal_effect IS
  'markov only: the share of conversions lost when the channel is removed from the chain (0 to 1); NULL for the other models';
COMMENT ON COLUMN @extschema@.channel_attribution.conversion_share IS
  'the channel''s share of the model''s credited conversions (0 to 1; 0 when there are none)';
COMMENT ON COLUMN @extschema@.channel_attribution.value_share IS
  'the channel''s share of the model''s credited value (0 to 1; 0 when there is none)';
COMMENT ON COLUMN @extschema@.channel_attribution.from_snapshot IS
  'true when the row comes from the source''s snapshot (journey.refresh), false when it was computed live from every row';
COMMENT ON COLUMN @extschema@.channel_attribution.computed_at IS
  'when the numbers were computed: the snapshot''s last refresh; NULL when live (computed by the query itself)';
COMMENT ON COLUMN @extschema@.channel_attribution.events_until IS
  'the highest event time the snapshot had read; NULL when live (every row at the time of the query)';
