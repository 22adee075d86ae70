/*-------------------------------------------------------------------------
 *
 * survival.c
 *	  Time to convert with censoring: the Kaplan-Meier estimate of the
 *	  share of customers converted by each time after entry, customers
 *	  whose window is still open counted as censored, with Greenwood's
 *	  standard error and a pointwise band on the log(-log) scale (R's
 *	  survfit conf.type = "log-log").
 *
 * kaplan_meier(elapsed float8[], converted bool[], confidence) takes one
 * element per customer: the time from entry to conversion (converted) or
 * to the end of what has been observed (not converted: censored there).
 * At each distinct time t, with n customers still at risk (elapsed >= t)
 * and d conversions at t,
 *
 *	 S(t) = prod (1 - d / n),	share converted = 1 - S(t),
 *	 Var S(t) = S(t)^2 sum d / (n (n - d))		(Greenwood),
 *
 * and the band S(t)^exp(+-z se / |log S(t)|), se = sqrt(sum d/(n(n-d))).
 * Conversions at a time come before censorings at the same time (a
 * customer censored at t was at risk at t).  doc/statistics.md.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(journey_kaplan_meier);

typedef struct SurvivalObs
{
	double		t;
	bool		converted;
} SurvivalObs;

static int
SurvivalObsCmp(const void *a, const void *b, void *arg)
{
	const SurvivalObs *x = (const SurvivalObs *) a;
	const SurvivalObs *y = (const SurvivalObs *) b;

	if (x->t < y->t)
		return -1;
	if (x->t > y->t)
		return 1;
	return (int) y->converted - (int) x->converted;
}

Datum
journey_kaplan_meier(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *times_arr;
	ArrayType  *conv_arr;
	Datum	   *times;
	bool	   *times_null;
	Datum	   *conv;
	bool	   *conv_null;
	int			nt,
				nc;
	double		confidence,
				z,
				surv = 1.0,
				greenwood = 0.0;
	SurvivalObs *obs;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		return (Datum) 0;		/* no customers: no rows */
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("confidence must not be NULL")));
	confidence = PG_GETARG_FLOAT8(2);
	JourneyCheckStatParam("confidence", confidence);
	times_arr = PG_GETARG_ARRAYTYPE_P(0);
	conv_arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(times_arr) > 1 || ARR_NDIM(conv_arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("elapsed and converted must be one-dimensional arrays")));
	deconstruct_array(times_arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &times, &times_null, &nt);
	deconstruct_array(conv_arr, BOOLOID, 1, true, TYPALIGN_CHAR,
					  &conv, &conv_null, &nc);
	if (nt != nc)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("elapsed and converted must have the same length"),
				 errdetail("elapsed has %d elements and converted has %d.", nt, nc)));

	/* twice the size of the arrays at most: a huge allocation may be needed */
	obs = MemoryContextAllocHuge(CurrentMemoryContext,
								 sizeof(SurvivalObs) * Max(nt, 1));
	for (i = 0; i < nt; i++)
	{
		if (times_null[i] || conv_null[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("elapsed and converted must not contain NULL"),
					 errdetail("Element %d is NULL.", i + 1)));
		obs[i].t = DatumGetFloat8(times[i]);
		obs[i].converted = DatumGetBool(conv[i]);
		if (!(obs[i].t >= 0.0) || isinf(obs[i].t))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("elapsed times must be finite and not negative"),
					 errdetail("Element %d is %s.", i + 1, float8out_internal(obs[i].t))));
	}
	qsort_interruptible(obs, nt, sizeof(SurvivalObs), SurvivalObsCmp, NULL);

	z = JourneyNormalUpperQuantile((1.0 - confidence) / 2.0);
	for (i = 0; i < nt;)
	{
		double		t = obs[i].t;
		int64		at_risk = nt - i,
					d = 0,
					c = 0;
		Datum		values[8];
		bool		nulls[8] = {false};

		CHECK_FOR_INTERRUPTS();
		for (; i < nt && obs[i].t == t; i++)
		{
			if (obs[i].converted)
				d++;
			else
				c++;
		}
		if (d > 0)
		{
			surv *= 1.0 - (double) d / (double) at_risk;
			if (d < at_risk)
				greenwood += (double) d / ((double) at_risk * (double) (at_risk - d));
		}
		values[0] = Float8GetDatum(t);
		values[1] = Int64GetDatum(at_risk);
		values[2] = Int64GetDatum(d);
		values[3] = Int64GetDatum(c);
		values[4] = Float8GetDatum(1.0 - surv);
		if (surv > 0.0 && surv < 1.0)
		{
			double		se_loglog = sqrt(greenwood) / fabs(log(surv));

			values[5] = Float8GetDatum(surv * sqrt(greenwood));
			/* S^exp(z se) is the lower bound of S: the upper of the share */
			values[6] = Float8GetDatum(1.0 - pow(surv, exp(-z * se_loglog)));
			values[7] = Float8GetDatum(1.0 - pow(surv, exp(z * se_loglog)));
		}
		else if (surv == 1.0)
		{
			/* nobody converted yet: no variance, the band is the point */
			values[5] = Float8GetDatum(0.0);
			values[6] = values[7] = Float8GetDatum(0.0);
		}
		else
		{
			/* everyone left converted: Greenwood's variance is undefined */
			nulls[5] = nulls[6] = nulls[7] = true;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
