-- The review reads the snapshot (src/sql/25_states_snapshot_review.sql):
-- journey.refresh stores every review cycle's figures, and review_moments,
-- review and review_details read them (journey_internal.
-- review_cycle_moments) when the source's snapshot is current and holds the
-- cycle over its present dates, else compute live; each says which and
-- when in three columns at its end (from_snapshot, computed_at,
-- events_until).  The views are rebuilt (dropped from the extension,
-- dropped here, created by 88b_review.sql, which is the install piece
-- src/sql/46_review.sql) and review_details, whose result gains the
-- columns, is dropped and created; nothing depends on them.  Grants a DBA
-- gave on the old views go with them and must be given again
-- (doc/security.md lists them).
ALTER EXTENSION journey DROP VIEW @extschema@.review;
DROP VIEW @extschema@.review;
ALTER EXTENSION journey DROP VIEW @extschema@.review_moments;
DROP VIEW @extschema@.review_moments;
DROP FUNCTION @extschema@.review_details(bigint);
