-- sequence_match and sequence_count: the pattern language, ClickHouse's
-- sequenceMatch/sequenceCount cases translated to SQL, ties, NULLs, input
-- order, time-constraint boundaries, the work bound and every error.
SET timezone = 'UTC';

-- ClickHouse's sequence test table: time in seconds, one value per second.
CREATE TABLE seq_t (t int, data int);
INSERT INTO seq_t VALUES (0,0),(1,0),(2,0),(3,0),(4,1),(5,2),(6,0),(7,0),(8,0),
	(9,0),(10,1),(11,1);
CREATE FUNCTION seq_ts(int) RETURNS timestamptz
	LANGUAGE sql IMMUTABLE AS $$ SELECT '2026-01-01'::timestamptz + $1 * interval '1 second' $$;

-- Four conditions (data = 0, 1, 2, 3); expected values as in ClickHouse's
-- test 00222_sequence_aggregate_function_family.
CREATE TABLE seq_cases (pattern text, want_match bool, want_count bigint);
INSERT INTO seq_cases VALUES
	('.', true, 12),
	('.*', true, 12),
	('(?1)', true, 8),
	('(?2)', true, 3),
	('(?3)', true, 1),
	('(?4)', false, 0),
	('(?1)(?1)', true, 4),
	('(?1)(?1)(?1)', true, 2),
	('(?1)(?1)(?1)(?1)', true, 2),
	('(?1)(?1)(?1)(?1)(?1)', false, 0),
	('(?1)(?1)(?1)(?1)(?2)', true, 2),
	('(?1)(?t>10)(?2)', true, 1),
	('(?1)(?t>11)(?2)', false, 0),
	('(?1)(?t<11)(?2)', true, 2),
	('(?1)(?t<3)(?3)', true, 1),
	('(?1)(?t<=2)(?3)', true, 1),
	('(?1)(?t<2)(?3)', false, 0),
	('(?2)(?t>=7)(?2)', true, 1),
	('(?2)(?t>7)(?2)', false, 0),
	('(?2)(?3)(?1)', true, 1);
SELECT c.pattern, r.m AS sequence_match, r.n AS sequence_count,
	   r.m = c.want_match AND r.n = c.want_count AS as_expected
FROM seq_cases c,
LATERAL (SELECT journey.sequence_match(c.pattern, seq_ts(t), data = 0, data = 1, data = 2, data = 3) AS m,
				journey.sequence_count(c.pattern, seq_ts(t), data = 0, data = 1, data = 2, data = 3) AS n
		 FROM seq_t) r
ORDER BY c.pattern;

-- Two conditions (data = 1, 2): rows with data = 0 take no part.
SELECT p.pattern,
	   journey.sequence_match(p.pattern, seq_ts(t), data = 1, data = 2) AS sequence_match,
	   journey.sequence_count(p.pattern, seq_ts(t), data = 1, data = 2) AS sequence_count
FROM seq_t, (VALUES ('(?1)(?t==2)(?2)'), ('(?1)(?t==1)(?2)'), ('(?1)(?2)'),
					('(?1).(?1)'), ('(?1).*(?1)')) p(pattern)
GROUP BY p.pattern ORDER BY p.pattern;

-- The same cases with the rows in reverse and in scrambled order.
SELECT count(*) AS cases,
	   count(*) FILTER (WHERE r1.m = r2.m AND r1.m = r3.m AND r1.n = r2.n AND r1.n = r3.n) AS same
FROM seq_cases c,
LATERAL (SELECT journey.sequence_match(c.pattern, seq_ts(t), data = 0, data = 1, data = 2, data = 3) AS m,
				journey.sequence_count(c.pattern, seq_ts(t), data = 0, data = 1, data = 2, data = 3) AS n
		 FROM seq_t) r1,
LATERAL (SELECT journey.sequence_match(c.pattern, seq_ts(t), data = 0, data = 1, data = 2, data = 3) AS m,
				journey.sequence_count(c.pattern, seq_ts(t), data = 0, data = 1, data = 2, data = 3) AS n
		 FROM (SELECT * FROM seq_t ORDER BY t DESC OFFSET 0) s) r2,
LATERAL (SELECT journey.sequence_match(c.pattern, seq_ts(t), data = 0, data = 1, data = 2, data = 3) AS m,
				journey.sequence_count(c.pattern, seq_ts(t), data = 0, data = 1, data = 2, data = 3) AS n
		 FROM (SELECT * FROM seq_t ORDER BY md5(t::text) OFFSET 0) s) r3;

-- ClickHouse's documentation examples.  An event for which another passed
-- condition holds breaks "(?1)(?2)"; one for which no condition holds does not.
CREATE TABLE seq_doc (t int, number int);
INSERT INTO seq_doc VALUES (1, 1), (2, 3), (3, 2);
SELECT journey.sequence_match('(?1)(?2)', seq_ts(t), number = 1, number = 2) AS no_third,
	   journey.sequence_match('(?1)(?2)', seq_ts(t), number = 1, number = 2, number = 3) AS third_is_3,
	   journey.sequence_match('(?1)(?2)', seq_ts(t), number = 1, number = 2, number = 4) AS third_is_4
FROM seq_doc;
INSERT INTO seq_doc VALUES (4, 1), (5, 3), (6, 2);
SELECT journey.sequence_count('(?1).*(?2)', seq_ts(t), number = 1, number = 2) AS count_1_then_2
FROM seq_doc;

-- ClickHouse's 00823_sequence_match_dfa, at 100001 events: A, then 99999 B,
-- then C.  Patterns without time constraints run in linear time.
CREATE TABLE seq_dfa AS
	SELECT 1 AS user_id,
		   CASE WHEN i = 0 THEN 'A' WHEN i < 100000 THEN 'B' ELSE 'C' END AS event_type,
		   seq_ts(i) AS ts
	FROM generate_series(0, 100000) i;
SELECT 'ABC' AS pattern FROM seq_dfa GROUP BY user_id
HAVING journey.sequence_match('(?1).*(?2).*(?3)', ts, event_type = 'A', event_type = 'B', event_type = 'C');
SELECT 'ABA' AS pattern FROM seq_dfa GROUP BY user_id
HAVING journey.sequence_match('(?1).*(?2).*(?3)', ts, event_type = 'A', event_type = 'B', event_type = 'A');
SELECT 'ABBC' AS pattern FROM seq_dfa GROUP BY user_id
HAVING journey.sequence_match('(?1).*(?2).*(?3).*(?4)', ts, event_type = 'A', event_type = 'B', event_type = 'B', event_type = 'C');
SELECT 'CBA' AS pattern FROM seq_dfa GROUP BY user_id
HAVING journey.sequence_match('(?1).*(?2).*(?3)', ts, event_type = 'C', event_type = 'B', event_type = 'A');
SELECT journey.sequence_count('(?1)(?2)', ts, event_type = 'B', event_type = 'B') AS bb_pairs,
	   journey.sequence_count('(?1).*(?2)', ts, event_type = 'A', event_type = 'C') AS a_then_c
FROM seq_dfa;
DROP TABLE seq_dfa;

-- Small event lists: (customer, seconds, condition 1, condition 2, condition 3).
CREATE TABLE seq_e (c int, s numeric, c1 bool, c2 bool, c3 bool);

-- Non-overlapping counts: each match resumes after the previous one.
INSERT INTO seq_e VALUES (1, 0, true, false, false), (1, 1, false, true, false),
	(1, 2, true, false, false), (1, 3, false, true, false),
	(1, 4, true, false, false), (1, 5, false, true, false),
	(2, 0, true, false, false), (2, 1, true, false, false), (2, 2, true, false, false),
	(2, 3, true, false, false), (2, 4, true, false, false);
SELECT c,
	   journey.sequence_count('(?1)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS one_two,
	   journey.sequence_count('(?1).*(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS one_any_two,
	   journey.sequence_count('(?1)(?1)', seq_ts(0) + s * interval '1 s', c1, c2) AS one_one,
	   journey.sequence_count('(?1).(?1)', seq_ts(0) + s * interval '1 s', c1, c2) AS one_dot_one,
	   journey.sequence_count('(?1).*', seq_ts(0) + s * interval '1 s', c1, c2) AS one_star
FROM seq_e GROUP BY c ORDER BY c;
TRUNCATE seq_e;

-- Ties: at equal timestamps events are taken by condition bitmask
-- (condition 1 first), whatever the input order.
INSERT INTO seq_e VALUES (1, 0, false, true, false), (1, 0, true, false, false),
	(2, 0, true, false, false), (2, 0, false, true, false),
	(3, 0, true, true, false);
SELECT c,
	   journey.sequence_match('(?1)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS one_then_two,
	   journey.sequence_match('(?2)(?1)', seq_ts(0) + s * interval '1 s', c1, c2) AS two_then_one,
	   journey.sequence_match('(?1)(?t==0)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS same_second,
	   journey.sequence_match('(?1)', seq_ts(0) + s * interval '1 s', c1, c2)
		 AND journey.sequence_match('(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS both_hold
FROM seq_e GROUP BY c ORDER BY c;
TRUNCATE seq_e;

-- NULLs: a NULL timestamp skips the row; a NULL condition is false; an event
-- for which no condition holds (here customer 2's second row) is dropped.
INSERT INTO seq_e VALUES (1, 0, true, false, false), (1, NULL, false, false, true),
	(1, 2, false, true, false),
	(2, 0, true, false, false), (2, 1, NULL, NULL, false), (2, 2, false, true, false),
	(3, 0, true, false, false), (3, 1, NULL, NULL, true), (3, 2, false, true, false),
	(4, 0, NULL, NULL, NULL), (4, NULL, true, true, true);
SELECT c,
	   journey.sequence_match('(?1)(?2)', seq_ts(0) + s * interval '1 s', c1, c2, c3) AS one_two,
	   journey.sequence_match('(?1).(?2)', seq_ts(0) + s * interval '1 s', c1, c2, c3) AS one_dot_two,
	   journey.sequence_match('.*', seq_ts(0) + s * interval '1 s', c1, c2, c3) AS star,
	   journey.sequence_count('.', seq_ts(0) + s * interval '1 s', c1, c2, c3) AS events
FROM seq_e GROUP BY c ORDER BY c;
-- No rows at all: no match.
SELECT journey.sequence_match('.*', now(), true) AS sequence_match,
	   journey.sequence_count('.*', now(), true) AS sequence_count
FROM seq_e WHERE false;
TRUNCATE seq_e;

-- Time constraints: boundaries at exactly S seconds and one microsecond past.
INSERT INTO seq_e VALUES (1, 0, true, false, false), (1, 10, false, true, false),
	(2, 0, true, false, false), (2, 10.000001, false, true, false),
	(3, 0, true, false, false), (3, 9.999999, false, true, false);
SELECT c,
	   journey.sequence_match('(?1)(?t<=10)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS le10,
	   journey.sequence_match('(?1)(?t<10)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS lt10,
	   journey.sequence_match('(?1)(?t>=10)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS ge10,
	   journey.sequence_match('(?1)(?t>10)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS gt10,
	   journey.sequence_match('(?1)(?t==10)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS eq10,
	   journey.sequence_count('(?1)(?t>=0)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS ge0
FROM seq_e GROUP BY c ORDER BY c;
TRUNCATE seq_e;

-- Each constraint is measured from the event matched just before it, and any
-- events may lie in between: customer 1's steps are 5 s apart (10 s overall);
-- customer 2 has an unrelated event between condition 1 and condition 2.
INSERT INTO seq_e VALUES (1, 0, true, false, false), (1, 5, false, true, false),
	(1, 10, false, false, true),
	(2, 0, true, false, false), (2, 1, false, false, true), (2, 2, false, true, false);
SELECT c,
	   journey.sequence_match('(?1)(?t<=5)(?2)(?t<=5)(?3)', seq_ts(0) + s * interval '1 s', c1, c2, c3) AS steps_within_5s,
	   journey.sequence_match('(?1)(?2)', seq_ts(0) + s * interval '1 s', c1, c2, c3) AS adjacent,
	   journey.sequence_match('(?1)(?t<=5)(?2)', seq_ts(0) + s * interval '1 s', c1, c2, c3) AS within_5s,
	   journey.sequence_match('(?1)(?t>1)(?2)', seq_ts(0) + s * interval '1 s', c1, c2, c3) AS more_than_1s
FROM seq_e GROUP BY c ORDER BY c;
TRUNCATE seq_e;

-- As in ClickHouse, a constraint right after ".*" is measured from the event
-- at which it is tried, so it never excludes anything; trailing ".*", "<=",
-- "<" and ">=0" constraints match when the events run out.
INSERT INTO seq_e VALUES (1, 0, true, false, false), (1, 100, false, true, false);
SELECT journey.sequence_match('(?1).*(?t<=1)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS after_star,
	   journey.sequence_match('(?1)(?t<=1)(?2)', seq_ts(0) + s * interval '1 s', c1, c2) AS after_event,
	   journey.sequence_match('(?2)(?t<=1)', seq_ts(0) + s * interval '1 s', c1, c2) AS trailing_le,
	   journey.sequence_match('(?2)(?t>=0)', seq_ts(0) + s * interval '1 s', c1, c2) AS trailing_ge0,
	   journey.sequence_match('(?2)(?t>1)', seq_ts(0) + s * interval '1 s', c1, c2) AS trailing_gt
FROM seq_e;
TRUNCATE seq_e;

-- Infinite timestamps are the earliest and latest events.
SELECT journey.sequence_match('(?1)(?t>1000000000)(?2)', ts, k = 1, k = 2) AS far_apart,
	   journey.sequence_match('(?1)(?t<=5)(?2)', ts, k = 1, k = 2) AS close
FROM (VALUES ('-infinity'::timestamptz, 1), ('infinity', 2), ('2026-01-01', 3)) v(ts, k);

-- sequence_match and sequence_count in one query (they share the state).
SELECT journey.sequence_match('(?1).*(?2)', seq_ts(t), data = 1, data = 2) AS matched,
	   journey.sequence_count('(?1).*(?2)', seq_ts(t), data = 1, data = 2) AS matches,
	   journey.sequence_count('(?1)', seq_ts(t), data = 1, data = 2) AS ones
FROM seq_t;

-- As a window aggregate: matches among the rows up to each one.
SELECT t, data,
	   journey.sequence_count('(?1)', seq_ts(t), data = 1) OVER w AS ones_so_far,
	   journey.sequence_match('(?2).*(?1)', seq_ts(t), data = 1, data = 2) OVER w AS two_then_one
FROM seq_t WINDOW w AS (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY t;

-- Groups of one query may pass different numbers of conditions.
SELECT g, journey.sequence_count('(?1).*(?' || g || ')', seq_ts(t), VARIADIC array_fill(data = 1, ARRAY[g])) AS pairs
FROM seq_t, generate_series(1, 3) g GROUP BY g ORDER BY g;

-- Thirty-two conditions, the most allowed.
SELECT journey.sequence_match('(?32).*(?31)', seq_ts(t), VARIADIC array_fill(false, ARRAY[30]) || ARRAY[t = 11, t = 1]) AS last_conditions
FROM seq_t;

-- The work bound: backtracking over many events with a low limit.
SET journey.max_pattern_steps = 1000;
CREATE TABLE seq_many AS
	SELECT i, CASE WHEN i = 0 THEN 3 WHEN i <= 60 THEN 1 ELSE 2 END AS k
	FROM generate_series(0, 120) i;
-- without time constraints sequence_match runs the linear automaton
SELECT journey.sequence_match('(?1).*(?2).*(?3)', seq_ts(i), k = 1, k = 2, k = 3) AS automaton
FROM seq_many;
SELECT journey.sequence_count('(?1).*(?2).*(?3)', seq_ts(i), k = 1, k = 2, k = 3) FROM seq_many;
SELECT journey.sequence_match('(?1)(?t>=0)(?2)(?t>=0)(?3)', seq_ts(i), k = 1, k = 2, k = 3) FROM seq_many;
-- (Pattern elements + 1) steps per event are always allowed: simple patterns
-- never fail on big groups, even with the smallest setting.
SET journey.max_pattern_steps = 1;
SELECT journey.sequence_count('(?1)(?2)(?3)', seq_ts(i), k = 1, k = 2, k = 3) AS no_match,
	   journey.sequence_count('(?1).(?1)', seq_ts(i), k = 1, k = 2, k = 3) AS one_any_one,
	   journey.sequence_match('(?3)(?t>=1)(?1)', seq_ts(i), k = 1, k = 2, k = 3) AS timed
FROM (SELECT i, CASE WHEN i = 1 THEN 3 ELSE 1 + i % 2 END AS k
	  FROM generate_series(1, 30000) i) e;
RESET journey.max_pattern_steps;
SELECT journey.sequence_count('(?1).*(?2).*(?3)', seq_ts(i), k = 1, k = 2, k = 3) AS no_match,
	   journey.sequence_match('(?1)(?t>=0)(?2)(?t>=0)(?3)', seq_ts(i), k = 1, k = 2, k = 3) AS no_match_timed
FROM seq_many;
DROP TABLE seq_many;

-- The work bound exactly at its limit: one match attempt may take
-- (pattern elements + 1) steps per event from where it starts, plus
-- journey.max_pattern_steps; a step is one element tried at one event, the
-- implicit leading ".*" (a match may start anywhere) included.
-- '(?1).*(?2)' has 3 elements: 4 steps per event.  Events: one (?2) event,
-- then ten (?1) events, none of which a (?2) follows, so sequence_count
-- makes one attempt, which fails, and counts 0.  Its steps: at the (?2)
-- event, the implicit .* and (?1), which fails (2 steps); from each (?1)
-- event s (s = 1 .. 10), the implicit .* and (?1) (2 steps), then .* and
-- (?2) at each of the 10 - s later events (2 steps each) before it
-- backtracks to the next start: 2 + sum over s of (2 + 2 (10 - s)) =
-- 2 + 20 + 90 = 112 steps.  The budget is 4 x 11 events + the setting, so
-- a setting of 112 - 44 = 68 is just enough and 67 one step short.
CREATE TABLE seq_budget AS
	SELECT i, CASE WHEN i = 0 THEN 2 ELSE 1 END AS k FROM generate_series(0, 10) i;
SET journey.max_pattern_steps = 68;
SELECT journey.sequence_count('(?1).*(?2)', seq_ts(i), k = 1, k = 2) AS at_budget FROM seq_budget;
SET journey.max_pattern_steps = 67;
SELECT journey.sequence_count('(?1).*(?2)', seq_ts(i), k = 1, k = 2) AS one_past FROM seq_budget;
-- A later attempt's budget counts the events from where it starts: events
-- (?1), (?2), then ten (?1).  The first attempt matches the first two
-- events in 4 steps (.*, (?1), .*, (?2)); the second starts at the third
-- event and, as above, takes sum over s = 1 .. 10 of (2 + 2 (10 - s)) =
-- 110 steps against 4 x 10 + the setting: 70 is just enough (count 1), 69
-- one step short.
CREATE TABLE seq_budget2 AS
	SELECT i, CASE WHEN i = 1 THEN 2 ELSE 1 END AS k FROM generate_series(0, 11) i;
SET journey.max_pattern_steps = 70;
SELECT journey.sequence_count('(?1).*(?2)', seq_ts(i), k = 1, k = 2) AS at_budget FROM seq_budget2;
SET journey.max_pattern_steps = 69;
SELECT journey.sequence_count('(?1).*(?2)', seq_ts(i), k = 1, k = 2) AS one_past FROM seq_budget2;
-- The first part alone is enough for a pattern without ".*" or time
-- constraints, even at its worst: '(?1)(?1)(?2)' over (?1) events needs the
-- implicit .*, (?1), (?1) and the failing (?2), 4 = elements + 1 steps, at
-- nearly every event, and never fails with the smallest setting.
SET journey.max_pattern_steps = 1;
SELECT journey.sequence_count('(?1)(?1)(?2)', seq_ts(i), k = 1, k = 2) AS worst_simple
  FROM (SELECT i, CASE WHEN i = 0 THEN 2 ELSE 1 END AS k FROM generate_series(0, 20000) i) e;
RESET journey.max_pattern_steps;
DROP TABLE seq_budget, seq_budget2;

-- The bound on events per group applies as to every event aggregate.
SET journey.max_events_per_group = 5;
SELECT journey.sequence_count('.', seq_ts(t), true) FROM seq_t;
RESET journey.max_events_per_group;

-- Errors in the pattern: position, what was expected, and the syntax.
\set VERBOSITY default
SELECT journey.sequence_match('', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)x', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1) (?1)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)é(?1)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)(?a)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)(?', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)(?t!5)(?1)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)(?t<=)(?1)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)(?t<=-5)(?1)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)(?t<=99999999999999)(?1)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)(?t<=5(?1)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?0)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)(?3)', seq_ts(t), data = 1, data = 2) FROM seq_t;
SELECT journey.sequence_match('(?1)(?99999999999)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?t<=5)(?1)', seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)(?t<=5)(?t>=1)(?1)', seq_ts(t), data = 1) FROM seq_t;
-- The pattern is checked even when no row has a timestamp.
SELECT journey.sequence_count('(?2)', NULL::timestamptz, true) FROM seq_t;
-- Other argument errors.
SELECT journey.sequence_match(NULL, seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)', seq_ts(t), VARIADIC NULL::bool[]) FROM seq_t;
SELECT journey.sequence_match('.', seq_ts(t), VARIADIC ARRAY[]::bool[]) FROM seq_t;
SELECT journey.sequence_match('.', seq_ts(t), VARIADIC array_fill(true, ARRAY[33])) FROM seq_t;
SELECT journey.sequence_match('.', seq_ts(t), VARIADIC ARRAY[[true], [false]]) FROM seq_t;
SELECT journey.sequence_match(CASE WHEN t < 5 THEN '(?1)' ELSE '(?1).*' END, seq_ts(t), data = 1) FROM seq_t;
SELECT journey.sequence_match('(?1)', seq_ts(t), VARIADIC array_fill(true, ARRAY[1 + t % 2])) FROM seq_t;

-- Parallel aggregation: partial states are serialized, combined and give the
-- serial result, per customer and for one group spanning all workers.  The
-- state is the shared event state (its serialize and deserialize functions
-- are not callable from SQL); 01_state shows corrupt bytes rejected.  The
-- pattern travels with the state and is parsed again, so a state whose
-- pattern text were damaged would fail with a pattern error.
CREATE TABLE seq_par AS
	SELECT i % 2000 AS customer_id,
		   seq_ts(0) + (abs(hashint4(i)) % 20000) * interval '1 minute' AS ts,
		   abs(hashint4(-i)) % 5 AS k
	FROM generate_series(1, 60000) i;
ANALYZE seq_par;
CREATE TABLE seq_par_serial AS
	SELECT customer_id,
		   journey.sequence_match('(?1).*(?2)(?t<=86400)(?3)', ts, k = 0, k = 1, k = 2) AS m,
		   journey.sequence_count('(?1).*(?2)', ts, k = 0, k = 1) AS n
	FROM seq_par GROUP BY customer_id;
SELECT journey.sequence_count('(?1)(?2)', ts, k = 1, k = 2) AS all_pairs,
	   journey.sequence_match('(?3)(?t==60)(?4)(?t==60)(?5)', ts, k = 0, k = 1, k = 2, k = 3, k = 4) AS exact_minutes
FROM seq_par \gset serial_
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT customer_id,
	   journey.sequence_match('(?1).*(?2)(?t<=86400)(?3)', ts, k = 0, k = 1, k = 2),
	   journey.sequence_count('(?1).*(?2)', ts, k = 0, k = 1)
FROM seq_par GROUP BY customer_id;
SELECT count(*) AS customers,
	   count(*) FILTER (WHERE p.m = s.m AND p.n = s.n) AS same,
	   count(*) FILTER (WHERE p.m) AS matched, sum(p.n) AS matches
FROM (SELECT customer_id,
			 journey.sequence_match('(?1).*(?2)(?t<=86400)(?3)', ts, k = 0, k = 1, k = 2) AS m,
			 journey.sequence_count('(?1).*(?2)', ts, k = 0, k = 1) AS n
	  FROM seq_par GROUP BY customer_id) p
JOIN seq_par_serial s USING (customer_id);
EXPLAIN (COSTS OFF)
SELECT journey.sequence_count('(?1)(?2)', ts, k = 1, k = 2) FROM seq_par;
SELECT :serial_all_pairs AS serial_pairs, :'serial_exact_minutes' AS serial_exact,
	   journey.sequence_count('(?1)(?2)', ts, k = 1, k = 2) = :serial_all_pairs AS same_count,
	   journey.sequence_match('(?3)(?t==60)(?4)(?t==60)(?5)', ts, k = 0, k = 1, k = 2, k = 3, k = 4) = :'serial_exact_minutes'::bool AS same_match
FROM seq_par;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET force_parallel_mode;
RESET enable_hashagg;

-- Two matchers, one answer: for patterns without time constraints
-- sequence_match runs the automaton and sequence_count the backtracking
-- matcher; a group matches exactly when its count is positive.
SELECT p.pattern, count(*) FILTER (WHERE r.m) AS matched,
	   count(*) FILTER (WHERE r.m <> (r.n > 0)) AS disagree
FROM (VALUES ('(?1)(?2)'), ('(?1).*(?2).(?3)'), ('(?2)..(?2)'), ('(?1).*(?1).*(?1).*(?1)'),
			 ('.*(?3)(?1).*'), ('(?1)(?1)(?2).*(?3)(?3)')) p(pattern),
LATERAL (SELECT customer_id,
				journey.sequence_match(p.pattern, ts, k = 0, k = 1, k = 2) AS m,
				journey.sequence_count(p.pattern, ts, k = 0, k = 1, k = 2) AS n
		 FROM seq_par GROUP BY customer_id) r
GROUP BY p.pattern ORDER BY p.pattern;

DROP TABLE seq_par, seq_par_serial, seq_e, seq_doc, seq_cases, seq_t;
DROP FUNCTION seq_ts(int);
