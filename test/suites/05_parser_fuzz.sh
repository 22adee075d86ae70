#!/usr/bin/env bash
# test/suites/05_parser_fuzz.sh: every text a user writes that journey parses
# (sequence patterns, attribution model specs, path transform steps, funnel
# modes, channel rules' regular expressions) and the labels it normalises,
# against random text.  The texts are
# drawn, with a fixed seed, from pieces of each grammar (names, brackets,
# operators, numbers too large or not finite, quotes, white space, non-ASCII
# letters) and from valid texts with characters inserted, deleted or
# swapped.  Each call must give an answer or a clear error with the SQLSTATE
# that its documentation names (invalid_parameter_value or
# invalid_regular_expression, or a limit); any
# other error, or a server that does not answer afterwards, fails the suite.
# Runs against the throwaway cluster of test/check (an assert-enabled build).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DB=journey_parser_fuzz
ROUNDS=${JOURNEY_FUZZ_ROUNDS:-3000}

suite_database "$DB"

out=$(suite_q -d "$DB" <<SQL
CREATE EXTENSION journey;
-- a few events for the aggregates to read
CREATE TABLE ev (ts timestamptz, a bool, b bool, c bool);
INSERT INTO ev SELECT '2026-01-01'::timestamptz + g * interval '7 hours',
                      g % 3 = 0, g % 3 = 1, g % 5 = 2
                 FROM generate_series(1, 12) g;
CREATE TABLE outcome (parser text, result text, n int);
-- a random text: pieces strung together, or a valid text with a few
-- characters inserted, deleted or swapped
CREATE FUNCTION fuzz_text(valid text[], pieces text[]) RETURNS text
LANGUAGE plpgsql AS \$f\$
DECLARE
	s text := '';
	pos int;
BEGIN
	IF random() < 0.4 THEN
		FOR k IN 1..1 + floor(random() * 7)::int LOOP
			s := s || pieces[1 + floor(random() * array_length(pieces, 1))::int];
		END LOOP;
		RETURN s;
	END IF;
	s := valid[1 + floor(random() * array_length(valid, 1))::int];
	FOR k IN 1..1 + floor(random() * 2)::int LOOP
		pos := floor(random() * (length(s) + 1))::int;
		CASE floor(random() * 3)::int
		WHEN 0 THEN   -- insert a piece
			s := substr(s, 1, pos) || pieces[1 + floor(random() * array_length(pieces, 1))::int]
				 || substr(s, pos + 1);
		WHEN 1 THEN   -- delete a character
			s := substr(s, 1, pos) || substr(s, pos + 2);
		ELSE          -- swap two neighbours
			s := substr(s, 1, pos) || substr(s, pos + 2, 1) || substr(s, pos + 1, 1)
				 || substr(s, pos + 3);
		END CASE;
	END LOOP;
	RETURN s;
END
\$f\$;
SELECT setseed(0.1717);
DO \$fuzz\$
DECLARE
	-- pieces of every grammar: brackets, operators, numbers out of range or
	-- not finite, quotes, white space, non-ASCII letters
	common text[] := ARRAY[
		'(', ')', '((', '))', '?', '.', '*', ',', '=', ' = ', ', ', ' ', '  ', E'\t', E'\n', '',
		'0', '1', '-1', '2', '0.5', '2147483648', '99999999999999999999', '1e309', 'NaN',
		'Infinity', '-0', '''', '"', '\\', '%s', 'x', 'é', 'Ⅻ', 'ｆｕｌｌ', 'ß', 'İ',
		E'\u00a0', '🙂'];
	pattern_valid text[] := ARRAY['(?1)(?2)', '(?1).*(?2)(?t<=3600)(?3)', '(?1)(?t>5)(?2)',
		'(?2).(?1)', '(?3)(?t==0)(?3)', '.*(?1)(?t>=1)(?2).*'];
	pattern_pieces text[] := common || ARRAY['(?1)', '(?2)', '(?3)', '(?4)', '(?0)', '(?-1)',
		'(?99999999999)', '(?t<=', '(?t<', '(?t>=', '(?t>', '(?t==', '(?t', '3600)', '0)',
		'-5)', '1e30)', '.*', '**'];
	model_valid text[] := ARRAY['linear', 'position_based(first=0.3, last=0.5)',
		'time_decay(half_life=12 hours)', 'last_non_direct(direct=Direct)', 'markov(order=2)',
		'first_touch', 'participation', 'shapley'];
	model_pieces text[] := common || ARRAY['linear', 'first_touch', 'last_touch',
		'last_non_direct', 'position_based', 'time_decay', 'participation', 'markov', 'shapley',
		'LINEAR', 'first', 'last', 'order', 'half_life', 'direct', 'Direct', '7 days',
		'12 hours', '1 second', '0 days', 'weeks', 'fortnights', '(first=', '(order='];
	transform_valid text[] := ARRAY['exposure', 'first', 'unique', 'frequency',
		'trim_long_path(2)', 'remove_if_not_all(a)', 'remove_if_last_and_not_all(b)'];
	transform_pieces text[] := common || ARRAY['exposure', 'unique', 'frequency',
		'trim_long_path', 'remove_if_not_all', 'remove_if_last_and_not_all', 'n', 'channel',
		'(n=', '(channel='];
	modes_valid text[] := ARRAY['', 'strict_order', 'strict_order, allow_reentry',
		'strict_once,strict_increase', 'strict_deduplication'];
	modes_pieces text[] := common || ARRAY['strict_order', 'strict_deduplication',
		'strict_increase', 'strict_once', 'allow_reentry', 'bogus'];
	regex_valid text[] := ARRAY['^(google|bing)$', 'e-?mail', '^(.*cp.*|ppc|paid.*)$',
		'[[:alpha:]]+', 'social|fb'];
	regex_pieces text[] := common || ARRAY['[', ']', '^', '$', '|', '+', '{2,3}', '{99999}',
		'\\d', '(?i)', '***:', '(?=', '(?!', '\\1', '[[:alpha:]]', '[[:bogus:]]', 'email',
		'.*', '(a|b)*'];
	s text;
	st text;
	detail text;
BEGIN
	FOR i IN 1..$ROUNDS LOOP
		FOR p IN 1..8 LOOP
			s := fuzz_text(CASE WHEN p <= 2 THEN pattern_valid
								WHEN p <= 4 THEN model_valid
								WHEN p = 5 THEN transform_valid
								WHEN p = 6 THEN modes_valid
								WHEN p = 7 THEN pattern_valid || model_valid
								ELSE regex_valid END,
						   CASE WHEN p <= 2 THEN pattern_pieces
								WHEN p <= 4 THEN model_pieces
								WHEN p = 5 THEN transform_pieces
								WHEN p = 6 THEN modes_pieces
								WHEN p = 7 THEN common
								ELSE regex_pieces END);
			BEGIN
				CASE p
				WHEN 1 THEN
					PERFORM journey.sequence_match(s, ts, a, b, c) FROM ev;
				WHEN 2 THEN
					PERFORM journey.sequence_count(s, ts, a, b) FROM ev;
				WHEN 3 THEN
					PERFORM journey.touch_weights(ARRAY['a', 'Direct', 'b'], s,
												  ARRAY['2026-01-01', '2026-01-02', '2026-01-04']::timestamptz[],
												  '2026-01-05');
				WHEN 4 THEN
					PERFORM journey.attribution(path, 1, 0, 1, s)
					   FROM (VALUES (ARRAY['a', 'b']), (ARRAY['b', 'Direct', 'a'])) v(path);
				WHEN 5 THEN
					PERFORM journey.path_transform(ARRAY['a', 'b', 'a', 'c'], s, 'unique');
				WHEN 6 THEN
					PERFORM journey.window_funnel(ts, '1 day', s, a, b, c) FROM ev;
				WHEN 7 THEN
					PERFORM journey.normalize_label(s), journey.default_channel(s, s);
				ELSE
					-- a channel rule whose patterns are the text
					INSERT INTO journey.channel_rule (priority, channel, source_pattern, medium_pattern)
					VALUES (100000, 'Fuzz', s, s);
					PERFORM journey.default_channel(s, s), journey.default_channel('email', 'x');
					DELETE FROM journey.channel_rule WHERE priority = 100000;
				END CASE;
				st := 'ok';
			EXCEPTION
				WHEN invalid_parameter_value OR program_limit_exceeded OR
					 invalid_regular_expression THEN
					st := SQLSTATE;
				WHEN OTHERS THEN
					GET STACKED DIAGNOSTICS detail = MESSAGE_TEXT;
					st := 'unexpected ' || SQLSTATE;
					RAISE WARNING 'parser % on %: unexpected error %: %', p, quote_literal(s), SQLSTATE, detail;
			END;
			UPDATE outcome SET n = n + 1 WHERE parser = p::text AND result = st;
			IF NOT FOUND THEN
				INSERT INTO outcome VALUES (p::text, st, 1);
			END IF;
		END LOOP;
	END LOOP;
END
\$fuzz\$;
SELECT parser || ' ' || string_agg(result || '=' || n, ' ' ORDER BY result)
  FROM outcome GROUP BY parser ORDER BY parser;
SQL
) || { echo "MISMATCH: the fuzz session failed (server crash?): $out"; exit 1; }

echo "outcomes per parser (1 sequence_match, 2 sequence_count, 3 touch_weights, 4 attribution,"
echo "5 path_transform, 6 window_funnel modes, 7 labels, 8 channel rules): $(tr '\n' ';' <<<"$out")"
outcomes() { grep "^$1 " <<<"$out" || true; }
for p in 1 2 3 4 5 6 7 8; do
	line=$(outcomes $p)
	suite_expect "parser $p: no error but a documented one" "$(grep -c unexpected <<<"$line")" 0
	suite_expect "parser $p: some random texts are accepted" "$(grep -c ' ok=' <<<"$line")" 1
done
for p in 1 2 3 4 5 6; do
	suite_expect "parser $p: some random texts are rejected" "$(grep -c ' 22023=' <<<"$(outcomes $p)")" 1
done
suite_expect "channel rules: some random patterns are rejected" "$(grep -c ' 2201B=' <<<"$(outcomes 8)")" 1
suite_expect "the server answers after $ROUNDS random texts per parser" \
	"$(suite_q -d "$DB" -c 'SELECT 1')" 1
exit $SUITE_FAILED
