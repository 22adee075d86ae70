-- Security (doc/security.md): reading a view or a report never runs code
-- chosen by a role that does not have the reader's privileges; the registry
-- is written only by the roles a DBA grants; the limits that protect the
-- server are set only by superusers.
--
-- Roles: an administrator (a superuser), an analyst who registers sources
-- over views of her own, a read-only BI role, a role granted nothing, and
-- mallory, granted what an analyst is granted, who tries to have her code
-- run by the others.  Every role is dropped at the end.
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SELECT current_user AS regress_user \gset
SET client_min_messages = warning;
CREATE ROLE regress_journey_admin SUPERUSER;
CREATE ROLE regress_journey_analyst;
CREATE ROLE regress_journey_bi LOGIN;
CREATE ROLE regress_journey_nobody;
CREATE ROLE regress_journey_mallory;
RESET client_min_messages;
SET ROLE regress_journey_admin;

-- The grants doc/security.md gives an analyst (who writes the registry) and
-- a read-only BI role, exactly.
GRANT USAGE ON SCHEMA journey, journey_internal TO regress_journey_analyst, regress_journey_mallory;
GRANT SELECT, INSERT, UPDATE, DELETE
   ON journey.source, journey.moment, journey.review_cycle, journey.hypothesis,
      journey.assignment, journey.guardrail, journey.channel_rule, journey.note
   TO regress_journey_analyst, regress_journey_mallory;
GRANT SELECT ON journey.moment_conversion, journey.channel_attribution,
      journey.hypothesis_results, journey.review, journey.review_moments,
      journey.review_hypotheses, journey.sankey_edges, journey.top_paths,
      journey.source_status, journey.stalled, journey.review_heard
   TO regress_journey_analyst, regress_journey_mallory;
GRANT USAGE ON SCHEMA journey, journey_internal TO regress_journey_bi;
GRANT SELECT ON journey.source, journey.moment, journey.review_cycle, journey.hypothesis,
      journey.assignment, journey.guardrail, journey.channel_rule, journey.note,
      journey.moment_conversion, journey.channel_attribution,
      journey.hypothesis_results, journey.review, journey.review_moments,
      journey.review_hypotheses, journey.sankey_edges, journey.top_paths,
      journey.source_status, journey.stalled, journey.review_heard
   TO regress_journey_bi;

-- What code chosen by another role would do if it ran: record the role it
-- runs as, and make mallory a superuser when that role is one.
CREATE TABLE sec_log (who text, what text);
GRANT INSERT ON sec_log TO PUBLIC;
CREATE SCHEMA sec_m AUTHORIZATION regress_journey_mallory;
CREATE SCHEMA sec_a AUTHORIZATION regress_journey_analyst;
GRANT USAGE ON SCHEMA sec_m, sec_a TO PUBLIC;

-- The events: the same rows in an administrator's table, in the analyst's,
-- and in mallory's.
CREATE TABLE sec_events (cust int, at timestamptz, what text, chan text, amount numeric);
INSERT INTO sec_events
SELECT c, '2026-03-01'::timestamptz + (c * 7 + k) * interval '1 hour',
       (ARRAY['visit', 'signup', 'buy'])[k], (ARRAY['Email', 'Search', 'Direct'])[1 + (c + k) % 3],
       CASE WHEN k = 3 THEN 10 * c END
  FROM generate_series(1, 12) c, generate_series(1, 3) k
 WHERE k <= 1 + c % 3;
GRANT SELECT ON sec_events TO PUBLIC;
CREATE TABLE sec_secret (LIKE sec_events);	-- granted to no one

-- the administrator's own view, with a function of her own
CREATE FUNCTION sec_channel(text) RETURNS text LANGUAGE sql IMMUTABLE
	AS $$SELECT upper($1)$$;
CREATE VIEW sec_mine AS SELECT cust, at, what, sec_channel(chan) AS chan, amount FROM sec_events;
GRANT SELECT ON sec_mine TO regress_journey_bi;

-- the analyst's own view, with a function of her own that logs each call
SET ROLE regress_journey_analyst;
CREATE TABLE sec_a.events AS SELECT * FROM sec_events;
GRANT SELECT ON sec_a.events TO PUBLIC;
CREATE FUNCTION sec_a.channel(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.sec_log VALUES (current_user, 'analyst''s channel()');
	RETURN $1;
END $$;
CREATE VIEW sec_a.v AS SELECT cust, at, what, sec_a.channel(chan) AS chan, amount FROM sec_a.events;
GRANT SELECT ON sec_a.v TO PUBLIC;
RESET ROLE;
SET ROLE regress_journey_admin;

-- mallory's code: evil() runs as whoever calls it
SET ROLE regress_journey_mallory;
CREATE TABLE sec_m.events AS SELECT * FROM sec_events;
GRANT SELECT ON sec_m.events TO PUBLIC;
CREATE FUNCTION sec_m.evil(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.sec_log VALUES (current_user, 'evil()');
	IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		ALTER ROLE regress_journey_mallory SUPERUSER;
	END IF;
	RETURN $1;
END $$;
-- 1. a view calling it
CREATE VIEW sec_m.v AS SELECT cust, at, what, sec_m.evil(chan) AS chan, amount FROM sec_m.events;
-- 2. an operator whose function calls it (used below in the administrator's view)
CREATE FUNCTION sec_m.eq(text, text) RETURNS bool LANGUAGE sql
	AS $$SELECT sec_m.evil($1) = $2$$;
CREATE OPERATOR sec_m.=== (LEFTARG = text, RIGHTARG = text, FUNCTION = sec_m.eq);
-- 3. a type of hers, cast to text by a function of hers (used below as the
-- event column of the administrator's table)
CREATE TYPE sec_m.event AS ENUM ('visit', 'signup', 'buy');
CREATE FUNCTION sec_m.event_text(sec_m.event) RETURNS text LANGUAGE sql
	AS $$SELECT sec_m.evil(format('%s', $1))$$;
CREATE CAST (sec_m.event AS text) WITH FUNCTION sec_m.event_text(sec_m.event);
-- 4. a plain table of hers: its row-level security policy runs as its
-- reader, and so do (when a read is planned) the constant parts of its
-- index expressions, which she may add at any time
CREATE FUNCTION sec_m.mark(text) RETURNS int LANGUAGE plpgsql IMMUTABLE
	AS $$BEGIN RAISE NOTICE 'mark() runs as %', current_user; RETURN 0; END$$;
CREATE TABLE sec_m.guarded AS SELECT * FROM sec_events;
ALTER TABLE sec_m.guarded ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON sec_m.guarded USING (sec_m.evil(what) IS NOT NULL);
SET client_min_messages = warning;		-- (building it runs mark() as her)
CREATE INDEX ON sec_m.guarded ((cust + sec_m.mark('index')));
RESET client_min_messages;
GRANT SELECT ON sec_m.guarded TO PUBLIC;
-- 5. a domain of hers whose constraint calls it (used below in the
-- administrator's view)
CREATE DOMAIN sec_m.label AS text CHECK (sec_m.evil(VALUE) IS NOT NULL);
-- 6. a transition function of hers (used below in the administrator's
-- aggregate)
CREATE FUNCTION sec_m.step(text, text) RETURNS text LANGUAGE sql
	AS $$SELECT coalesce($1, '') || sec_m.evil($2)$$;
RESET ROLE;
SET ROLE regress_journey_admin;
-- 7. a type whose output function is hers (made by the administrator, who
-- handed the function over), in a composite column of the administrator's
-- table, read by the administrator's view
CREATE TYPE sec_m.blob;
CREATE FUNCTION sec_m.blob_in(cstring) RETURNS sec_m.blob
	AS 'textin' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION sec_m.blob_out(sec_m.blob) RETURNS cstring
	AS 'textout' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE sec_m.blob (INPUT = sec_m.blob_in, OUTPUT = sec_m.blob_out, LIKE = text);
ALTER FUNCTION sec_m.blob_out(sec_m.blob) OWNER TO regress_journey_mallory;
CREATE TYPE sec_pair AS (label text, data sec_m.blob);
CREATE TABLE sec_wide AS
  SELECT e.*, ROW(e.chan, e.chan::sec_m.blob)::sec_pair AS extra FROM sec_events e;
CREATE VIEW sec_over_wide AS SELECT cust, at, what, chan, amount FROM sec_wide;
CREATE AGGREGATE sec_concat(text) (SFUNC = sec_m.step, STYPE = text);
CREATE VIEW sec_with_agg AS
  SELECT e.*, (SELECT sec_concat(x.chan) FROM sec_events x WHERE x.cust = e.cust) AS chans
    FROM sec_events e;

-- the administrator's views over mallory's objects: over her view (which
-- the administrator's view reads in turn), with her operator, with her domain
CREATE VIEW sec_over_m AS SELECT * FROM sec_m.v;
CREATE VIEW sec_with_op AS SELECT * FROM sec_events WHERE what OPERATOR(sec_m.===) what;
CREATE VIEW sec_with_domain AS SELECT cust, at, what, chan::sec_m.label AS chan, amount FROM sec_events;
CREATE TABLE sec_typed (cust int, at timestamptz, what sec_m.event, chan text, amount numeric);
INSERT INTO sec_typed SELECT cust, at, what::sec_m.event, chan, amount FROM sec_events;
GRANT SELECT ON sec_typed TO PUBLIC;
-- 8. a foreign table of hers (its options choose what the wrapper does
-- with the reader's user mapping), read directly, and as a child of the
-- administrator's table handed over to her
CREATE FOREIGN DATA WRAPPER sec_wrapper;
CREATE SERVER sec_server FOREIGN DATA WRAPPER sec_wrapper;
GRANT USAGE ON FOREIGN SERVER sec_server TO regress_journey_mallory;
SET ROLE regress_journey_mallory;
CREATE FOREIGN TABLE sec_m.remote (cust int, at timestamptz, what text, chan text, amount numeric)
	SERVER sec_server;
GRANT SELECT ON sec_m.remote TO PUBLIC;
RESET ROLE;
SET ROLE regress_journey_admin;
CREATE TABLE sec_parent AS SELECT * FROM sec_events;
CREATE FOREIGN TABLE sec_m.remote_child () INHERITS (sec_parent) SERVER sec_server;
ALTER FOREIGN TABLE sec_m.remote_child OWNER TO regress_journey_mallory;
GRANT SELECT ON sec_parent TO PUBLIC;

-- The registry: the administrator registers her sources; the analyst hers;
-- mallory registers a source for each of her attempts, with moments, a
-- review cycle and a hypothesis, as any analyst may.
CREATE FUNCTION sec_register(src text, rel regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	hid bigint;
BEGIN
	INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
	                            channel_column, value_column, conversion_event)
	VALUES (src, rel, 'cust', 'at', 'what', 'chan', 'amount', 'buy');
	INSERT INTO journey.moment VALUES (src, 1, 'visit', 'visit'), (src, 2, 'signup', 'signup'),
	                                  (src, 3, 'buy', 'buy');
	INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
	VALUES (src, 'March', '2026-03-01', '2026-03-31');
	INSERT INTO journey.hypothesis (source, moment, statement, target_moment)
	VALUES (src, 'signup', 'If signing up is shorter, more customers will buy.', 'buy')
	RETURNING id INTO hid;
	INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
	SELECT hid, c::text,
	       CASE WHEN c % 2 = 0 THEN 'control' ELSE 'shorter' END, '2026-03-01'
	  FROM generate_series(1, 12) c;
END $$;
SET client_min_messages = warning;		-- (three moments: a notice each)
SELECT sec_register('plain', 'sec_events');
SELECT sec_register('mine', 'sec_mine');
SELECT sec_register('secret', 'sec_secret');
SET ROLE regress_journey_analyst;
SELECT sec_register('a_view', 'sec_a.v');
SET ROLE regress_journey_mallory;
SELECT sec_register('m_view', 'sec_m.v');
SELECT sec_register('m_over', 'sec_over_m');
SELECT sec_register('m_operator', 'sec_with_op');
SELECT sec_register('m_cast', 'sec_typed');
SELECT sec_register('m_policy', 'sec_m.guarded');
SELECT sec_register('m_domain', 'sec_with_domain');
SELECT sec_register('m_foreign', 'sec_m.remote');
SELECT sec_register('m_child', 'sec_parent');
SELECT sec_register('m_aggregate', 'sec_with_agg');
SELECT sec_register('m_output', 'sec_over_wide');
RESET client_min_messages;
-- her code is live: it runs when she reads her own source (as herself)
SELECT count(*) AS rows FROM journey.moment_report('m_view');
RESET ROLE;
SET ROLE regress_journey_admin;
SELECT DISTINCT who, what FROM sec_log;
TRUNCATE sec_log;

-- The administrator reads every view and report.  Each source of mallory's
-- is left out of the views (even one filtered by name), and reading one
-- directly is refused, naming the code and who chose it.
SELECT count(*) FROM journey.channel_attribution WHERE source = 'm_view';
SELECT source, count(*) FROM journey.channel_attribution GROUP BY source ORDER BY source;
SELECT source, count(*) FROM journey.moment_conversion GROUP BY source ORDER BY source;
SELECT s.name AS source, count(*) AS hypothesis_rows
  FROM journey.hypothesis_results r
  JOIN journey.hypothesis h ON h.id = r.hypothesis_id
  JOIN journey.source s ON s.name = h.source
 GROUP BY s.name ORDER BY s.name;
SELECT source, cycle, moments FROM journey.review ORDER BY source;
SELECT source, count(*) FROM journey.review_moments GROUP BY source ORDER BY source;
SELECT source, readable, reason, detail FROM journey.source_status ORDER BY source;
SELECT * FROM journey.moment_report('m_view');
SELECT * FROM journey.channel_attribution('m_over');
SELECT * FROM journey.hypothesis_result((SELECT id FROM journey.hypothesis WHERE source = 'm_operator'));
SELECT * FROM journey.cycle_moments((SELECT id FROM journey.review_cycle WHERE source = 'm_cast'));
SELECT * FROM journey.moment_report('m_domain');
SELECT * FROM journey.moment_report('m_foreign');
SELECT * FROM journey.moment_report('m_child');
SELECT * FROM journey.moment_report('m_aggregate');
SELECT * FROM journey.moment_report('m_output');
SELECT * FROM journey.moment_report('m_policy');
-- nothing of mallory's ran, and she is no superuser
SELECT count(*) AS calls FROM sec_log;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_journey_mallory';

-- Legitimate use.  The administrator's own view with her own function: the
-- same report as over the table, but for the channel's case.
SELECT (SELECT array_agg(r ORDER BY r.position) FROM journey.moment_report('mine') r)
     = (SELECT array_agg(r ORDER BY r.position) FROM journey.moment_report('plain') r)
       AS mine_equals_plain;
SELECT count(*) AS channels_differ_only_in_case
  FROM journey.channel_attribution m
  JOIN journey.channel_attribution p
    ON p.source = 'plain' AND p.model = m.model AND upper(p.channel) = m.channel
 WHERE m.source = 'mine' AND p.conversions = m.conversions AND p.value = m.value;
SELECT count(*) AS plain_rows FROM journey.channel_attribution WHERE source = 'plain';

-- The analyst reads her own view's source; a filter on another source does
-- not run her function (each source is read only when asked for).
SET ROLE regress_journey_analyst;
SELECT count(*) FROM journey.channel_attribution WHERE source = 'plain';
RESET ROLE;
SELECT count(*) AS calls FROM sec_log;
SET ROLE regress_journey_analyst;
SELECT (SELECT array_agg(r ORDER BY r.position) FROM journey.moment_report('a_view') r)
     = (SELECT array_agg(r ORDER BY r.position) FROM journey.moment_report('plain') r)
       AS a_view_equals_plain;
SELECT source FROM journey.source_status WHERE readable ORDER BY source;
RESET ROLE;
-- (statistics taken now, so that the plan below does not depend on whether
-- autovacuum has analyzed the registry since the earlier tests changed it)
ANALYZE journey.source;
SET ROLE regress_journey_admin;
SELECT DISTINCT who, what FROM sec_log;
TRUNCATE sec_log;
EXPLAIN (COSTS OFF) SELECT * FROM journey.channel_attribution WHERE source = 'plain';

-- The BI role, with exactly the grants above, reads every view: the
-- sources over tables granted to it, and over views of roles that have its
-- privileges (a superuser's).  The analyst's source is left out (her
-- function would run as the BI role), and so is mallory's table (its
-- policy would run as the BI role).
SET ROLE regress_journey_bi;
SELECT source, count(*) FROM journey.moment_conversion GROUP BY source ORDER BY source;
SELECT source, count(*) FROM journey.channel_attribution GROUP BY source ORDER BY source;
SELECT h.source, count(*) AS hypothesis_rows
  FROM journey.hypothesis_results r JOIN journey.hypothesis h ON h.id = r.hypothesis_id
 GROUP BY h.source ORDER BY h.source;
SELECT source, cycle FROM journey.review ORDER BY source;
SELECT DISTINCT source FROM journey.review_moments ORDER BY source;
SELECT source, readable, reason, detail, hint FROM journey.source_status
 WHERE source IN ('a_view', 'm_policy', 'secret', 'plain') ORDER BY source;
SELECT * FROM journey.moment_report('secret');
SELECT * FROM journey.moment_report('m_policy');
-- it cannot write the registry
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('bi', 'sec_events', 'cust', 'at', 'what');
DELETE FROM journey.hypothesis;
RESET ROLE;
SET ROLE regress_journey_admin;
SELECT count(*) AS calls FROM sec_log;

-- A role that has the BI role's privileges is trusted by it: made a member
-- of the BI role, the analyst's code may run as the BI role (it can do
-- nothing there the analyst could not do already).
GRANT regress_journey_bi TO regress_journey_analyst;
SET ROLE regress_journey_bi;
SELECT readable FROM journey.source_status WHERE source = 'a_view';
RESET ROLE;
SET ROLE regress_journey_admin;
REVOKE regress_journey_bi FROM regress_journey_analyst;

-- A dashboard over another role's source: a materialized view owned by the
-- analyst computes as the analyst, also when a superuser refreshes it, and
-- the BI role reads it without running any of her code.
SET ROLE regress_journey_analyst;
CREATE MATERIALIZED VIEW sec_a.attribution AS
  SELECT * FROM journey.channel_attribution WHERE source IN ('a_view', 'plain');
GRANT SELECT ON sec_a.attribution TO regress_journey_bi;
RESET ROLE;
SET ROLE regress_journey_admin;
TRUNCATE sec_log;
REFRESH MATERIALIZED VIEW sec_a.attribution;
SELECT DISTINCT who, what FROM sec_log;
TRUNCATE sec_log;
SET ROLE regress_journey_bi;
SELECT source, count(*) FROM sec_a.attribution GROUP BY source ORDER BY source;
RESET ROLE;
SET ROLE regress_journey_admin;
SELECT count(*) AS calls FROM sec_log;

-- A role granted nothing sees nothing of the registry.
SET ROLE regress_journey_nobody;
SELECT count(*) FROM journey.source;
RESET ROLE;
SET ROLE regress_journey_admin;
SELECT has_table_privilege('regress_journey_nobody', 'journey.source', 'INSERT') AS nobody_may_insert,
       has_table_privilege('regress_journey_nobody', 'journey.channel_rule', 'UPDATE') AS nobody_may_edit_rules;

-- An operator "=" of mallory's earlier on a reader's search_path is not
-- used inside journey's functions, which pin search_path (a role whose
-- search_path puts her schema first would otherwise run it).
SET ROLE regress_journey_mallory;
CREATE FUNCTION sec_m.spy(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.sec_log VALUES (current_user, 'spy()');
	RETURN $1;
END $$;
CREATE FUNCTION sec_m.text_eq(text, text) RETURNS bool LANGUAGE sql
	AS $$SELECT sec_m.spy($1) OPERATOR(pg_catalog.=) $2$$;
CREATE OPERATOR sec_m.= (LEFTARG = text, RIGHTARG = text, FUNCTION = sec_m.text_eq);
RESET ROLE;
SET ROLE regress_journey_admin;
SET search_path = sec_m, pg_catalog, public;
SELECT 'a'::text = 'a'::text AS used_outside;		-- the operator is live
SELECT count(*) AS calls FROM sec_log;
TRUNCATE sec_log;
INSERT INTO journey.channel_rule (priority, channel, source_pattern, medium_pattern)
VALUES (1, 'Test', '^test$', 'x');
-- (the test's own queries call no operator here, so that they do not
-- run hers either)
SELECT count(*) FROM journey.moment_report('plain');
SELECT count(*) FROM journey.channel_attribution('plain');
SELECT count(*) FROM journey.hypothesis_result((SELECT min(id) FROM journey.hypothesis));
SELECT count(*) AS calls FROM sec_log;
DELETE FROM journey.channel_rule WHERE priority = 1;
RESET search_path;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_journey_mallory';

-- The limits are set only by superusers: a plain role cannot raise them,
-- for its session or for itself; a superuser can, for a role too, and may
-- grant a role the right to set one.
SET ROLE regress_journey_bi;
SET journey.max_events_per_group = 2000000;
SET journey.max_pattern_steps = 1;
SET journey.max_markov_work = 1;
DO $$
BEGIN
	SET journey.max_events_per_group = 10;
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'refused with insufficient_privilege (%)', SQLSTATE;
END $$;
ALTER ROLE regress_journey_bi SET journey.max_events_per_group = 3;
RESET ROLE;
SET ROLE regress_journey_admin;
SET journey.max_events_per_group = 3;
SELECT journey.path_agg(what, at) FROM sec_events WHERE cust = 11;
RESET journey.max_events_per_group;
ALTER ROLE regress_journey_bi SET journey.max_events_per_group = 2;
GRANT SET ON PARAMETER journey.max_markov_work TO regress_journey_bi;
\c - regress_journey_bi
SHOW journey.max_events_per_group;
SELECT journey.path_agg(what, at) FROM sec_events WHERE cust = 11;
SET journey.max_events_per_group = 100;
SET journey.max_markov_work = 5;
SHOW journey.max_markov_work;
\c - :regress_user
SET ROLE regress_journey_admin;
SELECT setrole::regrole, setconfig FROM pg_db_role_setting
 WHERE setrole = 'regress_journey_bi'::regrole;

-- clean up
SET client_min_messages = warning;
DELETE FROM journey.hypothesis;
DELETE FROM journey.review_cycle;
DELETE FROM journey.source;
DROP FUNCTION sec_register(text, regclass);
DROP VIEW sec_mine, sec_over_m, sec_with_op, sec_with_domain, sec_with_agg, sec_over_wide;
DROP AGGREGATE sec_concat(text);
DROP TABLE sec_wide;
DROP TYPE sec_pair;
DROP FUNCTION sec_channel(text);
DROP TABLE sec_parent CASCADE;
DROP TABLE sec_events, sec_secret, sec_log, sec_typed;
DROP SCHEMA sec_m, sec_a CASCADE;
DROP SERVER sec_server;
DROP FOREIGN DATA WRAPPER sec_wrapper;
REVOKE SET ON PARAMETER journey.max_markov_work FROM regress_journey_bi;
ALTER ROLE regress_journey_bi RESET ALL;
RESET ROLE;
REVOKE ALL ON ALL TABLES IN SCHEMA journey
  FROM regress_journey_analyst, regress_journey_mallory, regress_journey_bi;
REVOKE ALL ON SCHEMA journey, journey_internal
  FROM regress_journey_analyst, regress_journey_mallory, regress_journey_bi;
DROP ROLE regress_journey_admin, regress_journey_analyst, regress_journey_bi,
          regress_journey_nobody, regress_journey_mallory;
RESET client_min_messages;
