#!/usr/bin/env bash
# test/suites/01_state_fuzz.sh: the event state's deserializer against
# damaged bytes.  Valid serialized states (the layout of src/events.c, as
# sql/01_state.sql writes them) are mutated at random: bytes overwritten,
# cut off, appended, copied over each other.  Every result must be a state
# or an invalid-state / limit error; any other error, or a server that does
# not answer afterwards, fails the suite.  Stored states of funnels with
# step rules (journey_state) are damaged likewise.
#
# The inputs come from the fuzzing driver (test/fuzz_driver, see test/lib.sh):
# JOURNEY_FUZZ_SEED (default: a fresh seed, printed), JOURNEY_FUZZ_COUNT
# (default 20000 damaged states), JOURNEY_FUZZ_BATCH.  test/fuzz runs it long.
# Runs against the throwaway cluster of test/check (an assert-enabled build).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

fuzz_init journey_state_fuzz 20000

suite_q -d "$FUZZ_DB" >/dev/null <<'SQL'
CREATE FUNCTION state_check(bytea) RETURNS text
  AS 'journey', 'journey_events_state_check' LANGUAGE C STRICT;
-- three events with labels; three conversions with values and labels; two
-- funnel events with a pattern text; an empty state
INSERT INTO fuzz_gen (parser, query, seeds) VALUES ('state', 'SELECT state_check($1)', ARRAY[
 '\x02008793030000000002000000000000000100000078030000000400000000d0070000000000000100000002000000e8030000000000000200000000000000e80300000000000002000000ffffffff61006200',
 '\x020000000000000000000000000000000000000000030000000400000001b80b0000000000000000008000000000e8030000000000000000000002000000b80b0000000000000000008000000000000000000040454000000000000000000000000000001c4061006200',
 '\x020000000000000000030000000100000008000000283f3129283f3229020000000000000000d00700000000000004000000ffffffffe80300000000000001000000ffffffff',
 '\x020000000000000000000000000000000000000000000000000000000000']::bytea[]);
SQL
suite_expect "every seed state is valid" \
	"$(suite_q -d "$FUZZ_DB" -c 'SELECT count(state_check(s)) FROM fuzz_gen, unnest(seeds) s')" 4

fuzz_parser state || exit 1
echo "outcomes: $(fuzz_outcomes state)"
# XX001 data_corrupted, 54000 program_limit_exceeded
fuzz_expect state "ok XX001 54000"
fuzz_seen state XX001 "some damaged states are rejected"
fuzz_seen state ok "some damaged states are still states"

# Stored states (journey_state, src/state.c) of funnels with step rules
# (kind 6), whose rules text, exclusion masks and keys are checked when
# read: damaged, each must be read and answered, or refused as an invalid
# value (22P03), another kind (22023) or past a limit (54000); never a
# damaged-aggregate-state error of the final functions (XX001) or a crash.
suite_q -d "$FUZZ_DB" >/dev/null <<'SQL'
-- keyed, with modes, two exclusions and both gaps; drop_excluded; one
-- exclusion; a funnel state without rules (kind 3)
INSERT INTO fuzz_gen (parser, query, seeds) VALUES ('stored',
 'SELECT journey.window_funnel_result(s) || coalesce(journey.funnel_times_result(s)::text, ''NULL'')
    FROM (SELECT (''\x'' || encode($1, ''hex''))::journey.journey_state AS s) x', ARRAY[
 '\x010602004827ad0100000003000000000600005d0000007374726963745f696e6372656173652c206578636c75646528312c2033292c206578636c75646528322c2033292c206d61785f67617028322c203330206d696e75746573292c206d696e5f67617028332c203130206d696e757465732906000000080000000100c8ac6c4fea02000100000000000000005433b44fea02000200000000000000005433b44fea0200020000000200000000f714c64fea020000000000ffffffff00e0b9fb4fea0200040000000400000000e0b9fb4fea02000500000006000000000000000000000000000000000000400000000000000000000000000000f03f000000000000000000000000000000006100620061006200',
 '\x01060200a493d60000000002000000000200001c0000006578636c75646528312c2032292c2064726f705f6578636c7564656403000000000000000100c8ac6c4fea020001000000ffffffff000e70904fea020000000000ffffffff005433b44fea020002000000ffffffff0000000000000000000000000000f03f0000000000000000',
 '\x01060200a493d60000000002000000000200000d0000006578636c75646528312c20322902000000000000000100c8ac6c4fea020001000000ffffffff000e70904fea020000000000ffffffff0000000000000000000000000000f03f',
 '\x010302e803000000000000020000000000000000000000010000000000000000e80300000000000002000000ffffffff']::bytea[]);
SQL
suite_expect "every stored seed state is read" \
	"$(suite_q -d "$FUZZ_DB" -c "SELECT count(journey.window_funnel_result(('\\x' || encode(s, 'hex'))::journey.journey_state)) FROM fuzz_gen, unnest(seeds) s WHERE parser = 'stored'")" 4
fuzz_parser stored || exit 1
echo "outcomes: $(fuzz_outcomes stored)"
fuzz_expect stored "ok 22P03 22023 54000"
fuzz_seen stored 22P03 "some damaged stored states are refused"
fuzz_seen stored ok "some damaged stored states are still states"
suite_expect "the server answers after $FUZZ_COUNT damaged states" \
	"$(suite_q -d "$FUZZ_DB" -c 'SELECT 1')" 1
exit $SUITE_FAILED
