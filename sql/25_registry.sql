-- The source and moment registry: its checks and their messages.
\set SHOW_CONTEXT never
CREATE TABLE reg_events (customer_id bigint, ts timestamptz, event text, channel text,
                         revenue numeric, day date, label int);
CREATE VIEW reg_events_v AS SELECT * FROM reg_events;
CREATE SEQUENCE reg_seq;

-- a valid source, a view source, optional columns
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column, value_column)
VALUES ('web', 'reg_events', 'customer_id', 'ts', 'event', 'channel', 'revenue');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('web_view', 'reg_events_v', 'customer_id', 'day', 'event');
SELECT name, relation, moment_window, attribution_lookback FROM journey.source ORDER BY name;

-- relation and columns must exist
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('x', 'reg_no_such_table', 'customer_id', 'ts', 'event');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('x', 'reg_events', 'customer', 'ts', 'event');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('x', 'reg_events', 'customer_id', 'ts', 'event_name');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
VALUES ('x', 'reg_events', 'customer_id', 'ts', 'event', 'utm_channel');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, value_column)
VALUES ('x', 'reg_events', 'customer_id', 'ts', 'event', 'amount');
UPDATE journey.source SET time_column = 'when' WHERE name = 'web';
-- the time column must be a date/time
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('x', 'reg_events', 'customer_id', 'label', 'event');
-- the relation must be a table or a view
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('x', 'reg_seq', 'last_value', 'last_value', 'last_value');
-- a relation dropped since (a dangling OID)
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('x', 4294967295::oid, 'customer_id', 'ts', 'event');
-- names and windows
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('', 'reg_events', 'customer_id', 'ts', 'event');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, moment_window)
VALUES ('x', 'reg_events', 'customer_id', 'ts', 'event', '-1 day');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, conversion_event)
VALUES ('x', 'reg_events', 'customer_id', 'ts', 'event', '');

-- moments inserted one by one, in position order: accepted, with a notice
-- while the source has fewer than five
INSERT INTO journey.moment VALUES ('web', 1, 'First contact', 'first_contact');
INSERT INTO journey.moment VALUES ('web', 2, 'Visit', 'site_visit');
INSERT INTO journey.moment VALUES ('web', 3, 'Signup', 'signup');
INSERT INTO journey.moment VALUES ('web', 4, 'Setup', 'setup_complete');
INSERT INTO journey.moment VALUES ('web', 5, 'Checkout', 'checkout');
-- a gap is rejected
INSERT INTO journey.moment VALUES ('web', 7, 'Purchase', 'purchase');
-- in one transaction any order works; the check runs at commit
BEGIN;
INSERT INTO journey.moment VALUES ('web', 7, 'Repeat', 'return_visit');
INSERT INTO journey.moment VALUES ('web', 6, 'Purchase', 'purchase');
COMMIT;
SELECT position, name, event_name FROM journey.moment WHERE source = 'web' ORDER BY position;
-- a gap left at commit is rejected, and the whole transaction with it
BEGIN;
INSERT INTO journey.moment VALUES ('web', 8, 'Referral', 'referral');
INSERT INTO journey.moment VALUES ('web', 10, 'Advocate', 'advocate');
COMMIT;
SELECT count(*) AS web_moments FROM journey.moment WHERE source = 'web';
-- deleting or moving a middle moment leaves a gap
DELETE FROM journey.moment WHERE source = 'web' AND position = 3;
UPDATE journey.moment SET position = 9 WHERE source = 'web' AND position = 7;
-- renumbering through a gap is fine inside one transaction, not across two
UPDATE journey.moment SET position = position + 10 WHERE source = 'web';
BEGIN;
UPDATE journey.moment SET position = position + 10 WHERE source = 'web';
UPDATE journey.moment SET position = position - 10 WHERE source = 'web';
COMMIT;
-- the check can be made immediate: then it runs at the end of each statement
BEGIN;
SET CONSTRAINTS journey.moment_check IMMEDIATE;
INSERT INTO journey.moment VALUES ('web', 9, 'Advocate', 'advocate');
ROLLBACK;
-- more than eight moments: a notice
BEGIN;
INSERT INTO journey.moment VALUES ('web', 8, 'Referral', 'referral'), ('web', 9, 'Advocate', 'advocate');
COMMIT;
DELETE FROM journey.moment WHERE source = 'web' AND position > 7;
-- at most 32 moments (what moment_report can follow): 32 are accepted (and
-- moment_report reads them without an error), 33 are not
INSERT INTO journey.moment
SELECT 'web', p, 'Step ' || p, 'step_' || p FROM generate_series(8, 32) p;
SELECT count(*) AS moments FROM journey.moment WHERE source = 'web';
SELECT count(*) AS report_rows FROM journey.moment_report('web');
INSERT INTO journey.moment VALUES ('web', 33, 'Step 33', 'step_33');
DELETE FROM journey.moment WHERE source = 'web' AND position > 7;
-- positions unique, names unique, nothing empty, positions from 1
INSERT INTO journey.moment VALUES ('web', 2, 'Visit again', 'site_visit');
INSERT INTO journey.moment VALUES ('web', 8, 'Visit', 'site_visit');
INSERT INTO journey.moment VALUES ('web', 8, 'Nothing', '');
INSERT INTO journey.moment VALUES ('web', 8, '', 'x');
INSERT INTO journey.moment VALUES ('web', 0, 'Zero', 'x');
INSERT INTO journey.moment VALUES ('nowhere', 1, 'First', 'x');
-- renaming a source carries its moments; deleting it removes them
UPDATE journey.source SET name = 'website' WHERE name = 'web';
SELECT source, count(*) FROM journey.moment GROUP BY source ORDER BY source;
DELETE FROM journey.source WHERE name = 'website';
SELECT count(*) AS moments_left FROM journey.moment;

-- both tables are dumped with the extension's data
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS cfg(oid)
  JOIN pg_class c ON c.oid = cfg.oid WHERE e.extname = 'journey'
   AND c.relname IN ('source', 'moment') ORDER BY 1;

DELETE FROM journey.source;
DROP VIEW reg_events_v;
DROP TABLE reg_events;
DROP SEQUENCE reg_seq;
