-- moment_report and the moment_conversion view.
\set SHOW_CONTEXT never
SET timezone = 'UTC';
CREATE TABLE rep_events (cust int, at timestamptz, what text, chan text);
-- customer 1: a b c d within a day; 2: a b, then c too late (9 days);
-- 3: a only; 4: b c without a; 5: a b c, d outside the window;
-- 6 (Email first, Paid later): a b c d
INSERT INTO rep_events VALUES
  (1, '2026-03-01 10:00', 'a', 'Paid'), (1, '2026-03-01 11:00', 'b', 'Paid'),
  (1, '2026-03-01 12:00', 'c', 'Paid'), (1, '2026-03-01 13:00', 'd', 'Paid'),
  (2, '2026-03-02 10:00', 'a', 'Email'), (2, '2026-03-02 10:30', 'b', 'Email'),
  (2, '2026-03-11 10:00', 'c', 'Email'),
  (3, '2026-03-03 09:00', 'a', 'Paid'),
  (4, '2026-03-04 09:00', 'b', 'Email'), (4, '2026-03-04 10:00', 'c', 'Email'),
  (5, '2026-03-05 09:00', 'a', 'Paid'), (5, '2026-03-05 09:30', 'x', 'Paid'),
  (5, '2026-03-06 09:00', 'b', 'Paid'), (5, '2026-03-07 09:00', 'c', 'Paid'),
  (5, '2026-03-20 09:00', 'd', 'Paid'),
  (6, '2026-03-08 08:00', 'a', 'Email'), (6, '2026-03-08 08:10', 'b', 'Paid'),
  (6, '2026-03-08 08:20', 'c', 'Paid'), (6, '2026-03-08 08:40', 'd', 'Paid');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
VALUES ('shop', 'rep_events', 'cust', 'at', 'what', 'chan');
INSERT INTO journey.moment VALUES ('shop', 1, 'Arrive', 'a'), ('shop', 2, 'Browse', 'b'),
  ('shop', 3, 'Cart', 'c'), ('shop', 4, 'Buy', 'd'), ('shop', 5, 'Return', 'r');

-- default window (7 days): reached 5 4 3 2 0
SELECT * FROM journey.moment_report('shop');
-- a one-hour window
SELECT position, moment, customers_reached, customers_next, median_time_to_next
  FROM journey.moment_report('shop', '1 hour');
-- the report agrees with window_funnel itself
SELECT lvl, count(*) FROM (
  SELECT cust, journey.window_funnel(at, '7 days', what = 'a', what = 'b', what = 'c', what = 'd', what = 'r') AS lvl
    FROM rep_events GROUP BY cust) x GROUP BY lvl ORDER BY lvl;
-- by segment: the channel of each customer's first event
SELECT segment, position, moment, customers_reached, customers_next, conversion_rate
  FROM journey.moment_report('shop', segment_column => 'chan') WHERE position <= 3;
-- a period: events since (inclusive) until (exclusive); the arguments are
-- named without quotes
SELECT position, customers_reached, customers_next
  FROM journey.moment_report('shop', since => '2026-03-02', until => '2026-03-08') WHERE position <= 3;
SELECT position, customers_reached
  FROM journey.moment_report('shop', conversion_window => '1 hour') WHERE position <= 2;

-- the view: every source with moments, default window
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('empty', 'rep_events', 'cust', 'at', 'what');
SELECT source, position, moment, customers_reached FROM journey.moment_conversion ORDER BY source, position;

-- errors
SELECT * FROM journey.moment_report('nope');
SELECT * FROM journey.moment_report(NULL);
SELECT * FROM journey.moment_report('empty');
SELECT * FROM journey.moment_report('shop', segment_column => 'channel');
SELECT * FROM journey.moment_report('shop', '-1 day');
-- a registered column dropped since
ALTER TABLE rep_events RENAME COLUMN what TO what2;
SELECT * FROM journey.moment_report('shop');
ALTER TABLE rep_events RENAME COLUMN what2 TO what;
-- ... or its time column no longer of a time type
ALTER TABLE rep_events ALTER COLUMN at TYPE text;
SELECT * FROM journey.moment_report('shop');
ALTER TABLE rep_events ALTER COLUMN at TYPE timestamptz USING at::timestamptz;
-- a registered relation dropped since (regclass keeps no dependency)
CREATE TABLE rep_gone (cust int, at timestamptz, what text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('gone', 'rep_gone', 'cust', 'at', 'what');
INSERT INTO journey.moment VALUES ('gone', 1, 'first', 'a'), ('gone', 2, 'second', 'b');
DROP TABLE rep_gone;
-- (terse: the message; its detail names the dropped OID, which varies)
\set VERBOSITY terse
SELECT * FROM journey.moment_report('gone');
\set VERBOSITY default
DELETE FROM journey.moment WHERE source = 'gone';
DELETE FROM journey.source WHERE name = 'gone';

-- hostile names cannot inject SQL: they are identifiers and values, never text
CREATE TABLE rep_victim (id int);
INSERT INTO rep_victim VALUES (1);
CREATE TABLE "rep""; DROP TABLE rep_victim; --" (
  "c""; DROP TABLE rep_victim; --" int,
  "t'); DROP TABLE rep_victim; --" timestamptz,
  "e"" = '' OR true); DROP TABLE rep_victim; --" text,
  "s') || (SELECT 1/0) || ('" text);
INSERT INTO "rep""; DROP TABLE rep_victim; --" VALUES
  (1, '2026-03-01 10:00', 'a''; DROP TABLE rep_victim; --', 'x''y'),
  (1, '2026-03-01 11:00', 'b', 'x''y');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('evil''; DROP TABLE rep_victim; --', '"rep""; DROP TABLE rep_victim; --"',
        'c"; DROP TABLE rep_victim; --', 't''); DROP TABLE rep_victim; --',
        'e" = '''' OR true); DROP TABLE rep_victim; --');
INSERT INTO journey.moment VALUES
  ('evil''; DROP TABLE rep_victim; --', 1, 'first', 'a''; DROP TABLE rep_victim; --'),
  ('evil''; DROP TABLE rep_victim; --', 2, 'second', 'b');
SELECT segment, position, moment, customers_reached, customers_next
  FROM journey.moment_report('evil''; DROP TABLE rep_victim; --',
                             segment_column => 's'') || (SELECT 1/0) || (''');
SELECT * FROM journey.moment_report('shop', segment_column => 'chan"; DROP TABLE rep_victim; --');
SELECT count(*) AS victim_rows FROM rep_victim;
-- a segment column name longer than an identifier is not silently truncated
SELECT * FROM journey.moment_report('shop', segment_column => 'chan' || repeat('x', 70));

-- a source with more moments than a funnel has steps (the registry allows it,
-- with a notice) cannot be reported
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('long', 'rep_events', 'cust', 'at', 'what');
INSERT INTO journey.moment SELECT 'long', k, 'm' || k, 'e' || k FROM generate_series(1, 33) k;
SELECT * FROM journey.moment_report('long');
DELETE FROM journey.moment WHERE source = 'long';

DELETE FROM journey.source;
DROP TABLE rep_events, rep_victim, "rep""; DROP TABLE rep_victim; --";
