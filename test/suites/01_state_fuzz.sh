#!/usr/bin/env bash
# test/suites/01_state_fuzz.sh: the event state's deserializer against
# damaged bytes.  Valid serialized states (the layout of src/events.c, as
# sql/01_state.sql writes them) are mutated at random: bytes overwritten,
# cut off, appended, copied over each other.  Every result must be a state
# or an invalid-state / limit error; any other error, or a server that does
# not answer afterwards, fails the suite.
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
suite_expect "the server answers after $FUZZ_COUNT damaged states" \
	"$(suite_q -d "$FUZZ_DB" -c 'SELECT 1')" 1
exit $SUITE_FAILED
