-- The fuzzing driver's functions (test/fuzz_driver/journey_fuzz.c), created
-- in a fuzz suite's own database only.
CREATE FUNCTION fuzz_run(query text, seed int8, first int8, count int4,
                         valid text[], pieces text[])
  RETURNS TABLE (outcome text, inputs int8, example text, message text)
  AS 'journey_fuzz', 'journey_fuzz_run' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION fuzz_run(query text, seed int8, first int8, count int4,
                         seeds bytea[])
  RETURNS TABLE (outcome text, inputs int8, example text, message text)
  AS 'journey_fuzz', 'journey_fuzz_run' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION fuzz_text(seed int8, i int8, valid text[], pieces text[]) RETURNS text
  AS 'journey_fuzz', 'journey_fuzz_text' LANGUAGE C STRICT IMMUTABLE;
CREATE FUNCTION fuzz_bytes(seed int8, i int8, seeds bytea[]) RETURNS bytea
  AS 'journey_fuzz', 'journey_fuzz_bytes' LANGUAGE C STRICT IMMUTABLE;
