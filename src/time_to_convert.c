/*-------------------------------------------------------------------------
 *
 * time_to_convert.c
 *	  time_to_convert: the distribution of the time from step a to step b
 *	  over customers, each taken from the chain funnel_times reports for
 *	  them (so never from a re-entered chain: no time is negative).
 *
 * Input per row: one customer's funnel_times array; a customer whose chain
 * did not reach step b (a shorter array, or NULL) is not counted.  The
 * state is the shared event buffer, one event per customer whose time is
 * the gap in microseconds; the parameters carry step a (nconds), step b
 * (modes), the number of histogram buckets (interval_usec) and the chosen
 * percentiles (text, as doubles).
 *
 * Results: customers; the mean of an exact sum (src/sum.c); the median and the chosen percentiles, interpolated as
 * percentile_cont does (position p x (n - 1) in the sorted gaps); and
 * equal-width buckets from the shortest to the longest gap, the longest in
 * the last bucket, with each bucket's lower bound.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

PG_FUNCTION_INFO_V1(journey_time_to_convert_sfunc);
PG_FUNCTION_INFO_V1(journey_time_to_convert_final);

#define TTC_MAX_BUCKETS			1000
#define TTC_MAX_PERCENTILES		100
#define TTC_STATE				0x10000 /* marks the state's parameters */

/* The chosen percentiles, checked: each in [0, 1]. */
static int
Percentiles(ArrayType *arr, float8 *out)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("percentiles of time_to_convert must be a one-dimensional array")));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (n > TTC_MAX_PERCENTILES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("time_to_convert takes at most %d percentiles", TTC_MAX_PERCENTILES)));
	for (int i = 0; i < n; i++)
	{
		float8		p = nulls[i] ? -1 : DatumGetFloat8(elems[i]);

		if (!(p >= 0.0 && p <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("percentiles of time_to_convert must lie between 0 and 1"),
					 errdetail("Percentile %d is %s.", i + 1,
							   nulls[i] ? "NULL" : float8out_internal(p)),
					 errhint("Pass fractions, e.g. '{0.25, 0.75, 0.9}'.")));
		out[i] = p;
	}
	return n;
}

/* Arguments: (state, times timestamptz[], from_step, to_step, percentiles, buckets). */
Datum
journey_time_to_convert_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, "time_to_convert");
	JourneyEvents *state = PG_ARGISNULL(0) ? NULL :
	(JourneyEvents *) PG_GETARG_POINTER(0);
	JourneyParams params = {0};
	float8		pcts[TTC_MAX_PERCENTILES];
	int32		from,
				to,
				buckets;
	ArrayType  *times;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("from_step, to_step and buckets of time_to_convert must not be NULL"),
				 errhint("Pass 0 buckets for no histogram.")));
	from = PG_GETARG_INT32(2);
	to = PG_GETARG_INT32(3);
	buckets = PG_GETARG_INT32(5);
	if (from < 1 || to > JOURNEY_MAX_CONDITIONS || from >= to)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_to_convert needs 1 <= from_step < to_step <= %d",
						JOURNEY_MAX_CONDITIONS),
				 errdetail("The call passed from_step %d and to_step %d.", from, to)));
	if (buckets < 0 || buckets > TTC_MAX_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("buckets of time_to_convert must be between 0 and %d", TTC_MAX_BUCKETS),
				 errdetail("The call passed %d.", buckets)));
	params.nconds = from;
	params.modes = TTC_STATE | (uint32) to;
	params.interval_usec = buckets;
	if (!PG_ARGISNULL(4))
	{
		params.text_len = Percentiles(PG_GETARG_ARRAYTYPE_P(4), pcts) * sizeof(float8);
		params.text = (char *) pcts;
	}
	if (state == NULL)
		state = JourneyEventsEmpty(JourneyParamsIntern(fcinfo->flinfo, aggcxt, &params));
	else if (!JourneyParamsEqual(state->params, &params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_step, to_step, percentiles and buckets of time_to_convert must be the same for every row")));

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	times = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(times) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("times of time_to_convert must be a one-dimensional array"),
				 errhint("Pass funnel_times' array of one customer.")));
	deconstruct_array(times, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (n < to || nulls[from - 1] || nulls[to - 1])
		PG_RETURN_POINTER(state);	/* did not reach step b */
	{
		TimestampTz a = DatumGetTimestampTz(elems[from - 1]);
		TimestampTz b = DatumGetTimestampTz(elems[to - 1]);
		int64		gap;

		if (TIMESTAMP_NOT_FINITE(a) || TIMESTAMP_NOT_FINITE(b) || b < a)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("times of time_to_convert must be finite and in order"),
					 errdetail("Step %d is at %s and step %d at %s.", from,
							   pstrdup(timestamptz_to_str(a)), to, pstrdup(timestamptz_to_str(b))),
					 errhint("Pass funnel_times' array of one customer.")));
		/* the span of the whole timestamp range does not fit in int64 */
		if (pg_sub_s64_overflow(b, a, &gap))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("time from step %d to step %d of time_to_convert is out of range",
							from, to),
					 errdetail("Step %d is at %s and step %d at %s.", from,
							   pstrdup(timestamptz_to_str(a)), to, pstrdup(timestamptz_to_str(b)))));
		state = JourneyEventsOwn(aggcxt, state);
		JourneyEventsAddFlags(state, (TimestampTz) gap, 0);
	}
	PG_RETURN_POINTER(state);
}

/* percentile_cont over the sorted gaps, in seconds */
static float8
PercentileSeconds(const JourneyEvent *ev, int n, float8 p)
{
	float8		pos = p * (n - 1);
	int			lo = (int) floor(pos);
	int			hi = (int) ceil(pos);
	float8		lv = (float8) ev[lo].ts,
				hv = (float8) ev[hi].ts;

	return (lv + (hv - lv) * (pos - lo)) / USECS_PER_SEC;
}

static ArrayType *
Float8Array(const float8 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return construct_array(d, n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* The answer of a state, as a tuple of tupdesc. */
static Datum
TimeToConvertAnswer(JourneyEvents *state, TupleDesc tupdesc)
{
	JourneyParams *params;
	Datum		values[7];
	bool		isnull[7] = {0};
	int			n,
				npct,
				buckets;
	const JourneyEvent *ev;
	float8		pcts[TTC_MAX_PERCENTILES];
	float8		pvals[TTC_MAX_PERCENTILES];

	params = state->params;
	if (!(params->modes & TTC_STATE) ||
		(params->modes & ~(uint32) (TTC_STATE | 0xff)) != 0 ||
		params->nconds < 1 || (int) (params->modes & 0xff) <= params->nconds ||
		(params->modes & 0xff) > JOURNEY_MAX_CONDITIONS ||
		params->interval_usec < 0 || params->interval_usec > TTC_MAX_BUCKETS ||
		params->text_len % sizeof(float8) != 0 ||
		params->text_len > (int) (TTC_MAX_PERCENTILES * sizeof(float8)))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid journey aggregate state"),
				 errdetail("The parameters of time_to_convert are out of range.")));
	npct = params->text_len / sizeof(float8);
	if (npct > 0)
		memcpy(pcts, params->text, params->text_len);
	for (int i = 0; i < npct; i++)
		if (!(pcts[i] >= 0.0 && pcts[i] <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("invalid journey aggregate state"),
					 errdetail("A percentile of time_to_convert is out of range.")));
	buckets = (int) params->interval_usec;
	JourneyEventsSort(state);
	n = state->nevents;
	ev = state->events;
	for (int i = 0; i < n; i++)
		if (ev[i].ts < 0 || ev[i].flags != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("invalid journey aggregate state"),
					 errdetail("A time of time_to_convert is negative.")));

	values[0] = Int64GetDatum(n);
	values[3] = PointerGetDatum(Float8Array(pcts, npct));
	if (n == 0)
	{
		isnull[1] = isnull[2] = true;
		values[4] = PointerGetDatum(Float8Array(NULL, 0));
		values[5] = PointerGetDatum(Float8Array(NULL, 0));
		values[6] = PointerGetDatum(construct_empty_array(INT8OID));
		return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, isnull));
	}
	{
		/*
		 * the gaps are exact doubles (under 2^53 microseconds): summed
		 * exactly
		 */
		JourneySum	sum = {0.0, NULL};

		for (int i = 0; i < n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			JourneySumAdd(&sum, (float8) ev[i].ts, CurrentMemoryContext);
		}
		values[1] = Float8GetDatum(JourneySumResult(&sum) / n / USECS_PER_SEC);
	}
	values[2] = Float8GetDatum(PercentileSeconds(ev, n, 0.5));
	for (int i = 0; i < npct; i++)
		pvals[i] = PercentileSeconds(ev, n, pcts[i]);
	values[4] = PointerGetDatum(Float8Array(pvals, npct));
	{
		int64		lo = ev[0].ts,
					hi = ev[n - 1].ts;
		float8	   *bounds = palloc(sizeof(float8) * Max(buckets, 1));
		Datum	   *counts = palloc(sizeof(Datum) * Max(buckets, 1));
		int64	   *c = palloc0(sizeof(int64) * Max(buckets, 1));

		for (int i = 0; i < n && buckets > 0; i++)
		{
			int64		b = 0;

			CHECK_FOR_INTERRUPTS();
			if (hi > lo)
				b = (int64) floor((float8) (ev[i].ts - lo) * buckets / (float8) (hi - lo));
			c[Min(b, buckets - 1)]++;
		}
		for (int i = 0; i < buckets; i++)
		{
			bounds[i] = ((float8) lo + (float8) (hi - lo) * i / buckets) / USECS_PER_SEC;
			counts[i] = Int64GetDatum(c[i]);
		}
		values[5] = PointerGetDatum(Float8Array(bounds, buckets));
		values[6] = PointerGetDatum(buckets > 0 ?
									construct_array(counts, buckets, INT8OID, sizeof(int64),
													FLOAT8PASSBYVAL, TYPALIGN_DOUBLE) :
									construct_empty_array(INT8OID));
	}
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, isnull));
}

static TupleDesc
ResultType(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "time_to_convert must return a composite type");
	return BlessTupleDesc(tupdesc);
}

Datum
journey_time_to_convert_final(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;

	(void) JourneyAggContext(fcinfo, "time_to_convert");
	tupdesc = ResultType(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(TimeToConvertAnswer((JourneyEvents *) PG_GETARG_POINTER(0), tupdesc));
}

/*
 * Test hook, not part of the install script: the answer of a state built
 * from arguments (see JourneyEventsForTest), to show the checks of a
 * damaged state.
 */
PG_FUNCTION_INFO_V1(journey_time_to_convert_check);

Datum
journey_time_to_convert_check(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc = ResultType(fcinfo);

	PG_RETURN_DATUM(TimeToConvertAnswer(JourneyEventsForTest(fcinfo, 0), tupdesc));
}
