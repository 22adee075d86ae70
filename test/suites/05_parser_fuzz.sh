#!/usr/bin/env bash
# test/suites/05_parser_fuzz.sh: every text a user writes that journey parses
# (sequence patterns, attribution model specs, path transform steps, funnel
# modes, channel rules' regular expressions) and the labels it normalises,
# against random text.  The texts are drawn from pieces of each grammar
# (names, brackets, operators, numbers too large or not finite, quotes,
# white space, non-ASCII letters) and from valid texts with characters
# inserted, deleted or swapped.  Each call must give an answer or a clear
# error with the SQLSTATE that its documentation names
# (invalid_parameter_value or invalid_regular_expression, or a limit); any
# other error, or a server that does not answer afterwards, fails the suite.
#
# The inputs come from the fuzzing driver (test/fuzz_driver, see test/lib.sh):
# JOURNEY_FUZZ_SEED (default: a fresh seed, printed), JOURNEY_FUZZ_COUNT
# (default 3000 texts per parser), JOURNEY_FUZZ_BATCH, and
# JOURNEY_FUZZ_PARSERS (default all: sequence_match sequence_count
# touch_weights attribution path_transform window_funnel labels
# channel_rule).  test/fuzz runs it long.
# Runs against the throwaway cluster of test/check (an assert-enabled build).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

PARSERS=${JOURNEY_FUZZ_PARSERS:-sequence_match sequence_count touch_weights attribution path_transform window_funnel labels channel_rule}

fuzz_init journey_parser_fuzz 3000

suite_q -d "$FUZZ_DB" >/dev/null <<'SQL'
-- default_channel reads and compiles the rules once per statement, and every
-- input is a statement: only two rules are kept, so that an input costs its
-- own work and not the compiling of every shipped pattern again
DELETE FROM journey.channel_rule WHERE priority NOT IN (1400, 1410);
-- a few events for the aggregates to read
CREATE TABLE ev (ts timestamptz, a bool, b bool, c bool);
INSERT INTO ev SELECT '2026-01-01'::timestamptz + g * interval '7 hours',
                      g % 3 = 0, g % 3 = 1, g % 5 = 2
                 FROM generate_series(1, 12) g;
-- pieces of every grammar: brackets, operators, numbers out of range or not
-- finite, quotes, white space, non-ASCII letters
WITH common(p) AS (VALUES (ARRAY[
		'(', ')', '((', '))', '?', '.', '*', ',', '=', ' = ', ', ', ' ', '  ', E'\t', E'\n', '',
		'0', '1', '-1', '2', '0.5', '2147483648', '99999999999999999999', '1e309', 'NaN',
		'Infinity', '-0', '''', '"', '\', '%s', 'x', 'é', 'Ⅻ', 'ｆｕｌｌ', 'ß', 'İ',
		E'\u00a0', '🙂'])),
pattern(valid, pieces) AS (SELECT
	ARRAY['(?1)(?2)', '(?1).*(?2)(?t<=3600)(?3)', '(?1)(?t>5)(?2)', '(?2).(?1)', '(?3)(?t==0)(?3)',
		  '.*(?1)(?t>=1)(?2).*'],
	p || ARRAY['(?1)', '(?2)', '(?3)', '(?4)', '(?0)', '(?-1)', '(?99999999999)', '(?t<=', '(?t<',
			   '(?t>=', '(?t>', '(?t==', '(?t', '3600)', '0)', '-5)', '1e30)', '.*', '**']
	FROM common),
model(valid, pieces) AS (SELECT
	ARRAY['linear', 'position_based(first=0.3, last=0.5)', 'time_decay(half_life=12 hours)',
		  'last_non_direct(direct=Direct)', 'markov(order=2)', 'first_touch', 'participation',
		  'shapley', 'fractribution'],
	p || ARRAY['linear', 'first_touch', 'last_touch', 'last_non_direct', 'position_based',
			   'time_decay', 'participation', 'markov', 'shapley', 'fractribution', 'LINEAR', 'first', 'last',
			   'order', 'half_life', 'direct', 'Direct', '7 days', '12 hours', '1 second',
			   '0 days', 'weeks', 'fortnights', '(first=', '(order=']
	FROM common),
transform(valid, pieces) AS (SELECT
	ARRAY['exposure', 'first', 'unique', 'frequency', 'trim_long_path(2)',
		  'remove_if_not_all(a)', 'remove_if_last_and_not_all(b)'],
	p || ARRAY['exposure', 'unique', 'frequency', 'trim_long_path', 'remove_if_not_all',
			   'remove_if_last_and_not_all', 'n', 'channel', '(n=', '(channel=']
	FROM common),
modes(valid, pieces) AS (SELECT
	ARRAY['', 'strict_order', 'strict_order, allow_reentry', 'strict_once,strict_increase',
		  'strict_deduplication'],
	p || ARRAY['strict_order', 'strict_deduplication', 'strict_increase', 'strict_once',
			   'allow_reentry', 'bogus']
	FROM common),
regex(valid, pieces) AS (SELECT
	ARRAY['^(google|bing)$', 'e-?mail', '^(.*cp.*|ppc|paid.*)$', '[[:alpha:]]+', 'social|fb'],
	p || ARRAY['[', ']', '^', '$', '|', '+', '{2,3}', '{99999}', '\d', '(?i)', '***:', '(?=',
			   '(?!', '\1', '[[:alpha:]]', '[[:bogus:]]', 'email', '.*', '(a|b)*']
	FROM common)
INSERT INTO fuzz_gen (parser, query, valid, pieces)
SELECT 'sequence_match', 'SELECT journey.sequence_match($1, ts, a, b, c) FROM ev', valid, pieces
  FROM pattern
UNION ALL
SELECT 'sequence_count', 'SELECT journey.sequence_count($1, ts, a, b) FROM ev', valid, pieces
  FROM pattern
UNION ALL
SELECT 'touch_weights',
	   $q$SELECT journey.touch_weights(ARRAY['a', 'Direct', 'b'], $1,
			ARRAY['2026-01-01', '2026-01-02', '2026-01-04']::timestamptz[], '2026-01-05')$q$,
	   valid, pieces
  FROM model
UNION ALL
SELECT 'attribution',
	   $q$SELECT journey.attribution(path, 1, 0, 1, $1)
			FROM (VALUES (ARRAY['a', 'b']), (ARRAY['b', 'Direct', 'a'])) v(path)$q$,
	   valid, pieces
  FROM model
UNION ALL
SELECT 'path_transform',
	   $q$SELECT journey.path_transform(ARRAY['a', 'b', 'a', 'c'], $1, 'unique')$q$, valid, pieces
  FROM transform
UNION ALL
SELECT 'window_funnel', $q$SELECT journey.window_funnel(ts, '1 day', $1, a, b, c) FROM ev$q$,
	   valid, pieces
  FROM modes
UNION ALL
SELECT 'labels', 'SELECT journey.normalize_label($1), journey.default_channel($1, $1)',
	   pattern.valid || model.valid, common.p
  FROM pattern, model, common
UNION ALL
-- a channel rule whose patterns are the text (the driver rolls it back)
SELECT 'channel_rule',
	   $q$INSERT INTO journey.channel_rule (priority, channel, source_pattern, medium_pattern)
			VALUES (100000, 'Fuzz', $1, $1);
		  SELECT journey.default_channel($1, $1), journey.default_channel('email', 'x')$q$,
	   valid, pieces
  FROM regex;
SQL

for p in $PARSERS; do
	fuzz_parser "$p" || exit 1
done
for p in $PARSERS; do
	echo "$p: $(fuzz_outcomes "$p")"
	fuzz_expect "$p" "ok 22023 54000 2201B"
	fuzz_seen "$p" ok "some random texts are accepted"
	case $p in
	labels) ;;
	channel_rule) fuzz_seen "$p" 2201B "some random patterns are rejected" ;;
	*) fuzz_seen "$p" 22023 "some random texts are rejected" ;;
	esac
done
suite_expect "the server answers after $FUZZ_COUNT random texts per parser" \
	"$(suite_q -d "$FUZZ_DB" -c 'SELECT 1')" 1
exit $SUITE_FAILED
