#!/usr/bin/env bash
# test/suites/01_final_fuzz.sh: the final functions of the rules funnels,
# sequence_next_node and time_to_convert against damaged states.  The
# event state's deserializer (01_state_fuzz.sh) checks the layout; what
# the events of a state may hold is checked by each final function.  Here
# random states are built through the test hook JourneyEventsForTest
# (src/events.c): parameters near each kind's (window, step count, mode
# bits, one of them flipped now and then, rules text, percentiles as the
# parameter text) and 0 to 7 events with timestamps, flags, values and
# labels drawn from edge values (0, -1, the int64 and int32 ends, NaN,
# infinity, 2^32, NULL labels).  Every answer must be a result or an
# invalid-state error (and, for rules funnels, a rule or work-limit error);
# anything else, or a server that does not answer, fails the suite.
# JOURNEY_FUZZ_SEED (a fresh one by default, printed) and JOURNEY_FUZZ_COUNT
# (default 5000 states per final function).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

suite_database journey_final_fuzz
SEED=${JOURNEY_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
COUNT=${JOURNEY_FUZZ_COUNT:-5000}
echo "fuzz seed $SEED, $COUNT states per final function; replay with" \
	"JOURNEY_FUZZ_SEED=$SEED JOURNEY_FUZZ_COUNT=$COUNT bash $0"

suite_q -d journey_final_fuzz >/dev/null <<'SQL'
CREATE EXTENSION journey;
CREATE FUNCTION rules_check(bigint, int, int, text, bigint[], int[], float8[], text[], bool)
  RETURNS text AS 'journey', 'journey_funnel_rules_check' LANGUAGE C STRICT;
CREATE FUNCTION ttc_check(bigint, int, int, text, bigint[], int[], float8[], text[])
  RETURNS journey.conversion_time AS 'journey', 'journey_time_to_convert_check' LANGUAGE C STRICT;
CREATE FUNCTION next_node_check(bigint, int, int, text, bigint[], int[], float8[], text[])
  RETURNS text AS 'journey', 'journey_sequence_next_node_check' LANGUAGE C STRICT;
CREATE FUNCTION pick(anyarray) RETURNS anyelement LANGUAGE sql
  AS $$ SELECT $1[1 + floor(random() * cardinality($1))::int] $$;
-- a usual value four times in five, else an edge value
CREATE FUNCTION pick(anyarray, anyarray) RETURNS anyelement LANGUAGE sql
  AS $$ SELECT CASE WHEN random() < 0.8 THEN pick($1) ELSE pick($2) END $$;
-- per outcome (ok or SQLSTATE): how many states, and the first one
CREATE FUNCTION fuzz(iters int, which text)
RETURNS TABLE (outcome text, states int, example text) LANGUAGE plpgsql AS $$
DECLARE
	n int; ivl bigint; nc int; md int; rt text;
	ts bigint[]; fl int[]; vl float8[]; lb text[];
	counts jsonb := '{}'; examples jsonb := '{}'; code text;
BEGIN
	FOR i IN 1..iters LOOP
		n := floor(random() * 8)::int;
		ivl := pick(ARRAY[0, 1, 1000000, 3600000000, -1, 9223372036854775807,
		                  -9223372036854775808]::bigint[]);
		nc := pick(ARRAY[0, 1, 2, 3, 4, 31, 32, 33, -1]);
		IF which = 'rules' THEN
			-- FUNNEL_RULES (512), keyed (1024), the window_funnel modes
			md := pick(ARRAY[512, 512 | 1024, 512 | 1, 512 | 2, 512 | 4, 512 | 8, 512 | 16,
			                 512 | 1024 | 1, 0, 512 | 4096, 512 | 2048]);
			rt := pick(ARRAY['', 'exclude(1, 2)', 'exclude(1,2), drop_excluded',
			                 'max_gap(2, 1 second)', 'min_gap(2, 1 second), max_gap(2, 2 seconds)',
			                 'exclude(1, 3), exclude(2, 3)', 'strict_order',
			                 'strict_increase, exclude(1,2)', 'allow_reentry, max_gap(3, 0)', 'bogus(']);
		ELSIF which = 'ttc' THEN
			-- TTC_STATE (65536) and to_step; the window is the bucket count,
			-- the text the percentiles' float8 bytes
			md := 65536 | pick(ARRAY[2, 3], ARRAY[0, 1, 32, 33, 255]);
			nc := pick(ARRAY[1, 2], ARRAY[0, 31, 32]);
			ivl := pick(ARRAY[0, 1, 3, 1000]::bigint[], ARRAY[1001, -1, -2147483648]::bigint[]);
			-- '????????' is the float8 0x3f3f3f3f3f3f3f3f (about 0.0005);
			-- 'AAAAAAAA' is above 1, '0000' not a whole float8
			rt := pick(ARRAY['', '????????'], ARRAY['AAAAAAAA', '0000']);
		ELSE
			-- NEXT_NODE_STATE (4096), direction and base bits
			md := 4096 | pick(ARRAY[0, 1, 2, 3, 4, 5, 6, 7, 8]);
			rt := '';
		END IF;
		IF random() < 0.1 THEN
			md := md # (1 << floor(random() * 31)::int);
		END IF;
		ts := ARRAY(SELECT pick(ARRAY[0, 1, 2, 1000000, 3600000000, floor(random() * 5000000)::bigint],
		                        ARRAY[-1, 9223372036854775807, -9223372036854775808]::bigint[])
		              FROM generate_series(1, n));
		fl := ARRAY(SELECT pick(ARRAY[0, 1, 2, 3, 4, 7, floor(random() * 16)::int],
		                        ARRAY[-1, -2147483648, 2147483647])
		              FROM generate_series(1, n));
		vl := ARRAY(SELECT pick(ARRAY[0, 1, 2, 3, floor(random() * 8)]::float8[],
		                        ARRAY[0.5, -1, 4294967295, 4294967296, 'NaN', 'Infinity']::float8[])
		              FROM generate_series(1, n));
		lb := ARRAY(SELECT pick(ARRAY[NULL, 'a', 'b', '', 'o1']) FROM generate_series(1, n));
		BEGIN
			IF which = 'rules' THEN
				PERFORM rules_check(ivl, nc, md, rt, ts, fl, vl, lb, random() < 0.5);
			ELSIF which = 'ttc' THEN
				PERFORM ttc_check(ivl, nc, md, rt, ts, fl, vl, lb);
			ELSE
				PERFORM next_node_check(ivl, nc, md, rt, ts, fl, vl, lb);
			END IF;
			code := 'ok';
		EXCEPTION WHEN OTHERS THEN
			code := SQLSTATE;
			IF NOT examples ? code THEN
				examples := examples || jsonb_build_object(code, SQLERRM || ': ' ||
					format('%s, %s, %s, %L, %L, %L, %L, %L', ivl, nc, md, rt, ts, fl, vl, lb));
			END IF;
		END;
		counts := jsonb_set(counts, ARRAY[code], to_jsonb(coalesce((counts->>code)::int, 0) + 1));
	END LOOP;
	RETURN QUERY SELECT key, value::int, examples->>key FROM jsonb_each_text(counts);
END
$$;
SQL

# final function, outcomes allowed: XX001 data_corrupted; for rules funnels
# also 22023 (a rules text the state's steps do not allow) and 54000 (the
# rules' work limit)
for spec in "rules:ok XX001 22023 54000" "ttc:ok XX001" "nn:ok XX001"; do
	which=${spec%%:*} allowed=${spec#*:}
	out=$(suite_q -d journey_final_fuzz -F '|' \
		-c "SELECT setseed(($SEED % 1000000)::float8 / 1000000)" \
		-c "SELECT * FROM fuzz($COUNT, '$which')")
	out=$(echo "$out" | tail -n +2)
	echo "$which outcomes: $(echo "$out" | cut -d'|' -f1,2 | tr '\n' ' ')"
	bad=$(echo "$out" | while IFS='|' read -r code n example; do
		[[ " $allowed " == *" $code "* ]] || echo "$code ($n states), first: $example"
	done)
	suite_expect "$which: no outcome but $allowed" "$bad" ""
	suite_expect "$which: some damaged states are rejected" \
		"$(echo "$out" | grep -c '^XX001|' || true)" 1
done
suite_expect "the server answers after the damaged states" \
	"$(suite_q -d journey_final_fuzz -c 'SELECT 1')" 1
exit $SUITE_FAILED
