/*-------------------------------------------------------------------------
 *
 * stats.c
 *	  Statistics for experiments: the pooled two-proportion z-test with a
 *	  delta-method interval for the relative lift, the Wilson score interval,
 *	  the per-arm sample size for a two-sided test of two proportions, the
 *	  chi-square sample-ratio-mismatch test, the exact Bayesian probability
 *	  that B beats A under uniform priors, Holm / Benjamini-Hochberg
 *	  p-value adjustment, and Fisher's exact test of a 2x2 table.
 *
 * The distribution functions they need (standard normal CDF and quantile,
 * chi-square upper tail) are written here as static helpers, accurate to
 * close to double precision; doc/statistics.md gives every formula.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "common/int.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(journey_proportion_test);
PG_FUNCTION_INFO_V1(journey_wilson_interval);
PG_FUNCTION_INFO_V1(journey_sample_size);
PG_FUNCTION_INFO_V1(journey_srm_test);
PG_FUNCTION_INFO_V1(journey_prob_to_beat);
PG_FUNCTION_INFO_V1(journey_prob_to_beat_by);
PG_FUNCTION_INFO_V1(journey_p_adjust);
PG_FUNCTION_INFO_V1(journey_check_parameter);
PG_FUNCTION_INFO_V1(journey_fisher_exact_test);

/* ------------------------------------------------------------------------
 * Distribution helpers
 * ------------------------------------------------------------------------
 */

/*
 * Quantile of the standard normal for p in (0,1), accurate from p = 1e-300
 * up to the largest double below 1: Acklam's rational
 * approximation (relative error below 1.2e-9) followed by one Halley step
 * on the erfc-based CDF, which brings it to about double precision.
 */
double
JourneyNormalQuantile(double p)
{
	static const double a[6] = {
		-3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
		-3.066479806614716e+01, 2.506628277459239e+00
	};
	static const double b[5] = {
		-5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
		-1.328068155288572e+01
	};
	static const double c[6] = {
		-7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
		4.374664141464968e+00, 2.938163982698783e+00
	};
	static const double d[4] = {
		7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00
	};
	const double plow = 0.02425;
	double		q,
				r,
				x,
				e,
				u;

	Assert(p > 0.0 && p < 1.0);
	if (p < plow)
	{
		q = sqrt(-2.0 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	else if (p <= 1.0 - plow)
	{
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}
	else
	{
		q = sqrt(-2.0 * log(1.0 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}

	/*
	 * Halley refinement.  The error is measured where it keeps its precision:
	 * on the lower tail in the lower region, on the upper tail in the upper
	 * one, and as the distance from the median in between (p - 0.5 is exact
	 * there, and erf keeps the relative precision of a quantile next to 0).
	 */
	if (p < plow)
		e = 0.5 * erfc(-x / M_SQRT2) - p;
	else if (p <= 1.0 - plow)
		e = 0.5 * erf(x / M_SQRT2) - (p - 0.5);
	else
		e = (1.0 - p) - 0.5 * erfc(x / M_SQRT2);
	u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
	x = x - u / (1.0 + x * u / 2.0);
	Assert(isfinite(x));
	return x;
}

/*
 * z with P(Z > z) = tail, computed from the tail itself: 1 - tail rounds to
 * 1 for tails below 1.1e-16, which would lose them (and NormalQuantile
 * takes p < 1 only).
 */
double
JourneyNormalUpperQuantile(double tail)
{
	return -JourneyNormalQuantile(tail);
}

/*
 * Regularized upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a), for
 * a > 0, x >= 0: the power series of P(a, x) when x < a + 1, else the
 * continued fraction of Q(a, x) evaluated by the modified Lentz method.
 */
static double
GammaUpperRegularized(double a, double x)
{
	const double eps = DBL_EPSILON;
	const double tiny = DBL_MIN / eps;
	double		lead;
	int			i;

	if (x <= 0.0)
		return 1.0;
	if (isinf(x))
		return 0.0;
	lead = a * log(x) - x - lgamma(a);

	if (x < a + 1.0)
	{
		double		ap = a,
					del = 1.0 / a,
					sum = del;

		for (i = 0; i < 100000; i++)
		{
			ap += 1.0;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * eps)
				break;
		}
		return 1.0 - sum * exp(lead);
	}
	else
	{
		double		bb = x + 1.0 - a,
					cc = 1.0 / tiny,
					dd = 1.0 / bb,
					h = dd;

		for (i = 1; i < 100000; i++)
		{
			double		an = -i * (i - a);
			double		del;

			bb += 2.0;
			dd = an * dd + bb;
			if (fabs(dd) < tiny)
				dd = tiny;
			cc = bb + an / cc;
			if (fabs(cc) < tiny)
				cc = tiny;
			dd = 1.0 / dd;
			del = dd * cc;
			h *= del;
			if (fabs(del - 1.0) < eps)
				break;
		}
		return exp(lead) * h;
	}
}

/* P(X > x) for X chi-square with df degrees of freedom. */
static double
ChiSquareUpper(double x, double df)
{
	return GammaUpperRegularized(df / 2.0, x / 2.0);
}

/* ------------------------------------------------------------------------
 * Argument checks
 * ------------------------------------------------------------------------
 */

/* x successes out of n trials: 0 <= x <= n, n > 0. */
static void
CheckCounts(int64 x, int64 n, const char *xname, const char *nname)
{
	if (n <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive", nname),
				 errdetail("%s is " INT64_FORMAT ".", nname, n)));
	if (x < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", xname),
				 errdetail("%s is " INT64_FORMAT ".", xname, x)));
	if (x > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not exceed %s", xname, nname),
				 errdetail("%s is " INT64_FORMAT " and %s is " INT64_FORMAT ".",
						   xname, x, nname, n)));
}

/*
 * The statistical parameters and their ranges (doc/statistics.md), checked
 * where they enter: by the functions below and, through check_parameter(),
 * by the hypothesis registry, so that a stored hypothesis can always be
 * computed.  Every parameter lies below 1.  A probability the computation
 * takes a normal quantile of (alpha, power) is at least 1e-300: below it
 * double precision has no digits left to tell the tail apart (p-values
 * themselves end near 1e-308).  A hypothesis's minimum effect is at least
 * 1e-7, the smallest for which the sample size of every baseline, alpha and
 * power in range stays below 9e18 units per arm (at most 1025 / mde^2).
 * The others (confidence, rates, effects) only have to be above 0.
 */
typedef struct StatParam
{
	const char *name;
	double		low;			/* smallest value allowed, or (when 0) the
								 * bound it must exceed */
	const char *low_text;
	const char *hint;
} StatParam;

static const StatParam stat_params[] = {
	{"alpha", 1e-300, "1e-300",
	"alpha is the significance level of the two-sided test, e.g. 0.05."},
	{"power", 1e-300, "1e-300",
	"power is the chance of detecting the effect when it is there, e.g. 0.8."},
	{"confidence", 0, "0",
	"confidence is the coverage of the interval, e.g. 0.95."},
	{"baseline", 0, "0",
	"baseline is the control's conversion rate, e.g. 0.2 for 20%."},
	{"mde", 0, "0",
	"mde is the absolute difference in rate to detect, e.g. 0.01 for one percentage point."},
	{"minimum_effect", 1e-7, "1e-7",
	"It is an absolute change in conversion rate: 0.01 means one percentage point; no experiment can detect one below 1e-7."},
	{"winsorize", 0, "0",
	"winsorize is the percentile of the non-zero per-unit values at which they are capped, e.g. 0.99."},
};

static const StatParam *
FindStatParam(const char *name)
{
	for (int i = 0; i < lengthof(stat_params); i++)
		if (strcmp(stat_params[i].name, name) == 0)
			return &stat_params[i];
	return NULL;
}

/* Check v against the range of the named parameter (NaN fails both tests). */
void
JourneyCheckStatParam(const char *name, double v)
{
	const StatParam *sp = FindStatParam(name);

	if (sp == NULL)
		elog(ERROR, "unknown statistical parameter \"%s\"", name);
	if (sp->low > 0 ? !(v >= sp->low && v < 1.0) : !(v > 0.0 && v < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s %s and less than 1", name,
						sp->low > 0 ? "at least" : "greater than", sp->low_text),
				 errdetail("%s is %s.", name, float8out_internal(v)),
				 errhint("%s", sp->hint)));
}

/*
 * check_parameter(name, value): the same check for SQL callers (the
 * hypothesis registry's trigger).  A NULL value is an error.
 */
Datum
journey_check_parameter(PG_FUNCTION_ARGS)
{
	char	   *name;
	const StatParam *sp;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("parameter name must not be NULL")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	sp = FindStatParam(name);
	if (sp == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown statistical parameter \"%s\"", name),
				 errhint("Known parameters: alpha, power, confidence, baseline, mde, minimum_effect, winsorize.")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name),
				 errhint("%s", sp->hint)));
	JourneyCheckStatParam(name, PG_GETARG_FLOAT8(1));
	PG_RETURN_VOID();
}

/* Raise unless v is a finite number (not NaN, not infinite). */
void
JourneyCheckFinite(const char *name, double v)
{
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", name),
				 errdetail("%s is %s.", name, float8out_internal(v))));
}

/* The composite result of a function with OUT parameters. */
Datum
JourneyReturnRow(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* ------------------------------------------------------------------------
 * proportion_test(conv_a, n_a, conv_b, n_b, alpha)
 *	 -> (rate_a, rate_b, lift, lift_low, lift_high, z, p_value)
 * ------------------------------------------------------------------------
 */
Datum
journey_proportion_test(PG_FUNCTION_ARGS)
{
	int64		conv_a = PG_GETARG_INT64(0);
	int64		n_a = PG_GETARG_INT64(1);
	int64		conv_b = PG_GETARG_INT64(2);
	int64		n_b = PG_GETARG_INT64(3);
	double		alpha = PG_GETARG_FLOAT8(4);
	Datum		values[7];
	bool		nulls[7] = {false};
	double		ra,
				rb,
				pooled,
				se,
				z,
				p;

	CheckCounts(conv_a, n_a, "conv_a", "n_a");
	CheckCounts(conv_b, n_b, "conv_b", "n_b");
	JourneyCheckStatParam("alpha", alpha);

	ra = (double) conv_a / (double) n_a;
	rb = (double) conv_b / (double) n_b;

	/* pooled z-test; z is positive when B converts better than A */
	pooled = ((double) conv_a + (double) conv_b) / ((double) n_a + (double) n_b);
	se = sqrt(pooled * (1.0 - pooled) * (1.0 / (double) n_a + 1.0 / (double) n_b));
	if (se > 0.0)
	{
		z = (rb - ra) / se;
		p = erfc(fabs(z) / M_SQRT2);
	}
	else
	{
		/* no conversion anywhere, or all units converted: no difference */
		z = 0.0;
		p = 1.0;
	}

	values[0] = Float8GetDatum(ra);
	values[1] = Float8GetDatum(rb);
	values[5] = Float8GetDatum(z);
	values[6] = Float8GetDatum(p);

	if (conv_a == 0)
	{
		/* relative lift over a zero rate is undefined */
		nulls[2] = nulls[3] = nulls[4] = true;
	}
	else
	{
		double		lift = rb / ra - 1.0;
		double		var;

		/* delta method on rb / ra with var(rate) = rate (1 - rate) / n */
		var = rb * (1.0 - rb) / (ra * ra * (double) n_b) +
			ra * (1.0 - ra) * rb * rb / (ra * ra * ra * ra * (double) n_a);
		values[2] = Float8GetDatum(lift);
		if (var > 0.0)
		{
			double		half = JourneyNormalUpperQuantile(alpha / 2.0) * sqrt(var);

			values[3] = Float8GetDatum(lift - half);
			values[4] = Float8GetDatum(lift + half);
		}
		else
			nulls[3] = nulls[4] = true; /* rate_b = 0, or both rates 1 */
	}

	return JourneyReturnRow(fcinfo, values, nulls);
}

/* ------------------------------------------------------------------------
 * wilson_interval(x, n, confidence) -> (low, high)
 * ------------------------------------------------------------------------
 */
Datum
journey_wilson_interval(PG_FUNCTION_ARGS)
{
	int64		x = PG_GETARG_INT64(0);
	int64		n = PG_GETARG_INT64(1);
	double		confidence = PG_GETARG_FLOAT8(2);
	Datum		values[2];
	bool		nulls[2] = {false};
	double		z,
				z2,
				dn,
				dx,
				center,
				half,
				low,
				high;

	CheckCounts(x, n, "x", "n");
	JourneyCheckStatParam("confidence", confidence);

	z = JourneyNormalUpperQuantile((1.0 - confidence) / 2.0);
	z2 = z * z;
	dn = (double) n;
	dx = (double) x;
	center = (dx + z2 / 2.0) / (dn + z2);
	half = z / (dn + z2) * sqrt(dx * (dn - dx) / dn + z2 / 4.0);
	low = (x == 0) ? 0.0 : Max(center - half, 0.0);
	high = (x == n) ? 1.0 : Min(center + half, 1.0);

	values[0] = Float8GetDatum(low);
	values[1] = Float8GetDatum(high);
	return JourneyReturnRow(fcinfo, values, nulls);
}

/* ------------------------------------------------------------------------
 * sample_size(baseline, mde, alpha, power) -> units per arm
 * ------------------------------------------------------------------------
 */
Datum
journey_sample_size(PG_FUNCTION_ARGS)
{
	double		baseline = PG_GETARG_FLOAT8(0);
	double		mde = PG_GETARG_FLOAT8(1);
	double		alpha = PG_GETARG_FLOAT8(2);
	double		power = PG_GETARG_FLOAT8(3);
	double		p2,
				za,
				zb,
				sd1,
				sd2,
				bracket,
				n;

	JourneyCheckStatParam("baseline", baseline);
	JourneyCheckStatParam("mde", mde);
	JourneyCheckStatParam("alpha", alpha);
	JourneyCheckStatParam("power", power);
	p2 = baseline + mde;
	if (!(p2 < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("baseline + mde must be less than 1"),
				 errdetail("baseline is %s and mde is %s.",
						   float8out_internal(baseline), float8out_internal(mde))));

	za = JourneyNormalUpperQuantile(alpha / 2.0);
	zb = JourneyNormalQuantile(power);
	sd1 = sqrt(2.0 * baseline * (1.0 - baseline));
	sd2 = sqrt(baseline * (1.0 - baseline) + p2 * (1.0 - p2));
	bracket = za * sd1 + zb * sd2;

	/*
	 * A power below 0.5 makes zb negative; when the bracket is not positive
	 * any number of units reaches that power (squaring it would not say so):
	 * one unit at least.
	 */
	if (bracket <= 0.0)
		n = 1.0;
	else
		n = Max(1.0, ceil(pow(bracket, 2) / (mde * mde)));
	if (!(n < 9.0e18))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sample size out of range"),
				 errdetail("baseline %s, mde %s, alpha %s and power %s need more than 9e18 units per arm.",
						   float8out_internal(baseline), float8out_internal(mde),
						   float8out_internal(alpha), float8out_internal(power))));
	PG_RETURN_INT64((int64) n);
}

/* ------------------------------------------------------------------------
 * srm_test(counts bigint[], weights float8[] DEFAULT NULL) -> p-value
 *
 * Not STRICT, so that a NULL weights array means equal weights.
 * ------------------------------------------------------------------------
 */
Datum
journey_srm_test(PG_FUNCTION_ARGS)
{
	ArrayType  *counts_arr;
	Datum	   *counts;
	bool	   *counts_null;
	int			k;
	double	   *w;
	double		wmax = 0.0,
				wsum = 0.0,
				total = 0.0,
				chi2 = 0.0;
	int			i;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	counts_arr = PG_GETARG_ARRAYTYPE_P(0);
	if (ARR_NDIM(counts_arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("counts must be a one-dimensional array")));
	deconstruct_array(counts_arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &counts, &counts_null, &k);
	if (k < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("srm_test needs at least 2 groups"),
				 errdetail("counts has %d element(s).", k)));

	w = palloc(sizeof(double) * k);
	if (PG_ARGISNULL(1))
	{
		for (i = 0; i < k; i++)
			w[i] = 1.0;
	}
	else
	{
		ArrayType  *weights_arr = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *weights;
		bool	   *weights_null;
		int			nw;

		if (ARR_NDIM(weights_arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("weights must be a one-dimensional array")));
		deconstruct_array(weights_arr, FLOAT8OID, 8, FLOAT8PASSBYVAL,
						  TYPALIGN_DOUBLE, &weights, &weights_null, &nw);
		if (nw != k)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("counts and weights must have the same length"),
					 errdetail("counts has %d elements and weights has %d.", k, nw)));
		for (i = 0; i < k; i++)
		{
			if (weights_null[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("weights must not contain NULL"),
						 errdetail("Element %d is NULL.", i + 1)));
			w[i] = DatumGetFloat8(weights[i]);
			if (!(w[i] > 0.0) || isinf(w[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("weights must be positive and finite"),
						 errdetail("Element %d is %s.", i + 1, float8out_internal(w[i])),
						 errhint("Weights are the planned shares of the groups, e.g. {0.9, 0.1}; they need not add up to 1.")));
		}
	}

	for (i = 0; i < k; i++)
	{
		int64		c;

		if (counts_null[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("counts must not contain NULL"),
					 errdetail("Element %d is NULL.", i + 1)));
		c = DatumGetInt64(counts[i]);
		if (c < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("counts must not be negative"),
					 errdetail("Element %d is " INT64_FORMAT ".", i + 1, c)));
		total += (double) c;
		wmax = Max(wmax, w[i]);
	}

	/* no units at all: nothing to test */
	if (total == 0.0)
		PG_RETURN_NULL();

	/*
	 * Shares relative to the largest weight, in (0, 1], so that neither their
	 * sum (at most k) nor any share overflows or becomes 0 / 0, whatever the
	 * scale of the weights.
	 */
	for (i = 0; i < k; i++)
	{
		w[i] = w[i] / wmax;
		wsum += w[i];
	}
	for (i = 0; i < k; i++)
	{
		double		c = (double) DatumGetInt64(counts[i]);
		double		expected = total * (w[i] / wsum);
		double		diff = c - expected;

		/*
		 * A share so small that no unit is expected (it underflowed): no unit
		 * there fits it exactly, any unit there is a mismatch.
		 */
		if (expected == 0.0)
			chi2 += (c == 0.0) ? 0.0 : INFINITY;
		else
			chi2 += diff * diff / expected;
	}
	Assert(!isnan(chi2));
	PG_RETURN_FLOAT8(ChiSquareUpper(chi2, (double) (k - 1)));
}

/* ------------------------------------------------------------------------
 * prob_to_beat(conv_a, n_a, conv_b, n_b) -> P(p_B > p_A)
 *
 * Posteriors Beta(1 + conversions, 1 + non-conversions).  For X ~ Beta(a1,
 * b1) and Y ~ Beta(a2, b2) independent,
 *
 *	 P(Y > X) = sum_{i=0}^{a2-1} t_i,
 *	 t_i = B(a1 + i, b1 + b2) / ((b2 + i) B(1 + i, b2) B(a1, b1))
 *
 * (Evan Miller's closed form).  The same probability can be summed over
 * any of the four shape parameters (by P(Y > X) = 1 - P(X > Y) and by
 * 1 - p ~ Beta(b, a)), so we sum over the smallest one, m.
 *
 * Up to m = PTB_MAX_SUM_SHAPE the sum is evaluated exactly (to rounding):
 * one term, the largest, in log space by Loader's saddle-point method
 * (below), the others from it by the ratio of consecutive terms, walking
 * out from the largest until what is left cannot change the sum; about
 * 20 sqrt(m) terms.  Beyond it the difference of the two posteriors is
 * close enough to normal that an Edgeworth expansion to second order (the
 * skewness and kurtosis of the betas) has an absolute error below 1e-12
 * (7e-13 at worst measured at the switch, shrinking like m^-1.5;
 * sql/40_stats.sql compares the two there), in constant time, where the
 * sum would take 20 sqrt(m) steps: minutes at 4e17 units.
 * ------------------------------------------------------------------------
 */
#define PTB_MAX_SUM_SHAPE 1e7

#define LN_SQRT_2PI 0.918938533204672741780329736406	/* log(sqrt(2 pi)) */

/*
 * Loader's "Fast and accurate computation of binomial probabilities"
 * (2000): log n! written as Stirling's formula plus the error term
 * StirlingError(n), and x log(x / np) + np - x as Bd0, evaluated as a
 * series when x is near np so that no digit is lost to cancellation.  They
 * give log probabilities of binomials with any counts (up to 1e19) to an
 * absolute error near 1e-15, where differences of log-gammas of counts
 * near 1e17 (about 4e18) lose every digit.
 */
static double
StirlingError(double n)
{
	const double S0 = 1.0 / 12,
				S1 = 1.0 / 360,
				S2 = 1.0 / 1260,
				S3 = 1.0 / 1680,
				S4 = 1.0 / 1188;
	double		nn = n * n;

	Assert(n >= 1.0);
	if (n <= 15.0)
		return lgamma(n + 1.0) - (n + 0.5) * log(n) + n - LN_SQRT_2PI;
	if (n > 500.0)
		return (S0 - S1 / nn) / n;
	if (n > 80.0)
		return (S0 - (S1 - S2 / nn) / nn) / n;
	if (n > 35.0)
		return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
	return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

static double
Bd0(double x, double np)
{
	if (fabs(x - np) < 0.1 * (x + np))
	{
		double		v = (x - np) / (x + np);
		double		v2 = v * v;
		double		s = (x - np) * v;
		double		ej = 2.0 * x * v;

		for (int j = 1; j < 1000; j++)
		{
			double		s1;

			ej *= v2;
			s1 = s + ej / (2 * j + 1);
			if (s1 == s)
				break;
			s = s1;
		}
		return s;
	}
	return x * log(x / np) + np - x;
}

/* log of the binomial probability of x successes in n trials (p + q = 1) */
static double
LogBinomial(double x, double n, double p, double q)
{
	if (x == 0.0)
		return (p < 0.1) ? n * log1p(-p) : n * log(q);
	if (x == n)
		return (q < 0.1) ? n * log1p(-q) : n * log(p);
	return StirlingError(n) - StirlingError(x) - StirlingError(n - x) -
		Bd0(x, n * p) - Bd0(n - x, n * q) -
		0.5 * (2.0 * LN_SQRT_2PI + log(x) + log1p(-x / n));
}

/* log of the hypergeometric probability of x of r red among n drawn of r + b */
static double
LogHypergeometric(double x, double r, double b, double n)
{
	double		p = n / (r + b);
	double		q = (r + b - n) / (r + b);

	return LogBinomial(x, r, p, q) + LogBinomial(n - x, b, p, q) -
		LogBinomial(n, r + b, p, q);
}

/*
 * log t_i.  With integer shapes, t_i is a hypergeometric probability times
 * a rational factor:
 *
 *	 t_i = (a1 + b1 - 1) b2 / ((N - 1)(b2 + i)) *
 *		   Hyp(a1 - 1 of a1 + b1 - 2 red among a1 + i - 1 drawn of N - 2),
 *	 N = a1 + b1 + b2 + i
 *
 * (write each beta function with binomial coefficients).
 */
static double
BetaGreaterLogTerm(double a1, double b1, double b2, double i)
{
	double		total = a1 + b1 + b2 + i;

	return log(a1 + b1 - 1.0) + log(b2) - log(total - 1.0) - log(b2 + i) +
		LogHypergeometric(a1 - 1.0, a1 + b1 - 2.0, b2 + i, a1 + i - 1.0);
}

/* t_{i+1} / t_i */
static inline double
BetaGreaterRatio(double a1, double b1, double b2, double i)
{
	return ((a1 + i) * (b2 + i)) / ((a1 + b1 + b2 + i) * (1.0 + i));
}

/* sum += t, compensated (Neumaier) */
static inline void
CompensatedAdd(double *sum, double *comp, double t)
{
	double		s = *sum + t;

	if (fabs(*sum) >= fabs(t))
		*comp += (*sum - s) + t;
	else
		*comp += (t - s) + *sum;
	*sum = s;
}

/*
 * The terms t_i are unimodal in i: t_{i+1} / t_i minus one has the sign of
 * (a1 b2 - a1 - b1 - b2) - i (b1 + 1), which falls with i.  So we start at
 * the largest term and walk down each side until the rest of that side
 * (at most remaining * current term) cannot change the sum in double
 * precision.  The terms are kept relative to the largest (which is 1), so
 * that none underflows before it matters; every 4096 steps a term is
 * computed afresh from its logarithm, so that rounding in the ratios
 * cannot pile up.
 */
static double
BetaGreaterSum(double a1, double b1, double a2, double b2)
{
	double		last = a2 - 1.0;	/* i runs over 0 .. a2 - 1 */
	double		mode,
				log_mode,
				sum = 1.0,
				comp = 0.0,
				u,
				i;
	int64		visited = 0;

	mode = ceil((a1 * b2 - a1 - b1 - b2) / (b1 + 1.0));
	mode = Max(0.0, Min(last, mode));
	log_mode = BetaGreaterLogTerm(a1, b1, b2, mode);

	u = 1.0;
	for (i = mode + 1.0; i <= last; i += 1.0)
	{
		if ((++visited & 0xFFF) == 0)
		{
			CHECK_FOR_INTERRUPTS();
			u = exp(BetaGreaterLogTerm(a1, b1, b2, i) - log_mode);
		}
		else
			u *= BetaGreaterRatio(a1, b1, b2, i - 1.0);
		CompensatedAdd(&sum, &comp, u);
		if (u * (last - i) <= sum * DBL_EPSILON * 1e-3)
			break;
	}
	u = 1.0;
	for (i = mode - 1.0; i >= 0.0; i -= 1.0)
	{
		if ((++visited & 0xFFF) == 0)
		{
			CHECK_FOR_INTERRUPTS();
			u = exp(BetaGreaterLogTerm(a1, b1, b2, i) - log_mode);
		}
		else
			u /= BetaGreaterRatio(a1, b1, b2, i);
		CompensatedAdd(&sum, &comp, u);
		if (u * i <= sum * DBL_EPSILON * 1e-3)
			break;
	}
	return exp(log_mode + log(sum + comp));
}

/* a * b - c * d, with the rounding of each product recovered (Kahan) */
static double
DifferenceOfProducts(double a, double b, double c, double d)
{
	double		cd = c * d;
	double		err = fma(-c, d, cd);

	return fma(a, b, -cd) + err;
}

/* Variance, third central moment and fourth cumulant of Beta(a, b). */
static void
BetaCumulants(double a, double b, double *var, double *k3, double *k4)
{
	double		s = a + b;
	double		excess;

	*var = a * b / (s * s * (s + 1.0));
	*k3 = 2.0 * (b - a) * sqrt(s + 1.0) / ((s + 2.0) * sqrt(a * b)) *
		pow(*var, 1.5);
	excess = 6.0 * ((a - b) * (a - b) * (s + 1.0) - a * b * (s + 2.0)) /
		(a * b * (s + 2.0) * (s + 3.0));
	*k4 = excess * *var * *var;
}

/*
 * P(Y > X) by the Edgeworth expansion of D = Y - X to second order:
 * with z = -E[D] / sd(D) and the standardized cumulants g1 (skewness) and
 * g2 (excess kurtosis) of D,
 *
 *	 P(D > 0) = Phi(-z) + phi(z) (g1/6 He2(z) + g2/24 He3(z) + g1^2/72 He5(z)),
 *
 * He the Hermite polynomials.  Exactly 1/2 for identical posteriors.
 */
static double
BetaGreaterEdgeworth(double a1, double b1, double a2, double b2)
{
	double		vx,
				k3x,
				k4x,
				vy,
				k3y,
				k4y,
				mean,
				sd,
				z,
				g1,
				g2,
				z2,
				corr;

	BetaCumulants(a1, b1, &vx, &k3x, &k4x);
	BetaCumulants(a2, b2, &vy, &k3y, &k4y);
	/* E[Y] - E[X] = (a2 b1 - a1 b2) / ((a1 + b1)(a2 + b2)) */
	mean = DifferenceOfProducts(a2, b1, a1, b2) / ((a1 + b1) * (a2 + b2));
	sd = sqrt(vx + vy);
	z = -mean / sd;
	g1 = (k3y - k3x) / (sd * sd * sd);
	g2 = (k4x + k4y) / (sd * sd * sd * sd);
	z2 = z * z;
	corr = g1 / 6.0 * (z2 - 1.0) +
		g2 / 24.0 * z * (z2 - 3.0) +
		g1 * g1 / 72.0 * z * (z2 * z2 - 10.0 * z2 + 15.0);
	return 0.5 * erfc(z / M_SQRT2) + exp(-0.5 * z2 - LN_SQRT_2PI) * corr;
}

typedef enum PtbMethod
{
	PTB_AUTO,
	PTB_SUM,
	PTB_EDGEWORTH
} PtbMethod;

/*
 * P(B > A) for the counts, summed over the smallest shape parameter, by
 * the method given (PTB_AUTO: the sum up to PTB_MAX_SUM_SHAPE).
 */
static double
ProbToBeat(int64 conv_a, int64 n_a, int64 conv_b, int64 n_b, PtbMethod method)
{
	double		aa = (double) conv_a + 1.0,
				ba = (double) (n_a - conv_a) + 1.0,
				ab = (double) conv_b + 1.0,
				bb = (double) (n_b - conv_b) + 1.0,
				m = Min(Min(aa, ba), Min(ab, bb)),
				p;

	if (method == PTB_EDGEWORTH ||
		(method == PTB_AUTO && m > PTB_MAX_SUM_SHAPE))
		p = BetaGreaterEdgeworth(aa, ba, ab, bb);
	else if (m == ab)
		p = BetaGreaterSum(aa, ba, ab, bb);
	else if (m == aa)
		p = 1.0 - BetaGreaterSum(ab, bb, aa, ba);
	else if (m == ba)
		p = BetaGreaterSum(bb, ab, ba, aa); /* P(1 - pA > 1 - pB) */
	else
		p = 1.0 - BetaGreaterSum(ba, aa, bb, ab);

	/* rounding may step a hair outside [0, 1] */
	Assert(!isnan(p));
	return Max(0.0, Min(1.0, p));
}

/* The arguments (conv_a, n_a, conv_b, n_b) of fcinfo, checked; P(B > A). */
static Datum
ProbToBeatCall(FunctionCallInfo fcinfo, PtbMethod method)
{
	int64		conv_a = PG_GETARG_INT64(0);
	int64		n_a = PG_GETARG_INT64(1);
	int64		conv_b = PG_GETARG_INT64(2);
	int64		n_b = PG_GETARG_INT64(3);

	CheckCounts(conv_a, n_a, "conv_a", "n_a");
	CheckCounts(conv_b, n_b, "conv_b", "n_b");
	PG_RETURN_FLOAT8(ProbToBeat(conv_a, n_a, conv_b, n_b, method));
}

Datum
journey_prob_to_beat(PG_FUNCTION_ARGS)
{
	return ProbToBeatCall(fcinfo, PTB_AUTO);
}

/*
 * Test hook (not in the install script): prob_to_beat(conv_a, n_a, conv_b,
 * n_b, method) by the method named ('sum' or 'edgeworth'), so that a test
 * can compare the two where the function switches from one to the other.
 */
Datum
journey_prob_to_beat_by(PG_FUNCTION_ARGS)
{
	char	   *method = text_to_cstring(PG_GETARG_TEXT_PP(4));

	if (strcmp(method, "sum") == 0)
		return ProbToBeatCall(fcinfo, PTB_SUM);
	if (strcmp(method, "edgeworth") == 0)
		return ProbToBeatCall(fcinfo, PTB_EDGEWORTH);
	elog(ERROR, "unknown prob_to_beat method \"%s\"", method);
	return (Datum) 0;			/* keep compiler quiet */
}

/* ------------------------------------------------------------------------
 * p_adjust(p float8[], method text) -> float8[]
 * ------------------------------------------------------------------------
 */
struct PValueEntry
{
	double		p;
	int			pos;			/* index in the input array */
};

static int
PValueCmp(const void *a, const void *b, void *arg)
{
	const struct PValueEntry *x = (const struct PValueEntry *) a;
	const struct PValueEntry *y = (const struct PValueEntry *) b;

	if (x->p < y->p)
		return -1;
	if (x->p > y->p)
		return 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

Datum
journey_p_adjust(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	char	   *method = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		holm;
	Datum	   *elems;
	bool	   *isnull;
	int			nelems;
	struct PValueEntry *pv;
	int			m = 0;
	double	   *adj;
	int			i;
	ArrayType  *result;

	if (strcmp(method, "holm") == 0)
		holm = true;
	else if (strcmp(method, "bh") == 0)
		holm = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown p-value adjustment method \"%s\"", method),
				 errhint("Use \"holm\" (family-wise error rate) or \"bh\" (Benjamini-Hochberg false discovery rate).")));

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("p must be a one-dimensional array")));
	deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &isnull, &nelems);
	if (nelems == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(FLOAT8OID));

	pv = palloc(sizeof(struct PValueEntry) * nelems);
	for (i = 0; i < nelems; i++)
	{
		double		p;

		if (isnull[i])
			continue;
		p = DatumGetFloat8(elems[i]);
		if (!(p >= 0.0 && p <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("p-values must be between 0 and 1"),
					 errdetail("Element %d is %s.", i + 1, float8out_internal(p))));
		pv[m].p = p;
		pv[m].pos = i;
		m++;
	}

	/* NULLs are excluded from the number of tests, as R's p.adjust does */
	qsort_interruptible(pv, m, sizeof(struct PValueEntry), PValueCmp, NULL);
	adj = palloc(sizeof(double) * nelems);
	if (holm)
	{
		/* step-down: max over j <= i of (m - j) p_(j), capped at 1 */
		double		run = 0.0;

		for (i = 0; i < m; i++)
		{
			double		v = Min(1.0, (double) (m - i) * pv[i].p);

			CHECK_FOR_INTERRUPTS();
			run = Max(run, v);
			adj[pv[i].pos] = run;
		}
	}
	else
	{
		/* step-up: min over j >= i of m / (j + 1) p_(j), capped at 1 */
		double		run = 1.0;

		for (i = m - 1; i >= 0; i--)
		{
			double		v = (double) m / (double) (i + 1) * pv[i].p;

			CHECK_FOR_INTERRUPTS();
			run = Min(run, v);
			adj[pv[i].pos] = run;
		}
	}

	for (i = 0; i < nelems; i++)
		elems[i] = isnull[i] ? (Datum) 0 : Float8GetDatum(adj[i]);
	{
		int			dims[1];
		int			lbs[1];

		dims[0] = nelems;
		lbs[0] = ARR_LBOUND(arr)[0];
		result = construct_md_array(elems, isnull, 1, dims, lbs, FLOAT8OID, 8,
									FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	}
	PG_RETURN_ARRAYTYPE_P(result);
}

/* ------------------------------------------------------------------------
 * fisher_exact_test(a, b, c, d) -> two-sided p-value
 *
 * For the table [[a, b], [c, d]] with its margins fixed, a follows the
 * hypergeometric distribution of the red balls among c1 = a + c drawn
 * from r1 = a + b red and r2 = c + d black.  The two-sided p-value is the
 * probability of every table no more likely than the one observed (R's
 * fisher.test and scipy.stats.fisher_exact; "no more likely" with R's
 * relative tolerance of 1e-7, so that tables tied with the observed one
 * count whatever the rounding).
 *
 * The probabilities are unimodal in x, so the tables counted are the two
 * tails: on the observed side every x from the observed one outwards, on
 * the other side every x from the first one (found by bisection) no more
 * likely than the observed.  Each tail is summed from its inner end
 * outwards, terms relative to its first by the ratio of consecutive
 * probabilities, until the rest cannot change the sum (LogHypergeometric
 * gives the first term to about 1e-15; every 4096 steps a term is computed
 * afresh from it, so that rounding in the ratios cannot pile up).
 * ------------------------------------------------------------------------
 */

/* counts up to 2^53, so that each is exact as a double */
#define FISHER_MAX_TOTAL ((int64) 1 << 53)

/* relative tolerance of "no more likely than the observed table" */
#define FISHER_REL_TOLERANCE 1e-7

typedef struct FisherTable
{
	double		r1;				/* a + b */
	double		r2;				/* c + d */
	double		c1;				/* a + c */
} FisherTable;

static double
FisherLogProb(const FisherTable *t, double x)
{
	return LogHypergeometric(x, t->r1, t->r2, t->c1);
}

/* P(x + 1) / P(x) */
static inline double
FisherRatio(const FisherTable *t, double x)
{
	return ((t->r1 - x) * (t->c1 - x)) / ((x + 1.0) * (t->r2 - t->c1 + x + 1.0));
}

/*
 * Sum of P(x) from x = from to the end (step +1 up to last, or -1 down to
 * last), the terms falling all the way.
 */
static double
FisherTail(const FisherTable *t, double from, double last, int step)
{
	double		log_first = FisherLogProb(t, from);
	double		sum = 1.0,
				comp = 0.0,
				u = 1.0,
				x;
	int64		visited = 0;

	for (x = from + step; step > 0 ? x <= last : x >= last; x += step)
	{
		if ((++visited & 0xFFF) == 0)
		{
			CHECK_FOR_INTERRUPTS();
			u = exp(FisherLogProb(t, x) - log_first);
		}
		else if (step > 0)
			u *= FisherRatio(t, x - 1.0);
		else
			u /= FisherRatio(t, x);
		CompensatedAdd(&sum, &comp, u);
		if (u * fabs(last - x) <= sum * DBL_EPSILON * 1e-3)
			break;
	}
	return exp(log_first + log(sum + comp));
}

/*
 * Between inside (P > limit) and outside (P <= limit), the x next to
 * inside on the way to outside with P(x) <= limit, by bisection.
 */
static double
FisherBoundary(const FisherTable *t, double inside, double outside,
			   double limit)
{
	while (fabs(outside - inside) > 1.0)
	{
		double		mid = floor((inside + outside) / 2.0);

		CHECK_FOR_INTERRUPTS();
		if (FisherLogProb(t, mid) <= limit)
			outside = mid;
		else
			inside = mid;
	}
	return outside;
}

Datum
journey_fisher_exact_test(PG_FUNCTION_ARGS)
{
	static const char *const names[4] = {"a", "b", "c", "d"};
	int64		cell[4],
				total;
	FisherTable t;
	double		a,
				lo,
				hi,
				mode,
				log_obs,
				limit,
				p;

	for (int i = 0; i < 4; i++)
	{
		cell[i] = PG_GETARG_INT64(i);
		if (cell[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not be negative", names[i]),
					 errdetail("%s is " INT64_FORMAT ".", names[i], cell[i]),
					 errhint("The table is [[a, b], [c, d]] of counts.")));
	}
	if (pg_add_s64_overflow(cell[0], cell[1], &total) ||
		pg_add_s64_overflow(total, cell[2], &total) ||
		pg_add_s64_overflow(total, cell[3], &total) ||
		total > FISHER_MAX_TOTAL)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("fisher_exact_test handles tables of at most 2^53 units"),
				 errdetail("a + b + c + d is above 9007199254740992.")));

	a = (double) cell[0];
	t.r1 = a + (double) cell[1];
	t.r2 = (double) cell[2] + (double) cell[3];
	t.c1 = a + (double) cell[2];

	/* an empty row or column leaves one possible table */
	if (t.r1 == 0.0 || t.r2 == 0.0 || t.c1 == 0.0 || t.c1 == t.r1 + t.r2)
		PG_RETURN_FLOAT8(1.0);

	lo = Max(0.0, t.c1 - t.r2);
	hi = Min(t.r1, t.c1);
	mode = floor((t.c1 + 1.0) * (t.r1 + 1.0) / (t.r1 + t.r2 + 2.0));
	mode = Max(lo, Min(hi, mode));
	log_obs = FisherLogProb(&t, a);
	limit = log_obs + log1p(FISHER_REL_TOLERANCE);

	/* as likely as the most likely table: every table counts */
	if (FisherLogProb(&t, mode) <= limit)
		PG_RETURN_FLOAT8(1.0);

	if (a < mode)
	{
		/* the observed tail [lo, a], and on the right [first <= limit, hi] */
		p = FisherTail(&t, a, lo, -1);
		if (FisherLogProb(&t, hi) <= limit)
			p += FisherTail(&t, FisherBoundary(&t, mode, hi, limit), hi, 1);
	}
	else
	{
		/* the observed tail [a, hi], and on the left [lo, last <= limit] */
		p = FisherTail(&t, a, hi, 1);
		if (FisherLogProb(&t, lo) <= limit)
			p += FisherTail(&t, FisherBoundary(&t, mode, lo, limit), lo, -1);
	}
	PG_RETURN_FLOAT8(Min(1.0, p));
}
