-- Sample data: deterministic, realistic customer journeys.

CREATE FUNCTION @extschema@.sample_events(customers int, seed int DEFAULT 1)
RETURNS TABLE (customer_id bigint, ts timestamptz, event text, channel text,
			   source text, medium text, revenue numeric)
AS 'MODULE_PATHNAME', 'journey_sample_events'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 7000;

COMMENT ON FUNCTION @extschema@.sample_events(int, int) IS
  'deterministic sample journeys: the same customers and seed always give the same rows';
