-- A 0.1.0 registry may hold what 0.2.0's rules refuse.  Refuse the update
-- for what no reader could use, saying what to change: a source with more
-- than 32 moments (0.1.0 stored them; moment_report, and so the views over
-- every source, could never follow them).  Overlapping review cycles are
-- refused by the exclusion constraint of 40_lifecycle.sql; hypotheses with
-- parameters now out of range are kept (20_numbers.sql).
DO $refuse$
DECLARE
	bad text;
BEGIN
	SELECT string_agg(format('"%s" (%s moments)', m.source, m.n), ', ' ORDER BY m.source)
	  INTO bad
	  FROM (SELECT source, count(*) AS n FROM @extschema@.moment GROUP BY source) m
	 WHERE m.n > 32;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'journey 0.2.0 allows at most 32 moments per source'
			USING ERRCODE = 'program_limit_exceeded',
			      DETAIL = format('Sources with more: %s.', bad),
			      HINT = 'Delete the moments past position 32 (DELETE FROM journey.moment WHERE position > 32), then update again.';
	END IF;
END
$refuse$;
