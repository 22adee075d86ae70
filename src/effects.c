/*-------------------------------------------------------------------------
 *
 * effects.c
 *	  Effect estimates for experiments beyond the two-proportion test:
 *	  CUPED (the metric adjusted by its own pre-assignment value), ratio
 *	  metrics by the delta method, always-valid (sequential) intervals and
 *	  p-values, and the one-sided non-inferiority test of a guardrail.
 *
 * Every effect is the relative lift of treatment (B) over control (A),
 * (mean_B - mean_A) / |mean_A|, with its delta-method standard error, as
 * GrowthBook's frequentist engine (gbstats) defines them; intervals and
 * p-values use the normal distribution, as proportion_test does.
 *
 * An arm is given by its sufficient statistics, a float8[] of six sums
 * over its units: {n, sum y, sum y^2, sum x, sum x^2, sum x y}, where y is
 * the metric after assignment and x the covariate (CUPED: the same metric
 * before assignment; ratio: the denominator, y the numerator).  SQL sums
 * them exactly (numeric) before they come here.  doc/statistics.md gives
 * every formula.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

PG_FUNCTION_INFO_V1(journey_cuped_test);
PG_FUNCTION_INFO_V1(journey_ratio_test);
PG_FUNCTION_INFO_V1(journey_sequential_test);
PG_FUNCTION_INFO_V1(journey_noninferiority_test);

/* the six sums of one arm */
typedef struct ArmSums
{
	double		n;
	double		sy;
	double		syy;
	double		sx;
	double		sxx;
	double		sxy;
} ArmSums;

#define ARM_SUMS_LEN 6

/*
 * The arm argument argno (named name), checked: one dimension, six
 * elements, none NULL, all finite, n a whole number of at least 2 (a
 * variance needs two units), sums of squares not negative; with
 * proportion, y and x are 0 or 1 (their squares sum to their sums).
 */
static void
GetArmSums(FunctionCallInfo fcinfo, int argno, const char *name,
		   bool proportion, ArmSums *arm)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	double		v[ARM_SUMS_LEN];

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name)));
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", name)));
	deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &nelems);
	if (nelems != ARM_SUMS_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have 6 elements", name),
				 errdetail("%s has %d element(s).", name, nelems),
				 errhint("An arm is {n, sum y, sum y^2, sum x, sum x^2, sum x*y} over its units.")));
	for (int i = 0; i < ARM_SUMS_LEN; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", name),
					 errdetail("Element %d is NULL.", i + 1)));
		v[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must contain finite numbers", name),
					 errdetail("Element %d is %s.", i + 1, float8out_internal(v[i]))));
	}
	arm->n = v[0];
	arm->sy = v[1];
	arm->syy = v[2];
	arm->sx = v[3];
	arm->sxx = v[4];
	arm->sxy = v[5];
	if (!(arm->n >= 2.0) || arm->n != floor(arm->n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the number of units of %s must be a whole number of at least 2", name),
				 errdetail("It is %s.", float8out_internal(arm->n))));
	if (arm->syy < 0.0 || arm->sxx < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the sums of squares of %s must not be negative", name)));
	if (proportion &&
		(arm->syy != arm->sy || arm->sxx != arm->sx ||
		 arm->sy > arm->n || arm->sx > arm->n || arm->sy < 0.0 || arm->sx < 0.0 ||
		 arm->sxy < 0.0 || arm->sxy > Min(arm->sy, arm->sx)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is not the sums of a 0/1 metric", name),
				 errdetail("With proportion, every y and x is 0 or 1: sum y^2 = sum y <= n, sum x^2 = sum x <= n and 0 <= sum x*y <= both.")));
}

/*
 * Variance of the y (or x) of n units from their sum and sum of squares:
 * p (1 - p) for a proportion, else the sample variance (n - 1).
 */
static double
SumsVariance(double n, double s, double ss, bool proportion)
{
	double		v;

	if (proportion)
	{
		double		p = s / n;

		return p * (1.0 - p);
	}
	v = (ss - s * s / n) / (n - 1.0);
	return Max(v, 0.0);			/* rounding may leave a hair below 0 */
}

/* Covariance of y and x: over n for proportions, else over n - 1. */
static double
SumsCovariance(double n, double sy, double sx, double sxy, bool proportion)
{
	if (proportion)
		return sxy / n - sy * sx / (n * n);
	return (sxy - sy * sx / n) / (n - 1.0);
}

/*
 * Delta-method variance of mean_m / mean_d from their variances and
 * covariance (GrowthBook's variance_of_ratios).
 */
static double
RatioVariance(double mean_m, double var_m, double mean_d, double var_d,
			  double cov)
{
	double		d2 = mean_d * mean_d;

	return var_m / d2 + var_d * mean_m * mean_m / (d2 * d2) -
		2.0 * cov * mean_m / (d2 * mean_d);
}

/* Two-sided p-value of estimate / se under the standard normal. */
static double
TwoSidedP(double estimate, double se)
{
	if (se > 0.0)
		return erfc(fabs(estimate / se) / M_SQRT2);
	return (estimate == 0.0) ? 1.0 : 0.0;
}

/*
 * Fill values[first .. first + 4] with estimate, its standard error, the
 * interval at alpha and the p-value; the interval and p NULL when the
 * standard error is not positive (nothing varies).
 */
static void
SetEffect(Datum *values, bool *nulls, int first, double estimate,
		  double variance, double alpha)
{
	double		se = sqrt(Max(variance, 0.0));

	values[first] = Float8GetDatum(estimate);
	values[first + 1] = Float8GetDatum(se);
	if (se > 0.0 && isfinite(se))
	{
		double		half = JourneyNormalUpperQuantile(alpha / 2.0) * se;

		values[first + 2] = Float8GetDatum(estimate - half);
		values[first + 3] = Float8GetDatum(estimate + half);
		values[first + 4] = Float8GetDatum(TwoSidedP(estimate, se));
	}
	else
		nulls[first + 2] = nulls[first + 3] = nulls[first + 4] = true;
}

/* ------------------------------------------------------------------------
 * cuped_test(control float8[], treatment float8[], alpha, proportion)
 *	 -> (theta, mean_a, mean_b, lift, std_error, lift_low, lift_high,
 *		 p_value, cuped_lift, cuped_std_error, cuped_low, cuped_high,
 *		 cuped_p_value, variance_reduction)
 *
 * theta = Cov(y, x) / Var(x) over the units of both arms pooled (one theta
 * for both, GrowthBook's compute_theta); 0 when x or y does not vary over
 * them (no pre-period data), and then the adjusted figures are the
 * unadjusted ones.  Adjusted means y - theta x; the adjusted lift divides
 * their difference by the control's unadjusted mean.  Its variance
 * (GrowthBook's frequentist_variance_relative_cuped):
 *
 *	 [V_B(y) + theta^2 V_B(x) - 2 theta C_B] / (n_B m_A^2)
 *	 + [V_A(y) m_B^2 / m_A^2 - 2 theta C_A m_B / m_A + theta^2 V_A(x)] / (n_A m_A^2)
 *
 * with m the unadjusted means of y.  variance_reduction is 1 minus the
 * adjusted lift's variance over the unadjusted one's.  A control mean of
 * 0 leaves every lift NULL.
 * ------------------------------------------------------------------------
 */
Datum
journey_cuped_test(PG_FUNCTION_ARGS)
{
	double		alpha;
	bool		proportion;
	ArmSums		a,
				b;
	Datum		values[14];
	bool		nulls[14] = {false};
	double		n,
				joint_vy,
				joint_vx,
				theta = 0.0,
				ma,
				mb,
				vya,
				vyb,
				vxa,
				vxb,
				ca,
				cb,
				var_plain,
				var_cuped,
				lift,
				cuped_lift;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("alpha and proportion must not be NULL")));
	alpha = PG_GETARG_FLOAT8(2);
	proportion = PG_GETARG_BOOL(3);
	GetArmSums(fcinfo, 0, "control", proportion, &a);
	GetArmSums(fcinfo, 1, "treatment", proportion, &b);
	JourneyCheckStatParam("alpha", alpha);

	/* theta over both arms pooled */
	n = a.n + b.n;
	joint_vy = SumsVariance(n, a.sy + b.sy, a.syy + b.syy, proportion);
	joint_vx = SumsVariance(n, a.sx + b.sx, a.sxx + b.sxx, proportion);
	if (joint_vx > 0.0 && joint_vy > 0.0)
		theta = SumsCovariance(n, a.sy + b.sy, a.sx + b.sx, a.sxy + b.sxy,
							   proportion) / joint_vx;

	ma = a.sy / a.n;
	mb = b.sy / b.n;
	values[0] = Float8GetDatum(theta);
	values[1] = Float8GetDatum(ma);
	values[2] = Float8GetDatum(mb);
	if (ma == 0.0)
	{
		for (int i = 3; i < 14; i++)
			nulls[i] = true;
		return JourneyReturnRow(fcinfo, values, nulls);
	}

	vya = SumsVariance(a.n, a.sy, a.syy, proportion);
	vyb = SumsVariance(b.n, b.sy, b.syy, proportion);
	vxa = SumsVariance(a.n, a.sx, a.sxx, proportion);
	vxb = SumsVariance(b.n, b.sx, b.sxx, proportion);
	ca = SumsCovariance(a.n, a.sy, a.sx, a.sxy, proportion);
	cb = SumsCovariance(b.n, b.sy, b.sx, b.sxy, proportion);

	lift = (mb - ma) / fabs(ma);
	var_plain = RatioVariance(mb, vyb / b.n, ma, vya / a.n, 0.0);
	SetEffect(values, nulls, 3, lift, var_plain, alpha);

	if (theta == 0.0)
	{
		cuped_lift = lift;
		var_cuped = var_plain;
	}
	else
	{
		double		adj_a = ma - theta * (a.sx / a.n);
		double		adj_b = mb - theta * (b.sx / b.n);
		double		m2 = ma * ma;
		double		v_trt,
					v_ctrl;

		cuped_lift = (adj_b - adj_a) / fabs(ma);
		v_trt = (vyb + theta * theta * vxb - 2.0 * theta * cb) / (b.n * m2);
		v_ctrl = (vya * mb * mb / m2 - 2.0 * theta * ca * mb / ma +
				  theta * theta * vxa) / (a.n * m2);
		var_cuped = v_trt + v_ctrl;
	}
	SetEffect(values, nulls, 8, cuped_lift, var_cuped, alpha);
	if (var_plain > 0.0)
		values[13] = Float8GetDatum(1.0 - Max(var_cuped, 0.0) / var_plain);
	else
		nulls[13] = true;
	return JourneyReturnRow(fcinfo, values, nulls);
}

/* ------------------------------------------------------------------------
 * ratio_test(control float8[], treatment float8[], alpha)
 *	 -> (ratio_a, ratio_b, lift, std_error, lift_low, lift_high, p_value)
 *
 * A ratio metric sum y / sum x (conversions per session, value per
 * order): each arm's ratio has the delta-method variance of
 * mean_y / mean_x per unit,
 *
 *	 V(y) / m_x^2 + V(x) m_y^2 / m_x^4 - 2 C(y, x) m_y / m_x^3,
 *
 * (sample variances and covariance over n - 1), and the relative lift
 * r_B / r_A - 1 the delta-method variance of a ratio of the two
 * independent arms (GrowthBook's RatioStatistic and frequentist_variance).
 * An arm without denominator (sum x = 0) has no ratio: the lift is NULL.
 * ------------------------------------------------------------------------
 */
Datum
journey_ratio_test(PG_FUNCTION_ARGS)
{
	double		alpha;
	ArmSums		arm[2];
	double		ratio[2] = {0.0, 0.0},
				var[2] = {0.0, 0.0};
	Datum		values[7];
	bool		nulls[7] = {false};

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("alpha must not be NULL")));
	alpha = PG_GETARG_FLOAT8(2);
	GetArmSums(fcinfo, 0, "control", false, &arm[0]);
	GetArmSums(fcinfo, 1, "treatment", false, &arm[1]);
	JourneyCheckStatParam("alpha", alpha);

	for (int i = 0; i < 2; i++)
	{
		ArmSums    *s = &arm[i];
		double		my = s->sy / s->n,
					mx = s->sx / s->n;

		if (s->sx == 0.0)
		{
			nulls[i] = true;
			continue;
		}
		ratio[i] = s->sy / s->sx;
		var[i] = RatioVariance(my, SumsVariance(s->n, s->sy, s->syy, false),
							   mx, SumsVariance(s->n, s->sx, s->sxx, false),
							   SumsCovariance(s->n, s->sy, s->sx, s->sxy, false));
		values[i] = Float8GetDatum(ratio[i]);
	}
	if (nulls[0] || nulls[1] || ratio[0] == 0.0)
	{
		for (int i = 2; i < 7; i++)
			nulls[i] = true;
		return JourneyReturnRow(fcinfo, values, nulls);
	}
	SetEffect(values, nulls, 2, (ratio[1] - ratio[0]) / fabs(ratio[0]),
			  RatioVariance(ratio[1], var[1] / arm[1].n,
							ratio[0], var[0] / arm[0].n, 0.0),
			  alpha);
	return JourneyReturnRow(fcinfo, values, nulls);
}

/* Raise unless estimate is finite and se finite and not negative. */
static void
CheckEstimate(double estimate, double se)
{
	JourneyCheckFinite("estimate", estimate);
	JourneyCheckFinite("std_error", se);
	if (se < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("std_error must not be negative"),
				 errdetail("std_error is %s.", float8out_internal(se))));
}

/* ------------------------------------------------------------------------
 * sequential_test(estimate, std_error, n, alpha, tuning)
 *	 -> (low, high, p_value)
 *
 * An always-valid confidence interval and p-value: the asymptotic
 * confidence sequence of Waudby-Smith et al. (arXiv 2103.06476, eq. 9;
 * after Howard et al.) in GrowthBook's form.  With n the units of both
 * arms, s^2 = std_error^2 n and
 *
 *	 rho = sqrt((-2 log alpha + log(-2 log alpha + 1)) / tuning),
 *
 * the half-width is s sqrt(2 (n rho^2 + 1) log(sqrt(n rho^2 + 1) / alpha)
 * / (n rho)^2), and the p-value is min(1, 1 / E) with the e-value
 * E = exp(rho^2 t^2 / (2 (n rho^2 + 1))) / sqrt(n rho^2 + 1), t^2 =
 * (estimate n)^2 / (s^2 n) = n (estimate / std_error)^2 (eq. 155).
 * tuning (GrowthBook's default 5,000) is the number of units at which the
 * interval is tightest relative to the fixed-horizon one.
 * ------------------------------------------------------------------------
 */
Datum
journey_sequential_test(PG_FUNCTION_ARGS)
{
	double		estimate = PG_GETARG_FLOAT8(0);
	double		se = PG_GETARG_FLOAT8(1);
	int64		units = PG_GETARG_INT64(2);
	double		alpha = PG_GETARG_FLOAT8(3);
	double		tuning = PG_GETARG_FLOAT8(4);
	Datum		values[3];
	bool		nulls[3] = {false};
	double		n,
				la,
				rho2,
				nr2p1,
				half,
				st2,
				log_e;

	CheckEstimate(estimate, se);
	if (units < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must be positive"),
				 errdetail("n is " INT64_FORMAT ".", units),
				 errhint("n is the number of units in both arms together.")));
	JourneyCheckStatParam("alpha", alpha);
	JourneyCheckFinite("tuning", tuning);
	if (!(tuning > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tuning must be positive"),
				 errdetail("tuning is %s.", float8out_internal(tuning)),
				 errhint("It is the number of units at which the interval is tightest; GrowthBook's default is 5000.")));

	n = (double) units;
	la = -2.0 * log(alpha);
	rho2 = (la + log(la + 1.0)) / tuning;
	nr2p1 = n * rho2 + 1.0;
	if (se == 0.0)
	{
		/* nothing varies: no interval; p as a fixed test would give it */
		nulls[0] = nulls[1] = true;
		values[2] = Float8GetDatum(estimate == 0.0 ? 1.0 : 0.0);
		return JourneyReturnRow(fcinfo, values, nulls);
	}
	/* s = se sqrt(n): the half-width is se sqrt(2 nr2p1 log(..) / (n rho2)) */
	half = se * sqrt(2.0 * nr2p1 * log(sqrt(nr2p1) / alpha) / (n * rho2));
	values[0] = Float8GetDatum(estimate - half);
	values[1] = Float8GetDatum(estimate + half);
	/* t^2 = n (estimate / se)^2 */
	st2 = n * (estimate / se) * (estimate / se);
	log_e = rho2 * st2 / (2.0 * nr2p1) - 0.5 * log(nr2p1);
	values[2] = Float8GetDatum(log_e <= 0.0 ? 1.0 : exp(-log_e));
	return JourneyReturnRow(fcinfo, values, nulls);
}

/* ------------------------------------------------------------------------
 * noninferiority_test(estimate, std_error, margin, alpha, higher_is_better)
 *	 -> (z, p_value, non_inferior)
 *
 * One-sided test of H0: the effect is worse than -margin (higher is
 * better) or worse than +margin (lower is better), against H1: it is not.
 * z = (estimate + margin) / std_error (or (margin - estimate) /
 * std_error); p = P(Z > z); non_inferior when p < alpha.  A zero
 * standard error decides by the estimate alone (an effect exactly at the
 * margin is not shown non-inferior).
 * ------------------------------------------------------------------------
 */
Datum
journey_noninferiority_test(PG_FUNCTION_ARGS)
{
	double		estimate = PG_GETARG_FLOAT8(0);
	double		se = PG_GETARG_FLOAT8(1);
	double		margin = PG_GETARG_FLOAT8(2);
	double		alpha = PG_GETARG_FLOAT8(3);
	bool		higher_is_better = PG_GETARG_BOOL(4);
	double		gap,
				p;
	Datum		values[3];
	bool		nulls[3] = {false};

	JourneyCheckFinite("estimate", estimate);
	JourneyCheckFinite("std_error", se);
	JourneyCheckFinite("margin", margin);
	if (se < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("std_error must not be negative"),
				 errdetail("std_error is %s.", float8out_internal(se))));
	if (margin < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("margin must not be negative"),
				 errdetail("margin is %s.", float8out_internal(margin)),
				 errhint("The margin is how much worse the guardrail may get, e.g. 0.02 for a relative 2%%.")));
	JourneyCheckStatParam("alpha", alpha);

	gap = higher_is_better ? estimate + margin : margin - estimate;
	if (se > 0.0)
	{
		double		z = gap / se;

		values[0] = Float8GetDatum(z);
		p = 0.5 * erfc(z / M_SQRT2);
	}
	else
	{
		nulls[0] = true;
		p = (gap > 0.0) ? 0.0 : 1.0;
	}
	values[1] = Float8GetDatum(p);
	values[2] = BoolGetDatum(p < alpha);
	return JourneyReturnRow(fcinfo, values, nulls);
}
