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
-- the event buffer's own checks: its size does not match its count
SELECT '\x0101020000000000000000000000000000000000000000050000000000000000'::journey.journey_state;
-- a valid funnel state (window 1000 us, 2 steps, one event meeting step 2)
SELECT journey.window_funnel_result('\x010302e803000000000000020000000000000000000000010000000000000000e80300000000000002000000ffffffff');
