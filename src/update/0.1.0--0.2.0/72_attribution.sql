-- 0.1.0 -> 0.2.0: attribution a marketing team can act on (src/sql/30_attribution.sql).
--  * shapley is now the exact Shapley value; the leave-one-out model it
--    named is fractribution (no model name is stored in the registry);
--    touch_weights takes shapley;
--  * channel_attribution(source, models, since, until) computes only what
--    it is asked, from the paths of attribution_paths, the one seam that
--    reads a source's paths (both created by 71_attribution_paths.sql, the
--    install piece src/sql/29_attribution_paths.sql itself); the view
--    channel_attribution over it gains removal_effect and shares (rebuilt,
--    so its columns stand in the order of a fresh install;
--    86_snapshot_views.sql rebuilds it again to read the snapshot);
--  * attribution_bootstrap (intervals on every credit), journey.spend and
--    spend_report, conversion_path_report follow in
--    72_attribution_reports.sql (src/sql/30_attribution_reports.sql).

COMMENT ON FUNCTION @extschema@.touch_weights(text[], text, timestamptz[], timestamptz) IS
  'share of each touch of one conversion path under a rule-based attribution model or shapley (sums to 1)';

DROP VIEW @extschema@.channel_attribution;
DROP FUNCTION @extschema@.channel_attribution_rows(text);

-- (source_readable is a condition on the source alone, so it is checked
-- as the sources are read, before any source's rows are computed)
CREATE VIEW @extschema@.channel_attribution WITH (security_invoker = true) AS
  SELECT s.name AS source, r.model, r.channel, r.conversions, r.value,
         r.removal_effect, r.conversion_share, r.value_share
    FROM @extschema@.source s
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
