-- sequence_next_node: ClickHouse's public regression cases for
-- sequenceNextNode (tests/queries/0_stateless/01656_sequence_next_node_long:
-- the same data and queries, written for journey), printed in ClickHouse's
-- own format, so that the lines below equal the lines of its .reference
-- file (its Nullable table's half, which the non-Nullable half repeats; its
-- 64-condition case is run with journey's limit of 32 conditions).  Then
-- journey's own cases: ties, NULLs, errors, the fixed-arity overloads and
-- a parallel plan.
SET timezone = 'UTC';
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
\pset null '\\N'
CREATE TABLE snn (dt timestamptz, id int, action text);
INSERT INTO snn VALUES ('2000-01-02 09:00:01',1,'A'),('2000-01-02 09:00:02',1,'B'),('2000-01-02 09:00:03',1,'C'),('2000-01-02 09:00:04',1,'D'),
('2000-01-02 09:00:01',2,'B'),('2000-01-02 09:00:02',2,'B'),('2000-01-02 09:00:03',2,'D'),('2000-01-02 09:00:04',2,'C'),
('2000-01-02 09:00:01',3,'A'),('2000-01-02 09:00:02',3,'B'),
('2000-01-02 09:00:01',4,'A'),('2000-01-02 09:00:02',4,'A'),('2000-01-02 09:00:03',4,'A'),('2000-01-02 09:00:04',4,'B'),('2000-01-02 09:00:05',4,'C'),
('2000-01-02 09:00:01',5,'A'),('2000-01-02 09:00:02',5,'B'),('2000-01-02 09:00:03',5,'A'),('2000-01-02 09:00:04',5,'C'),
('2000-01-02 09:00:01',6,'A'),('2000-01-02 09:00:02',6,'B'),('2000-01-02 09:00:03',6,'A'),('2000-01-02 09:00:04',6,'B'),('2000-01-02 09:00:05',6,'C');
SELECT '(forward, head, A)', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, head, B)', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, head, C)', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'C') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, head, D)', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'D') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, head, E)', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'E') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, tail, A)', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'A') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, tail, B)', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, tail, C)', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'C') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, tail, D)', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'D') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, tail, E)', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'E') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, head, A->B)', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A', action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, head, A->C)', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A', action = 'C') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, head, B->A)', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'B', action = 'A') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, tail, A->B)', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'A', action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, tail, A->C)', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'A', action = 'C') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, tail, B->A)', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'B', action = 'A') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, head, A->A->B)', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A', action = 'A', action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, head, B->A->A)', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'B', action = 'A', action = 'A') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, tail, A->A->B)', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'A', action = 'A', action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, tail, B->A->A)', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'B', action = 'A', action = 'A') FROM snn GROUP BY id ORDER BY id;
INSERT INTO snn VALUES ('2000-01-02 09:00:01',10,'A'),('2000-01-02 09:00:02',10,'B'),('2000-01-02 09:00:02',10,NULL),('2000-01-02 09:00:03',10,'C'),('2000-01-02 09:00:04',10,'D');
SELECT '(forward, head, A) id >= 10', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A') FROM snn WHERE id >= 10 GROUP BY id ORDER BY id;
SELECT '(forward, head, A) id >= 10', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A', action = 'B') FROM snn WHERE id >= 10 GROUP BY id ORDER BY id;
SELECT '(forward, head, A) id >= 10', id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'B', action = 'C') FROM snn WHERE id >= 10 GROUP BY id ORDER BY id;
SELECT '(forward, head, A) id >= 10', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'C') FROM snn WHERE id >= 10 GROUP BY id ORDER BY id;
SELECT '(backward, tail, A) id >= 10', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'D', action = 'C') FROM snn WHERE id >= 10 GROUP BY id ORDER BY id;
SELECT '(backward, tail, A) id >= 10', id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'D', action = 'C', action = 'B') FROM snn WHERE id >= 10 GROUP BY id ORDER BY id;
INSERT INTO snn VALUES ('2000-01-02 09:00:01',11,'A'),('2000-01-02 09:00:01',11,'B'),('2000-01-02 09:00:01',11,'C'),('2000-01-02 09:00:01',11,'D');
SELECT '(0, A) id = 11', count(*) FROM (SELECT id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A') AS next_node FROM snn WHERE id = 11 GROUP BY id HAVING journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A') = 'B') s;
SELECT '(0, C) id = 11', count(*) FROM (SELECT id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'C') AS next_node FROM snn WHERE id = 11 GROUP BY id HAVING journey.sequence_next_node('forward', 'head', dt, action, true, action = 'C') = 'D') s;
SELECT '(0, B->C) id = 11', count(*) FROM (SELECT id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'B', action = 'C') AS next_node FROM snn WHERE id = 11 GROUP BY id HAVING journey.sequence_next_node('forward', 'head', dt, action, true, action = 'B', action = 'C') = 'D') s;
SELECT '(0, A->B->C) id = 11', count(*) FROM (SELECT id, journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A', action = 'B', action = 'C') AS next_node FROM snn WHERE id = 11 GROUP BY id HAVING journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A', action = 'B', action = 'C') = 'D') s;
SELECT '(0, A) id = 11', count(*) FROM (SELECT id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'A') AS next_node FROM snn WHERE id = 11 GROUP BY id HAVING journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'A') IS NULL) s;
SELECT '(0, C) id = 11', count(*) FROM (SELECT id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'C') AS next_node FROM snn WHERE id = 11 GROUP BY id HAVING journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'C') = 'B') s;
SELECT '(0, C->B) id = 11', count(*) FROM (SELECT id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'C', action = 'B') AS next_node FROM snn WHERE id = 11 GROUP BY id HAVING journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'C', action = 'B') = 'A') s;
SELECT '(0, C->B->A) id = 11', count(*) FROM (SELECT id, journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'C', action = 'B', action = 'A') AS next_node FROM snn WHERE id = 11 GROUP BY id HAVING journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'C', action = 'B', action = 'A') IS NULL) s;
SELECT '(forward, head) id < 10', id, journey.sequence_next_node('forward', 'head', dt, action, true) FROM snn WHERE id < 10 GROUP BY id ORDER BY id;
SELECT '(backward, tail) id < 10', id, journey.sequence_next_node('backward', 'tail', dt, action, true) FROM snn WHERE id < 10 GROUP BY id ORDER BY id;
SELECT '(forward, first_match, A)', id, journey.sequence_next_node('forward', 'first_match', dt, action, true, action = 'A') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, first_match, A->B)', id, journey.sequence_next_node('forward', 'first_match', dt, action, true, action = 'A', action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, first_match, A->B->C)', id, journey.sequence_next_node('forward', 'first_match', dt, action, true, action = 'A', action = 'B', action = 'C') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, first_match, B)', id, journey.sequence_next_node('forward', 'first_match', dt, action, true, action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, first_match, B->B)', id, journey.sequence_next_node('forward', 'first_match', dt, action, true, action = 'B', action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(forward, first_match, B->A)', id, journey.sequence_next_node('forward', 'first_match', dt, action, true, action = 'B', action = 'A') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, first_match, A)', id, journey.sequence_next_node('backward', 'first_match', dt, action, true, action = 'A') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, first_match, B)', id, journey.sequence_next_node('backward', 'first_match', dt, action, true, action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, first_match, B->A)', id, journey.sequence_next_node('backward', 'first_match', dt, action, true, action = 'B', action = 'A') FROM snn GROUP BY id ORDER BY id;
SELECT '(backward, first_match, B->B)', id, journey.sequence_next_node('backward', 'first_match', dt, action, true, action = 'B', action = 'B') FROM snn GROUP BY id ORDER BY id;
SELECT '(max_args)', id, journey.sequence_next_node('forward', 'head', dt, action, true, VARIADIC array(SELECT action = i::text FROM generate_series(0, 31) i)) FROM snn GROUP BY id ORDER BY id;
INSERT INTO snn VALUES ('2000-01-02 09:00:01',12,'A'),('2000-01-02 09:00:01',12,'A');
SELECT '(forward, head, A) id = 12', journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A') FROM snn WHERE id = 12;
CREATE TABLE snn_base (dt timestamptz, id int, action text, referrer text);
INSERT INTO snn_base VALUES ('2000-01-02 09:00:01',1,'A','1'),('2000-01-02 09:00:02',1,'B','2'),('2000-01-02 09:00:03',1,'C','3'),('2000-01-02 09:00:04',1,'D','4'),('2000-01-02 09:00:01',2,'D','4'),('2000-01-02 09:00:02',2,'C','3'),('2000-01-02 09:00:03',2,'B','2'),('2000-01-02 09:00:04',2,'A','1'),('2000-01-02 09:00:01',3,'B','10'),('2000-01-02 09:00:02',3,'B','2'),('2000-01-02 09:00:03',3,'D','3'),('2000-01-02 09:00:04',3,'C','4');
SELECT '(forward, head, 1)', id, journey.sequence_next_node('forward', 'head', dt, action, referrer = '1') FROM snn_base GROUP BY id ORDER BY id;
SELECT '(forward, head, 1, A)', id, journey.sequence_next_node('forward', 'head', dt, action, referrer = '1', action = 'A') FROM snn_base GROUP BY id ORDER BY id;
SELECT '(forward, head, 1, A->B)', id, journey.sequence_next_node('forward', 'head', dt, action, referrer = '1', action = 'A', action = 'B') FROM snn_base GROUP BY id ORDER BY id;
SELECT '(backward, tail, 1)', id, journey.sequence_next_node('backward', 'tail', dt, action, referrer = '1') FROM snn_base GROUP BY id ORDER BY id;
SELECT '(backward, tail, 1, A)', id, journey.sequence_next_node('backward', 'tail', dt, action, referrer = '1', action = 'A') FROM snn_base GROUP BY id ORDER BY id;
SELECT '(backward, tail, 1, A->B)', id, journey.sequence_next_node('backward', 'tail', dt, action, referrer = '1', action = 'A', action = 'B') FROM snn_base GROUP BY id ORDER BY id;
SELECT '(forward, first_match, 1, B)', id, journey.sequence_next_node('forward', 'first_match', dt, action, referrer = '2', action = 'B') FROM snn_base GROUP BY id ORDER BY id;
SELECT '(forward, first_match, 1, B->C)', id, journey.sequence_next_node('forward', 'first_match', dt, action, referrer = '2', action = 'B', action = 'C') FROM snn_base GROUP BY id ORDER BY id;
SELECT '(backward, first_match, 1, B)', id, journey.sequence_next_node('backward', 'first_match', dt, action, referrer = '2', action = 'B') FROM snn_base GROUP BY id ORDER BY id;
SELECT '(backward, first_match, 1, B->C)', id, journey.sequence_next_node('backward', 'first_match', dt, action, referrer = '2', action = 'B', action = 'A') FROM snn_base GROUP BY id ORDER BY id;
\pset format aligned
\pset tuples_only off
\pset null '(null)'

-- ClickHouse's documentation examples for sequenceNextNode, with the
-- answers its documentation gives in the comments.
CREATE TABLE snn_flow (dt timestamptz, id int, page text);
INSERT INTO snn_flow VALUES (to_timestamp(1), 0, 'A'), (to_timestamp(2), 0, 'B'), (to_timestamp(3), 0, 'C'),
  (to_timestamp(4), 0, 'D'), (to_timestamp(5), 0, 'E');
-- A -> B, then: C
SELECT journey.sequence_next_node('forward', 'head', dt, page, page = 'A', page = 'A', page = 'B') AS next_flow
  FROM snn_flow WHERE id = 0;
INSERT INTO snn_flow VALUES (to_timestamp(1), 1, 'Home'), (to_timestamp(2), 1, 'Gift'), (to_timestamp(3), 1, 'Exit'),
  (to_timestamp(1), 2, 'Home'), (to_timestamp(2), 2, 'Home'), (to_timestamp(3), 2, 'Gift'), (to_timestamp(4), 2, 'Basket'),
  (to_timestamp(1), 3, 'Gift'), (to_timestamp(2), 3, 'Home'), (to_timestamp(3), 3, 'Gift'), (to_timestamp(4), 3, 'Basket');
-- forward, head (Home, Gift): Exit, NULL, NULL
-- backward, tail (Basket, Gift): NULL, Home, Home
-- forward, first_match (Gift): Exit, Basket, Home; (Gift, Home): NULL, NULL, Gift
-- backward, last_match (Gift): Home, Home, Home; (Gift, Home): NULL, Home, Gift
SELECT id,
       journey.sequence_next_node('forward', 'head', dt, page, page = 'Home', page = 'Home', page = 'Gift') AS fh,
       journey.sequence_next_node('backward', 'tail', dt, page, page = 'Basket', page = 'Basket', page = 'Gift') AS bt,
       journey.sequence_next_node('forward', 'first_match', dt, page, page = 'Gift', page = 'Gift') AS ff1,
       journey.sequence_next_node('forward', 'first_match', dt, page, page = 'Gift', page = 'Gift', page = 'Home') AS ff2,
       journey.sequence_next_node('backward', 'last_match', dt, page, page = 'Gift', page = 'Gift') AS bl1,
       journey.sequence_next_node('backward', 'last_match', dt, page, page = 'Gift', page = 'Gift', page = 'Home') AS bl2
  FROM snn_flow WHERE id >= 1 GROUP BY id ORDER BY id;
-- base_condition: A ref4, A ref3, B ref2, B ref1: forward head (ref1, A):
-- NULL; backward tail (ref4, B): NULL; forward first_match (ref3, A): B;
-- backward last_match (ref2, B): A
SELECT journey.sequence_next_node('forward', 'head', dt, page, ref = 'ref1', page = 'A') AS fh,
       journey.sequence_next_node('backward', 'tail', dt, page, ref = 'ref4', page = 'B') AS bt,
       journey.sequence_next_node('forward', 'first_match', dt, page, ref = 'ref3', page = 'A') AS ff,
       journey.sequence_next_node('backward', 'last_match', dt, page, ref = 'ref2', page = 'B') AS bl
  FROM (VALUES (to_timestamp(1), 'A', 'ref4'), (to_timestamp(2), 'A', 'ref3'),
               (to_timestamp(3), 'B', 'ref2'), (to_timestamp(4), 'B', 'ref1')) v(dt, page, ref);

-- Ties: nodes of one instant are read by value (bytewise), then by the
-- conditions they meet, then base condition, whatever the input order.
CREATE TABLE snn_tie (dt timestamptz, action text, ok bool);
INSERT INTO snn_tie VALUES ('2000-01-01 00:00:01', 'b', true), ('2000-01-01 00:00:01', 'a', false),
  ('2000-01-01 00:00:02', 'c', true), ('2000-01-01 00:00:01', 'B', true);
-- read order: B(1s) a(1s) b(1s) c(2s): head is B, next a
SELECT journey.sequence_next_node('forward', 'head', dt, action, true) AS head,
       journey.sequence_next_node('forward', 'head', dt, action, true, action = 'B') AS after_b,
       journey.sequence_next_node('forward', 'first_match', dt, action, ok, action = 'b') AS after_b_lower,
       journey.sequence_next_node('backward', 'last_match', dt, action, ok, action = 'c', action = 'b') AS before_cb,
       journey.sequence_next_node('backward', 'tail', dt, action, true, action = 'c', action = 'b', action = 'a') AS before_cba
  FROM snn_tie;
-- the same in the reverse input order
SELECT journey.sequence_next_node('forward', 'head', dt, action, true) AS head,
       journey.sequence_next_node('forward', 'head', dt, action, true, action = 'B') AS after_b
  FROM (SELECT * FROM snn_tie ORDER BY dt DESC, action DESC) s;
-- last_match: the last node meeting the base and condition 1
SELECT journey.sequence_next_node('forward', 'last_match', dt, action, true, action IN ('a', 'b')) AS after_last_ab,
       journey.sequence_next_node('forward', 'last_match', dt, action, ok, action IN ('a', 'b')) AS after_last_ok_ab
  FROM snn_tie;

-- NULL: a row without time or value is no node; a NULL condition or base
-- condition is false; no rows gives NULL.
SELECT journey.sequence_next_node('forward', 'head', dt, action, b, c) AS r
  FROM (VALUES (1, 'x', true, true), (2, NULL, true, true), (NULL, 'y', true, true), (3, 'z', NULL, NULL))
       AS v(t, action, b, c), LATERAL (SELECT to_timestamp(v.t) AS dt) d;
SELECT journey.sequence_next_node('forward', 'head', dt, action, NULL, true) AS r
  FROM snn_tie;
SELECT journey.sequence_next_node('forward', 'head', dt, action, true, true) AS r
  FROM snn_tie WHERE false;
-- a group of as many nodes as conditions answers NULL (nothing follows)
SELECT journey.sequence_next_node('forward', 'head', dt, action, true, true, true) AS two_of_two,
       journey.sequence_next_node('forward', 'head', dt, action, true, true) AS one_of_two
  FROM snn_tie WHERE action IN ('a', 'b');

-- The fixed-arity overloads give the VARIADIC form's answers.
SELECT id,
       journey.sequence_next_node('forward', 'head', dt, action, true, action = 'A', action = 'B') AS fixed,
       journey.sequence_next_node('forward', 'head', dt, action, true, VARIADIC ARRAY[action = 'A', action = 'B']) AS variadic
  FROM snn GROUP BY id ORDER BY id;

-- Errors.
SELECT journey.sequence_next_node('sideways', 'head', dt, action, true, true) FROM snn;
SELECT journey.sequence_next_node('forward', 'middle', dt, action, true, true) FROM snn;
SELECT journey.sequence_next_node('backward', 'head', dt, action, true, true) FROM snn;
SELECT journey.sequence_next_node('forward', 'tail', dt, action, true, true) FROM snn;
SELECT journey.sequence_next_node('forward', 'first_match', dt, action, true) FROM snn;
SELECT journey.sequence_next_node(NULL, 'head', dt, action, true, true) FROM snn;
SELECT journey.sequence_next_node('forward', 'head', dt, action, true, VARIADIC NULL::bool[]) FROM snn;
SELECT journey.sequence_next_node('forward', 'head', dt, action, true, VARIADIC '{}'::bool[]) FROM snn;
SELECT journey.sequence_next_node('forward', 'head', dt, action, true,
                                  VARIADIC array_fill(true, ARRAY[33])) FROM snn;
SELECT journey.sequence_next_node(CASE WHEN id = 1 THEN 'forward' ELSE 'backward' END, 'first_match',
                                  dt, action, true, true) FROM snn;

-- A parallel plan gives the serial answers.
CREATE TABLE snn_big AS
SELECT c AS id, timestamptz '2000-01-01' + make_interval(secs => (c * 7 + i * 13) % 50) AS dt,
       chr(65 + (c + i * i) % 4) AS action
  FROM generate_series(1, 400) c, generate_series(1, 12) i;
ANALYZE snn_big;
CREATE TABLE snn_serial AS
SELECT id, journey.sequence_next_node('forward', 'first_match', dt, action, true, action = 'A') AS f,
       journey.sequence_next_node('backward', 'last_match', dt, action, action <> 'D', action = 'C') AS b
  FROM snn_big GROUP BY id;
CREATE TABLE snn_whole AS
SELECT journey.sequence_next_node('backward', 'last_match', dt, action, true, action = 'C', action = 'B') AS b,
       journey.sequence_next_node('forward', 'first_match', dt, action, true, action = 'D') AS f
  FROM snn_big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET enable_hashagg = off; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT journey.sequence_next_node('backward', 'last_match', dt, action, true, action = 'C', action = 'B') AS b
  FROM snn_big;
SELECT w.*, (p.b, p.f) IS NOT DISTINCT FROM (w.b, w.f) AS same
  FROM snn_whole w,
       (SELECT journey.sequence_next_node('backward', 'last_match', dt, action, true, action = 'C', action = 'B') AS b,
               journey.sequence_next_node('forward', 'first_match', dt, action, true, action = 'D') AS f
          FROM snn_big) p;
SELECT count(*) AS groups, count(*) FILTER (WHERE s.f IS NOT DISTINCT FROM p.f AND s.b IS NOT DISTINCT FROM p.b) AS same,
       count(p.f) AS with_answer_f, count(p.b) AS with_answer_b
  FROM snn_serial s JOIN (
    SELECT id, journey.sequence_next_node('forward', 'first_match', dt, action, true, action = 'A') AS f,
           journey.sequence_next_node('backward', 'last_match', dt, action, action <> 'D', action = 'C') AS b
      FROM snn_big GROUP BY id) p USING (id);
RESET ALL;
-- and those answers again, written with window functions: the value after
-- the first A, in (time, value) order; the value before the last C among
-- the nodes that may be the base (the nodes of D are no base)
SELECT count(*) AS groups,
       count(*) FILTER (WHERE s.f IS NOT DISTINCT FROM w.f AND s.b IS NOT DISTINCT FROM w.b) AS same
  FROM snn_serial s JOIN (
    SELECT id,
           (array_agg(nxt ORDER BY dt, action) FILTER (WHERE action = 'A'))[1] AS f,
           (array_agg(prv ORDER BY dt DESC, action DESC) FILTER (WHERE action = 'C'))[1] AS b
      FROM (SELECT id, dt, action,
                   lead(action) OVER (PARTITION BY id ORDER BY dt, action) AS nxt,
                   lag(action) OVER (PARTITION BY id ORDER BY dt, action) AS prv
              FROM snn_big) x
     GROUP BY id) w USING (id);

-- A damaged state is refused by the final function: a test hook (not in
-- the install script) builds a state from its parameters (mode bits: 4096
-- marks the state, 1 backward, the base kind times 2) and nodes (times,
-- conditions met, base flag as the value, event values), then answers as
-- the final function does.  A valid one first: a then b, forward from the
-- head meeting condition 1.
CREATE FUNCTION next_node_check(bigint, int, int, text, bigint[], int[], float8[], text[])
  RETURNS text AS 'journey', 'journey_sequence_next_node_check' LANGUAGE C STRICT;
SELECT next_node_check(0, 1, 4096, '', '{1,2}', '{1,0}', '{1,0}', '{a,b}') AS valid;
SELECT next_node_check(0, 1, 4096, '', '{1,2}', '{1,0}', '{0.5,0}', '{a,b}') AS base_flag_not_0_or_1;
SELECT next_node_check(0, 1, 4096, '', '{1,2}', '{1,0}', '{1,0}', '{a,NULL}') AS node_without_value;
SELECT next_node_check(0, 1, 0, '', '{1,2}', '{1,0}', '{1,0}', '{a,b}') AS not_a_next_node_state;
SELECT next_node_check(0, 0, 4096 | 4, '', '{1,2}', '{1,0}', '{1,0}', '{a,b}') AS first_match_without_condition;
SELECT next_node_check(0, 33, 4096, '', '{1,2}', '{1,0}', '{1,0}', '{a,b}') AS too_many_conditions;
