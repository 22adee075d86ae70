-- From signals to action: moment_coverage, stalled_customers,
-- inactive_customers, the journey.stalled view, the journey.note registry
-- and the per-moment figures of a review cycle.  Every expected number is
-- worked out by hand in the comments, and the lists are checked against a
-- brute force written differently on random data.
\set SHOW_CONTEXT never
SET timezone = 'UTC';

CREATE TABLE act_ev (cust int, at timestamptz, what text, chan text, seg text);
-- c1: visit, signup (3/5), never buys
-- c2: visit, signup exactly 3 days before 3/10 (its channel NULL)
-- c3: signup one microsecond less than 3 days before 3/10
-- c4: signup, buy a day later;  c5: signup and buy at the same instant
-- c6: signup, buy, signup again;  c7: buy, then signup
-- c8: signup, buy only on 3/12;  c9: two visits at one instant, nothing else
INSERT INTO act_ev VALUES
  (1, '2026-03-01 00:00', 'visit', 'Paid', 'A'), (1, '2026-03-05 00:00', 'signup', 'Email', 'A'),
  (2, '2026-03-01 00:00', 'visit', 'Paid', 'B'), (2, '2026-03-07 00:00', 'signup', NULL, 'B'),
  (3, '2026-03-07 00:00:00.000001', 'signup', 'Email', 'A'),
  (4, '2026-03-02 00:00', 'signup', 'Paid', 'B'), (4, '2026-03-03 00:00', 'buy', 'Paid', 'B'),
  (5, '2026-03-02 00:00', 'signup', 'Paid', 'A'), (5, '2026-03-02 00:00', 'buy', 'Email', 'A'),
  (6, '2026-03-01 00:00', 'signup', 'Email', 'B'), (6, '2026-03-02 00:00', 'buy', 'Email', 'B'),
  (6, '2026-03-04 00:00', 'signup', 'Social', 'B'),
  (7, '2026-03-01 00:00', 'buy', 'Paid', 'A'), (7, '2026-03-02 00:00', 'signup', 'Paid', 'A'),
  (8, '2026-03-02 00:00', 'signup', 'Email', 'B'), (8, '2026-03-12 00:00', 'buy', 'Email', 'B'),
  (9, '2026-03-03 00:00', 'visit', 'Paid', 'Z'), (9, '2026-03-03 00:00', 'visit', 'Email', 'A');
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, moment_window)
VALUES ('act', 'act_ev', 'cust', 'at', 'what', 'chan', '3 days');
INSERT INTO journey.moment VALUES ('act', 1, 'Visit', 'visit'), ('act', 2, 'Signup', 'signup'),
  ('act', 3, 'Buy', 'buy');
-- (no index yet: the lists come from one GROUP BY customer pass)
SELECT journey.customer_time_index('act_ev', 'cust', 'at') AS indexed;

-- ---------------------------------------------------------------------
-- Stalled customers
-- ---------------------------------------------------------------------
-- At Signup on 3/10, 3 days: c7 and c8 (3/2, waiting 8 days; c7 bought
-- before it signed up, c8 buys only on 3/12), c6 (latest signup 3/4, its
-- buy was before it), c1 (3/5), c2 (exactly 3 days: listed; its last
-- channel is Paid, its signup having none).  Not c3 (one microsecond
-- short), c4 (moved on), c5 (moved on at the same instant).  Window open
-- (arrival + 3 days >= 3/10) for c2 only, on the edge.  Segments: each
-- customer's first row; c8's last event is its signup (the buy is after).
SELECT * FROM journey.stalled_customers('act', 'Signup', '3 days', 'seg', '2026-03-10');
-- one microsecond less than 3 days lists c3 as well, its window open
SELECT customer_id, waiting, window_open
  FROM journey.stalled_customers('act', 'Signup', '2 days 23:59:59.999999', as_of => '2026-03-10');
-- stalled_for 0: every customer at the moment who has not moved on (c3 too)
SELECT customer_id FROM journey.stalled_customers('act', 'Signup', '0', as_of => '2026-03-10');
-- c8 moves on after being listed: on 3/13 it is gone, c3 is listed now, and
-- the others keep their keys
SELECT customer_id, arrived_at, waiting FROM journey.stalled_customers('act', 'Signup', as_of => '2026-03-13');
SELECT a.customer_id, a.action_key = b.action_key AS same_key
  FROM journey.stalled_customers('act', 'Signup', as_of => '2026-03-10') a
  JOIN journey.stalled_customers('act', 'Signup', as_of => '2026-03-13') b USING (customer_id);
SELECT action_key = md5(ROW('stalled', 'act', 'Signup', '1', extract(epoch FROM timestamptz '2026-03-05'))::text)
       AS key_as_documented
  FROM journey.stalled_customers('act', 'Signup', as_of => '2026-03-10') WHERE customer_id = '1';
-- since: arrivals from 3/4 on only (c6, c1, c2)
SELECT customer_id FROM journey.stalled_customers('act', 'Signup', as_of => '2026-03-10', since => '2026-03-04');
-- At Visit on 3/10: c9 alone (c1 and c2 signed up); segment A (ties at its
-- first instant: the lowest text), last channel Paid (ties: the highest)
SELECT * FROM journey.stalled_customers('act', 'Visit', segment_column => 'seg', as_of => '2026-03-10');

-- ---------------------------------------------------------------------
-- Inactive customers
-- ---------------------------------------------------------------------
-- After Buy on 3/10, 7 days: c7 (bought 3/1, last event 3/2), c5 (3/2),
-- c4 (last event 3/3: exactly 7 days).  Not c6 (signup on 3/4), nor c8 (its
-- buy is after 3/10).
SELECT * FROM journey.inactive_customers('act', 'Buy', '7 days', 'seg', '2026-03-10');
-- one microsecond longer: c4 drops out
SELECT customer_id FROM journey.inactive_customers('act', 'Buy', '7 days 00:00:00.000001', as_of => '2026-03-10');
SELECT action_key = journey.action_key('inactive', 'act', 'Buy', '4', '2026-03-03') AS key_as_documented
  FROM journey.inactive_customers('act', 'Buy', '7 days', as_of => '2026-03-10') WHERE customer_id = '4';

-- ---------------------------------------------------------------------
-- The same lists through an index on (customer, time)
-- ---------------------------------------------------------------------
CREATE TEMP VIEW act_lists_now AS
SELECT k, s.* FROM (VALUES (1), (2), (3)) k(k),
       LATERAL (SELECT customer_id, arrived_at, segment, last_channel, last_event_at, action_key
                  FROM journey.stalled_customers('act', CASE k WHEN 1 THEN 'Visit' ELSE 'Signup' END,
                                                 '1 day', 'seg', CASE k WHEN 3 THEN '2026-03-13'::timestamptz ELSE '2026-03-10' END)
                UNION ALL
                SELECT customer_id, arrived_at, segment, last_channel, last_event_at, action_key
                  FROM journey.inactive_customers('act', 'Buy', '1 day', 'seg',
                                                  CASE k WHEN 3 THEN '2026-03-13'::timestamptz ELSE '2026-03-10' END)) s;
CREATE TEMP TABLE act_lists AS TABLE act_lists_now;
CREATE INDEX ON act_ev (cust, at);
SELECT journey.customer_time_index('act_ev', 'cust', 'at') AS indexed;
CREATE TEMP TABLE act_lists_indexed AS TABLE act_lists_now;
SELECT (SELECT count(*) FROM act_lists) AS rows,
       (SELECT count(*) FROM (TABLE act_lists EXCEPT ALL TABLE act_lists_indexed) d) AS only_plain,
       (SELECT count(*) FROM (TABLE act_lists_indexed EXCEPT ALL TABLE act_lists) d) AS only_indexed;
-- a partial index, or one that starts elsewhere, is no such index
CREATE TABLE act_idx (cust int, at timestamptz, what text);
CREATE INDEX ON act_idx (cust, at) WHERE what = 'x';
CREATE INDEX ON act_idx (at, cust);
CREATE INDEX ON act_idx USING hash (cust);
SELECT journey.customer_time_index('act_idx', 'cust', 'at') AS indexed;
DROP TABLE act_idx;

-- ---------------------------------------------------------------------
-- Moments without a next moment, empty sources, errors
-- ---------------------------------------------------------------------
SELECT * FROM journey.stalled_customers('act', 'Buy');
CREATE TABLE act_empty (cust int, at timestamptz, what text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('act_empty', 'act_empty', 'cust', 'at', 'what');
INSERT INTO journey.moment VALUES ('act_empty', 1, 'One', 'x'), ('act_empty', 2, 'Two', 'y');
SELECT * FROM journey.stalled_customers('act_empty', 'One', '0');
SELECT * FROM journey.inactive_customers('act_empty', 'Two', '0');
SELECT * FROM journey.moment_coverage('act_empty');
SELECT * FROM journey.stalled_customers(NULL, 'Signup');
SELECT * FROM journey.stalled_customers('nope', 'Signup');
SELECT * FROM journey.stalled_customers('act', NULL);
SELECT * FROM journey.stalled_customers('act', 'Nope');
SELECT * FROM journey.stalled_customers('act', 'Signup', NULL);
SELECT * FROM journey.stalled_customers('act', 'Signup', '-1 microsecond');
SELECT * FROM journey.stalled_customers('act', 'Signup', as_of => NULL);
SELECT * FROM journey.stalled_customers('act', 'Signup', as_of => 'infinity');
SELECT * FROM journey.stalled_customers('act', 'Signup', since => '-infinity');
SELECT * FROM journey.stalled_customers('act', 'Signup', segment_column => 'nope');
SELECT * FROM journey.inactive_customers('act', 'Buy', NULL);
SELECT * FROM journey.inactive_customers('act', 'Buy', '-1 day');
SELECT * FROM journey.inactive_customers('nope', 'Buy');
SELECT * FROM journey.moment_coverage(NULL);
SELECT * FROM journey.moment_coverage('nope');
SELECT * FROM journey.moment_coverage('act', '0');
SELECT * FROM journey.moment_coverage('act', '-1 day');
SELECT * FROM journey.moment_coverage('act', NULL);
SELECT * FROM journey.moment_coverage('act', dark_share => 1.5);
SELECT * FROM journey.moment_coverage('act', dark_share => -0.1);
SELECT * FROM journey.moment_coverage('act', dark_share => 'NaN');
SELECT * FROM journey.moment_coverage('act', dark_share => NULL);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('act_bare', 'act_empty', 'cust', 'at', 'what');
SELECT * FROM journey.moment_coverage('act_bare');
SELECT * FROM journey.stalled_counts('act_bare');
SELECT * FROM journey.stalled_counts('nope');
SELECT * FROM journey.stalled_counts('act', '-1 second');
SELECT * FROM journey.stalled_counts('act', as_of => NULL);
SELECT * FROM journey.stalled_counts('act', as_of => '-infinity');
SELECT * FROM journey.stalled_counts('act', since => 'infinity');
SELECT * FROM journey.stalled_counts('act_empty');
SELECT * FROM journey.stalled_customers('act_bare', 'One');
DELETE FROM journey.source WHERE name = 'act_bare';
-- a role that may not read the relation is told so before anything is read
CREATE ROLE action_reader;
GRANT USAGE ON SCHEMA journey, journey_internal TO action_reader;
GRANT SELECT ON journey.source, journey.moment, journey.stalled TO action_reader;
SET ROLE action_reader;
SELECT * FROM journey.stalled_customers('act', 'Signup');
SELECT * FROM journey.inactive_customers('act', 'Buy');
SELECT * FROM journey.moment_coverage('act');
SELECT * FROM journey.stalled_counts('act');
-- the view leaves out what the role cannot read
SELECT count(*) FROM journey.stalled WHERE source = 'act';
RESET ROLE;
-- the channel column too (every registered column is checked)
GRANT SELECT (cust, at, what) ON act_ev TO action_reader;
SET ROLE action_reader;
SELECT * FROM journey.stalled_customers('act', 'Signup');
RESET ROLE;
REVOKE SELECT (cust, at, what) ON act_ev FROM action_reader;

-- ---------------------------------------------------------------------
-- Coverage
-- ---------------------------------------------------------------------
-- Visit: c1, c2, c9 reached it; c1 (signup 4 days on) and c2 (6 days on)
-- have later data, c9 nothing strictly later: 2 of 3, one event type
-- (signup), median gap 5 days.  Signup (first arrival): 8 customers; later
-- data for c4 (buy, 1 day), c6 (buy 1 day, signup), c8 (buy, 10 days):
-- 3/8, two types, median 1 day (c5's buy is at the same instant: not
-- later).  Buy: c4, c5, c6, c7, c8; later data for c6 (signup, 2 days) and
-- c7 (signup, 1 day): 2/5, one type, median 1 day 12 hours.
SELECT * FROM journey.moment_coverage('act');
-- dark_share 0.5: Signup (0.375) and Buy (0.4) are dark
SELECT position, dark FROM journey.moment_coverage('act', dark_share => 0.5);
-- a one-day horizon: Visit 0/3 (dark, its median gap unchanged), Signup
-- 2/8 (c4's buy exactly a day later counts, c6's; one type), Buy 1/5 = 0.2
-- (c7): not dark at dark_share 0.2, which asks for a share below it
SELECT * FROM journey.moment_coverage('act', '1 day');
-- events from 3/2 until 3/10: Visit c9 alone (0/1, dark); Signup 8 (c6
-- arrives 3/4), later data for c4 only (c8's buy is outside): 1/8, dark;
-- Buy c4, c5, c6 (c7's buy is before 3/2): c6's signup 2 days on, 1/3
SELECT * FROM journey.moment_coverage('act', since => '2026-03-02', until => '2026-03-10');

-- ---------------------------------------------------------------------
-- Random sources against a brute force
-- ---------------------------------------------------------------------
-- 300 customers, events a/b/c/x at whole minutes over 10 days (ties and
-- repeats on purpose), checked against correlated subqueries per customer
SELECT setseed(0.47);
CREATE TABLE act_rand AS
SELECT (random() * 300)::int AS cust,
       '2026-05-01'::timestamptz + ((random() * 14400)::int) * interval '1 minute' AS at,
       (ARRAY['a', 'b', 'c', 'x'])[1 + (random() * 3)::int] AS what,
       (ARRAY['Email', 'Paid', NULL])[1 + (random() * 2)::int] AS chan,
       (ARRAY['k', 'l'])[1 + (random() * 1)::int] AS seg
  FROM generate_series(1, 3000);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
VALUES ('act_rand', 'act_rand', 'cust', 'at', 'what', 'chan');
INSERT INTO journey.moment VALUES ('act_rand', 1, 'A', 'a'), ('act_rand', 2, 'B', 'b'), ('act_rand', 3, 'C', 'c');
CREATE FUNCTION act_brute(mom text, nxt text, wait interval, as_of timestamptz)
RETURNS TABLE (customer_id text, arrived_at timestamptz, segment text, last_channel text,
               last_event_at timestamptz)
LANGUAGE sql AS $$
	SELECT c.cust::text, c.arr,
	       (SELECT r.seg FROM act_rand r WHERE r.cust = c.cust AND r.at < as_of
	         ORDER BY r.at, r.seg COLLATE "C" LIMIT 1),
	       (SELECT r.chan FROM act_rand r WHERE r.cust = c.cust AND r.at < as_of AND r.chan IS NOT NULL
	         ORDER BY r.at DESC, r.chan COLLATE "C" DESC LIMIT 1),
	       (SELECT max(r.at) FROM act_rand r WHERE r.cust = c.cust AND r.at < as_of)
	  FROM (SELECT DISTINCT r.cust,
	               (SELECT max(r2.at) FROM act_rand r2
	                 WHERE r2.cust = r.cust AND r2.what = mom AND r2.at < as_of) AS arr
	          FROM act_rand r) c
	 WHERE c.arr IS NOT NULL
	   AND CASE WHEN nxt IS NULL
	            THEN (SELECT max(r.at) FROM act_rand r WHERE r.cust = c.cust AND r.at < as_of) <= as_of - wait
	            ELSE c.arr <= as_of - wait
	                 AND NOT EXISTS (SELECT 1 FROM act_rand r WHERE r.cust = c.cust AND r.what = nxt
	                                    AND r.at >= c.arr AND r.at < as_of) END
$$;
CREATE TEMP TABLE act_cases AS
SELECT * FROM (VALUES ('A', 'b'), ('B', 'c'), ('C', NULL)) m(mom, nxt),
       (VALUES (interval '0'), (interval '1 day'), (interval '2 days 00:07')) w(wait),
       (VALUES (timestamptz '2026-05-04'), ('2026-05-08 12:34'), ('2026-06-01')) a(as_of);
CREATE TEMP VIEW act_ours_now AS
SELECT c.mom, c.wait, c.as_of, s.customer_id, s.arrived_at, s.segment, s.last_channel, s.last_event_at
  FROM act_cases c,
       LATERAL (SELECT customer_id, arrived_at, segment, last_channel, last_event_at
                  FROM journey.stalled_customers('act_rand', c.mom, c.wait, 'seg', c.as_of)
                 WHERE c.nxt IS NOT NULL
                UNION ALL
                SELECT customer_id, arrived_at, segment, last_channel, last_event_at
                  FROM journey.inactive_customers('act_rand', c.mom, c.wait, 'seg', c.as_of)
                 WHERE c.nxt IS NULL) s;
CREATE TEMP TABLE act_ours AS TABLE act_ours_now;
CREATE INDEX ON act_rand (cust, at);
-- (the brute force reads through the index too, only to be quick)
CREATE TEMP TABLE act_truth AS
SELECT c.mom, c.wait, c.as_of, b.* FROM act_cases c, LATERAL act_brute(lower(c.mom), c.nxt, c.wait, c.as_of) b;
CREATE TEMP TABLE act_ours_indexed AS TABLE act_ours_now;
-- (many rows, none differing)
SELECT (SELECT count(*) FROM act_truth) > 500 AS many,
       (SELECT count(DISTINCT (mom, wait, as_of)) FROM act_truth) AS cases_with_rows,
       (SELECT count(*) FROM (TABLE act_ours EXCEPT ALL TABLE act_truth) d) AS ours_only,
       (SELECT count(*) FROM (TABLE act_truth EXCEPT ALL TABLE act_ours) d) AS truth_only,
       (SELECT count(*) FROM (TABLE act_ours_indexed EXCEPT ALL TABLE act_truth) d) AS indexed_only,
       (SELECT count(*) FROM (TABLE act_truth EXCEPT ALL TABLE act_ours_indexed) d) AS truth_only_indexed;
-- stalled_counts counts what stalled_customers lists, every moment at once
SELECT count(*) AS cases,
       count(*) FILTER (WHERE k.stalled IS DISTINCT FROM
                        CASE WHEN k.position < 3 THEN
                             (SELECT count(*) FROM act_truth t
                               WHERE t.mom = k.moment AND t.wait = c.wait AND t.as_of = c.as_of) END)
         AS differing
  FROM (SELECT DISTINCT wait, as_of FROM act_cases) c,
       LATERAL journey.stalled_counts('act_rand', c.wait, c.as_of) k;
SELECT position, moment, stalled FROM journey.stalled_counts('act_rand', '1 day', '2026-05-08 12:34', '2026-05-05');
SELECT count(*) AS listed FROM journey.stalled_customers('act_rand', 'A', '1 day', as_of => '2026-05-08 12:34', since => '2026-05-05');
SELECT count(*) AS listed FROM journey.stalled_customers('act_rand', 'B', '1 day', as_of => '2026-05-08 12:34', since => '2026-05-05');
-- with since, stalled_counts reads the rows from since on alone (the rows
-- of a review cycle): the counts of stalled_customers, which reads every
-- row before as_of
SELECT count(*) AS cases, count(*) FILTER (WHERE k.stalled > 0) AS with_stalled,
       count(*) FILTER (WHERE k.stalled IS DISTINCT FROM
                        CASE WHEN k.position < 3 THEN
                             (SELECT count(*) FROM journey.stalled_customers('act_rand', k.moment, c.wait,
                                                                             as_of => c.as_of,
                                                                             since => s.since)) END)
         AS differing
  FROM (SELECT DISTINCT wait, as_of FROM act_cases) c,
       (VALUES (timestamptz '2026-04-20'), ('2026-05-01'), ('2026-05-03 06:00'), ('2026-05-05')) s(since),
       LATERAL journey.stalled_counts('act_rand', c.wait, c.as_of, s.since) k;
-- coverage against a brute force: per moment, customers with its event, with
-- a later event within 2 days, the event types there, the median gap
WITH arr AS (
	SELECT m.position, r.cust, min(r.at) AS t
	  FROM journey.moment m JOIN act_rand r ON r.what = m.event_name
	 WHERE m.source = 'act_rand' GROUP BY m.position, r.cust
)
SELECT a.position, count(*) AS reached,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM act_rand r WHERE r.cust = a.cust
                                        AND r.at > a.t AND r.at <= a.t + interval '2 days')) AS with_data,
       (SELECT count(DISTINCT r.what) FROM arr b JOIN act_rand r ON r.cust = b.cust
         WHERE b.position = a.position AND r.at > b.t AND r.at <= b.t + interval '2 days') AS types,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY (SELECT min(r.at) FROM act_rand r
                                                     WHERE r.cust = a.cust AND r.at > a.t) - a.t) AS median_gap
  FROM arr a GROUP BY a.position
EXCEPT
SELECT position, customers_reached, customers_with_data, event_types_after, median_silent_gap
  FROM journey.moment_coverage('act_rand', '2 days');
SELECT position, customers_reached > 200 AS many FROM journey.moment_coverage('act_rand', '2 days');

-- ---------------------------------------------------------------------
-- The view for automation tools
-- ---------------------------------------------------------------------
-- now: Visit c9; Signup c1, c2, c3, c6, c7 (c8 has bought); nothing at Buy
SELECT position, moment, customer_id, arrived_at, last_channel, last_event_at, window_open,
       seconds_waiting = extract(epoch FROM now() - arrived_at) AS waiting_ok,
       action_key = journey.action_key('stalled', source, moment, customer_id, arrived_at) AS key_ok
  FROM journey.stalled WHERE source = 'act' ORDER BY position, arrived_at, customer_id;
SELECT a.attname, col_description(a.attrelid, a.attnum) IS NOT NULL AS commented,
       format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a WHERE a.attrelid = 'journey.stalled'::regclass AND a.attnum > 0 ORDER BY a.attnum;

-- ---------------------------------------------------------------------
-- Notes
-- ---------------------------------------------------------------------
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('act', 'early March', '2026-03-01', '2026-03-05'), ('act', 'mid March', '2026-03-06', '2026-03-10');
INSERT INTO journey.note (source, moment, customer_id, noted_at, origin, theme, body, recorded_at) VALUES
  ('act', 'Signup', '1', '2026-03-02 10:00', 'survey', 'price', 'Too expensive for a small team.', '2026-03-02 11:00'),
  ('act', 'Signup', '7', '2026-03-04 23:59:59', 'support ticket', 'price', 'Is there a monthly plan?', '2026-03-20'),
  ('act', 'Signup', NULL, '2026-03-03', NULL, 'setup help', 'Could not find the import button.', '2026-03-03'),
  ('act', 'Buy', '4', NULL, 'sales call', 'delivery', 'Wants delivery before the weekend.', '2026-03-08'),
  ('act', 'Visit', NULL, '2026-03-20', 'survey', 'price', 'Prices are hidden.', '2026-03-20');
-- early March: Signup price 2 (customers 1 and 7), setup help 1; mid March:
-- Buy delivery 1 (recorded then, no noted_at); the 3/20 note is in no cycle
SELECT source, cycle, position, moment, theme, notes, customers
  FROM journey.review_heard WHERE source = 'act' ORDER BY cycle_id, position, notes DESC, theme;
SELECT c.name, journey.cycle_heard(c.id) FROM journey.review_cycle c WHERE c.source = 'act' ORDER BY c.starts_on;
-- refusals
INSERT INTO journey.note (source, moment, theme, body) VALUES ('nope', 'Signup', 'price', 'x');
INSERT INTO journey.note (source, moment, theme, body) VALUES ('act', 'Nope', 'price', 'x');
INSERT INTO journey.note (source, moment, theme, body) VALUES ('act', 'Signup', ' ', 'x');
INSERT INTO journey.note (source, moment, theme, body) VALUES ('act', 'Signup', NULL, 'x');
INSERT INTO journey.note (source, moment, theme, body) VALUES ('act', 'Signup', 'price', '');
INSERT INTO journey.note (source, moment, customer_id, theme, body) VALUES ('act', 'Signup', '', 'price', 'x');
INSERT INTO journey.note (source, moment, origin, theme, body) VALUES ('act', 'Signup', ' ', 'price', 'x');
INSERT INTO journey.note (source, moment, noted_at, theme, body) VALUES ('act', 'Signup', 'infinity', 'price', 'x');
INSERT INTO journey.note (source, moment, theme, body, recorded_at) VALUES ('act', 'Signup', 'price', 'x', '-infinity');
UPDATE journey.note SET moment = 'Nope' WHERE theme = 'delivery';
-- a moment with notes cannot be deleted; renames carry over
DELETE FROM journey.moment WHERE source = 'act' AND name = 'Buy';
UPDATE journey.moment SET name = 'Purchase' WHERE source = 'act' AND name = 'Buy';
UPDATE journey.source SET name = 'act2' WHERE name = 'act';
SELECT source, moment, theme FROM journey.note WHERE theme = 'delivery';
UPDATE journey.source SET name = 'act' WHERE name = 'act2';
UPDATE journey.moment SET name = 'Buy' WHERE source = 'act' AND name = 'Purchase';
-- notes are the registry's: a role without grants can neither read nor write them
SET ROLE action_reader;
SELECT count(*) FROM journey.note;
INSERT INTO journey.note (source, moment, theme, body) VALUES ('act', 'Signup', 'price', 'x');
SELECT count(*) FROM journey.review_heard;
RESET ROLE;
SELECT grantee, privilege_type FROM information_schema.role_table_grants
 WHERE table_schema = 'journey' AND table_name = 'note' AND grantee <> current_user;
SELECT relname, c.relacl IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM aclexplode(c.relacl) x WHERE x.grantee = 0) AS nothing_to_public
  FROM pg_class c WHERE c.oid IN ('journey.note'::regclass, 'journey.note_id_seq'::regclass) ORDER BY 1;
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) t(oid) JOIN pg_class c ON c.oid = t.oid
 WHERE e.extname = 'journey' AND c.relname LIKE 'note%' ORDER BY 1;

-- ---------------------------------------------------------------------
-- Per moment at the end of a review cycle
-- ---------------------------------------------------------------------
-- early March (events 3/1 to 3/5): Visit c1, c2, c9, later data for c1 only
-- (c2's signup is after the cycle): 1/3; Signup c1, c4, c5, c6, c7, c8,
-- later data for c4 and c6: 2/6; Buy c4, c5, c6, c7, later data for c6 and
-- c7: 2/4.  Stalled at its end (3/6) among arrivals from 3/1: Visit c2
-- (its signup is later) and c9 (3 days exactly); Signup c7, c8 (c1 and c6
-- arrived less than 3 days before).  Notes: Signup 3.
-- mid March: nobody visits or buys (dark, no share); Signup c2 and c3,
-- no later data (dark), both stalled at 3/11; Buy 1 note.
SELECT cycle, position, moment, round(share_with_data::numeric, 4) AS share, dark, stalled, notes
  FROM journey.review_moments WHERE source = 'act' ORDER BY cycle_id, position;
-- the review: early March has no dark moment, 4 stalled (2 + 2), 3 notes;
-- mid March 3 dark moments, 2 stalled, 1 note
SELECT cycle, moments, moments_dark, customers_stalled, notes, heard
  FROM journey.review WHERE source = 'act' ORDER BY starts_on;
-- its rich form carries the same figures
SELECT r.cycle, jsonb_path_query_array(d.moments, '$[*].stalled') AS stalled,
       jsonb_path_query_array(d.moments, '$[*].dark') AS dark,
       jsonb_path_query_array(d.moments, '$[*].notes') AS notes, d.heard
  FROM journey.review r, journey.review_details(r.cycle_id) d
 WHERE r.source = 'act' ORDER BY r.starts_on;
SELECT bool_and((m.value ->> 'share_with_data')::float8 IS NOT DISTINCT FROM rm.share_with_data
                AND (m.value ->> 'stalled')::bigint IS NOT DISTINCT FROM rm.stalled) AS same
  FROM journey.review r, journey.review_details(r.cycle_id) d,
       jsonb_array_elements(d.moments) m, journey.review_moments rm
 WHERE r.source = 'act' AND rm.cycle_id = r.cycle_id AND rm.moment = m.value ->> 'moment';
-- a role that reads the relation but not its channel column gets the same
-- figures (the counts do not read it), though not the lists
CREATE ROLE action_analyst;
GRANT USAGE ON SCHEMA journey, journey_internal TO action_analyst;
GRANT SELECT ON journey.source, journey.moment, journey.review_cycle, journey.note,
      journey.review_moments TO action_analyst;
GRANT SELECT (cust, at, what, seg) ON act_ev TO action_analyst;
SET ROLE action_analyst;
SELECT cycle, position, round(share_with_data::numeric, 4) AS share, dark, stalled, notes
  FROM journey.review_moments WHERE source = 'act' ORDER BY cycle_id, position;
SELECT count(*) FROM journey.stalled_customers('act', 'Signup');
RESET ROLE;
DROP OWNED BY action_analyst;
DROP ROLE action_analyst;
DELETE FROM journey.note WHERE source = 'act';
DELETE FROM journey.review_cycle WHERE source = 'act';
DELETE FROM journey.source WHERE name IN ('act', 'act_empty', 'act_rand');
DROP TABLE act_ev, act_empty, act_rand;
DROP FUNCTION act_brute;
DROP OWNED BY action_reader;
DROP ROLE action_reader;
