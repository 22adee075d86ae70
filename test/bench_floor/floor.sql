-- The benchmark's floor aggregates (test/bench_floor/journey_bench_floor.c),
-- created in the benchmark's database only: floor_state(...) has the
-- arguments of the aggregate it is the floor of.
CREATE FUNCTION floor_state128_sfunc(internal, timestamptz, interval, bool, bool, bool, bool, bool)
RETURNS internal AS 'journey_bench_floor', 'floor_state128_sfunc' LANGUAGE C;
CREATE FUNCTION floor_state256_sfunc(internal, text, timestamptz)
RETURNS internal AS 'journey_bench_floor', 'floor_state256_sfunc' LANGUAGE C;
CREATE FUNCTION floor_state_final(internal)
RETURNS int AS 'journey_bench_floor', 'floor_state_final' LANGUAGE C;
-- window_funnel's five-step form, with window_funnel's state size
CREATE AGGREGATE floor_state(timestamptz, interval, bool, bool, bool, bool, bool) (
	SFUNC = floor_state128_sfunc, STYPE = internal, SSPACE = 160,
	FINALFUNC = floor_state_final);
-- path_agg's form, with path_agg's state size
CREATE AGGREGATE floor_state(text, timestamptz) (
	SFUNC = floor_state256_sfunc, STYPE = internal, SSPACE = 400,
	FINALFUNC = floor_state_final);
