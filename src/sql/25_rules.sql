-- The step rules of a source's moments (journey.moment's max_gap, min_gap,
-- excluded_events, excluded_since) as window_funnel's rules: one place that
-- writes them, read by moment_report (src/sql/26_moment_report.sql), by
-- journey.refresh for the snapshot's funnel states and by the snapshot's
-- definition (src/sql/25_states_snapshot.sql), so that the snapshot
-- follows exactly the rules moment_report follows and is rebuilt when
-- they change.

-- rules: max_gap(k, gap), min_gap(k, gap) and exclude(i, k) per excluded
-- event of moment k (i: excluded_since, else k - 1), in the order of the
-- moments and, within one, max_gap, min_gap, then the excluded events in
-- their order; excluded: the excluded events in the order of the
-- exclude(i, k) rules, so that exclusion condition e is event =
-- excluded[e].  Both NULL for a source without step rules.  The gaps are
-- written in the postgres interval style whatever the session's, so that
-- the same moments always give the same text.
CREATE FUNCTION journey_internal.moment_rules(source text, OUT rules text, OUT excluded text[])
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET intervalstyle = 'postgres'
BEGIN ATOMIC
	SELECT string_agg(r.rule, ', ' ORDER BY r.pos, r.ord),
	       array_agg(r.event ORDER BY r.pos, r.ord) FILTER (WHERE r.event IS NOT NULL)
	  FROM (SELECT m.position AS pos, 0::bigint AS ord,
	               format('max_gap(%s, %s)', m.position, m.max_gap) AS rule, NULL::text AS event
	          FROM @extschema@.moment m WHERE m.source = moment_rules.source AND m.max_gap IS NOT NULL
	        UNION ALL
	        SELECT m.position, 1, format('min_gap(%s, %s)', m.position, m.min_gap), NULL
	          FROM @extschema@.moment m WHERE m.source = moment_rules.source AND m.min_gap IS NOT NULL
	        UNION ALL
	        SELECT m.position, 1 + x.i,
	               format('exclude(%s, %s)', coalesce(m.excluded_since, m.position - 1), m.position), x.event
	          FROM @extschema@.moment m
	         CROSS JOIN LATERAL unnest(m.excluded_events) WITH ORDINALITY AS x(event, i)
	         WHERE m.source = moment_rules.source) r;
END;
COMMENT ON FUNCTION journey_internal.moment_rules(text) IS
  'the step rules of a source''s moments as window_funnel''s rules text and the excluded events in the order of its exclude rules (NULL, NULL without rules)';
