-- journey.spend and spend_report(source, spend_table, models, since, until):
-- credits next to spend, per model and channel, over the same days.
SET TimeZone = 'UTC';
CREATE TABLE sp_events (cust int, at timestamptz, what text, chan text, amount numeric);
INSERT INTO sp_events VALUES
  -- converts exactly at since (2026-02-01 00:00): in the period
  (1, '2026-01-30 10:00+00', 'visit', 'Email', NULL),
  (1, '2026-01-31 12:00+00', 'visit', 'Search', NULL),
  (1, '2026-02-01 00:00+00', 'purchase', 'Search', 100),
  -- converts inside the period
  (2, '2026-02-10 01:00+00', 'visit', 'Affiliate', NULL),
  (2, '2026-02-10 05:00+00', 'purchase', 'Email', 50),
  -- converts exactly at until (2026-03-01 00:00): outside it
  (3, '2026-02-27 09:00+00', 'visit', 'Search', NULL),
  (3, '2026-03-01 00:00+00', 'purchase', 'Search', 70);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('sp_shop', 'sp_events', 'cust', 'at', 'what', 'chan', 'amount', 'purchase');
CREATE TABLE "Ad Spend" ("Channel" text, "Day" date, "Cost" numeric);
INSERT INTO "Ad Spend" VALUES
  ('Email', '2026-01-31', 10),   -- the day before since: out
  ('Email', '2026-02-01', 20),   -- since: in
  ('Email', '2026-02-28', 30),   -- the last day: in
  ('Email', '2026-03-01', 40),   -- until: out
  ('Search', '2026-02-15', 35), ('Search', '2026-02-15', 25),
  ('Radio', '2026-02-02', 5),    -- spend and no credit
  (NULL, '2026-02-02', 1000);    -- no channel: not a channel's spend
INSERT INTO journey.spend (name, relation, channel_column, day_column, amount_column)
VALUES ('ads', '"Ad Spend"', 'Channel', 'Day', 'Cost');

-- In February: paths Email > Search > Search (100) and Affiliate > Email
-- (50).  last_touch: Search 1 conversion, 100; Email 1, 50.  linear:
-- Email 1/3 + 1/2 = 5/6 and 100/3 + 25 = 58.33; Search 2/3 and 66.67;
-- Affiliate 1/2 and 25.  Spend: Email 20 + 30 = 50, Search 60, Radio 5,
-- Affiliate none (0).  Cost per conversion = spend / conversions (NULL
-- without conversions); return on ad spend = value / spend (NULL without
-- spend).  last_touch: Email 50/1 = 50 and 50/50 = 1; Search 60 and
-- 100/60 = 1.6667.  linear: Email 50/(5/6) = 60 and 58.33/50 = 1.1667;
-- Search 60/(2/3) = 90 and 66.67/60 = 1.1111; Affiliate 0/0.5 = 0.
SELECT model, channel, round(conversions::numeric, 4) AS conversions,
       round(value::numeric, 4) AS value, spend, round(cost_per_conversion::numeric, 4) AS cpc,
       round(return_on_ad_spend::numeric, 4) AS roas
  FROM journey.spend_report('sp_shop', 'ads', ARRAY['last_touch', 'linear'],
                            '2026-02-01', '2026-03-01');

-- Unbounded: customer 3's conversion (Search, 70) and all the spend count
SELECT model, channel, conversions, value, spend
  FROM journey.spend_report('sp_shop', 'ads', ARRAY['last_touch']);
-- Only since: from February on
SELECT channel, conversions, spend
  FROM journey.spend_report('sp_shop', 'ads', ARRAY['first_touch'], since => '2026-02-01');
-- An empty period: no channel has spend or credit in it, so no rows
SELECT count(*) AS rows FROM journey.spend_report('sp_shop', 'ads', ARRAY['linear'],
                                                   '2026-05-01', '2026-05-01');
-- A model asked twice: its rows once
SELECT count(*) AS rows, count(DISTINCT channel) AS channels
  FROM journey.spend_report('sp_shop', 'ads', ARRAY['linear', 'linear'], '2026-02-01', '2026-03-01');
-- The default models
SELECT DISTINCT model FROM journey.spend_report('sp_shop', 'ads') ORDER BY model;

-- Errors: unknown spend table, period the wrong way round, a column
-- renamed since registration, a day column of another type, a relation
-- that is not a table, a role that may not read the spend table
SELECT * FROM journey.spend_report('sp_shop', 'nope');
SELECT * FROM journey.spend_report('sp_shop', 'ads', ARRAY['linear'], '2026-03-01', '2026-02-01');
\set SHOW_CONTEXT never
ALTER TABLE "Ad Spend" RENAME COLUMN "Cost" TO cost;
SELECT * FROM journey.spend_report('sp_shop', 'ads');
ALTER TABLE "Ad Spend" RENAME COLUMN cost TO "Cost";
INSERT INTO journey.spend VALUES ('bad day', '"Ad Spend"', 'Channel', 'Channel', 'Cost');
INSERT INTO journey.spend VALUES ('no day', '"Ad Spend"', 'Channel', 'Date', 'Cost');
CREATE SEQUENCE sp_seq;
INSERT INTO journey.spend VALUES ('seq', 'sp_seq', 'Channel', 'Day', 'Cost');
CREATE ROLE regress_journey_spender;
GRANT USAGE ON SCHEMA journey, journey_internal TO regress_journey_spender;
GRANT SELECT ON journey.source, journey.spend TO regress_journey_spender;
GRANT SELECT ON sp_events TO regress_journey_spender;
SET ROLE regress_journey_spender;
SELECT * FROM journey.spend_report('sp_shop', 'ads');
RESET ROLE;
GRANT SELECT ("Channel", "Day") ON "Ad Spend" TO regress_journey_spender;
SET ROLE regress_journey_spender;
SELECT * FROM journey.spend_report('sp_shop', 'ads');
RESET ROLE;
GRANT SELECT ON "Ad Spend" TO regress_journey_spender;
SET ROLE regress_journey_spender;
SELECT count(*) FROM journey.spend_report('sp_shop', 'ads');
-- a spend table read through a view another role chose: not trusted
RESET ROLE;
CREATE ROLE regress_journey_spend_owner;
GRANT SELECT ON "Ad Spend" TO regress_journey_spend_owner;
CREATE VIEW sp_other AS SELECT * FROM "Ad Spend";
ALTER VIEW sp_other OWNER TO regress_journey_spend_owner;
GRANT SELECT ON sp_other TO regress_journey_spender;
INSERT INTO journey.spend VALUES ('other', 'sp_other', 'Channel', 'Day', 'Cost');
SET ROLE regress_journey_spender;
SELECT * FROM journey.spend_report('sp_shop', 'other');
-- the registry itself is not writable without a grant
INSERT INTO journey.spend VALUES ('mine', '"Ad Spend"', 'Channel', 'Day', 'Cost');
RESET ROLE;
\set SHOW_CONTEXT errors

-- journey.spend is dumped with the extension's configuration
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) x JOIN pg_class c ON c.oid = x
 WHERE e.extname = 'journey' AND c.relname = 'spend';

DELETE FROM journey.spend;
DELETE FROM journey.source WHERE name = 'sp_shop';
REVOKE ALL ON SCHEMA journey, journey_internal FROM regress_journey_spender;
REVOKE ALL ON journey.source, journey.spend, sp_events, "Ad Spend" FROM regress_journey_spender;
DROP VIEW sp_other;
REVOKE ALL ON "Ad Spend" FROM regress_journey_spend_owner;
DROP ROLE regress_journey_spender, regress_journey_spend_owner;
DROP TABLE sp_events, "Ad Spend";
DROP SEQUENCE sp_seq;
