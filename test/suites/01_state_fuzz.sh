#!/usr/bin/env bash
# test/suites/01_state_fuzz.sh: the event state's deserializer against
# damaged bytes.  Valid serialized states (the layout of src/events.c, as
# sql/01_state.sql writes them) are mutated at random, with a fixed seed:
# bytes overwritten, cut off, appended, copied over each other.  Every
# result must be a state or an invalid-state / limit error; any other
# error, or a server that does not answer afterwards, fails the suite.
# Runs against the throwaway cluster of test/check (an assert-enabled build).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DB=journey_state_fuzz
ROUNDS=${JOURNEY_FUZZ_ROUNDS:-20000}

suite_database "$DB"

out=$(suite_q -d "$DB" <<SQL
CREATE EXTENSION journey;
CREATE FUNCTION state_check(bytea) RETURNS text
  AS 'journey', 'journey_events_state_check' LANGUAGE C STRICT;
CREATE TEMP TABLE seeds(b bytea);
-- three events with labels; three conversions with values and labels; two
-- funnel events with a pattern text; an empty state
INSERT INTO seeds VALUES
 ('\x02008793030000000002000000000000000100000078030000000400000000d0070000000000000100000002000000e8030000000000000200000000000000e80300000000000002000000ffffffff61006200'),
 ('\x020000000000000000000000000000000000000000030000000400000001b80b0000000000000000008000000000e8030000000000000000000002000000b80b0000000000000000008000000000000000000040454000000000000000000000000000001c4061006200'),
 ('\x020000000000000000030000000100000008000000283f3129283f3229020000000000000000d00700000000000004000000ffffffffe80300000000000001000000ffffffff'),
 ('\x020000000000000000000000000000000000000000000000000000000000');
SELECT count(*) FROM seeds WHERE state_check(b) IS NOT NULL;  -- all seeds are valid
SELECT setseed(0.4242);
DO \$fuzz\$
DECLARE
	seed bytea;
	b bytea;
	n int;
	pos int;
	accepted int := 0;
	rejected int := 0;
	unexpected int := 0;
	detail text;
BEGIN
	FOR i IN 1..$ROUNDS LOOP
		SELECT s.b INTO seed FROM seeds s ORDER BY random() LIMIT 1;
		b := seed;
		FOR m IN 1..1 + floor(random() * 4)::int LOOP
			n := length(b);
			pos := floor(random() * greatest(n, 1))::int;
			CASE floor(random() * 5)::int
			WHEN 0 THEN   -- overwrite a byte
				IF n > 0 THEN b := set_byte(b, pos, floor(random() * 256)::int); END IF;
			WHEN 1 THEN   -- overwrite a byte with 0x00, 0xff or 0x7f
				IF n > 0 THEN
					b := set_byte(b, pos, (ARRAY[0, 255, 127])[1 + floor(random() * 3)::int]);
				END IF;
			WHEN 2 THEN   -- cut off
				b := substring(b FROM 1 FOR pos);
			WHEN 3 THEN   -- append random bytes
				b := b || decode(md5(random()::text), 'hex');
			ELSE          -- copy 4 bytes from elsewhere over these
				IF n >= 8 THEN
					b := overlay(b PLACING substring(b FROM 1 + floor(random() * (n - 4))::int FOR 4)
								 FROM 1 + least(pos, n - 4) FOR 4);
				END IF;
			END CASE;
		END LOOP;
		BEGIN
			PERFORM state_check(b);
			accepted := accepted + 1;
		EXCEPTION
			WHEN data_corrupted OR program_limit_exceeded THEN
				rejected := rejected + 1;
			WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS detail = MESSAGE_TEXT;
				unexpected := unexpected + 1;
				RAISE WARNING 'unexpected error % for %: %', SQLSTATE, b, detail;
		END;
	END LOOP;
	RAISE NOTICE 'fuzz: % accepted % rejected % unexpected', accepted, rejected, unexpected;
	PERFORM set_config('fuzz.unexpected', unexpected::text, false);
	PERFORM set_config('fuzz.accepted', accepted::text, false);
	PERFORM set_config('fuzz.rejected', rejected::text, false);
END
\$fuzz\$;
SELECT current_setting('fuzz.accepted') || ' ' || current_setting('fuzz.rejected') || ' ' ||
       current_setting('fuzz.unexpected');
SQL
) || { echo "MISMATCH: the fuzz session failed (server crash?): $out"; exit 1; }

read -r seeds _ <<<"$(sed -n 1p <<<"$out")"
read -r accepted rejected unexpected <<<"$(tail -1 <<<"$out")"
suite_expect "every seed state is valid" "$seeds" 4
suite_expect "no damaged state gives an error other than invalid state or a limit" "$unexpected" 0
suite_expect "some damaged states are rejected" "$((rejected > ROUNDS / 4))" 1
suite_expect "the server answers after $ROUNDS damaged states ($accepted accepted, $rejected rejected)" \
	"$(suite_q -d "$DB" -c 'SELECT 1')" 1
exit $SUITE_FAILED
