-- Stored states (journey_state): each per-customer aggregate's state as a
-- value, merged with merge_state / merge_states and read with *_result.
-- Random splits are checked by test/suites/15_states_split.sh; here, small
-- cases worked by hand, the format, and every error.
SET timezone = 'UTC';
CREATE TABLE st_ev (part int, ts timestamptz, label text, conv bool, value float8,
                    c1 bool, c2 bool, c3 bool);
-- one customer cut in two parts; 10:30 holds a row in each part (a tie
-- across the split: by label, a before b)
INSERT INTO st_ev VALUES
  (1, '2026-01-01 10:00', 'a', false, NULL, true,  false, false),
  (2, '2026-01-01 10:30', 'b', false, NULL, false, true,  false),
  (1, '2026-01-01 10:30', 'a', false, NULL, false, false, false),
  (2, '2026-01-01 11:00', 'c', true,  5.5,  false, false, true),
  (1, '2026-01-01 12:00', 'a', false, NULL, false, false, false);
CREATE TABLE st AS
SELECT part,
       journey.path_agg_state(label, ts) AS p,
       journey.paths_to_conversion_state(label, ts, conv, value, '45 minutes') AS c,
       journey.window_funnel_state(ts, '1 hour', c1, c2, c3) AS f,
       journey.window_funnel_state(ts, '59 minutes 59 seconds', c1, c2, c3) AS f_short,
       journey.sequence_state('(?1)(?2)(?3)', ts, c1, c2, c3) AS q,
       journey.retention_state(c1, c2, c3) AS r
  FROM st_ev GROUP BY part;
-- path: a(10:00) a(10:30) b(10:30) c(11:00) a(12:00)
SELECT journey.path_agg_result(journey.merge_states(p)) FROM st;
-- paths_to_conversion: the conversion at 11:00 takes the touches from
-- 10:15 on (45 minutes): a, b at 10:30 and c itself; a at 12:00 trails
SELECT journey.paths_to_conversion_result(journey.merge_states(c)) FROM st;
-- funnel: c1 at 10:00, c2 at 10:30, c3 at 11:00, exactly the 1 hour window
-- (inclusive): level 3; one second less: level 2
SELECT journey.window_funnel_result(journey.merge_states(f)) AS level,
       journey.funnel_times_result(journey.merge_states(f)) AS times,
       journey.window_funnel_result(journey.merge_states(f_short)) AS level_short
  FROM st;
-- (?1)(?2)(?3): 10:00, 10:30 (b), 11:00 meet conditions 1, 2, 3 and are
-- next to each other once rows meeting no condition (a at 10:30) are left
-- out, as ClickHouse's sequenceMatch does: a match, counted once
SELECT journey.sequence_match_result(journey.merge_states(q)),
       journey.sequence_count_result(journey.merge_states(q)) FROM st;
-- retention: c1 held (part 1), c2 and c3 held (part 2)
SELECT journey.retention_result(journey.merge_states(r)) FROM st;
-- each answer equals the aggregate over all the rows
SELECT journey.path_agg(label, ts) = (SELECT journey.path_agg_result(journey.merge_states(p)) FROM st) AS path,
       journey.window_funnel(ts, '1 hour', c1, c2, c3) = (SELECT journey.window_funnel_result(journey.merge_states(f)) FROM st) AS funnel,
       journey.sequence_match('(?1)(?2)(?3)', ts, c1, c2, c3) = (SELECT journey.sequence_match_result(journey.merge_states(q)) FROM st) AS seq,
       journey.retention(c1, c2, c3) = (SELECT journey.retention_result(journey.merge_states(r)) FROM st) AS retention
  FROM st_ev;
-- merge_state in either order gives the same bytes (states are canonical)
SELECT journey.merge_state(a.p, b.p)::text = journey.merge_state(b.p, a.p)::text AS same_bytes
  FROM st a, st b WHERE a.part = 1 AND b.part = 2;
-- Rows added in one order share a repeated label's bytes; sorted, the
-- repeats can lie apart and need their own (here 3 labels of 60 bytes, past
-- a small state's first 112 label bytes)
SELECT journey.path_agg_result(journey.path_agg_state(l, t)) = ARRAY[repeat('x', 60), repeat('y', 60), repeat('x', 60)]
  FROM (VALUES (repeat('x', 60), timestamptz '2026-01-01'), (repeat('x', 60), '2026-01-03'),
               (repeat('y', 60), '2026-01-02')) v(l, t);
-- NULL stands for no rows: merge_state keeps the other side; the results
-- give what the aggregates give over no rows
SELECT journey.merge_state(p, NULL)::text = p::text AS kept FROM st WHERE part = 1;
SELECT journey.merge_state(NULL, NULL) IS NULL AS both_null,
       journey.path_agg_result(NULL) IS NULL AS path,
       journey.paths_to_conversion_result(NULL) IS NULL AS conv,
       journey.window_funnel_result(NULL) AS level,
       journey.funnel_times_result(NULL) AS times,
       journey.sequence_match_result(NULL) AS matched,
       journey.sequence_count_result(NULL) AS matches,
       journey.retention_result(NULL) IS NULL AS retention;
-- What a state holds, and its size: 2 + 32 bytes of header, 16 per event,
-- the labels once per run (a, then b, c, a: "a\0b\0c\0a\0" 8 bytes) and the
-- 4-byte varlena header
SELECT (journey.state_info(journey.merge_states(p))).* FROM st;
SELECT 4 + 2 + (1 + 8 + 4 + 4 + 4 + 4 + 4 + 1) + 5 * 16 + 8 AS expected_bytes;
-- The text form is \x and the bytes in hex, read back to the same value
SELECT journey.retention_state(true, false, true);
SELECT journey.retention_result('\x01050300000005000000');

-- With step rules: the exclusion (label a at a row meeting no step 1) at
-- 10:30 is not strictly between step 1 (10:00) and step 2 (10:30), and
-- step 3 is exactly 30 minutes after step 2: level 3.  The exclusion lies
-- strictly between steps 1 and 3 (exclude(1, 3)): level 2; a max_gap of 29
-- minutes: level 2.  With the label as object_key no key holds two steps:
-- level 1.
CREATE TABLE st_rules AS
SELECT part,
       journey.window_funnel_state(ts, '1 hour', 'exclude(1, 2), max_gap(3, 30 minutes)',
                                   ARRAY[c1, c2, c3], ARRAY[label = 'a' AND NOT c1]) AS f,
       journey.window_funnel_state(ts, '1 hour', 'exclude(1, 3), max_gap(3, 30 minutes)',
                                   ARRAY[c1, c2, c3], ARRAY[label = 'a' AND NOT c1]) AS f13,
       journey.window_funnel_state(ts, '1 hour', 'exclude(1, 2), max_gap(3, 29 minutes)',
                                   ARRAY[c1, c2, c3], ARRAY[label = 'a' AND NOT c1]) AS f29,
       journey.window_funnel_state(ts, '1 hour', '', ARRAY[c1, c2, c3], NULL, label) AS fk
  FROM st_ev GROUP BY part;
SELECT journey.window_funnel_result(journey.merge_states(f)) AS level,
       journey.funnel_times_result(journey.merge_states(f)) AS times,
       journey.window_funnel_result(journey.merge_states(f13)) AS level_13,
       journey.window_funnel_result(journey.merge_states(f29)) AS level_29,
       journey.window_funnel_result(journey.merge_states(fk)) AS level_keyed
  FROM st_rules;
-- each equals the aggregate with the same rules over all the rows
SELECT journey.funnel_times(ts, '1 hour', 'exclude(1, 2), max_gap(3, 30 minutes)',
                            ARRAY[c1, c2, c3], ARRAY[label = 'a' AND NOT c1])
         = (SELECT journey.funnel_times_result(journey.merge_states(f)) FROM st_rules) AS times,
       journey.window_funnel(ts, '1 hour', 'exclude(1, 3), max_gap(3, 30 minutes)',
                             ARRAY[c1, c2, c3], ARRAY[label = 'a' AND NOT c1])
         = (SELECT journey.window_funnel_result(journey.merge_states(f13)) FROM st_rules) AS level_13,
       journey.window_funnel(ts, '1 hour', '', ARRAY[c1, c2, c3], NULL, label)
         = (SELECT journey.window_funnel_result(journey.merge_states(fk)) FROM st_rules) AS keyed
  FROM st_ev;
-- drop_excluded: an exclusion between steps 1 and 2 (10:00 < 10:15 < 10:30)
-- leaves the customer out: level -1, no times
SELECT journey.window_funnel_result(s), journey.funnel_times_result(s) IS NULL AS dropped
  FROM (SELECT journey.window_funnel_state(t, '1 hour', 'exclude(1, 2), drop_excluded',
                                           ARRAY[t = '2026-01-01 10:00', t = '2026-01-01 10:30'],
                                           ARRAY[t = '2026-01-01 10:15']) AS s
          FROM (VALUES (timestamptz '2026-01-01 10:00'), ('2026-01-01 10:15'),
                       ('2026-01-01 10:30')) v(t)) x;
-- the rules text is kept where a sequence keeps its pattern (13 bytes
-- here), each row's exclusion conditions as its value (8 bytes per event)
SELECT (journey.state_info(s)).*,
       4 + 2 + (1 + 8 + 4 + 4 + 4 + 4 + 4 + 1) + 13 + 2 * (16 + 8) AS expected_bytes
  FROM (SELECT journey.window_funnel_state(t, '1 hour', 'exclude(1, 2)', ARRAY[s1, s2], ARRAY[x]) AS s
          FROM (VALUES (timestamptz '2026-01-01 10:00', true, false, false),
                       ('2026-01-01 10:10', false, false, true)) v(t, s1, s2, x)) y;

-- Errors.  A state of one aggregate is not read as another's:
SELECT journey.window_funnel_result(p) FROM st WHERE part = 1;
SELECT journey.merge_state(p, c) FROM st WHERE part = 1;
-- states made with other parameters are not merged
SELECT journey.merge_state(a.f, b.f_short) FROM st a, st b WHERE a.part = 1 AND b.part = 2;
-- funnel_times has no modes
SELECT journey.funnel_times_result(journey.window_funnel_state(ts, '1 hour', 'strict_order', c1, c2)) FROM st_ev;
-- Corrupt or foreign values are refused when read, never misread:
SELECT 'abc'::journey.journey_state;                    -- not hex
SELECT '\x'::journey.journey_state;                     -- empty
SELECT '\x02'::journey.journey_state;                   -- a later format version
SELECT '\x0109'::journey.journey_state;                 -- unknown kind
SELECT '\x0105030000000500'::journey.journey_state;     -- truncated
SELECT '\x0105030000000500000000'::journey.journey_state;  -- trailing byte
SELECT '\x01050300000008000000'::journey.journey_state;    -- condition 4 of 3
SELECT '\x01052100000000000000'::journey.journey_state;    -- 33 conditions
-- a path_agg state whose event has no label, and one with a window
SELECT '\x0101020000000000000000000000000000000000000000010000000000000000e80300000000000000000000ffffffff'::journey.journey_state;
SELECT '\x010102e803000000000000000000000000000000000000010000000200000000e80300000000000000000000000000006100'::journey.journey_state;
-- a funnel state with an event meeting step 3 of 2
SELECT '\x010302e803000000000000020000000000000000000000010000000000000000e80300000000000004000000ffffffff'::journey.journey_state;
-- a funnel state with modes window_funnel does not give (allow_reentry
-- without strict_order), and one with an event past the last timestamp
SELECT '\x010302e803000000000000020000001000000000000000010000000000000000e80300000000000002000000ffffffff'::journey.journey_state;
SELECT '\x010302e803000000000000020000000000000000000000010000000000000000feffffffffffff7f02000000ffffffff'::journey.journey_state;
-- (the largest value is infinity, which an aggregate can be given)
SELECT journey.funnel_times_result('\x010302e803000000000000020000000000000000000000010000000000000000ffffffffffffff7f01000000ffffffff');
-- the event buffer's own checks: its size does not match its count
SELECT '\x0101020000000000000000000000000000000000000000050000000000000000'::journey.journey_state;
-- a valid funnel state (window 1000 us, 2 steps, one event meeting step 2)
SELECT journey.window_funnel_result('\x010302e803000000000000020000000000000000000000010000000000000000e80300000000000002000000ffffffff');
-- A state with step rules is checked against its rules when read; each
-- damage of this valid state (window 1 hour, 2 steps, 'exclude(1, 2)',
-- step 1 at one instant, exclusion 1 at the next) is refused with SQLSTATE
-- 22P03 and says what is wrong.
CREATE FUNCTION pg_temp.state_error(hex text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	detail text;
BEGIN
	PERFORM hex::journey.journey_state;
	RETURN 'read';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
	RETURN SQLSTATE || ' ' || SQLERRM || ': ' || detail;
END;
$$;
SELECT what, pg_temp.state_error(hex) AS error
  FROM (VALUES
  ('valid', '\x01060200a493d60000000002000000000200000d0000006578636c75646528312c20322902000000000000000100c8ac6c4fea020001000000ffffffff000e70904fea020000000000ffffffff0000000000000000000000000000f03f'),
  ('a rule on step 3 of 2', '\x01060200a493d60000000002000000000200000d0000006578636c75646528312c20332902000000000000000100c8ac6c4fea020001000000ffffffff000e70904fea020000000000ffffffff0000000000000000000000000000f03f'),
  ('a gap that is no interval', '\x01060200a493d600000000020000000002000010000000' || encode('max_gap(2, soon)', 'hex') || '02000000000000000100c8ac6c4fea020001000000ffffffff000e70904fea020000000000ffffffff0000000000000000000000000000f03f'),
  ('exclusion 2 of 1', '\x01060200a493d60000000002000000000200000d0000006578636c75646528312c20322902000000000000000100c8ac6c4fea020001000000ffffffff000e70904fea020000000000ffffffff00000000000000000000000000000040'),
  ('half an exclusion', '\x01060200a493d60000000002000000000200000d0000006578636c75646528312c20322902000000000000000100c8ac6c4fea020001000000ffffffff000e70904fea020000000000ffffffff0000000000000000000000000000e03f'),
  ('funnel_times'' parameters', '\x01060200a493d60000000002000000000300000d0000006578636c75646528312c20322902000000000000000100c8ac6c4fea020001000000ffffffff000e70904fea020000000000ffffffff0000000000000000000000000000f03f'),
  ('no steps', '\x01060200a493d60000000000000000000200000d0000006578636c75646528312c20322902000000000000000100c8ac6c4fea020000000000ffffffff000e70904fea020000000000ffffffff0000000000000000000000000000f03f'),
  ('a key without object_key', '\x01060200a493d60000000002000000000200000d0000006578636c75646528312c20322902000000020000000100c8ac6c4fea02000100000000000000000e70904fea020000000000000000000000000000000000000000000000f03f6100'),
  ('the same with object_key', '\x01060200a493d60000000002000000000600000d0000006578636c75646528312c20322902000000020000000100c8ac6c4fea02000100000000000000000e70904fea020000000000000000000000000000000000000000000000f03f6100')
  ) v(what, hex);
-- a funnel state with rules is merged only with one of the same rules
SELECT journey.merge_state(a.f, b.f13) FROM st_rules a, st_rules b WHERE a.part = 1 AND b.part = 2;
SELECT journey.merge_state(a.f, b.f) FROM st_rules a, st b WHERE a.part = 1 AND b.part = 2;
SELECT journey.path_agg_result(f) FROM st_rules WHERE part = 1;
-- the rows of a group share the rules
SELECT journey.window_funnel_state(ts, '1 hour', CASE WHEN part = 1 THEN '' ELSE 'strict_order' END,
                                   ARRAY[c1, c2, c3], NULL) FROM st_ev;
