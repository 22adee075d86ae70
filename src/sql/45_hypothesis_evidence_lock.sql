-- The lock a conclusion takes on the evidence it rests on (new in 0.2.0):
-- a trigger on the experiment registry's hypotheses
-- (src/sql/45_experiments.sql), which it follows.
--
-- A conclusion needs customers in control and in another variant, which
-- hypothesis_check reads once the conclusion holds the hypothesis row (so
-- changes to the assignments in progress have ended).  Under REPEATABLE
-- READ or SERIALIZABLE it reads the transaction's snapshot, which may
-- predate such a change that committed while the conclusion waited; so
-- one customer of each side is also locked FOR SHARE, which fails with a
-- serialization error (40001) when the row it found has since been changed
-- or removed.  (Under READ COMMITTED this only confirms what the check saw.)
-- Rows locked by others are skipped: their lockers are changes that wait
-- for this conclusion and will be refused, so those rows stay as they are;
-- waiting for them instead would deadlock.  (A role that concludes needs
-- UPDATE on journey.assignment for this.)
CREATE FUNCTION journey_internal.hypothesis_evidence_lock()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM 1 FROM @extschema@.assignment a
	 WHERE a.hypothesis_id = NEW.id AND a.variant = 'control'
	 LIMIT 1 FOR SHARE SKIP LOCKED;
	PERFORM 1 FROM @extschema@.assignment a
	 WHERE a.hypothesis_id = NEW.id AND a.variant <> 'control'
	 LIMIT 1 FOR SHARE SKIP LOCKED;
	RETURN NEW;
END
$$;

CREATE TRIGGER hypothesis_evidence_lock
	BEFORE UPDATE OF status ON @extschema@.hypothesis
	FOR EACH ROW WHEN (NEW.status = 'concluded' AND OLD.status IS DISTINCT FROM 'concluded')
	EXECUTE FUNCTION journey_internal.hypothesis_evidence_lock();
