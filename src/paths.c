/*-------------------------------------------------------------------------
 *
 * paths.c
 *	  Customer paths: the path_agg and paths_to_conversion aggregates, the
 *	  transitions set-returning function, and the builder of text[] results
 *	  shared by every function that returns a path.
 *
 * Both aggregates keep their rows in the shared event buffer (events.c),
 * so input order never matters: the buffer is sorted once, by timestamp
 * and then label bytewise, before the final function reads it.
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
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(journey_path_agg_sfunc);
PG_FUNCTION_INFO_V1(journey_path_agg_final);
PG_FUNCTION_INFO_V1(journey_paths_to_conversion_sfunc);
PG_FUNCTION_INFO_V1(journey_paths_to_conversion_final);
PG_FUNCTION_INFO_V1(journey_transitions);

/*
 * Build a one-dimensional text[] straight from borrowed labels: one
 * allocation sized up front, each element written in place (4-byte header,
 * int-aligned, as the array code stores text).  n = 0 gives an empty array.
 */
ArrayType  *
JourneyBuildTextArray(const JourneyLabel *labels, int n)
{
	Size		nbytes = 0;
	Size		hdr = ARR_OVERHEAD_NONULLS(1);
	ArrayType  *result;
	char	   *p;

	if (n == 0)
		return construct_empty_array(TEXTOID);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		nbytes += INTALIGN(VARHDRSZ + (Size) labels[i].len);
		if (hdr + nbytes > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("path is too large"),
					 errdetail("A text[] result may hold at most %d bytes.",
							   (int) MaxAllocSize)));
	}
	result = (ArrayType *) palloc0(hdr + nbytes);
	SET_VARSIZE(result, hdr + nbytes);
	result->ndim = 1;
	result->dataoffset = 0;
	result->elemtype = TEXTOID;
	ARR_DIMS(result)[0] = n;
	ARR_LBOUND(result)[0] = 1;
	p = ARR_DATA_PTR(result);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		SET_VARSIZE(p, VARHDRSZ + labels[i].len);
		memcpy(VARDATA(p), labels[i].data, labels[i].len);
		p += INTALIGN(VARHDRSZ + (Size) labels[i].len);
	}
	return result;
}

/* The labels of events[from .. to) of a sorted buffer, as text[]. */
static ArrayType *
EventLabelsArray(const JourneyEvents *state, int from, int to)
{
	JourneyLabel *labels = palloc(sizeof(JourneyLabel) * Max(to - from, 1));
	ArrayType  *result;

	for (int i = from; i < to; i++)
	{
		const JourneyEvent *ev = &state->events[i];

		CHECK_FOR_INTERRUPTS();
		labels[i - from].data = JourneyEventLabel(state, ev);
		labels[i - from].len = strlen(labels[i - from].data);
	}
	result = JourneyBuildTextArray(labels, to - from);
	pfree(labels);
	return result;
}

/*
 * path_agg(label text, ts timestamptz): rows with a NULL label or
 * timestamp are skipped; the state is created by the first other row.
 */
Datum
journey_path_agg_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, "journey.path_agg");
	JourneyEvents *state = PG_ARGISNULL(0) ? NULL : (JourneyEvents *) PG_GETARG_POINTER(0);
	text	   *label;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	if (state == NULL)
		state = JourneyEventsCreate(aggcxt, NULL, true);
	label = PG_GETARG_TEXT_PP(1);
	JourneyEventsAdd(state, PG_GETARG_TIMESTAMPTZ(2),
					 VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label), 0, 0.0);
	PG_RETURN_POINTER(state);
}

/* The labels in time order (ties by label), or NULL for no events. */
ArrayType  *
JourneyPathAggArray(JourneyEvents *state)
{
	if (state == NULL || state->nevents == 0)
		return NULL;
	JourneyEventsSort(state);
	return EventLabelsArray(state, 0, state->nevents);
}

Datum
journey_path_agg_final(PG_FUNCTION_ARGS)
{
	ArrayType  *result = JourneyPathAggArray(PG_ARGISNULL(0) ? NULL :
											 (JourneyEvents *) PG_GETARG_POINTER(0));

	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(result);
}

/*
 * paths_to_conversion(label, ts, is_conversion, value, lookback).
 * The lookback is the state's parameter: checked (not NULL, not negative)
 * when the state is created, and required to stay the same on every row
 * (a constant lookback, once per call site).
 */
Datum
journey_paths_to_conversion_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, "journey.paths_to_conversion");
	JourneyEvents *state = PG_ARGISNULL(0) ? NULL : (JourneyEvents *) PG_GETARG_POINTER(0);
	JourneyParams *known;
	text	   *label;
	bool		conversion;
	float8		value = 0.0;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	if (state == NULL &&
		(known = JourneyParamsCallConstant(fcinfo->flinfo)) != NULL)
		state = JourneyEventsCreate(aggcxt, known, true);	/* a constant lookback */
	else if (state == NULL || !state->params->args_constant)
	{
		int64		lookback;

		if (PG_ARGISNULL(5))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("lookback must not be NULL"),
					 errhint("Pass an interval such as '30 days'.")));
		lookback = JourneyIntervalToUsec(PG_GETARG_INTERVAL_P(5), "lookback");
		if (state == NULL)
		{
			JourneyParams params = {0};

			params.interval_usec = lookback;
			state = JourneyEventsCreate(aggcxt,
										JourneyParamsForCall(fcinfo, aggcxt, &params,
															 (uint32) 1 << 5, -1),
										true);
		}
		else if (state->params->interval_usec != lookback)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("aggregate parameters must be the same for every row of a group"),
					 errdetail("The lookback changed between rows.")));
	}

	conversion = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	if (conversion && !PG_ARGISNULL(4))
	{
		value = PG_GETARG_FLOAT8(4);
		if (!isfinite(value))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("value of a conversion must be a finite number"),
					 errdetail("A conversion row passed %s.", float8out_internal(value)),
					 errhint("Pass NULL (read as 0) for a conversion without a value.")));
	}
	label = PG_GETARG_TEXT_PP(1);
	JourneyEventsAdd(state, PG_GETARG_TIMESTAMPTZ(2),
					 VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label),
					 conversion ? JOURNEY_FLAG_CONVERSION : 0, value);
	PG_RETURN_POINTER(state);
}

/* The composite conversion_path and its tuple descriptor, looked up once. */
typedef struct ConversionPathType
{
	TupleDesc	tupdesc;
	Oid			rowtype;
	int16		typlen;
	bool		typbyval;
	char		typalign;
} ConversionPathType;

static ConversionPathType *
GetConversionPathType(FmgrInfo *flinfo)
{
	ConversionPathType *cp = flinfo->fn_extra;

	if (cp == NULL)
	{
		/* the final function's declared result: conversion_path[] */
		Oid			arraytype = get_func_rettype(flinfo->fn_oid);
		Oid			rowtype = OidIsValid(arraytype) ? get_element_type(arraytype) : InvalidOid;
		MemoryContext old;
		TupleDesc	tupdesc;

		if (!OidIsValid(rowtype) || !type_is_rowtype(rowtype))
			elog(ERROR, "journey.paths_to_conversion must return an array of a composite type");
		old = MemoryContextSwitchTo(flinfo->fn_mcxt);
		cp = palloc(sizeof(ConversionPathType));
		tupdesc = lookup_rowtype_tupdesc_copy(rowtype, -1);
		if (tupdesc->natts != 5)
			elog(ERROR, "journey.conversion_path must have 5 attributes");
		cp->tupdesc = BlessTupleDesc(tupdesc);
		cp->rowtype = rowtype;
		get_typlenbyvalalign(rowtype, &cp->typlen, &cp->typbyval, &cp->typalign);
		MemoryContextSwitchTo(old);
		flinfo->fn_extra = cp;
	}
	return cp;
}

/* First index in [from, to) whose timestamp is at least lo. */
static int
FirstAtOrAfter(const JourneyEvents *state, int from, int to, TimestampTz lo)
{
	while (from < to && state->events[from].ts < lo)
		from++;
	return from;
}

/* t - usec, saturating at the earliest timestamp. */
static TimestampTz
TimestampMinusUsec(TimestampTz t, int64 usec)
{
	TimestampTz r;

	if (pg_sub_s64_overflow(t, usec, &r))
		return PG_INT64_MIN;
	return r;
}

/* One conversion_path from events[from .. to). */
static Datum
MakeConversionPath(ConversionPathType *cp, const JourneyEvents *state,
				   int from, int to, bool converted, float8 value,
				   TimestampTz converted_at)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	Datum	   *times = palloc(sizeof(Datum) * Max(to - from, 1));
	HeapTuple	tuple;

	for (int i = from; i < to; i++)
		times[i - from] = TimestampTzGetDatum(state->events[i].ts);
	values[0] = PointerGetDatum(EventLabelsArray(state, from, to));
	values[1] = PointerGetDatum(construct_array(times, to - from, TIMESTAMPTZOID,
												sizeof(TimestampTz), FLOAT8PASSBYVAL,
												TYPALIGN_DOUBLE));
	values[2] = BoolGetDatum(converted);
	values[3] = Float8GetDatum(value);
	values[4] = TimestampTzGetDatum(converted_at);
	nulls[4] = !converted;
	tuple = heap_form_tuple(cp->tupdesc, values, nulls);
	pfree(times);
	return HeapTupleGetDatum(tuple);
}

/*
 * Split the sorted events into paths.  A conversion closes a path made of
 * the touches after the previous conversion whose timestamp is at least
 * (conversion time - lookback), then the conversion's own label.  Touches
 * after the last conversion form one trailing, non-converting path, with
 * the lookback counted back from its last touch.
 */
Datum
journey_paths_to_conversion_final(PG_FUNCTION_ARGS)
{
	ArrayType  *result;

	result = JourneyPathsToConversionArray(fcinfo->flinfo, PG_ARGISNULL(0) ? NULL :
										   (JourneyEvents *) PG_GETARG_POINTER(0));
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(result);
}

/*
 * The paths of a state, or NULL for no events.  flinfo is a function
 * returning conversion_path[], whose fn_extra this may use.
 */
ArrayType  *
JourneyPathsToConversionArray(FmgrInfo *flinfo, JourneyEvents *state)
{
	ConversionPathType *cp;
	int64		lookback;
	int			n;
	int			npaths = 0;
	int			maxpaths = 8;
	int			seg_start = 0;
	Datum	   *paths;

	if (state == NULL || state->nevents == 0)
		return NULL;
	cp = GetConversionPathType(flinfo);
	JourneyEventsSort(state);
	lookback = state->params->interval_usec;
	n = state->nevents;
	paths = palloc(sizeof(Datum) * maxpaths);

	for (int i = 0; i <= n; i++)
	{
		bool		last = (i == n);
		const JourneyEvent *ev = last ? NULL : &state->events[i];
		TimestampTz lo;
		int			from;

		if (!last && !(ev->flags & JOURNEY_FLAG_CONVERSION))
			continue;
		if (last && seg_start >= n)
			break;
		if ((npaths & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		if (npaths == maxpaths)
		{
			maxpaths *= 2;
			paths = repalloc(paths, sizeof(Datum) * maxpaths);
		}
		if (!last)
		{
			lo = TimestampMinusUsec(ev->ts, lookback);
			from = FirstAtOrAfter(state, seg_start, i, lo);
			paths[npaths++] = MakeConversionPath(cp, state, from, i + 1, true,
												 JourneyEventValue(state, i), ev->ts);
			seg_start = i + 1;
		}
		else
		{
			lo = TimestampMinusUsec(state->events[n - 1].ts, lookback);
			from = FirstAtOrAfter(state, seg_start, n, lo);
			paths[npaths++] = MakeConversionPath(cp, state, from, n, false,
												 0.0, 0);
		}
	}
	return construct_array(paths, npaths, cp->rowtype,
						   cp->typlen, cp->typbyval, cp->typalign);
}

/*
 * Check a path argument: one dimension (or empty), no NULL elements.
 * Returns its elements as borrowed labels and sets *n.
 */
JourneyLabel *
JourneyPathLabels(ArrayType *path, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	JourneyLabel *labels;

	if (ARR_NDIM(path) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("path must be a one-dimensional array"),
				 errdetail("The array has %d dimensions.", ARR_NDIM(path))));
	deconstruct_array(path, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &count);
	labels = palloc(sizeof(JourneyLabel) * Max(count, 1));
	for (int i = 0; i < count; i++)
	{
		text	   *t;

		CHECK_FOR_INTERRUPTS();
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("path must not contain NULL elements"),
					 errdetail("Element %d is NULL.", i + 1),
					 errhint("Remove them first, e.g. with array_remove(path, NULL).")));
		t = (text *) DatumGetPointer(elems[i]);
		labels[i].data = VARDATA_ANY(t);
		labels[i].len = VARSIZE_ANY_EXHDR(t);
	}
	pfree(elems);
	pfree(nulls);
	*n = count;
	return labels;
}

/*
 * Transition k (1-based) of a path of n labels, 1 <= k <= n + 1:
 * (start) -> p[1], p[k - 1] -> p[k], p[n] -> (end).  The one statement of
 * the rule, for transitions() and the transition report.
 */
void
JourneyTransition(const JourneyLabel *labels, int n, int k,
				  JourneyLabel *from, JourneyLabel *to)
{
	static const JourneyLabel start = {"(start)", 7};
	static const JourneyLabel end = {"(end)", 5};

	Assert(k >= 1 && k <= n + 1);
	*from = k == 1 ? start : labels[k - 2];
	*to = k == n + 1 ? end : labels[k - 1];
}

/*
 * transitions(path): (1, '(start)', p[1]), (2, p[1], p[2]), ...,
 * (n + 1, p[n], '(end)').  An empty path gives no rows.
 */
Datum
journey_transitions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *path = PG_GETARG_ARRAYTYPE_P(0);
	JourneyLabel *labels;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	labels = JourneyPathLabels(path, &n);
	for (int k = 1; n > 0 && k <= n + 1; k++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		JourneyLabel from;
		JourneyLabel to;

		if ((k & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		JourneyTransition(labels, n, k, &from, &to);
		values[0] = Int32GetDatum(k);
		values[1] = PointerGetDatum(cstring_to_text_with_len(from.data, from.len));
		values[2] = PointerGetDatum(cstring_to_text_with_len(to.data, to.len));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		pfree(DatumGetPointer(values[1]));
		pfree(DatumGetPointer(values[2]));
	}
	PG_RETURN_NULL();
}
