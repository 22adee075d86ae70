-- What a review cycle shows of the action figures (src/sql/47_action.sql):
-- per moment, the data coverage after it, the customers stalled there at
-- the end of the cycle and the notes heard about it; and what was heard,
-- as one line and in its rich form.  journey.review, review_moments and
-- review_details (src/sql/46_review.sql) read them.
--
-- These are PL/pgSQL functions, whose bodies name the tables and functions
-- they read only when they run, so that the review views can be created
-- before the action piece that defines what they call.  Called from a
-- query, they read with its snapshot (they are STABLE), so a moment
-- removed meanwhile does not make one figure disagree with another.

-- Notes per moment and theme of one review cycle: the notes of the cycle's
-- source said (noted_at, else recorded_at) on a day of the cycle, in the
-- session's time zone, as the cycle's dates are read elsewhere.
CREATE FUNCTION @extschema@.cycle_notes(cycle_id bigint)
RETURNS TABLE ("position" int, moment text, theme text, notes bigint, customers bigint)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	SELECT m.position, m.name, n.theme, count(*), count(DISTINCT n.customer_id)
	  FROM @extschema@.review_cycle c
	  JOIN @extschema@.note n ON n.source = c.source
	  JOIN @extschema@.moment m ON m.source = n.source AND m.name = n.moment
	 WHERE c.id = cycle_notes.cycle_id
	   AND coalesce(n.noted_at, n.recorded_at)::date BETWEEN c.starts_on AND c.ends_on
	 GROUP BY m.position, m.name, n.theme
	 ORDER BY m.position, count(*) DESC, n.theme;
END
$$;
COMMENT ON FUNCTION @extschema@.cycle_notes(bigint) IS
  'per moment and theme of one review cycle: notes said (noted_at, else recorded_at) on a day of the cycle, and the distinct customers they name';

-- What was heard in one cycle, as one line: per moment in order, its
-- themes by notes (most first, then by name) with their counts, e.g.
-- "Checkout: price (3), delivery (1); Purchase: returns (2)".
CREATE FUNCTION @extschema@.cycle_heard(cycle_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN (SELECT string_agg(t.line, '; ' ORDER BY t.position)
	          FROM (SELECT n.position, n.moment || ': ' ||
	                       string_agg(format('%s (%s)', n.theme, n.notes), ', '
	                                  ORDER BY n.notes DESC, n.theme) AS line
	                  FROM @extschema@.cycle_notes(cycle_heard.cycle_id) n
	                 GROUP BY n.position, n.moment) t);
END
$$;
COMMENT ON FUNCTION @extschema@.cycle_heard(bigint) IS
  'what was heard in one review cycle, as one line: per moment, its themes with their note counts (most first); NULL when there are no notes';

-- The same in its rich form: a jsonb array of {moment, theme, notes,
-- customers}, in cycle_notes' order ('[]' when there are none).
CREATE FUNCTION @extschema@.cycle_heard_details(cycle_id bigint)
RETURNS jsonb
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN coalesce((SELECT jsonb_agg(jsonb_build_object(
	                     'moment', n.moment, 'theme', n.theme, 'notes', n.notes,
	                     'customers', n.customers)
	                     ORDER BY n.position, n.notes DESC, n.theme)
	                   FROM @extschema@.cycle_notes(cycle_heard_details.cycle_id) n), '[]');
END
$$;
COMMENT ON FUNCTION @extschema@.cycle_heard_details(bigint) IS
  'what was heard in one review cycle as a jsonb array of {moment, theme, notes, customers} (journey.review_details)';

-- Per moment of the cycle's source: coverage over the cycle's dates
-- (moment_coverage with its defaults, events from starts_on until the day
-- after ends_on), customers who arrived during the cycle and were stalled
-- for at least 3 days at its end (NULL for the last moment), and the notes
-- said during the cycle.
CREATE FUNCTION @extschema@.cycle_action(cycle_id bigint)
RETURNS TABLE ("position" int, moment text, share_with_data float8, dark bool,
               stalled bigint, notes bigint)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	c record;
BEGIN
	SELECT rc.source, rc.starts_on::timestamptz AS since, (rc.ends_on + 1)::timestamptz AS until
	  INTO c
	  FROM @extschema@.review_cycle rc WHERE rc.id = cycle_action.cycle_id;
	IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM @extschema@.moment m WHERE m.source = c.source) THEN
		RETURN;					-- no moments: nothing to report
	END IF;
	RETURN QUERY
	SELECT v.position, v.moment, v.share_with_data, v.dark, s.stalled, coalesce(k.notes, 0)
	  FROM @extschema@.moment_coverage(c.source, since => c.since, until => c.until) v
	  LEFT JOIN @extschema@.stalled_counts(c.source, as_of => c.until, since => c.since) s
	    ON s.position = v.position
	  LEFT JOIN (SELECT n.position, sum(n.notes)::bigint AS notes
	               FROM @extschema@.cycle_notes(cycle_action.cycle_id) n GROUP BY n.position) k
	    ON k.position = v.position
	 ORDER BY v.position;
END
$$;
COMMENT ON FUNCTION @extschema@.cycle_action(bigint) IS
  'per moment of a review cycle: share of its customers with data after it and the dark flag (moment_coverage over the cycle), customers who arrived in the cycle and were stalled at least 3 days at its end (stalled_counts; NULL for the last moment), and notes heard';
