-- The shared event state: every event aggregate (path_agg, paths_to_conversion,
-- window_funnel, funnel_times, sequence_match, sequence_count) keeps its rows in
-- one state layout, serialized for parallel workers.  Deserialization distrusts
-- its bytes.  The bytes below are written by hand for a little-endian machine
-- (layout version 2, see src/events.c), through a test hook that the install
-- script does not expose.
CREATE FUNCTION public.journey_state_check(bytea) RETURNS text
  AS 'journey', 'journey_events_state_check' LANGUAGE C STRICT;

-- A valid state: interval 60 s, 2 conditions, text "x", three events stored out
-- of order (sorted on read: timestamp, then label with no label first).
SELECT public.journey_state_check('\x02008793030000000002000000000000000100000078030000000400000000d0070000000000000100000002000000e8030000000000000200000000000000e80300000000000002000000ffffffff61006200');
-- Values travel with their events through the sort: two conversions at the
-- same time and label are ordered by value.
SELECT public.journey_state_check('\x020000000000000000000000000000000000000000030000000400000001b80b0000000000000000008000000000e8030000000000000000000002000000b80b0000000000000000008000000000000000000040454000000000000000000000000000001c4061006200');
-- An empty state.
SELECT public.journey_state_check('\x020000000000000000000000000000000000000000000000000000000000');
-- Corrupt states are errors, never crashes.
SELECT public.journey_state_check('\x090000000000000000000000000000000000000000000000000000000000');  -- version
SELECT public.journey_state_check('\x0200879303000000000200000000000000010000');  -- trunc
SELECT public.journey_state_check('\x02008793030000000002000000000000000100000078030000000400000000d0070000000000000100000002000000e8030000000000000200000000000000e80300000000000002000000ffffffff610062');  -- short
SELECT public.journey_state_check('\x02008793030000000002000000000000000100000078030000000400000000d0070000000000000100000002000000e8030000000000000200000000000000e80300000000000002000000ffffffff6100620000');  -- long
SELECT public.journey_state_check('\x020000000000000000000000000000000000000000010000000200000000010000000000000000000000030000006100');  -- badlabel
SELECT public.journey_state_check('\x020000000000000000000000000000000000000000010000000200000000010000000000000000000000feffffff6100');  -- neglabel
SELECT public.journey_state_check('\x02000000000000000000000000000000000000000001000000030000000001000000000000000000000000000000616263');  -- noterm
SELECT public.journey_state_check('\x020000000000000000210000000000000000000000000000000000000000');  -- nconds
SELECT public.journey_state_check('\x020000000000000000000000000000000000000000ffffffff0000000000');  -- negcount
SELECT public.journey_state_check('\x02fbffffffffffffff000000000000000000000000000000000000000000');  -- neginterval
SELECT public.journey_state_check('\x0200000000000000000000000000000000e8030000000000000000000000');  -- textlen
SELECT public.journey_state_check('\x020000000000000000000000000000000000000000000000000000000002');  -- hasvalues
SELECT public.journey_state_check('\x020000000000000000000000000000000000000000010000000000000001010000000000000000000000ffffffff');  -- values missing
SELECT public.journey_state_check('\x');  -- nothing at all
SELECT public.journey_state_check('\x020000000000000000020000000000000000000000010000000000000000010000000000000004000000ffffffff');  -- condition 3 of 2
-- A state holding more events than one group may hold.
SET journey.max_events_per_group = 2;
SELECT public.journey_state_check('\x02008793030000000002000000000000000100000078030000000400000000d0070000000000000100000002000000e8030000000000000200000000000000e80300000000000002000000ffffffff61006200');
RESET journey.max_events_per_group;

-- Combining two partial states (as the combine function of a parallel plan
-- does): the result knows whether it is in order from where the two meet.
CREATE FUNCTION public.journey_combine_check(bytea, bytea) RETURNS text
  AS 'journey', 'journey_events_combine_check' LANGUAGE C STRICT;
-- events at 1000 and 2000, then 3000 and 4000: in order
SELECT public.journey_combine_check(
  '\x020000000000000000020000000000000000000000020000000000000000e80300000000000001000000ffffffffd00700000000000002000000ffffffff',
  '\x020000000000000000020000000000000000000000020000000000000000b80b00000000000001000000ffffffffa00f00000000000002000000ffffffff');
-- 1000 and 3000, then 2000: out of order, sorted when read
SELECT public.journey_combine_check(
  '\x020000000000000000020000000000000000000000020000000000000000e80300000000000001000000ffffffffb80b00000000000002000000ffffffff',
  '\x020000000000000000020000000000000000000000010000000000000000d00700000000000002000000ffffffff');
-- label "b", then label "a" at the same time: out of order (the right
-- state's label is compared in the combined arena)
SELECT public.journey_combine_check(
  '\x020000000000000000000000000000000000000000010000000200000000e80300000000000000000000000000006200',
  '\x020000000000000000000000000000000000000000010000000200000000e80300000000000000000000000000006100');
-- states made with different parameters (a window of 0 and of 60 s)
SELECT public.journey_combine_check(
  '\x020000000000000000020000000000000000000000020000000000000000e80300000000000001000000ffffffffd00700000000000002000000ffffffff',
  '\x020087930300000000020000000000000000000000010000000000000000d00700000000000002000000ffffffff');
DROP FUNCTION public.journey_combine_check(bytea, bytea);
DROP FUNCTION public.journey_state_check(bytea);

-- The one event sort, on states that a test hook builds in a scrambled order
-- (a fixed pseudo-random sequence; timestamps tie often, so labels, flags and
-- values decide too): the result must be in the event order (each event
-- compared with the next) and hold the same events (an order-independent
-- digest taken before and after).
CREATE FUNCTION public.journey_sort_check(int, int, bool) RETURNS text
  AS 'journey', 'journey_events_sort_check' LANGUAGE C STRICT;
SELECT nevents, nlabels, with_values,
       public.journey_sort_check(nevents, nlabels, with_values)
  FROM (VALUES (0, 0, false), (1, 0, false), (7, 3, true), (100000, 0, false),
               (100000, 40, false), (100000, 0, true), (100000, 1000, true))
       v(nevents, nlabels, with_values);
DROP FUNCTION public.journey_sort_check(int, int, bool);
