-- 42_signals: Fisher's exact test and the conversion drivers of a moment.
-- Every expected number comes from test/reference/signals.py (scipy 1.10,
-- statsmodels 0.13), which prints it with its source; values are compared
-- at a relative 1e-9 (ok) and shown rounded.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET timezone = 'UTC';

------------------------------------------------------------------------
-- fisher_exact_test(a, b, c, d): two-sided p of [[a, b], [c, d]]
------------------------------------------------------------------------

-- scipy.stats.fisher_exact(table)[1] for each table
WITH ref(a, b, c, d, p) AS (VALUES
	(8, 2, 1, 5, 0.034965034965034975::float8),
	(3, 1, 1, 3, 0.48571428571428565),	-- the tea-tasting table
	(0, 10, 5, 5, 0.032507739938080496),	-- a zero cell
	(100000, 99000, 98000, 101000, 2.3369293325374014e-10),	-- large counts
	(1, 0, 0, 1, 1.0),
	(30, 70, 45, 55, 0.040534006514982644),
	(2, 7, 8, 2, 0.02301413756522116),
	(20, 5, 0, 30, 1.0520015265402686e-10),
	(5, 0, 0, 5, 0.007936507936507938),	-- both tails, tied
	(1, 2, 3, 4, 1.0),	-- the most likely table
	(100, 1, 1, 100, 5.661471233318792e-56),	-- far tail
	(1000, 1500, 1200, 1300, 1.4059586625070915e-08))
SELECT a, b, c, d, p AS scipy,
	   abs(journey.fisher_exact_test(a, b, c, d) / p - 1) < 1e-9 AS ok
  FROM ref;

-- an empty row or column leaves one table: p = 1 (scipy: 1.0 for [[0, 0], [3, 4]])
SELECT journey.fisher_exact_test(0, 0, 3, 4) AS empty_row,
	   journey.fisher_exact_test(0, 3, 0, 4) AS empty_column,
	   journey.fisher_exact_test(0, 0, 0, 0) AS empty;

-- properties: the same p for the transposed table, for the rows swapped,
-- and for the columns swapped (the test is two-sided)
SELECT abs(journey.fisher_exact_test(30, 70, 45, 55) / journey.fisher_exact_test(30, 45, 70, 55) - 1) < 1e-12 AS transposed,
	   abs(journey.fisher_exact_test(30, 70, 45, 55) / journey.fisher_exact_test(45, 55, 30, 70) - 1) < 1e-12 AS rows_swapped,
	   abs(journey.fisher_exact_test(30, 70, 45, 55) / journey.fisher_exact_test(70, 30, 55, 45) - 1) < 1e-12 AS columns_swapped;

-- brute force: the sum of the hypergeometric probabilities (exact in
-- numeric) of every table no more likely than the observed one
CREATE FUNCTION fisher_brute(a int, b int, c int, d int) RETURNS float8
LANGUAGE sql AS $$
	WITH p AS (
		SELECT x, factorial(a + b) * factorial(c + d) * factorial(a + c) * factorial(b + d)
				  / (factorial(a + b + c + d) * factorial(x) * factorial(a + b - x)
					 * factorial(a + c - x) * factorial(d - a + x)) AS pr
		  FROM generate_series(greatest(0, a - d), least(a + b, a + c)) x
	)
	SELECT sum(p.pr)::float8 FROM p
	 WHERE p.pr <= (SELECT q.pr FROM p q WHERE q.x = a) * (1 + 1e-7)
$$;
SELECT count(*) AS tables, bool_and(abs(journey.fisher_exact_test(a, b, c, d) /
										fisher_brute(a, b, c, d) - 1) < 1e-9) AS all_ok
  FROM generate_series(0, 6) a, generate_series(0, 6) b, generate_series(0, 6) c,
	   generate_series(1, 6) d
 WHERE a + b > 0 AND a + c > 0;

-- at the limit of 2^53 units, and one past it (and past bigint)
SELECT journey.fisher_exact_test(4503599627370496, 0, 0, 4503599627370496) AS at_limit,
	   journey.fisher_exact_test(4503599627370495, 1, 1, 4503599627370495) > 0 AS near_limit;
SELECT journey.fisher_exact_test(4503599627370496, 0, 0, 4503599627370497);
SELECT journey.fisher_exact_test(9223372036854775807, 1, 0, 0);
-- errors
SELECT journey.fisher_exact_test(-1, 2, 3, 4);
SELECT journey.fisher_exact_test(1, 2, 3, -4);

------------------------------------------------------------------------
-- conversion_drivers(source, moment, signal_column, min_customers, ...)
------------------------------------------------------------------------

-- 60 customers visit (the moment); those with i even or a multiple of 7
-- sign up (the next moment) two days later.  Their events: demo (i even),
-- pricing (i % 3 = 0), chat (i % 5 = 0), faq (i <= 24), help (i <= 25),
-- after signing up "late" (no signal: after moving on), for those who
-- drop off "inwin" at six days (in the window: a signal) and "late2" at
-- eight days (past the window: none).  Every tenth also visits again a
-- day later, with medium cpc.  test/reference/signals.py builds the same
-- events and counts by its own rules.
CREATE TABLE sig_events (customer int, at timestamptz, what text, medium text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
							channel_column)
VALUES ('sig', 'sig_events', 'customer', 'at', 'what', 'medium');
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('sig', 1, 'visit', 'visit'), ('sig', 2, 'signup', 'signup'), ('sig', 3, 'purchase', 'purchase');
INSERT INTO sig_events
SELECT i, t0, 'visit', CASE i % 4 WHEN 0 THEN 'email' WHEN 1 THEN 'cpc' WHEN 2 THEN 'organic' END
  FROM generate_series(1, 60) i, LATERAL (SELECT '2026-02-01'::timestamptz + (i % 6) * interval '1 day'
												 + i * interval '1 hour' AS t0) z
UNION ALL SELECT i, t0 + interval '1 hour', 'demo', NULL FROM generate_series(1, 60) i,
	LATERAL (SELECT '2026-02-01'::timestamptz + (i % 6) * interval '1 day' + i * interval '1 hour' AS t0) z
	WHERE i % 2 = 0
UNION ALL SELECT i, t0 + interval '2 hours', 'pricing', NULL FROM generate_series(1, 60) i,
	LATERAL (SELECT '2026-02-01'::timestamptz + (i % 6) * interval '1 day' + i * interval '1 hour' AS t0) z
	WHERE i % 3 = 0
UNION ALL SELECT i, t0 + interval '3 hours', 'chat', NULL FROM generate_series(1, 60) i,
	LATERAL (SELECT '2026-02-01'::timestamptz + (i % 6) * interval '1 day' + i * interval '1 hour' AS t0) z
	WHERE i % 5 = 0
UNION ALL SELECT i, t0 + interval '4 hours', 'faq', NULL FROM generate_series(1, 24) i,
	LATERAL (SELECT '2026-02-01'::timestamptz + (i % 6) * interval '1 day' + i * interval '1 hour' AS t0) z
UNION ALL SELECT i, t0 + interval '4 hours', 'help', NULL FROM generate_series(1, 25) i,
	LATERAL (SELECT '2026-02-01'::timestamptz + (i % 6) * interval '1 day' + i * interval '1 hour' AS t0) z
UNION ALL SELECT i, t0 + CASE WHEN i % 2 = 0 OR i % 7 = 0 THEN interval '2 days' ELSE interval '6 days' END,
		  CASE WHEN i % 2 = 0 OR i % 7 = 0 THEN 'signup' ELSE 'inwin' END, NULL
	FROM generate_series(1, 60) i,
	LATERAL (SELECT '2026-02-01'::timestamptz + (i % 6) * interval '1 day' + i * interval '1 hour' AS t0) z
UNION ALL SELECT i, t0 + CASE WHEN i % 2 = 0 OR i % 7 = 0 THEN interval '3 days' ELSE interval '8 days' END,
		  CASE WHEN i % 2 = 0 OR i % 7 = 0 THEN 'late' ELSE 'late2' END, NULL
	FROM generate_series(1, 60) i,
	LATERAL (SELECT '2026-02-01'::timestamptz + (i % 6) * interval '1 day' + i * interval '1 hour' AS t0) z
UNION ALL SELECT i, t0 + interval '1 day', 'visit', 'cpc' FROM generate_series(1, 60) i,
	LATERAL (SELECT '2026-02-01'::timestamptz + (i % 6) * interval '1 day' + i * interval '1 hour' AS t0) z
	WHERE i % 10 = 0;

-- the reference (signals.py, min 25): demo 30/0 of 34 moved and 26
-- dropped, odds ratio 167.4, p 7.842753829821044e-13, BH
-- 1.1764130744731566e-12; inwin 0/26, odds ratio 0.0010582010582010583,
-- p 1.4308983451598328e-17, BH 4.2926950354794983e-17; help 14/11 (25
-- customers: exactly the minimum), odds ratio 0.9523809523809523, p 1, BH
-- 1; left out pricing (20), chat (12) and faq (24): 3.  Sorted: moving on
-- strongest first, then dropping off strongest first.
WITH ref(signal, odds_ratio, p, bh) AS (VALUES
	('demo', 167.4::float8, 7.842753829821044e-13::float8, 1.1764130744731566e-12::float8),
	('help', 0.9523809523809523, 1.0, 1.0),
	('inwin', 0.0010582010582010583, 1.4308983451598328e-17, 4.2926950354794983e-17))
SELECT d.signal, d.customers, d.moved_on, d.dropped, d.moved_on_without, d.dropped_without,
	   round(d.odds_ratio::numeric, 6) AS odds_ratio, d.direction, d.signals_left_out,
	   abs(d.odds_ratio / r.odds_ratio - 1) < 1e-9 AS odds_ok,
	   abs(d.p_value / r.p - 1) < 1e-9 AS p_ok, abs(d.adjusted_p_value / r.bh - 1) < 1e-9 AS bh_ok
  FROM journey.conversion_drivers('sig', 'visit') d JOIN ref r USING (signal);
SELECT signal, direction FROM journey.conversion_drivers('sig', 'visit');

-- one more than help's 25 customers: help is left out too (4), and BH is
-- over two signals (signals.py: demo 7.842753829821044e-13, inwin
-- 2.8617966903196656e-17)
SELECT signal, customers, signals_left_out,
	   abs(adjusted_p_value / CASE signal WHEN 'demo' THEN 7.842753829821044e-13
										  ELSE 2.8617966903196656e-17 END - 1) < 1e-9 AS bh_ok
  FROM journey.conversion_drivers('sig', 'visit', min_customers => 26);

-- the medium column's values as signals (its NULLs are none): cpc 8/13
-- (the second visits count), email and organic 15/0 (signals.py: odds
-- ratios 0.3333333333333333 and 21.6, p 0.05498781603700795 and
-- 4.120862887713471e-05, BH 0.05498781603700795 and 6.181294331570206e-05)
SELECT signal, customers, moved_on, dropped, round(odds_ratio::numeric, 6) AS odds_ratio,
	   abs(p_value / CASE signal WHEN 'cpc' THEN 0.05498781603700795 ELSE 4.120862887713471e-05 END - 1) < 1e-9 AS p_ok,
	   abs(adjusted_p_value / CASE signal WHEN 'cpc' THEN 0.05498781603700795 ELSE 6.181294331570206e-05 END - 1) < 1e-9 AS bh_ok,
	   direction, signals_left_out
  FROM journey.conversion_drivers('sig', 'visit', 'medium', 5);

-- the window's edge: a window of exactly 2 days still sees the signups
-- (both ends inclusive); one microsecond less sees none, and everyone
-- dropped off: no signal can be tested (a column of one value has p 1)
SELECT signal, moved_on, dropped FROM journey.conversion_drivers('sig', 'visit', NULL, 25, '2 days')
 WHERE signal = 'demo';
SELECT signal, moved_on, dropped, moved_on_without, dropped_without, p_value
  FROM journey.conversion_drivers('sig', 'visit', NULL, 25, '2 days' - interval '1 microsecond')
 WHERE signal = 'demo';

-- since/until choose the customers by their entry: the first day only
SELECT sum(moved_on + dropped) FILTER (WHERE signal = 'demo') AS demo_customers
  FROM journey.conversion_drivers('sig', 'visit', NULL, 1, NULL,
								  '2026-02-01', '2026-02-02');

-- equal timestamps: an event at the very instant of the entry counts
-- (customer 4), one at the instant of moving on does not (customer 2, it
-- is not before it), one at the very end of the window of a customer who
-- dropped off counts (customer 1, the window is inclusive)
INSERT INTO sig_events
SELECT i, t0 + d, 'tie', NULL
  FROM (VALUES (1, interval '7 days'), (2, interval '2 days'), (4, interval '0')) v(i, d),
	   LATERAL (SELECT '2026-02-01'::timestamptz + (i % 6) * interval '1 day' + i * interval '1 hour' AS t0) z;
SELECT signal, customers, moved_on, dropped
  FROM journey.conversion_drivers('sig', 'visit', min_customers => 1) WHERE signal = 'tie';
DELETE FROM sig_events WHERE what = 'tie';

-- errors
SELECT * FROM journey.conversion_drivers('nope', 'visit');
SELECT * FROM journey.conversion_drivers('sig', 'nope');
SELECT * FROM journey.conversion_drivers('sig', 'purchase');
SELECT * FROM journey.conversion_drivers('sig', 'visit', min_customers => 0);
SELECT * FROM journey.conversion_drivers('sig', 'visit', 'nope');
SELECT * FROM journey.conversion_drivers('sig', 'visit', conversion_window => '0 days');

-- a role that may not read the events gets the source check's error
CREATE ROLE regress_signals_reader;
GRANT USAGE ON SCHEMA journey, journey_internal TO regress_signals_reader;
GRANT SELECT ON journey.source, journey.moment TO regress_signals_reader;
SET ROLE regress_signals_reader;
SELECT * FROM journey.conversion_drivers('sig', 'visit');
RESET ROLE;
-- with the source's columns but not the signal column, the error names
-- the signal column as such
GRANT SELECT (customer, at, what) ON sig_events TO regress_signals_reader;
SET ROLE regress_signals_reader;
SELECT count(*) FROM journey.conversion_drivers('sig', 'visit');
SELECT * FROM journey.conversion_drivers('sig', 'visit', 'medium');
RESET ROLE;
DROP OWNED BY regress_signals_reader;
DROP ROLE regress_signals_reader;

------------------------------------------------------------------------
-- hypothesis_signals: the same figures for the review of a hypothesis
------------------------------------------------------------------------

-- a hypothesis at visit whose cycle covers every entry: its strongest
-- drivers are conversion_drivers' (demo 167.4, inwin 0.00106 at the BH p
-- above); its curve from visit to signup (7-day window): 60 customers, 34
-- of them sign up exactly 2 days after entering, the others are censored
-- at 7 days (or earlier, at the last event), so the share converted is
-- 34/60 = 0.566667 and the median 2 days (172800 s)
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('sig', 'February', '2026-02-01', '2026-02-28');
INSERT INTO journey.hypothesis (source, moment, target_moment, statement, cycle_id)
SELECT 'sig', 'visit', 'signup', 'If visitors see a demo, more of them will sign up.', id
  FROM journey.review_cycle WHERE source = 'sig';
SELECT s.top_driver, round(s.top_driver_odds_ratio::numeric, 6) AS top_driver_odds_ratio,
	   abs(s.top_driver_adjusted_p_value / 1.1764130744731566e-12 - 1) < 1e-9 AS driver_p_ok,
	   s.top_drop_off_signal, round(s.top_drop_off_odds_ratio::numeric, 6) AS drop_off_odds_ratio,
	   abs(s.top_drop_off_adjusted_p_value / 4.2926950354794983e-17 - 1) < 1e-9 AS drop_off_p_ok,
	   s.entered, round(s.converted_share::numeric, 6) AS converted_share,
	   s.median_seconds_to_convert
  FROM journey.hypothesis h, journey.hypothesis_signals(h.id) s WHERE h.source = 'sig';
-- a cycle that ends before anyone entered: no customers, no figures
UPDATE journey.review_cycle SET starts_on = '2026-01-01', ends_on = '2026-01-31' WHERE source = 'sig';
SELECT s.top_driver, s.top_drop_off_signal, s.entered, s.converted_share
  FROM journey.hypothesis h, journey.hypothesis_signals(h.id) s WHERE h.source = 'sig';
-- at the last moment there is no next one: NULL figures
UPDATE journey.hypothesis SET moment = 'purchase', target_moment = 'purchase' WHERE source = 'sig';
SELECT s.top_driver, s.top_drop_off_signal, s.entered, s.converted_share
  FROM journey.hypothesis h, journey.hypothesis_signals(h.id) s WHERE h.source = 'sig';

-- leave the registry as it was found
DELETE FROM journey.hypothesis WHERE source = 'sig';
DELETE FROM journey.review_cycle WHERE source = 'sig';
DELETE FROM journey.source WHERE name = 'sig';
-- (and give back the review cycle id it took: no test before used one)
ALTER TABLE journey.review_cycle ALTER COLUMN id RESTART WITH 1;
