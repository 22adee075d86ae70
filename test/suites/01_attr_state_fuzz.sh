#!/usr/bin/env bash
# test/suites/01_attr_state_fuzz.sh: the attribution aggregates' state
# deserializer (src/attribution.c) against damaged bytes, as
# 01_state_fuzz.sh does for the event state.  Valid serialized states
# (version 3: model text, bootstrap options, per path three sums, touch
# count, key and, for time_decay, the touches' weights; seeds written by
# hand in that layout) are mutated at random; each result is deserialized
# and, what survives, credited as the final function does.  Every result
# must be a state or an invalid-state / invalid-model / limit error; any
# other error, or a server that does not answer afterwards, fails the
# suite.  JOURNEY_FUZZ_SEED, JOURNEY_FUZZ_COUNT (default 20000),
# JOURNEY_FUZZ_BATCH as in 01_state_fuzz.sh; test/fuzz runs it long.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

fuzz_init journey_attr_state_fuzz 20000

suite_q -d "$FUZZ_DB" >/dev/null <<'SQL'
CREATE FUNCTION attr_state_check(bytea, bool) RETURNS text
  AS 'journey', 'journey_attribution_state_check' LANGUAGE C STRICT;
-- linear: paths [a, b] (2 conversions, value 3.5, 1 null) and [b];
-- markov with 20 bootstrap replicates, seed 42, confidence 0.9; shapley
-- over three channels; time_decay with the touches' weights; fractribution
-- with bootstrap seed -1
INSERT INTO fuzz_gen (parser, query, seeds) VALUES ('attr_state',
 'SELECT attr_state_check($1, false), attr_state_check($1, true)', ARRAY[
 '\x03060000006c696e656172000000000000000000000000000000000000000002000000000000000000000040000000000000000c4000000000000000f03f020000000a0000000100000061010000006200000000000000f03f00000000000000000000000000000000104001000000050000000100000062',
 '\x03060000006d61726b6f76140000002a00000000000000cdccccccccccec3f03000000000000000000000040000000000000000c4000000000000000f03f030000000f00000001000000610100000062010000006100000000000000f03f00000000000000000000000000000000104001000000050000000100000063000000000000000000000000000000000000000000000000000040020000000a00000001000000620100000063',
 '\x0307000000736861706c657900000000000000000000000000000000000000000300000000000000000000084000000000000000f03f000000000000000000020000000a0000000100000061010000006200000000000000f03f0000000000000000400000000000000000000100000005000000010000006100000000000000f03f00000000000000f03f00000000000000f03f020000000a00000001000000620100000063',
 '\x030a00000074696d655f646563617900000000000000000000000000000000000000000200000000000000000000f03f000000000000000040000000000000000000020000001a00000001000000610100000062000000000000d03f000000000000e83f00000000000000f03f00000000000000f03f000000000000000000010000000d0000000100000062000000000000f03f',
 '\x030d00000066726163747269627574696f6e07000000ffffffffffffffff000000000000e03f02000000000000000000001440000000000000001440000000000000001440020000000a0000000100000078010000007900000000000000f03f00000000000000f03f00000000000000f03f01000000050000000100000079']::bytea[]);
SQL
suite_expect "every seed state is valid" \
	"$(suite_q -d "$FUZZ_DB" -c 'SELECT count(attr_state_check(s, true)) FROM fuzz_gen, unnest(seeds) s')" 5

fuzz_parser attr_state || exit 1
echo "outcomes: $(fuzz_outcomes attr_state)"
# XX001 data_corrupted, 22023 invalid_parameter_value (a damaged model
# text), 54000 program_limit_exceeded, 22003 numeric_value_out_of_range
# (totals that overflow float8 when credited)
fuzz_expect attr_state "ok XX001 22023 54000 22003"
fuzz_seen attr_state XX001 "some damaged states are rejected"
fuzz_seen attr_state ok "some damaged states are still states"
suite_expect "the server answers after $FUZZ_COUNT damaged states" \
	"$(suite_q -d "$FUZZ_DB" -c 'SELECT 1')" 1
exit $SUITE_FAILED
