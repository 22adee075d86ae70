/*-------------------------------------------------------------------------
 *
 * report.c
 *	  SQL-callable functions of the report engine: one per report, each
 *	  reading a relation itself (report_scan.c) and returning the rows the
 *	  report functions of src/sql/27_report.sql present, and the test of
 *	  whether a relation can be read so (report_method).
 *
 * These functions take the relation and its column names; the report
 * functions find them in the registry (journey.source), check them, and
 * call these for relations the engine reads, or run the same report as SQL
 * over the aggregates for the others.  Called directly, they check their
 * arguments and the caller's privileges all the same.
 *
 *-------------------------------------------------------------------------
 */
#include "report.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(journey_report_funnel);
PG_FUNCTION_INFO_V1(journey_report_paths);
PG_FUNCTION_INFO_V1(journey_report_transitions);
PG_FUNCTION_INFO_V1(journey_report_sequence);
PG_FUNCTION_INFO_V1(journey_report_method);

/* Most top paths a path report returns, and steps a transition report. */
#define REPORT_MAX_TOP 1000000
#define REPORT_MAX_TRANSITION_STEPS 1000000

/* A spec under construction: fixed fields, and the blob of strings. */
typedef struct SpecBuilder
{
	ReportSpec	fixed;
	StringInfoData blob;
} SpecBuilder;

static int32
BlobAdd(SpecBuilder *b, const char *data, int32 len)
{
	int32		off = b->blob.len;

	appendBinaryStringInfo(&b->blob, data, len);
	/* keep later strings aligned: a transforms array is read in place */
	while (b->blob.len % MAXIMUM_ALIGNOF != 0)
		appendStringInfoChar(&b->blob, '\0');
	return off;
}

static void
BuilderInit(SpecBuilder *b, ReportKind kind)
{
	memset(&b->fixed, 0, sizeof(ReportSpec));
	b->fixed.kind = kind;
	b->fixed.transforms_off = -1;
	initStringInfo(&b->blob);
}

static ReportSpec *
BuilderFinish(SpecBuilder *b)
{
	Size		size = MAXALIGN(offsetof(ReportSpec, blob)) + b->blob.len;
	ReportSpec *spec = palloc0(size);

	memcpy(spec, &b->fixed, offsetof(ReportSpec, blob));
	memcpy(spec->blob, b->blob.data, b->blob.len);
	spec->blob_len = b->blob.len;
	spec->size = size;
	return spec;
}

/* A column name argument: not NULL (unless optional), a valid name. */
static void
SetColumn(SpecBuilder *b, FunctionCallInfo fcinfo, int arg, ReportColumn role,
		  const char *what, bool optional)
{
	char	   *name;

	if (PG_ARGISNULL(arg))
	{
		if (optional)
			return;
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what)));
	}
	name = text_to_cstring(PG_GETARG_TEXT_PP(arg));
	if (strlen(name) == 0 || strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("%s \"%s\" is not a column name", what, name)));
	namestrcpy(&b->fixed.columns[role], name);
}

/* The common arguments: relation, customer and time columns. */
static void
SetSource(SpecBuilder *b, FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation must not be NULL")));
	b->fixed.relid = PG_GETARG_OID(0);
	SetColumn(b, fcinfo, 1, RC_CUSTOMER, "customer column", false);
	SetColumn(b, fcinfo, 2, RC_TIME, "time column", false);
}

/* Segment column and value, and the time range, from argument first on. */
static void
SetFilters(SpecBuilder *b, FunctionCallInfo fcinfo, int first)
{
	SetColumn(b, fcinfo, first, RC_SEGMENT, "segment column", true);
	if (!PG_ARGISNULL(first + 1))
	{
		text	   *value = PG_GETARG_TEXT_PP(first + 1);

		if (PG_ARGISNULL(first))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a segment needs a segment column"),
					 errhint("Pass segment_column too.")));
		b->fixed.has_segment_value = true;
		b->fixed.segment_len = VARSIZE_ANY_EXHDR(value);
		b->fixed.segment_off = BlobAdd(b, VARDATA_ANY(value), b->fixed.segment_len);
	}
	if (!PG_ARGISNULL(first + 2))
	{
		b->fixed.has_since = true;
		b->fixed.since = PG_GETARG_TIMESTAMPTZ(first + 2);
	}
	if (!PG_ARGISNULL(first + 3))
	{
		b->fixed.has_until = true;
		b->fixed.until = PG_GETARG_TIMESTAMPTZ(first + 3);
	}
}

/* The event names of the steps or conditions: 1 to 32, none NULL. */
static void
SetSteps(SpecBuilder *b, FunctionCallInfo fcinfo, int arg, const char *what)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what)));
	arr = PG_GETARG_ARRAYTYPE_P(arg);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n < 1 || n > REPORT_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("number of %s must be between 1 and %d", what, REPORT_MAX_STEPS),
				 errdetail("The call passed %d.", n)));
	for (int i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what),
					 errdetail("Element %d is NULL.", i + 1)));
		t = DatumGetTextPP(elems[i]);
		b->fixed.step_len[i] = VARSIZE_ANY_EXHDR(t);
		b->fixed.step_off[i] = BlobAdd(b, VARDATA_ANY(t), b->fixed.step_len[i]);
	}
	b->fixed.nsteps = n;
}

static void
SetTransforms(SpecBuilder *b, FunctionCallInfo fcinfo, int arg)
{
	ArrayType  *arr;

	if (PG_ARGISNULL(arg))
		return;
	arr = PG_GETARG_ARRAYTYPE_P(arg);
	/* parsed now, so that a bad transform fails before the scan */
	(void) JourneyPathTransformParse(arr);
	b->fixed.transforms_len = VARSIZE(arr);
	b->fixed.transforms_off = BlobAdd(b, (char *) arr, VARSIZE(arr));
}

/* Run the report and return its rows. */
static Datum
RunReport(FunctionCallInfo fcinfo, SpecBuilder *b)
{
	ReportSpec *spec = BuilderFinish(b);
	ReportAcc  *acc = ReportAccCreate(spec, CurrentMemoryContext);

	ReportRun(spec, acc);
	ReportAccResult(acc, fcinfo);
	return (Datum) 0;
}

/*
 * report_funnel(relation, customer_column, time_column, event_column,
 * events text[], conversion_window, modes, with_times, all_customers,
 * segment_column, segment, since, until): per segment and step
 * (from 0 with all_customers), the customers who reached it, and without
 * modes the median gap from the previous step of funnel_times' chain.
 */
Datum
journey_report_funnel(PG_FUNCTION_ARGS)
{
	SpecBuilder b;

	BuilderInit(&b, REPORT_FUNNEL);
	SetSource(&b, fcinfo);
	SetColumn(&b, fcinfo, 3, RC_EVENT, "event column", false);
	SetSteps(&b, fcinfo, 4, "steps");
	if (PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("conversion_window must not be NULL")));
	b.fixed.window_usec = JourneyIntervalToUsec(PG_GETARG_INTERVAL_P(5),
												"conversion_window");
	if (!PG_ARGISNULL(6))
		b.fixed.modes = JourneyFunnelModes(text_to_cstring(PG_GETARG_TEXT_PP(6)));
	b.fixed.with_times = !PG_ARGISNULL(7) && PG_GETARG_BOOL(7) && b.fixed.modes == 0;
	b.fixed.all_customers = !PG_ARGISNULL(8) && PG_GETARG_BOOL(8);
	SetFilters(&b, fcinfo, 9);
	b.fixed.group_segments = !PG_ARGISNULL(9);
	return RunReport(fcinfo, &b);
}

/*
 * report_paths(relation, customer_column, time_column, label_column,
 * transforms text[], top, segment_column, segment, since, until): the top
 * paths with their customers and rank, then (other).
 */
Datum
journey_report_paths(PG_FUNCTION_ARGS)
{
	SpecBuilder b;

	BuilderInit(&b, REPORT_PATHS);
	SetSource(&b, fcinfo);
	SetColumn(&b, fcinfo, 3, RC_LABEL, "label column", false);
	SetTransforms(&b, fcinfo, 4);
	if (PG_ARGISNULL(5) || PG_GETARG_INT32(5) < 0 || PG_GETARG_INT32(5) > REPORT_MAX_TOP)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("top must be between 0 and %d", REPORT_MAX_TOP)));
	b.fixed.top = PG_GETARG_INT32(5);
	SetFilters(&b, fcinfo, 6);
	return RunReport(fcinfo, &b);
}

/*
 * report_transitions(relation, customer_column, time_column, label_column,
 * transforms text[], steps, min_share, segment_column, segment, since,
 * until): the edges of the first steps, small ones folded per step.
 */
Datum
journey_report_transitions(PG_FUNCTION_ARGS)
{
	SpecBuilder b;
	float8		min_share;

	BuilderInit(&b, REPORT_TRANSITIONS);
	SetSource(&b, fcinfo);
	SetColumn(&b, fcinfo, 3, RC_LABEL, "label column", false);
	SetTransforms(&b, fcinfo, 4);
	if (PG_ARGISNULL(5) || PG_GETARG_INT32(5) < 1 ||
		PG_GETARG_INT32(5) > REPORT_MAX_TRANSITION_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("steps must be between 1 and %d", REPORT_MAX_TRANSITION_STEPS)));
	b.fixed.max_step = PG_GETARG_INT32(5);
	min_share = PG_ARGISNULL(6) ? -1 : PG_GETARG_FLOAT8(6);
	if (isnan(min_share) || min_share < 0 || min_share > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_share must be between 0 and 1")));
	b.fixed.min_share = min_share;
	SetFilters(&b, fcinfo, 7);
	return RunReport(fcinfo, &b);
}

/*
 * report_sequence(relation, customer_column, time_column, event_column,
 * pattern, events text[], segment_column, segment, since, until):
 * customers matching, and matches.
 */
Datum
journey_report_sequence(PG_FUNCTION_ARGS)
{
	SpecBuilder b;
	text	   *pattern;

	BuilderInit(&b, REPORT_SEQUENCE);
	SetSource(&b, fcinfo);
	SetColumn(&b, fcinfo, 3, RC_EVENT, "event column", false);
	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("sequence pattern must not be NULL")));
	pattern = PG_GETARG_TEXT_PP(4);
	SetSteps(&b, fcinfo, 5, "events");
	b.fixed.pattern_len = VARSIZE_ANY_EXHDR(pattern);
	b.fixed.pattern_off = BlobAdd(&b, VARDATA_ANY(pattern), b.fixed.pattern_len);
	SetFilters(&b, fcinfo, 6);
	return RunReport(fcinfo, &b);
}

/*
 * report_method(relation, columns text[]): how a report over these
 * columns (customer, time, event, label, segment; NULL: not read) reads
 * the relation: 'scan' (with parallel workers when it is large enough),
 * 'scan (serial: ...)' when no worker may read it, or 'sql: ' and why the
 * engine does not read it itself.
 */
Datum
journey_report_method(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	const char *columns[RC_NCOLUMNS];
	const char *reason;
	bool		parallel_ok;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (ARR_NDIM(arr) > 1 || n != RC_NCOLUMNS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("columns must hold %d names (customer, time, event, label, segment)",
						RC_NCOLUMNS)));
	for (int c = 0; c < RC_NCOLUMNS; c++)
		columns[c] = nulls[c] ? NULL : TextDatumGetCString(elems[c]);
	reason = ReportCannotScan(PG_GETARG_OID(0), columns, &parallel_ok);
	if (reason != NULL)
		PG_RETURN_TEXT_P(cstring_to_text(psprintf("sql: %s", reason)));
	PG_RETURN_TEXT_P(cstring_to_text(parallel_ok ? "scan" :
									 "scan (serial: a temporary relation)"));
}
