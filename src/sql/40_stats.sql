-- 40_stats.sql
--   Statistics for experiments (C, src/stats.c): two-proportion z-test with
--   a delta-method interval for the relative lift, Wilson interval, sample
--   size per arm, sample-ratio-mismatch test, Bayesian probability to beat
--   control, Holm / Benjamini-Hochberg p-value adjustment.  The tests
--   added since follow in 40_stats_tests.sql.
--   See doc/statistics.md for formulas and edge cases.

CREATE FUNCTION @extschema@.proportion_test(
	conv_a bigint, n_a bigint, conv_b bigint, n_b bigint,
	alpha float8 DEFAULT 0.05,
	OUT rate_a float8, OUT rate_b float8, OUT lift float8,
	OUT lift_low float8, OUT lift_high float8, OUT z float8, OUT p_value float8)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_proportion_test'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.proportion_test(bigint, bigint, bigint, bigint, float8) IS
  'pooled two-proportion z-test of B against A (z > 0: B better), two-sided p, relative lift of B over A with a delta-method interval';

CREATE FUNCTION @extschema@.wilson_interval(
	x bigint, n bigint, confidence float8 DEFAULT 0.95,
	OUT low float8, OUT high float8)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_wilson_interval'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.wilson_interval(bigint, bigint, float8) IS
  'Wilson score interval for a proportion x/n, without continuity correction';

CREATE FUNCTION @extschema@.sample_size(
	baseline float8, mde float8, alpha float8 DEFAULT 0.05, power float8 DEFAULT 0.8)
RETURNS bigint
AS 'MODULE_PATHNAME', 'journey_sample_size'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sample_size(float8, float8, float8, float8) IS
  'units per arm to detect an absolute rise mde over baseline with a two-sided test (Evan Miller''s formula)';

-- not STRICT: a NULL weights array means equal weights
CREATE FUNCTION @extschema@.srm_test(counts bigint[], weights float8[] DEFAULT NULL)
RETURNS float8
AS 'MODULE_PATHNAME', 'journey_srm_test'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.srm_test(bigint[], float8[]) IS
  'sample-ratio-mismatch test: chi-square goodness-of-fit p-value of counts against weights (default equal)';

CREATE FUNCTION @extschema@.prob_to_beat(conv_a bigint, n_a bigint, conv_b bigint, n_b bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'journey_prob_to_beat'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.prob_to_beat(bigint, bigint, bigint, bigint) IS
  'P(rate B > rate A) under independent uniform Beta(1,1) priors: the exact sum up to 1e7 in the smallest posterior shape, an Edgeworth expansion beyond; absolute error below 1e-12';

CREATE FUNCTION @extschema@.p_adjust(p float8[], method text)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'journey_p_adjust'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.p_adjust(float8[], text) IS
  'p-values adjusted for multiple comparisons (holm or bh), in input order; NULLs kept and not counted';
