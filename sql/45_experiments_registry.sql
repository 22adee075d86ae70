-- Registry of review cycles, hypotheses and assignments: every refusal
-- and every lifecycle transition.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
-- ids in messages below do not depend on what ran before
ALTER TABLE journey.hypothesis ALTER COLUMN id RESTART WITH 1;

CREATE TABLE exp_events (customer bigint, at timestamptz, what text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('exp_shop', 'exp_events', 'customer', 'at', 'what'),
	   ('exp_other', 'exp_events', 'customer', 'at', 'what');
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('exp_shop', 1, 'visit', 'site_visit'),
	   ('exp_shop', 2, 'signup', 'signup'),
	   ('exp_shop', 3, 'purchase', 'purchase'),
	   ('exp_other', 1, 'visit', 'site_visit');

-- ---------------------------------------------------------------- cycles
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('exp_shop', 'January', '2026-01-01', '2026-01-31'),
	   ('exp_shop', 'February', '2026-02-01', '2026-02-28'),
	   ('exp_other', 'January', '2026-01-01', '2026-01-31');
SELECT source, name, starts_on, ends_on FROM journey.review_cycle ORDER BY source, starts_on;
-- unknown source
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('nowhere', 'January', '2026-01-01', '2026-01-31');
-- ends before it starts
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('exp_shop', 'March', '2026-03-31', '2026-03-01');
-- overlaps (sharing one day is an overlap: both ends are inclusive)
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('exp_shop', 'Late February', '2026-02-28', '2026-03-15');
UPDATE journey.review_cycle SET ends_on = '2026-02-01'
 WHERE source = 'exp_shop' AND name = 'January';
-- moving a cycle within its own dates is no overlap with itself
UPDATE journey.review_cycle SET ends_on = '2026-01-30'
 WHERE source = 'exp_shop' AND name = 'January';
-- empty name
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('exp_shop', ' ', '2026-04-01', '2026-04-30');
-- missing dates
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('exp_shop', 'April', '2026-04-01', NULL);
-- duplicate name within a source
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('exp_shop', 'January', '2027-01-01', '2027-01-31');

-- ------------------------------------------------------------ hypotheses
INSERT INTO journey.hypothesis (source, moment, statement, target_moment, conversion_window)
VALUES ('exp_shop', 'signup',
		'If we send a personalised onboarding sequence in the first 72 hours after signup, more customers will complete their first key action.',
		'purchase', '3 days')
RETURNING id AS h_emails \gset
SELECT source, moment, target_moment, conversion_window, status, minimum_effect, alpha, power
  FROM journey.hypothesis WHERE id = :h_emails;
-- target_moment defaults to moment
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'visit', 'If the landing page loads in under one second, more visitors will sign up.')
RETURNING id AS h_speed \gset
SELECT moment, target_moment, conversion_window, status FROM journey.hypothesis WHERE id = :h_speed;
-- unknown source, moment, target moment
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('nowhere', 'signup', 'If we do this, that will happen.');
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'checkout', 'If we do this, that will happen.');
INSERT INTO journey.hypothesis (source, moment, target_moment, statement)
VALUES ('exp_shop', 'signup', 'repeat_purchase', 'If we do this, that will happen.');
-- a moment of another source is unknown here
INSERT INTO journey.hypothesis (source, moment, target_moment, statement)
VALUES ('exp_other', 'visit', 'purchase', 'If we do this, that will happen.');
-- statements that are not if-then sentences
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'signup', '');
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'signup', 'Onboarding emails are good.');
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'signup', 'if we send onboarding emails, more customers will buy.');
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'signup', 'If we send onboarding emails more customers will buy.');
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'signup', 'If we send onboarding emails, customers like it.');
-- "will" must be in the consequence, not the condition
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'signup', 'If customers will read emails, sales rise.');
-- windows and test parameters
INSERT INTO journey.hypothesis (source, moment, statement, conversion_window)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', '0 days');
INSERT INTO journey.hypothesis (source, moment, statement, conversion_window)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', '-1 day');
INSERT INTO journey.hypothesis (source, moment, statement, conversion_window)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', NULL);
INSERT INTO journey.hypothesis (source, moment, statement, minimum_effect)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 0);
INSERT INTO journey.hypothesis (source, moment, statement, alpha)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 1.5);
INSERT INTO journey.hypothesis (source, moment, statement, power)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 1);
-- status and decision vocabularies
INSERT INTO journey.hypothesis (source, moment, statement, status)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 'done');
INSERT INTO journey.hypothesis (source, moment, statement, status, started_at, ended_at, decision, learning)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 'concluded',
		'2026-01-01', '2026-01-10', 'keep', 'x');
-- rows inconsistent with their status
INSERT INTO journey.hypothesis (source, moment, statement, started_at)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', '2026-01-01');
INSERT INTO journey.hypothesis (source, moment, statement, status)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 'running');
INSERT INTO journey.hypothesis (source, moment, statement, status, started_at)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 'concluded', '2026-01-01');
INSERT INTO journey.hypothesis (source, moment, statement, status, started_at, ended_at, learning)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 'concluded',
		'2026-01-01', '2026-01-10', 'x');
INSERT INTO journey.hypothesis (source, moment, statement, status, started_at, ended_at, decision)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 'concluded',
		'2026-01-01', '2026-01-10', 'ship');
INSERT INTO journey.hypothesis (source, moment, statement, status)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 'abandoned');
INSERT INTO journey.hypothesis (source, moment, statement, status, started_at, ended_at, decision, learning)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 'concluded',
		'2026-01-10', '2026-01-01', 'ship', 'x');
-- a consistent finished row is accepted as it is (this is how pg_dump's data restores)
INSERT INTO journey.hypothesis (source, moment, statement, status, started_at, ended_at, decision, learning, cycle_id)
SELECT 'exp_shop', 'signup', 'If we show reviews on the signup page, more visitors will sign up.', 'concluded',
	   '2026-01-02', '2026-01-20', 'discard', 'Reviews did not move signups.', id
  FROM journey.review_cycle WHERE source = 'exp_shop' AND name = 'January'
RETURNING id AS h_reviews \gset
SELECT status, decision, learning FROM journey.hypothesis WHERE id = :h_reviews;
-- cycles of another source, unknown cycles
INSERT INTO journey.hypothesis (source, moment, statement, cycle_id)
SELECT 'exp_shop', 'signup', 'If we do this, that will happen.', id
  FROM journey.review_cycle WHERE source = 'exp_other';
INSERT INTO journey.hypothesis (source, moment, statement, cycle_id)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 999999);
-- a referenced moment cannot be removed; a renamed one follows
DELETE FROM journey.moment WHERE source = 'exp_shop' AND name = 'signup';
UPDATE journey.moment SET name = 'sign_up' WHERE source = 'exp_shop' AND name = 'signup';
SELECT moment, target_moment FROM journey.hypothesis WHERE id IN (:h_emails, :h_reviews) ORDER BY id;
UPDATE journey.moment SET name = 'signup' WHERE source = 'exp_shop' AND name = 'sign_up';

-- ----------------------------------------------------------- assignments
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
VALUES (:h_emails, '1', 'control', '2026-01-05'), (:h_emails, '2', 'emails', '2026-01-05'),
	   (:h_emails, '3', 'control', '2026-01-06'), (:h_emails, '4', 'emails', '2026-01-06');
SELECT hypothesis_id, customer_id, variant, assigned_at FROM journey.assignment ORDER BY 1, 2;
-- a customer assigned twice
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
VALUES (:h_emails, '1', 'emails', '2026-01-07');
-- ... which ON CONFLICT can skip (the primary key refuses, after the trigger)
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
VALUES (:h_emails, '1', 'emails', '2026-01-07') ON CONFLICT DO NOTHING;
-- unknown hypothesis, empty fields, a misspelt control
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant) VALUES (999999, '1', 'control');
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant) VALUES (:h_emails, '', 'control');
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant) VALUES (:h_emails, '9', ' ');
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant) VALUES (:h_emails, '9', 'Control');
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at) VALUES (:h_emails, '9', 'control', NULL);
-- an assignment does not move to another hypothesis or customer
UPDATE journey.assignment SET customer_id = '10' WHERE hypothesis_id = :h_emails AND customer_id = '4';
-- while proposed (and while running without a conversion) a variant may change
UPDATE journey.assignment SET variant = 'control' WHERE hypothesis_id = :h_emails AND customer_id = '4';
UPDATE journey.assignment SET variant = 'emails' WHERE hypothesis_id = :h_emails AND customer_id = '4';

-- ------------------------------------------------------------- lifecycle
-- not found, NULL
SELECT journey.start_hypothesis(999999);
SELECT journey.start_hypothesis(NULL);
-- a proposed hypothesis cannot be concluded (nor be concluded or abandoned twice, below)
SELECT journey.conclude_hypothesis(:h_emails, 'ship', 'It worked.');
SELECT status FROM journey.hypothesis WHERE id = :h_emails;
-- start: proposed -> running, in the cycle containing today (none here)
SELECT status, started_at IS NOT NULL AS started, ended_at, cycle_id
  FROM journey.start_hypothesis(:h_emails);
SELECT journey.start_hypothesis(:h_emails);
-- running: definition frozen, the notes are not
UPDATE journey.hypothesis SET conversion_window = '30 days' WHERE id = :h_emails;
UPDATE journey.hypothesis SET statement = 'If we do this, that will happen.' WHERE id = :h_emails;
UPDATE journey.hypothesis SET allocation = '{"control": 9, "treatment": 1}' WHERE id = :h_emails;
UPDATE journey.hypothesis SET target_moment = 'signup' WHERE id = :h_emails;
UPDATE journey.hypothesis SET minimum_effect = 0.05 WHERE id = :h_emails;
UPDATE journey.hypothesis SET started_at = started_at - interval '1 day' WHERE id = :h_emails;
UPDATE journey.hypothesis SET mechanism = 'Reminders bring back customers who stalled.' WHERE id = :h_emails;
UPDATE journey.hypothesis h SET cycle_id = c.id
  FROM journey.review_cycle c WHERE h.id = :h_emails AND c.source = 'exp_shop' AND c.name = 'February';
-- renaming a moment or the source in the registry is no change of definition
UPDATE journey.moment SET name = 'order' WHERE source = 'exp_shop' AND name = 'purchase';
UPDATE journey.source SET name = 'exp_store' WHERE name = 'exp_shop';
SELECT h.source, h.moment, h.target_moment, c.source AS cycle_source, c.name AS cycle
  FROM journey.hypothesis h JOIN journey.review_cycle c ON c.id = h.cycle_id
 WHERE h.id = :h_emails;
UPDATE journey.source SET name = 'exp_shop' WHERE name = 'exp_store';
UPDATE journey.moment SET name = 'purchase' WHERE source = 'exp_shop' AND name = 'order';
-- a running hypothesis does not go back to proposed
UPDATE journey.hypothesis SET status = 'proposed', started_at = NULL WHERE id = :h_emails;
-- conclusion needs a known decision and a learning
SELECT journey.conclude_hypothesis(:h_emails, NULL, 'x');
SELECT journey.conclude_hypothesis(:h_emails, 'maybe', 'x');
SELECT journey.conclude_hypothesis(:h_emails, 'ship', ' ');
-- and a control and a treatment to compare
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'visit', 'If the hero image shows the product, more visitors will sign up.')
RETURNING id AS h_hero \gset
SELECT status FROM journey.start_hypothesis(:h_hero);
SELECT journey.conclude_hypothesis(:h_hero, 'ship', 'It worked.');
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
VALUES (:h_hero, '1', 'control', '2026-01-05');
SELECT journey.conclude_hypothesis(:h_hero, 'ship', 'It worked.');
SELECT status FROM journey.abandon_hypothesis(:h_hero, 'The page was redesigned mid-test.');
-- conclude
SELECT status, decision, learning, ended_at >= started_at AS ordered, cycle_id IS NOT NULL AS in_cycle
  FROM journey.conclude_hypothesis(:h_emails, 'iterate', 'Emails helped a little; test a shorter sequence.');
-- nothing moves a finished hypothesis
SELECT journey.conclude_hypothesis(:h_emails, 'ship', 'x');
SELECT journey.start_hypothesis(:h_emails);
SELECT journey.abandon_hypothesis(:h_emails, 'x');
UPDATE journey.hypothesis SET status = 'running', ended_at = NULL, decision = NULL WHERE id = :h_emails;
UPDATE journey.hypothesis SET decision = 'ship' WHERE id = :h_emails;
UPDATE journey.hypothesis SET ended_at = ended_at + interval '1 day' WHERE id = :h_emails;
-- its learning may still be refined
UPDATE journey.hypothesis SET learning = learning || ' Next: two emails instead of five.' WHERE id = :h_emails;
-- its assignments are final
UPDATE journey.assignment SET variant = 'control' WHERE hypothesis_id = :h_emails AND customer_id = '2';
UPDATE journey.assignment SET assigned_at = assigned_at + interval '1 hour' WHERE hypothesis_id = :h_emails AND customer_id = '2';
DELETE FROM journey.assignment WHERE hypothesis_id = :h_emails AND customer_id = '2';
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
VALUES (:h_emails, '1', 'emails', '2026-01-07');
-- abandon: from proposed, and from running; then it is final
SELECT status, decision, learning, ended_at IS NOT NULL AS ended
  FROM journey.abandon_hypothesis(:h_speed, 'Site speed work moved to the platform team.');
SELECT journey.abandon_hypothesis(:h_speed, 'again');
SELECT journey.start_hypothesis(:h_speed);
SELECT journey.abandon_hypothesis(999999, 'x');
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'visit', 'If the menu is shorter, more visitors will sign up.')
RETURNING id AS h_menu \gset
SELECT journey.abandon_hypothesis(:h_menu, NULL);
SELECT journey.abandon_hypothesis(:h_menu, '');
SELECT id = :h_emails AS emails, status, learning FROM journey.hypothesis ORDER BY id;
-- deleting a hypothesis takes its assignments along, even when it is finished
SELECT count(*) FROM journey.assignment WHERE hypothesis_id = :h_hero;
DELETE FROM journey.hypothesis WHERE id = :h_hero;
SELECT count(*) FROM journey.assignment WHERE hypothesis_id = :h_hero;

-- ------------------------------------------------ the ranges of the test
-- the test parameters have the ranges (and messages) of the statistics
-- functions that read them: NaN, the infinities, values below the smallest
-- alpha or power the normal quantile is computed for, and NULL never get in
INSERT INTO journey.hypothesis (source, moment, statement, alpha)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 5e-324);
INSERT INTO journey.hypothesis (source, moment, statement, alpha)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 9.99e-301);
INSERT INTO journey.hypothesis (source, moment, statement, alpha)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 'NaN');
INSERT INTO journey.hypothesis (source, moment, statement, alpha)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', NULL);
INSERT INTO journey.hypothesis (source, moment, statement, power)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', '-Infinity');
INSERT INTO journey.hypothesis (source, moment, statement, power)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 1e-301);
INSERT INTO journey.hypothesis (source, moment, statement, minimum_effect)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 'Infinity');
INSERT INTO journey.hypothesis (source, moment, statement, minimum_effect)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 1);
-- (below 1e-7 some baseline needs more than 9e18 units per arm)
INSERT INTO journey.hypothesis (source, moment, statement, minimum_effect)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 9.99e-8);
-- allocation shares are srm_test's weights: positive, and within what
-- float8 holds (a jsonb number may be far larger or smaller)
INSERT INTO journey.hypothesis (source, moment, statement, allocation)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', '{"control": 1e400, "b": 1}');
INSERT INTO journey.hypothesis (source, moment, statement, allocation)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', '{"control": 1, "b": 1e-301}');
INSERT INTO journey.hypothesis (source, moment, statement, allocation)
VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', '{"control": 1, "b": -0.5}');
-- the ends of every range are accepted (and computed: 45_experiments_results)
WITH h AS (
	INSERT INTO journey.hypothesis (source, moment, statement, alpha, power, minimum_effect, allocation)
	VALUES ('exp_shop', 'signup', 'If we do this, that will happen.', 1e-300, 0.9999999999999999,
			1e-7, '{"control": 1e300, "b": 1e-300}'),
		   ('exp_shop', 'signup', 'If we do this, that will happen.', 0.9999999999999999, 1e-300,
			0.9999999999999999, '{"control": 1, "b": 1}')
	RETURNING alpha, power, minimum_effect, allocation
)
SELECT alpha, power, minimum_effect,
	   (SELECT string_agg(a.key || ' ' || btrim(to_char(a.value::numeric, '9.9EEEE')), ', ' ORDER BY a.key)
		  FROM jsonb_each(h.allocation) a) AS allocation
  FROM h ORDER BY alpha;
DELETE FROM journey.hypothesis WHERE alpha IN (1e-300, 0.9999999999999999);

-- ------------------------------------------------------ dumped by pg_dump
SELECT cfg::regclass AS dumped
  FROM pg_extension e, unnest(e.extconfig) cfg
 WHERE e.extname = 'journey'
   AND cfg::regclass::text IN ('journey.review_cycle', 'journey.review_cycle_id_seq',
							   'journey.hypothesis', 'journey.hypothesis_id_seq',
							   'journey.assignment')
 ORDER BY cfg::regclass::text;

-- ------------------------------------------------- locks for concurrency
-- (test/suites/45_concurrency.sh races sessions against each other; this
-- shows what the rules' locks ask of a writer.)  A locking read needs
-- UPDATE privilege on the table it locks: a change of an assignment locks
-- its hypothesis, a conclusion a customer of each side, and the check of a
-- source's moments updates its first moment in place.  Review cycles need
-- nothing more: an exclusion constraint holds them.
CREATE ROLE regress_journey_writer;
GRANT USAGE ON SCHEMA journey, journey_internal TO regress_journey_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON journey.moment, journey.review_cycle,
	  journey.assignment TO regress_journey_writer;
GRANT SELECT ON journey.source, journey.hypothesis TO regress_journey_writer;
-- (its id in messages below does not depend on what ran before)
ALTER TABLE journey.hypothesis ALTER COLUMN id RESTART WITH 100;
INSERT INTO journey.hypothesis (source, moment, statement)
VALUES ('exp_shop', 'visit', 'If the search box is larger, more visitors will sign up.')
RETURNING id AS h_search \gset
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant)
VALUES (:h_search, '1', 'control'), (:h_search, '2', 'larger'), (:h_search, '3', 'larger');
SET ROLE regress_journey_writer;
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('exp_shop', 4, 'return', 'return_visit');
DELETE FROM journey.moment WHERE source = 'exp_shop' AND position = 4;
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('exp_shop', 'March', '2026-03-01', '2026-03-31');
UPDATE journey.assignment SET variant = 'control' WHERE hypothesis_id = :h_search AND customer_id = '2';
RESET ROLE;
GRANT UPDATE ON journey.hypothesis TO regress_journey_writer;
REVOKE UPDATE ON journey.moment FROM regress_journey_writer;
SET ROLE regress_journey_writer;
UPDATE journey.assignment SET variant = 'control' WHERE hypothesis_id = :h_search AND customer_id = '2';
DELETE FROM journey.assignment WHERE hypothesis_id = :h_search AND customer_id = '2';
SELECT customer_id, variant FROM journey.assignment WHERE hypothesis_id = :h_search ORDER BY 1;
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('exp_shop', 4, 'return', 'return_visit');
RESET ROLE;
-- the conclusion locks a customer of each side: as the owner, then the
-- writer's removal is refused
SELECT status FROM journey.start_hypothesis(:h_search);
SELECT status FROM journey.conclude_hypothesis(:h_search, 'discard', 'Nobody used search.');
SET ROLE regress_journey_writer;
DELETE FROM journey.assignment WHERE hypothesis_id = :h_search AND customer_id = '3';
RESET ROLE;
DROP OWNED BY regress_journey_writer;
DROP ROLE regress_journey_writer;
-- what the trigger words, the exclusion constraint holds on its own (as
-- when a concurrent writer's cycle is not yet visible to the trigger)
BEGIN;
ALTER TABLE journey.review_cycle DISABLE TRIGGER review_cycle_check;
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('exp_shop', 'Mid March', '2026-03-15', '2026-04-15');
ROLLBACK;
-- the same dates for another source (or a source spelt otherwise) are no overlap
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('Exp_shop', 'exp_events', 'customer', 'at', 'what');
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('Exp_shop', 'March', '2026-03-01', '2026-03-31');
SELECT source, name FROM journey.review_cycle WHERE name = 'March' ORDER BY source COLLATE "C";
DELETE FROM journey.review_cycle WHERE source = 'Exp_shop';
DELETE FROM journey.source WHERE name = 'Exp_shop';

DELETE FROM journey.hypothesis WHERE source IN ('exp_shop', 'exp_other');
DELETE FROM journey.review_cycle WHERE source IN ('exp_shop', 'exp_other');
DELETE FROM journey.source WHERE name IN ('exp_shop', 'exp_other');
DROP TABLE exp_events;
