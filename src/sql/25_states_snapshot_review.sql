-- Review cycles in a source's snapshot (see doc/snapshots.md): per review
-- cycle of the source and moment, the figures the review computes from the
-- events (journey.cycle_moments and journey.cycle_action over the cycle's
-- dates), stored by journey.refresh so that journey.review,
-- review_moments and review_details read a closed cycle in milliseconds.
--
--   snapshot_cycle         per source and cycle: the instants the figures
--                          were computed over (starts_on and the day after
--                          ends_on, as timestamptz), what they were computed
--                          from (the source, its moments and their step
--                          rules), and when
--   snapshot_cycle_moment  per source, cycle and moment: reached, moved on,
--                          rate, share of the first moment, share with
--                          data, dark, stalled
--
-- A cycle's figures depend on the source's rows from starts_on (inclusive)
-- to the day after ends_on (exclusive) alone: moment_report and
-- moment_coverage read that range, and stalled_counts (arrivals at or after
-- the cycle's start, as of its end) gives the same counts from it, as an
-- arrival or move before the start decides nothing.  So a refresh
-- recomputes a cycle only when it may have changed: not stored yet, its
-- dates or the source's definition or moments changed, the snapshot was
-- rebuilt, or the refresh read new rows and the cycle ends after the
-- earliest event time it reads (the previous events_until less the
-- lookback); and it deletes the rows of cycles that are gone (all of the
-- source's when the refreshing role may not read journey.review_cycle).
-- A reader uses the stored figures only when the snapshot is current and
-- they were computed over the cycle's present dates and the source's
-- present definition (for the cycle and the one before it); otherwise it
-- computes the cycle live.  Notes are read from the registry, always live.

CREATE TABLE @extschema@.snapshot_cycle (
	source text NOT NULL REFERENCES @extschema@.snapshot (source)
		ON UPDATE CASCADE ON DELETE CASCADE,
	cycle_id bigint NOT NULL,
	since timestamptz NOT NULL,
	until timestamptz NOT NULL,
	definition jsonb NOT NULL,
	computed_at timestamptz NOT NULL,
	PRIMARY KEY (source, cycle_id)
);
COMMENT ON TABLE @extschema@.snapshot_cycle IS
  'per source with a snapshot and review cycle: the instants its figures were computed over (since: starts_on, until: the day after ends_on), what they were computed from (snapshot_cycle_definition) and when';

CREATE TABLE @extschema@.snapshot_cycle_moment (
	source text NOT NULL,
	cycle_id bigint NOT NULL,
	"position" int NOT NULL,
	reached bigint NOT NULL,
	moved_on bigint,
	rate float8,
	share_of_first float8,
	share_with_data float8,
	dark bool,
	stalled bigint,
	PRIMARY KEY (source, cycle_id, "position"),
	FOREIGN KEY (source, cycle_id) REFERENCES @extschema@.snapshot_cycle (source, cycle_id)
		ON UPDATE CASCADE ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.snapshot_cycle_moment IS
  'per source, review cycle and moment: the figures of journey.cycle_moments (reached, moved_on, rate, share_of_first) and journey.cycle_action (share_with_data, dark, stalled) over the cycle''s dates';

REVOKE ALL ON TABLE @extschema@.snapshot_cycle, @extschema@.snapshot_cycle_moment FROM PUBLIC;

-- What a cycle's stored figures were computed from: the snapshot's
-- definition (the source's relation, columns and windows, the moments'
-- events and step rules: everything moment_report, moment_coverage and
-- stalled_counts read besides the rows), and the version of what is stored.
CREATE FUNCTION journey_internal.snapshot_cycle_definition(src @extschema@.source)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN journey_internal.snapshot_definition(src) || jsonb_build_object('cycle_format', 1);
COMMENT ON FUNCTION journey_internal.snapshot_cycle_definition(@extschema@.source) IS
  'what a review cycle''s stored figures are computed from (the snapshot''s definition: relation, columns, windows, the moments'' events and step rules); stored figures computed from another are not read';

-- Called by journey.refresh(source) after it has read the new rows:
-- changed_since is the earliest event time the refresh read (NULL when it
-- read every row: a rebuild or the first refresh), rows_read how many new
-- rows it read.  Returns the number of cycles computed.
CREATE FUNCTION journey_internal.snapshot_refresh_cycles(src @extschema@.source,
	changed_since timestamptz, rows_read bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	def jsonb := journey_internal.snapshot_cycle_definition(src);
	c record;
	n bigint := 0;
BEGIN
	IF NOT has_table_privilege('@extschema@.review_cycle', 'SELECT') OR
	   NOT EXISTS (SELECT 1 FROM @extschema@.moment m WHERE m.source = src.name) THEN
		-- a role that may not read the review cycles stores none (what was
		-- stored may be out of date now: the review reads live), and a
		-- source without moments has no figures to store
		DELETE FROM @extschema@.snapshot_cycle x WHERE x.source = src.name;
		RETURN 0;
	END IF;
	IF changed_since IS NULL THEN
		DELETE FROM @extschema@.snapshot_cycle x WHERE x.source = src.name;
	ELSE
		-- the cycles that are gone (or now of another source)
		DELETE FROM @extschema@.snapshot_cycle x
		 WHERE x.source = src.name
		   AND NOT EXISTS (SELECT 1 FROM @extschema@.review_cycle rc
		                    WHERE rc.id = x.cycle_id AND rc.source = src.name);
	END IF;
	FOR c IN
		SELECT rc.id, rc.starts_on::timestamptz AS since, (rc.ends_on + 1)::timestamptz AS until
		  FROM @extschema@.review_cycle rc
		  LEFT JOIN @extschema@.snapshot_cycle x ON x.source = src.name AND x.cycle_id = rc.id
		 WHERE rc.source = src.name
		   AND (x.cycle_id IS NULL
		        OR x.since <> rc.starts_on::timestamptz
		        OR x.until <> (rc.ends_on + 1)::timestamptz
		        OR x.definition <> def
		        OR (rows_read > 0 AND (rc.ends_on + 1)::timestamptz > changed_since))
		 ORDER BY rc.starts_on
	LOOP
		DELETE FROM @extschema@.snapshot_cycle x WHERE x.source = src.name AND x.cycle_id = c.id;
		INSERT INTO @extschema@.snapshot_cycle (source, cycle_id, since, until, definition, computed_at)
		VALUES (src.name, c.id, c.since, c.until, def, now());
		INSERT INTO @extschema@.snapshot_cycle_moment (source, cycle_id, position, reached, moved_on,
		                                              rate, share_of_first, share_with_data, dark,
		                                              stalled)
		SELECT src.name, c.id, m.position, m.reached, m.moved_on, m.rate, m.share_of_first,
		       v.share_with_data, v.dark, k.stalled
		  FROM @extschema@.cycle_moments(c.id) m
		  -- (cycle_action's figures but the notes, which are read live)
		  LEFT JOIN @extschema@.moment_coverage(src.name, since => c.since, until => c.until) v
		    ON v.position = m.position
		  LEFT JOIN @extschema@.stalled_counts(src.name, as_of => c.until, since => c.since) k
		    ON k.position = m.position;
		n := n + 1;
	END LOOP;
	RETURN n;
END;
$fn$;
COMMENT ON FUNCTION journey_internal.snapshot_refresh_cycles(@extschema@.source, timestamptz, bigint) IS
  'journey.refresh''s step for review cycles: computes and stores the figures of the source''s cycles that are not stored, were stored over other dates or another definition, or end after changed_since when new rows were read (all when changed_since is NULL), and deletes those of cycles that are gone';

-- One review cycle per moment, with the previous cycle's rate: from the
-- snapshot when the source has a current one and both cycles' stored
-- figures were computed over their present dates and definition, else
-- live (cycle_moments, cycle_action); notes always live.
CREATE FUNCTION journey_internal.review_cycle_moments(cycle_id bigint, previous_cycle_id bigint)
RETURNS TABLE ("position" int, moment text, reached bigint, moved_on bigint, rate float8,
	share_of_first float8, previous_rate float8, share_with_data float8, dark bool,
	stalled bigint, notes bigint, from_snapshot bool, computed_at timestamptz,
	events_until timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
	c record;
	src @extschema@.source;
	snap @extschema@.snapshot;
	def jsonb;
	stored bigint;
BEGIN
	SELECT rc.id, rc.source INTO c
	  FROM @extschema@.review_cycle rc WHERE rc.id = review_cycle_moments.cycle_id;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	snap := journey_internal.snapshot_of(c.source, false);
	IF snap.source IS NOT NULL THEN
		src := journey_internal.report_source(c.source);
		def := journey_internal.snapshot_cycle_definition(src);
		-- the cycle and the one before it, stored over their present
		-- instants and definition
		SELECT count(*) INTO stored
		  FROM @extschema@.review_cycle rc
		  JOIN @extschema@.snapshot_cycle x
		    ON x.source = rc.source AND x.cycle_id = rc.id
		   AND x.since = rc.starts_on::timestamptz
		   AND x.until = (rc.ends_on + 1)::timestamptz
		   AND x.definition = def
		 WHERE rc.source = c.source
		   AND rc.id IN (review_cycle_moments.cycle_id, review_cycle_moments.previous_cycle_id);
		IF stored = 1 + (review_cycle_moments.previous_cycle_id IS NOT NULL)::int THEN
			RETURN QUERY
			SELECT x.position, m.name, x.reached, x.moved_on, x.rate, x.share_of_first, p.rate,
			       x.share_with_data, x.dark, x.stalled,
			       coalesce((SELECT sum(n.notes)::bigint
			                   FROM @extschema@.cycle_notes(review_cycle_moments.cycle_id) n
			                  WHERE n.position = x.position), 0),
			       true, snap.computed_at, snap.events_until
			  FROM @extschema@.snapshot_cycle_moment x
			  JOIN @extschema@.moment m ON m.source = x.source AND m.position = x.position
			  LEFT JOIN @extschema@.snapshot_cycle_moment p
			    ON p.source = x.source AND p.cycle_id = review_cycle_moments.previous_cycle_id
			   AND p.position = x.position
			 WHERE x.source = c.source AND x.cycle_id = review_cycle_moments.cycle_id
			 ORDER BY x.position;
			RETURN;
		END IF;
	END IF;
	RETURN QUERY
	SELECT cm.position, cm.moment, cm.reached, cm.moved_on, cm.rate, cm.share_of_first, p.rate,
	       a.share_with_data, a.dark, a.stalled, a.notes, false, NULL::timestamptz,
	       NULL::timestamptz
	  FROM @extschema@.cycle_moments(review_cycle_moments.cycle_id) cm
	  LEFT JOIN @extschema@.cycle_action(review_cycle_moments.cycle_id) a
	    ON a.position = cm.position
	  LEFT JOIN @extschema@.cycle_moments(review_cycle_moments.previous_cycle_id) p
	    ON p.position = cm.position
	 ORDER BY cm.position;
END;
$fn$;
COMMENT ON FUNCTION journey_internal.review_cycle_moments(bigint, bigint) IS
  'per moment of a review cycle: cycle_moments'' and cycle_action''s figures and the previous cycle''s rate, from the source''s snapshot when it is current and holds both cycles over their present dates and definition, else live; with which, when and up to which event time';
