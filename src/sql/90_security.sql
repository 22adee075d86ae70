-- Who may write the registry, and what a role can read (doc/security.md).
--
-- The registry says which relations journey reads on behalf of whoever
-- reads its views, so only the roles a DBA grants may write it: no table
-- of the extension grants anything to PUBLIC (said explicitly here, so
-- that it is not left to defaults).  Every reader checks that the current
-- role may read a source and trusts the code reading it runs
-- (source_problem); journey.source_status shows each source's answer.

REVOKE ALL ON TABLE @extschema@.source, @extschema@.moment, @extschema@.review_cycle,
	@extschema@.hypothesis, @extschema@.assignment, @extschema@.channel_rule FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.review_cycle_id_seq, @extschema@.hypothesis_id_seq FROM PUBLIC;

CREATE VIEW @extschema@.source_status WITH (security_invoker = true) AS
SELECT s.name AS source, p.message IS NULL AS readable,
	   p.message AS reason, p.detail, p.hint
  FROM @extschema@.source s
 CROSS JOIN LATERAL journey_internal.source_problem(s, true) p;
COMMENT ON VIEW @extschema@.source_status IS
  'per registered source: whether the current role can read it (every registered column), and if not why; the views over every source leave out the sources it cannot read';
COMMENT ON COLUMN @extschema@.source_status.source IS
  'the source''s name';
COMMENT ON COLUMN @extschema@.source_status.readable IS
  'true when the current role can read the source: its relation and columns exist, the role may read them, and reading them runs only code the role trusts';
COMMENT ON COLUMN @extschema@.source_status.reason IS
  'why it cannot (the message a report over it would raise); NULL when readable';
COMMENT ON COLUMN @extschema@.source_status.detail IS
  'the details: the column, the privilege, or the untrusted code and the role that chose it';
COMMENT ON COLUMN @extschema@.source_status.hint IS
  'what to do about it';
