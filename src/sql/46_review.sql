-- The review of every cycle (journey.review, review_moments and
-- review_details(cycle_id)): per cycle, the hypotheses and notes from the
-- registry, and each moment's figures from the events
-- (journey_internal.review_cycle_moments, src/sql/25_states_snapshot_review.sql):
-- from the source's snapshot when journey.refresh has stored the cycle over
-- its present dates, else live (journey.cycle_moments, cycle_action); each
-- says which and when in three columns at its end (from_snapshot,
-- computed_at, events_until).  The update from 0.1.0 drops the old views
-- (80_bi.sql) and creates them from this piece
-- (src/update/0.1.0--0.2.0/88_review.sql).

CREATE VIEW @extschema@.review_moments WITH (security_invoker = true) AS
WITH cycles AS (
	SELECT c.id, c.source, c.name, c.starts_on, c.ends_on,
		   lag(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on) AS previous_cycle_id
	  FROM @extschema@.review_cycle c
)
SELECT c.id AS cycle_id, c.source, c.name AS cycle, m.position, m.moment,
	   m.reached, coalesce(m.moved_on, 0) AS moved_on, m.rate, m.share_of_first,
	   c.previous_cycle_id, m.previous_rate, m.rate - m.previous_rate AS rate_change,
	   m.share_with_data, m.dark, coalesce(m.stalled, 0) AS stalled, coalesce(m.notes, 0) AS notes,
	   m.from_snapshot, m.computed_at, m.events_until
  FROM cycles c
 CROSS JOIN LATERAL journey_internal.review_cycle_moments(c.id, c.previous_cycle_id) m
 WHERE journey_internal.source_readable(c.source, false);
COMMENT ON VIEW @extschema@.review_moments IS
  'per review cycle (of a source the current role can read, see journey.source_status) and moment: customers reached, moved on to the next moment, conversion rate, the rate of the previous cycle of the same source, and the data coverage after the moment, customers stalled there at the end of the cycle and notes heard about it';
COMMENT ON COLUMN @extschema@.review_moments.cycle_id IS
  'the review cycle (journey.review_cycle.id)';
COMMENT ON COLUMN @extschema@.review_moments.source IS
  'the cycle''s source';
COMMENT ON COLUMN @extschema@.review_moments.cycle IS
  'the cycle''s name';
COMMENT ON COLUMN @extschema@.review_moments.position IS
  'the moment''s position in the journey, 1 for the first';
COMMENT ON COLUMN @extschema@.review_moments.moment IS
  'the moment''s name';
COMMENT ON COLUMN @extschema@.review_moments.reached IS
  'customers who reached the moment (after every earlier one) with events dated within the cycle';
COMMENT ON COLUMN @extschema@.review_moments.moved_on IS
  'of those, customers who went on to the next moment within the source''s moment_window; 0 at the last moment';
COMMENT ON COLUMN @extschema@.review_moments.rate IS
  'moved_on divided by reached; NULL at the last moment or when nobody reached the moment';
COMMENT ON COLUMN @extschema@.review_moments.share_of_first IS
  'reached divided by the first moment''s reached; NULL when nobody reached the first moment';
COMMENT ON COLUMN @extschema@.review_moments.previous_cycle_id IS
  'the source''s cycle before this one; NULL for its first cycle';
COMMENT ON COLUMN @extschema@.review_moments.previous_rate IS
  'the moment''s rate in the previous cycle';
COMMENT ON COLUMN @extschema@.review_moments.rate_change IS
  'rate minus previous_rate';
COMMENT ON COLUMN @extschema@.review_moments.share_with_data IS
  'share of the customers who had the moment''s event within the cycle with a later event at most 30 days on, within the cycle (journey.moment_coverage); NULL when nobody had it';
COMMENT ON COLUMN @extschema@.review_moments.dark IS
  'true when share_with_data is below 0.2 or nobody had the moment''s event: the cycle holds little data about what follows the moment';
COMMENT ON COLUMN @extschema@.review_moments.stalled IS
  'customers whose latest arrival at the moment was within the cycle and who, at its end, had waited at least 3 days without reaching the next moment (journey.stalled_counts); 0 at the last moment, which has no next moment';
COMMENT ON COLUMN @extschema@.review_moments.notes IS
  'notes about the moment said during the cycle (journey.note; per theme in journey.review_heard)';
COMMENT ON COLUMN @extschema@.review_moments.from_snapshot IS
  'true when the figures come from the source''s snapshot (journey.refresh stores every cycle''s), false when they were computed live (no current snapshot, or the cycle or the one before it changed since the last refresh); notes are always read live';
COMMENT ON COLUMN @extschema@.review_moments.computed_at IS
  'when the figures were computed: the snapshot''s last refresh; NULL when live (computed by the query itself)';
COMMENT ON COLUMN @extschema@.review_moments.events_until IS
  'the highest event time the snapshot had read; NULL when live (every row at the time of the query)';

-- The review of one cycle in one row of plain columns (counts, the
-- learnings as one text); the rich form (arrays and jsonb of the hypotheses
-- and moments) is journey.review_details(cycle_id).
CREATE VIEW @extschema@.review WITH (security_invoker = true) AS
WITH cycles AS (
	SELECT c.id, c.source, c.name, c.starts_on, c.ends_on,
		   c.id = last_value(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on
										 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
			   AS is_latest,
		   lag(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on) AS previous_cycle_id
	  FROM @extschema@.review_cycle c
)
SELECT c.id AS cycle_id, c.source, c.name AS cycle, c.starts_on, c.ends_on,
	   h.tested AS hypotheses_tested, h.abandoned AS hypotheses_abandoned,
	   h.next AS hypotheses_next, h.learned,
	   m.moments, m.improved AS moments_improved, m.declined AS moments_declined,
	   m.dark AS moments_dark, coalesce(m.stalled, 0) AS customers_stalled, m.notes,
	   @extschema@.cycle_heard(c.id) AS heard, m.from_snapshot, m.computed_at, m.events_until
  FROM cycles c
 CROSS JOIN LATERAL (
	SELECT count(*) FILTER (WHERE hy.cycle_id = c.id AND hy.status = 'concluded') AS tested,
		   count(*) FILTER (WHERE hy.cycle_id = c.id AND hy.status = 'abandoned') AS abandoned,
		   count(*) FILTER (WHERE hy.status IN ('proposed', 'running')) AS next,
		   string_agg(hy.learning, E'\n' ORDER BY hy.ended_at, hy.id)
			   FILTER (WHERE hy.cycle_id = c.id AND hy.status IN ('concluded', 'abandoned'))
			   AS learned
	  FROM @extschema@.hypothesis hy
	 WHERE hy.source = c.source
	   AND (hy.cycle_id = c.id OR (hy.cycle_id IS NULL AND c.is_latest))) h
 CROSS JOIN LATERAL (
	SELECT count(*) AS moments,
		   count(*) FILTER (WHERE cm.rate > cm.previous_rate) AS improved,
		   count(*) FILTER (WHERE cm.rate < cm.previous_rate) AS declined,
		   count(*) FILTER (WHERE cm.dark) AS dark, sum(cm.stalled)::bigint AS stalled,
		   coalesce(sum(cm.notes), 0)::bigint AS notes,
		   coalesce(bool_and(cm.from_snapshot), false) AS from_snapshot,
		   max(cm.computed_at) AS computed_at, max(cm.events_until) AS events_until
	  FROM journey_internal.review_cycle_moments(c.id, c.previous_cycle_id) cm) m
 WHERE journey_internal.source_readable(c.source, false);
COMMENT ON VIEW @extschema@.review IS
  'one row per review cycle (of a source the current role can read, see journey.source_status): how many hypotheses were tested, abandoned and are next, what was learned, and how many moments'' conversion rates rose or fell against the previous cycle, how many moments are dark, how many customers are stalled at its end, and what customers said; the rows behind it are in journey.review_hypotheses and journey.review_moments, the rich form in journey.review_details(cycle_id)';
COMMENT ON COLUMN @extschema@.review.cycle_id IS
  'the review cycle (journey.review_cycle.id)';
COMMENT ON COLUMN @extschema@.review.source IS
  'the cycle''s source';
COMMENT ON COLUMN @extschema@.review.cycle IS
  'the cycle''s name';
COMMENT ON COLUMN @extschema@.review.starts_on IS
  'the cycle''s first day';
COMMENT ON COLUMN @extschema@.review.ends_on IS
  'the cycle''s last day (inclusive)';
COMMENT ON COLUMN @extschema@.review.hypotheses_tested IS
  'hypotheses concluded in the cycle';
COMMENT ON COLUMN @extschema@.review.hypotheses_abandoned IS
  'hypotheses abandoned in the cycle';
COMMENT ON COLUMN @extschema@.review.hypotheses_next IS
  'proposed and running hypotheses of the cycle (in the source''s latest cycle also those without a cycle)';
COMMENT ON COLUMN @extschema@.review.learned IS
  'the learnings of the hypotheses concluded or abandoned in the cycle, by end time, one per line; NULL when none';
COMMENT ON COLUMN @extschema@.review.moments IS
  'moments of the cycle''s source';
COMMENT ON COLUMN @extschema@.review.moments_improved IS
  'moments whose conversion rate is higher than in the previous cycle of the source';
COMMENT ON COLUMN @extschema@.review.moments_declined IS
  'moments whose conversion rate is lower than in the previous cycle of the source';
COMMENT ON COLUMN @extschema@.review.moments_dark IS
  'moments with little data after them in the cycle (journey.review_moments.dark)';
COMMENT ON COLUMN @extschema@.review.customers_stalled IS
  'customers stalled at the end of the cycle, summed over the moments (journey.review_moments.stalled; a customer stalled at two moments counts twice); 0 when the source has one moment';
COMMENT ON COLUMN @extschema@.review.notes IS
  'notes said during the cycle (journey.note)';
COMMENT ON COLUMN @extschema@.review.heard IS
  'what was heard: per moment, its themes with their note counts, most first, e.g. "Checkout: price (3), delivery (1); Purchase: returns (2)"; NULL when no note was said during the cycle';
COMMENT ON COLUMN @extschema@.review.from_snapshot IS
  'true when the moments'' figures come from the source''s snapshot (journey.refresh stores every cycle''s), false when they were computed live (no current snapshot, the cycle or the one before it changed since the last refresh, or the source has no moments); hypotheses and notes are always read live';
COMMENT ON COLUMN @extschema@.review.computed_at IS
  'when the moments'' figures were computed: the snapshot''s last refresh; NULL when live (computed by the query itself)';
COMMENT ON COLUMN @extschema@.review.events_until IS
  'the highest event time the snapshot had read; NULL when live (every row at the time of the query)';

-- The review of one cycle in its rich form: the hypotheses tested (with
-- their results) and next as jsonb arrays, the learnings as an array, the
-- moments against the previous cycle (with their action figures) and what
-- was heard as jsonb arrays.
CREATE FUNCTION @extschema@.review_details(cycle_id bigint)
RETURNS TABLE (tested jsonb, learned text[], next jsonb, moments jsonb, heard jsonb,
			   from_snapshot bool, computed_at timestamptz, events_until timestamptz)
LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
	WITH cycles AS (
		SELECT c.id, c.source,
			   c.id = last_value(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on
											 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
				   AS is_latest,
			   lag(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on) AS previous_cycle_id
		  FROM @extschema@.review_cycle c
	)
	SELECT coalesce((SELECT jsonb_agg(jsonb_build_object(
						'hypothesis_id', h.id, 'moment', h.moment,
						'target_moment', h.target_moment, 'statement', h.statement,
						'decision', h.decision,
						'results', (SELECT jsonb_agg(to_jsonb(r))
									  FROM @extschema@.hypothesis_result(h.id) r),
						'effects', (SELECT jsonb_agg(to_jsonb(e))
									  FROM @extschema@.hypothesis_effects(h.id) e),
						'signals', (SELECT to_jsonb(s)
									  FROM @extschema@.hypothesis_signals(h.id) s))
						ORDER BY h.ended_at, h.id)
					   FROM @extschema@.hypothesis h
					  WHERE h.cycle_id = c.id AND h.status = 'concluded'), '[]'),
		   coalesce((SELECT array_agg(h.learning ORDER BY h.ended_at, h.id)
					   FROM @extschema@.hypothesis h
					  WHERE h.cycle_id = c.id AND h.status IN ('concluded', 'abandoned')),
					'{}'),
		   coalesce((SELECT jsonb_agg(jsonb_build_object(
						'hypothesis_id', h.id, 'status', h.status, 'moment', h.moment,
						'target_moment', h.target_moment, 'statement', h.statement)
						ORDER BY h.status DESC, h.id)
					   FROM @extschema@.hypothesis h
					  WHERE h.source = c.source AND h.status IN ('proposed', 'running')
						AND (h.cycle_id = c.id OR (h.cycle_id IS NULL AND c.is_latest))), '[]'),
		   coalesce(m.moments, '[]'),
		   @extschema@.cycle_heard_details(c.id),
		   coalesce(m.from_snapshot, false), m.computed_at, m.events_until
	  FROM cycles c
	 CROSS JOIN LATERAL (
		SELECT jsonb_agg(jsonb_build_object(
				   'moment', x.moment, 'reached', x.reached, 'rate', x.rate,
				   'previous_rate', x.previous_rate, 'rate_change', x.rate - x.previous_rate,
				   'share_with_data', x.share_with_data, 'dark', x.dark,
				   'stalled', coalesce(x.stalled, 0), 'notes', x.notes)
				   ORDER BY x.position) AS moments,
			   bool_and(x.from_snapshot) AS from_snapshot,
			   max(x.computed_at) AS computed_at, max(x.events_until) AS events_until
		  FROM journey_internal.review_cycle_moments(c.id, c.previous_cycle_id) x) m
	 WHERE c.id = review_details.cycle_id
$$;
COMMENT ON FUNCTION @extschema@.review_details(bigint) IS
  'the review of one cycle in its rich form: tested (jsonb array of the concluded hypotheses with decision, hypothesis_result rows, hypothesis_effects rows and the hypothesis_signals row), learned (text[]), next (jsonb array of proposed and running hypotheses), moments (jsonb array of each moment''s rate against the previous cycle, data coverage, stalled customers and notes), heard (jsonb array of the notes per moment and theme); from_snapshot, computed_at and events_until say whether the moments'' figures come from the source''s snapshot, when and up to which event time they were computed (NULL when live)';
