-- 40_stats_tests.sql
--   Statistics for experiments new in 0.2.0 (C, src/stats.c): the range
--   check of the statistics' parameters that the hypothesis registry uses
--   (check_parameter), Fisher's exact test, Kaplan-Meier curves, CUPED,
--   ratio metrics, sequential and non-inferiority tests.
--   See doc/statistics.md for formulas and edge cases.

-- not STRICT: a NULL value is reported, not passed over
CREATE FUNCTION journey_internal.check_parameter(name text, value float8)
RETURNS void
AS 'MODULE_PATHNAME', 'journey_check_parameter'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION journey_internal.check_parameter(text, float8) IS
  'raises the statistics functions'' error unless value lies in the range of the named parameter (alpha, power, confidence, baseline, mde, minimum_effect, winsorize); used by the hypothesis registry';

CREATE FUNCTION @extschema@.fisher_exact_test(a bigint, b bigint, c bigint, d bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'journey_fisher_exact_test'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.fisher_exact_test(bigint, bigint, bigint, bigint) IS
  'two-sided p-value of Fisher''s exact test of the 2x2 table [[a, b], [c, d]]: the probability, margins fixed, of every table no more likely than this one';

-- not STRICT: NULL arrays are no customers
CREATE FUNCTION @extschema@.kaplan_meier(elapsed float8[], converted bool[],
	confidence float8 DEFAULT 0.95)
RETURNS TABLE (elapsed float8, at_risk bigint, conversions bigint, censored bigint,
			   share_converted float8, std_error float8, low float8, high float8)
AS 'MODULE_PATHNAME', 'journey_kaplan_meier'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 100;

COMMENT ON FUNCTION @extschema@.kaplan_meier(float8[], bool[], float8) IS
  'Kaplan-Meier estimate of the share converted by each distinct elapsed time (customers not converted are censored at their elapsed time), with Greenwood''s standard error and a log(-log) pointwise band';

CREATE FUNCTION @extschema@.cuped_test(control float8[], treatment float8[],
	alpha float8 DEFAULT 0.05, proportion bool DEFAULT false,
	OUT theta float8, OUT mean_a float8, OUT mean_b float8,
	OUT lift float8, OUT std_error float8, OUT lift_low float8, OUT lift_high float8,
	OUT p_value float8,
	OUT cuped_lift float8, OUT cuped_std_error float8, OUT cuped_low float8,
	OUT cuped_high float8, OUT cuped_p_value float8, OUT variance_reduction float8)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_cuped_test'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cuped_test(float8[], float8[], float8, bool) IS
  'relative lift of treatment over control with and without CUPED (theta = Cov(y, x) / Var(x) pooled over both arms, GrowthBook''s definition); each arm is {n, sum y, sum y^2, sum x, sum x^2, sum x*y} with x the pre-assignment value';

CREATE FUNCTION @extschema@.ratio_test(control float8[], treatment float8[],
	alpha float8 DEFAULT 0.05,
	OUT ratio_a float8, OUT ratio_b float8, OUT lift float8, OUT std_error float8,
	OUT lift_low float8, OUT lift_high float8, OUT p_value float8)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_ratio_test'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ratio_test(float8[], float8[], float8) IS
  'relative lift of a ratio metric (sum y / sum x per arm) by the delta method; each arm is {n, sum y, sum y^2, sum x, sum x^2, sum x*y} over its units, y the numerator and x the denominator';

CREATE FUNCTION @extschema@.sequential_test(estimate float8, std_error float8, n bigint,
	alpha float8 DEFAULT 0.05, tuning float8 DEFAULT 5000,
	OUT low float8, OUT high float8, OUT p_value float8)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_sequential_test'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sequential_test(float8, float8, bigint, float8, float8) IS
  'always-valid confidence interval and p-value of an estimate with its standard error over n units (both arms): the asymptotic confidence sequence of Waudby-Smith et al. in GrowthBook''s form, tuning = the units where it is tightest';

CREATE FUNCTION @extschema@.noninferiority_test(estimate float8, std_error float8,
	margin float8, alpha float8 DEFAULT 0.05, higher_is_better bool DEFAULT true,
	OUT z float8, OUT p_value float8, OUT non_inferior bool)
RETURNS record
AS 'MODULE_PATHNAME', 'journey_noninferiority_test'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.noninferiority_test(float8, float8, float8, float8, bool) IS
  'one-sided test that an effect is no worse than -margin (or, lower being better, +margin): z, p-value and whether non-inferiority is shown at alpha';
