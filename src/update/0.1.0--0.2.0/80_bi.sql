-- Views for BI tools (src/sql/26_moment_report.sql, 28_report_views.sql,
-- 45_experiments.sql): plain column types (bigint counts never NULL where
-- zero is meant, durations also in float8 seconds, no arrays or jsonb) and a
-- comment on every column; moment_conversion gains the share of the first
-- moment and the customers dropped, hypothesis_results the hypothesis's
-- statement, moments, status and cycle; review's hypotheses become the
-- view review_hypotheses; new views sankey_edges and top_paths.
-- hypothesis_result's argument is named hypothesis_id, as everywhere.
-- review and review_moments are dropped here and created as they are
-- installed, in plain columns, with the rich form review_details(cycle_id),
-- by 88_review.sql (src/sql/46_review.sql), once everything they read is
-- there.
--
-- Views are rebuilt as pg_stat_statements rebuilds its own: out of the
-- extension, dropped, created again.  Grants a DBA gave on the old views go
-- with them and must be given again (doc/security.md lists them).

ALTER EXTENSION journey DROP VIEW @extschema@.review;
DROP VIEW @extschema@.review;
ALTER EXTENSION journey DROP VIEW @extschema@.review_moments;
DROP VIEW @extschema@.review_moments;
ALTER EXTENSION journey DROP VIEW @extschema@.hypothesis_results;
DROP VIEW @extschema@.hypothesis_results;
ALTER EXTENSION journey DROP VIEW @extschema@.moment_conversion;
DROP VIEW @extschema@.moment_conversion;

-- the argument was named hypothesis; the rows no longer repeat it (the
-- body is journey_internal.hypothesis_result_given, 79_hypothesis_result.sql)
DROP FUNCTION @extschema@.hypothesis_result(bigint);
CREATE FUNCTION @extschema@.hypothesis_result(hypothesis_id bigint)
RETURNS TABLE (variant text, units bigint, conversions bigint,
			   rate float8, lift float8, lift_low float8, lift_high float8,
			   p_value float8, prob_to_beat float8, srm_p_value float8, verdict text)
LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM journey_internal.hypothesis_result_given(hypothesis_id, false, NULL, NULL, NULL)
$$;
COMMENT ON FUNCTION @extschema@.hypothesis_result(bigint) IS
  'the result of one hypothesis: per variant units, conversions, rate, lift against control with its interval, p-value (Holm-adjusted across variants), probability to beat control, sample-ratio p-value and verdict (on the sequential p-values for a sequential hypothesis; "guardrail failed" when a guardrail does not show non-inferiority)';

CREATE VIEW @extschema@.hypothesis_results WITH (security_invoker = true) AS
SELECT h.id AS hypothesis_id, h.source, h.cycle_id, c.name AS cycle, h.status,
	   h.moment, h.target_moment, h.statement, r.variant, r.units, r.conversions, r.rate,
	   r.lift, r.lift_low, r.lift_high, r.p_value, r.prob_to_beat,
	   r.srm_p_value, r.verdict,
	   r.cuped_lift, r.cuped_low, r.cuped_high, r.cuped_p_value, r.variance_reduction,
	   r.sequential_low, r.sequential_high, r.sequential_p_value,
	   r.ratio, r.ratio_lift, r.ratio_low, r.ratio_high, r.ratio_p_value,
	   r.guardrails_failed
  FROM @extschema@.hypothesis h
  LEFT JOIN @extschema@.review_cycle c ON c.id = h.cycle_id
 CROSS JOIN LATERAL (
	SELECT hr.*, e.cuped_lift, e.cuped_low, e.cuped_high, e.cuped_p_value,
		   e.variance_reduction, e.sequential_low, e.sequential_high, e.sequential_p_value,
		   e.ratio, e.ratio_lift, e.ratio_low, e.ratio_high, e.ratio_p_value,
		   e.guardrails_failed
	  FROM @extschema@.hypothesis_result(h.id) hr
	  LEFT JOIN @extschema@.hypothesis_effects(h.id) e ON e.variant = hr.variant) r
 WHERE journey_internal.source_readable(h.source, false);
COMMENT ON VIEW @extschema@.hypothesis_results IS
  'one row per hypothesis (of a source the current role can read, see journey.source_status) and variant: the hypothesis''s statement, moments, status and cycle, units, conversions at the target moment within the window, rate, lift against control, p-value, probability to beat control, sample-ratio check and verdict; then the CUPED, sequential, ratio-metric and guardrail figures (journey.hypothesis_effects)';
COMMENT ON COLUMN @extschema@.hypothesis_results.hypothesis_id IS
  'the hypothesis (journey.hypothesis.id)';
COMMENT ON COLUMN @extschema@.hypothesis_results.source IS
  'the source whose events the hypothesis is measured on';
COMMENT ON COLUMN @extschema@.hypothesis_results.cycle_id IS
  'the review cycle the hypothesis belongs to (journey.review_cycle.id); NULL when not given one';
COMMENT ON COLUMN @extschema@.hypothesis_results.cycle IS
  'that review cycle''s name; NULL when not given one';
COMMENT ON COLUMN @extschema@.hypothesis_results.status IS
  'proposed, running, concluded or abandoned';
COMMENT ON COLUMN @extschema@.hypothesis_results.moment IS
  'the moment the change acts on';
COMMENT ON COLUMN @extschema@.hypothesis_results.target_moment IS
  'the moment whose reaching counts as a conversion';
COMMENT ON COLUMN @extschema@.hypothesis_results.statement IS
  'the if-then statement of the hypothesis';
COMMENT ON COLUMN @extschema@.hypothesis_results.variant IS
  'the variant (control first, the baseline)';
COMMENT ON COLUMN @extschema@.hypothesis_results.units IS
  'customers assigned to the variant';
COMMENT ON COLUMN @extschema@.hypothesis_results.conversions IS
  'of those, customers who reached the target moment within the conversion window after assignment';
COMMENT ON COLUMN @extschema@.hypothesis_results.rate IS
  'conversions divided by units';
COMMENT ON COLUMN @extschema@.hypothesis_results.lift IS
  'relative lift of the rate against control (rate / control rate - 1); NULL for control or when control has no conversion';
COMMENT ON COLUMN @extschema@.hypothesis_results.lift_low IS
  'lower end of the lift''s confidence interval (delta method, level 1 - alpha)';
COMMENT ON COLUMN @extschema@.hypothesis_results.lift_high IS
  'upper end of the lift''s confidence interval';
COMMENT ON COLUMN @extschema@.hypothesis_results.p_value IS
  'two-sided p-value of the pooled z-test against control, Holm-adjusted across the variants; NULL for control';
COMMENT ON COLUMN @extschema@.hypothesis_results.prob_to_beat IS
  'probability that the variant''s rate beats control''s (beta-binomial); NULL for control';
COMMENT ON COLUMN @extschema@.hypothesis_results.srm_p_value IS
  'chi-square p-value of the units against the planned allocation (sample-ratio check); NULL with a single variant or parameters out of range';
COMMENT ON COLUMN @extschema@.hypothesis_results.verdict IS
  'baseline, significant win, significant loss, inconclusive, not enough units, guardrail failed, sample ratio mismatch, no control, or parameters out of range (a sequential hypothesis decides on sequential_p_value)';

-- The hypotheses of a review, one row each: concluded or abandoned in the
-- cycle, and next (proposed and running ones of the cycle, running first,
-- plus, in the source's latest cycle, those not yet given a cycle).
CREATE VIEW @extschema@.review_hypotheses WITH (security_invoker = true) AS
WITH cycles AS (
	SELECT c.id, c.source, c.name,
		   c.id = last_value(c.id) OVER (PARTITION BY c.source ORDER BY c.starts_on
										 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
			   AS is_latest
	  FROM @extschema@.review_cycle c
)
SELECT c.id AS cycle_id, c.source, c.name AS cycle, h.id AS hypothesis_id,
	   CASE h.status WHEN 'concluded' THEN 'tested' WHEN 'abandoned' THEN 'abandoned'
					 ELSE 'next' END AS part,
	   h.status, h.moment, h.target_moment, h.statement, h.decision, h.learning,
	   h.started_at, h.ended_at
  FROM cycles c
  JOIN @extschema@.hypothesis h
	ON h.source = c.source
   AND (h.cycle_id = c.id
		OR (h.cycle_id IS NULL AND c.is_latest AND h.status IN ('proposed', 'running')))
 WHERE journey_internal.source_readable(c.source, false);
COMMENT ON VIEW @extschema@.review_hypotheses IS
  'per review cycle (of a source the current role can read, see journey.source_status) and hypothesis: what was tested (concluded), abandoned, and is next (proposed or running; in the source''s latest cycle also those without a cycle); results in journey.hypothesis_results';
COMMENT ON COLUMN @extschema@.review_hypotheses.cycle_id IS
  'the review cycle (journey.review_cycle.id)';
COMMENT ON COLUMN @extschema@.review_hypotheses.source IS
  'the cycle''s source';
COMMENT ON COLUMN @extschema@.review_hypotheses.cycle IS
  'the cycle''s name';
COMMENT ON COLUMN @extschema@.review_hypotheses.hypothesis_id IS
  'the hypothesis (journey.hypothesis.id; its results are in journey.hypothesis_results)';
COMMENT ON COLUMN @extschema@.review_hypotheses.part IS
  'its part in the review: tested (concluded), abandoned, or next (proposed or running)';
COMMENT ON COLUMN @extschema@.review_hypotheses.status IS
  'proposed, running, concluded or abandoned';
COMMENT ON COLUMN @extschema@.review_hypotheses.moment IS
  'the moment the change acts on';
COMMENT ON COLUMN @extschema@.review_hypotheses.target_moment IS
  'the moment whose reaching counts as a conversion';
COMMENT ON COLUMN @extschema@.review_hypotheses.statement IS
  'the if-then statement';
COMMENT ON COLUMN @extschema@.review_hypotheses.decision IS
  'ship, iterate or discard, for a concluded hypothesis';
COMMENT ON COLUMN @extschema@.review_hypotheses.learning IS
  'what was learned (the reason, for an abandoned one)';
COMMENT ON COLUMN @extschema@.review_hypotheses.started_at IS
  'when it started running';
COMMENT ON COLUMN @extschema@.review_hypotheses.ended_at IS
  'when it was concluded or abandoned';

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
       extract(epoch FROM r.median_time_to_next)::float8 AS median_time_to_next_seconds
  FROM @extschema@.source s
 CROSS JOIN LATERAL @extschema@.moment_report(s.name) r
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

CREATE VIEW @extschema@.sankey_edges WITH (security_invoker = true) AS
SELECT s.name AS source, t.step, t.from_label, t.to_label, t.customers, t.share
  FROM @extschema@.source s
 CROSS JOIN LATERAL @extschema@.transition_report(s.name) t
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

CREATE VIEW @extschema@.top_paths WITH (security_invoker = true) AS
SELECT s.name AS source, p.ord::int AS rank, p.rank IS NULL AS is_other,
       pg_catalog.array_to_string(p.path, ' > ') AS path,
       CASE WHEN p.rank IS NULL THEN 0 ELSE pg_catalog.cardinality(p.path) END AS touchpoints,
       p.customers, p.share
  FROM @extschema@.source s
 CROSS JOIN LATERAL @extschema@.path_report(s.name)
       WITH ORDINALITY AS p(path, customers, share, rank, ord)
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

-- The functions of 0.1.0 that call what 01_internal.sql moved to
-- journey_internal and that no other piece defines again, with the bodies
-- the install script gives them.
CREATE OR REPLACE FUNCTION @extschema@.start_hypothesis(hypothesis_id bigint)
RETURNS @extschema@.hypothesis
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.hypothesis := journey_internal.hypothesis_for_update(hypothesis_id);
BEGIN
	IF h.status = 'running' THEN
		RAISE EXCEPTION 'hypothesis % is already running', h.id
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	UPDATE @extschema@.hypothesis hy
	   SET status = 'running', started_at = now(),
		   cycle_id = coalesce(hy.cycle_id, @extschema@.cycle_on(hy.source, current_date))
	 WHERE hy.id = h.id
	RETURNING * INTO h;
	RETURN h;
END
$$;

-- The pictures (SVG and Mermaid functions) follow in 81_pictures.sql, the
-- install piece src/sql/29_pictures.sql itself.
