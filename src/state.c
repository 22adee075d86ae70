/*-------------------------------------------------------------------------
 *
 * state.c
 *	  Stored states: the type journey.journey_state, which holds the state
 *	  of one group of a per-customer aggregate (path_agg,
 *	  paths_to_conversion, window_funnel / funnel_times, sequence_match /
 *	  sequence_count, retention) as a value that can be kept in a table,
 *	  merged with another state of the same group, and turned into the
 *	  aggregate's answer later.
 *
 * The aggregates *_state (src/sql/25_states.sql) run the aggregates' own
 * transition functions and end with a state instead of an answer;
 * merge_state (and the aggregate merge_states) puts two states of the same
 * group together, which gives the state of all their rows (the event
 * buffer keeps every row, so nothing is lost); the *_result functions give
 * the answer the aggregate would have given over those rows.
 *
 * Binary format (version 1; every number little-endian, see pack.h), the
 * same on disk, in text (hex, "\x..." as bytea prints) and in binary
 * COPY:
 *
 *	  uint8   format version (JOURNEY_STATE_VERSION)
 *	  uint8   kind: 1 path_agg, 2 paths_to_conversion, 3 funnel
 *	          (window_funnel and funnel_times), 4 sequence (sequence_match
 *	          and sequence_count), 5 retention, 6 funnel_rules (window_funnel
 *	          and funnel_times with step rules)
 *	  kinds 1 to 4 and 6: the event buffer in the layout of events.c (its
 *	          own version byte, the parameters: window or lookback, number of
 *	          conditions, modes, pattern; then the events, values and
 *	          labels); kind 6 keeps its rules text where kind 4 keeps its
 *	          pattern, each event's exclusion conditions as its value and
 *	          its object key as its label, as the rules aggregates do
 *	  kind 5: int32 number of conditions, uint32 conditions seen (bit i for
 *	          condition i + 1)
 *
 * Every value read (input, receive, and every function's argument) is
 * checked as a deserialized aggregate state is: a version or kind this
 * code does not know, a truncated or oversized value, counts that do not
 * match its size, or parameters that do not fit its kind are an error
 * (ERRCODE_INVALID_BINARY_REPRESENTATION), never a silent misreading.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "pack.h"

#define JOURNEY_STATE_VERSION	1
#define JOURNEY_STATE_WHAT		"journey_state value"

typedef enum StateKind
{
	STATE_PATH = 1,
	STATE_CONVERSION = 2,
	STATE_FUNNEL = 3,
	STATE_SEQUENCE = 4,
	STATE_RETENTION = 5,
	STATE_FUNNEL_RULES = 6
} StateKind;

#define STATE_KIND_MAX STATE_FUNNEL_RULES

static const char *const kind_names[] = {
	NULL, "path_agg", "paths_to_conversion", "funnel", "sequence", "retention",
	"funnel_rules"
};

/* the functions that give a kind's answers, for hints */
static const char *const kind_results[] = {
	NULL, "journey.path_agg_result", "journey.paths_to_conversion_result",
	"journey.window_funnel_result or journey.funnel_times_result",
	"journey.sequence_match_result or journey.sequence_count_result",
	"journey.retention_result",
	"journey.window_funnel_result or journey.funnel_times_result"
};

/* The state of one group, read from a journey_state. */
typedef struct StoredState
{
	StateKind	kind;
	JourneyEvents *events;		/* kinds with an event buffer */
	int64		retention;		/* STATE_RETENTION: retention.c's bigint */
} StoredState;

/*
 * What a function reading states keeps in its fn_extra: the parameters of
 * the states it reads are interned through one FmgrInfo of their own (see
 * JourneyParamsIntern), and paths_to_conversion_result finds its row type
 * through another; neither may use the calling function's fn_extra.
 */
typedef struct StateCache
{
	FmgrInfo	params;
	FmgrInfo	rowtype;
} StateCache;

static StateCache *
GetStateCache(FunctionCallInfo fcinfo)
{
	StateCache *cache = fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(StateCache));
		cache->params.fn_mcxt = fcinfo->flinfo->fn_mcxt;
		cache->params.fn_oid = fcinfo->flinfo->fn_oid;
		cache->rowtype = cache->params;
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

/* ---------- the format ---------- */

static bytea *
StatePack(const StoredState *st)
{
	StringInfoData buf;
	Size		size = VARHDRSZ + 2;

	if (st->events)
		size += JourneyEventsPackedSize(st->events);
	else
		size += sizeof(int32) + sizeof(uint32);
	JourneyPackBegin(&buf, size, JOURNEY_STATE_WHAT);
	JourneyPackUInt8(&buf, JOURNEY_STATE_VERSION);
	JourneyPackUInt8(&buf, (uint8) st->kind);
	if (st->events)
		JourneyEventsPack(&buf, st->events);
	else
	{
		JourneyPackInt32(&buf, JourneyRetentionCount(st->retention));
		JourneyPackUInt32(&buf, (uint32) ((uint64) st->retention & 0xFFFFFFFF));
	}
	Assert(buf.len + 1 == buf.maxlen);
	return JourneyPackEnd(&buf);
}

/* Check that the event buffer's parameters and events fit the kind. */
static void
CheckKindEvents(JourneyPackReader *r, StateKind kind, const JourneyEvents *ev)
{
	const JourneyParams *p = ev->params;
	bool		labels = (kind == STATE_PATH || kind == STATE_CONVERSION);
	uint32		allowed_flags;

	/* times an aggregate can be given: finite in range, or infinite */
	for (int i = 0; i < ev->nevents; i++)
	{
		TimestampTz ts = ev->events[i].ts;

		if (!TIMESTAMP_NOT_FINITE(ts) && !IS_VALID_TIMESTAMP(ts))
			JourneyPackCorrupt(r, "An event's time is out of range.");
	}
	if (kind == STATE_FUNNEL_RULES)
	{
		/* its own check: the rules say what its values and labels may be */
		const char *problem = JourneyFunnelRulesProblem((JourneyEvents *) ev);

		if (problem != NULL)
			JourneyPackCorrupt(r, problem);
		return;
	}
	switch (kind)
	{
		case STATE_PATH:
			if (p->nconds != 0 || p->interval_usec != 0 || p->modes != 0 ||
				p->text_len != 0)
				JourneyPackCorrupt(r, "A path_agg state has parameters.");
			allowed_flags = 0;
			break;
		case STATE_CONVERSION:
			if (p->nconds != 0 || p->modes != 0 || p->text_len != 0)
				JourneyPackCorrupt(r, "A paths_to_conversion state has parameters other than its lookback.");
			allowed_flags = JOURNEY_FLAG_CONVERSION;
			break;
		case STATE_FUNNEL:
			if (p->nconds < 1 || p->text_len != 0)
				JourneyPackCorrupt(r, "A funnel state must have steps and no pattern.");
			if (!JourneyFunnelParamsValid(p))
				JourneyPackCorrupt(r, "A funnel state's modes are not window_funnel's.");
			allowed_flags = ~(uint32) 0;
			break;
		case STATE_SEQUENCE:
			if (p->nconds < 1 || p->text_len < 1 || p->interval_usec != 0 ||
				p->modes != 0)
				JourneyPackCorrupt(r, "A sequence state must have conditions and a pattern.");
			allowed_flags = ~(uint32) 0;
			break;
		default:
			pg_unreachable();
	}
	for (int i = 0; i < ev->nevents; i++)
	{
		if ((ev->events[i].flags & ~allowed_flags) != 0)
			JourneyPackCorrupt(r, "An event has flags its kind does not use.");
		if (labels != (ev->events[i].label_off >= 0))
			JourneyPackCorrupt(r, labels ? "An event has no label." :
							   "An event has a label its kind does not use.");
		if (!labels && ev->values != NULL && ev->values[i] != 0.0)
			JourneyPackCorrupt(r, "An event has a value its kind does not use.");
	}
}

/*
 * Read a journey_state.  Parameters are interned through flinfo (NULL: a
 * fresh copy in the current memory context).
 */
static void
StateUnpack(FmgrInfo *flinfo, const bytea *bytes, StoredState *st)
{
	JourneyPackReader r;
	uint8		version;
	uint8		kind;
	FmgrInfo	local;

	if (flinfo == NULL)
	{
		memset(&local, 0, sizeof(local));
		local.fn_mcxt = CurrentMemoryContext;
		flinfo = &local;
	}
	JourneyPackReaderInit(&r, bytes, JOURNEY_STATE_WHAT,
						  ERRCODE_INVALID_BINARY_REPRESENTATION);
	version = JourneyPackGetUInt8(&r);
	if (version != JOURNEY_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid journey_state value"),
				 errdetail("The value is in format version %d; this version of journey reads version %d.",
						   version, JOURNEY_STATE_VERSION),
				 errhint("Rebuild the stored states with the aggregates of this version (for a snapshot: journey.refresh(source, full => true)).")));
	kind = JourneyPackGetUInt8(&r);
	if (kind < 1 || kind > STATE_KIND_MAX)
		JourneyPackCorrupt(&r, "Unknown kind of state.");
	st->kind = (StateKind) kind;
	st->events = NULL;
	st->retention = 0;
	if (kind == STATE_RETENTION)
	{
		int32		n = JourneyPackGetInt32(&r);
		uint32		mask = JourneyPackGetUInt32(&r);

		if (n < 1 || n > JOURNEY_MAX_CONDITIONS ||
			(n < 32 && (mask >> n) != 0))
			JourneyPackCorrupt(&r, "The retention conditions are out of range.");
		st->retention = (int64) (((uint64) n << 32) | (uint64) mask);
	}
	else
	{
		st->events = JourneyEventsUnpack(flinfo, &r);
		CheckKindEvents(&r, st->kind, st->events);
	}
	JourneyPackFinish(&r);
}

/* The state of argument argno, which must be of kind "kind" or "alt". */
static StoredState *
GetStateOf(FunctionCallInfo fcinfo, int argno, StateKind kind, StateKind alt)
{
	StoredState *st = palloc(sizeof(StoredState));

	StateUnpack(&GetStateCache(fcinfo)->params, PG_GETARG_BYTEA_PP(argno), st);
	if (st->kind != kind && st->kind != alt)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("journey_state holds a %s state, not a %s state",
						kind_names[st->kind], kind_names[kind]),
				 errhint("Read it with %s.", kind_results[st->kind])));
	return st;
}

static StoredState *
GetState(FunctionCallInfo fcinfo, int argno, StateKind kind)
{
	return GetStateOf(fcinfo, argno, kind, kind);
}

/* ---------- type input and output ---------- */

PG_FUNCTION_INFO_V1(journey_state_in);
PG_FUNCTION_INFO_V1(journey_state_out);
PG_FUNCTION_INFO_V1(journey_state_recv);
PG_FUNCTION_INFO_V1(journey_state_send);

/* Text form: \x and the bytes in hex, as bytea prints. */
Datum
journey_state_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		len = strlen(str);
	bytea	   *result;
	StoredState st;

	if (len < 2 || str[0] != '\\' || str[1] != 'x')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type journey_state"),
				 errdetail("A journey_state is written as \\x and its bytes in hex."),
				 errhint("Make states with the *_state aggregates, e.g. journey.path_agg_state(label, ts).")));
	result = palloc(VARHDRSZ + (len - 2) / 2 + 1);
	SET_VARSIZE(result, VARHDRSZ + hex_decode(str + 2, len - 2, VARDATA(result)));
	StateUnpack(NULL, result, &st);
	PG_RETURN_BYTEA_P(result);
}

Datum
journey_state_out(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(bytes);
	char	   *out = palloc(2 * len + 3);

	out[0] = '\\';
	out[1] = 'x';
	out[2 + hex_encode(VARDATA_ANY(bytes), len, out + 2)] = '\0';
	PG_RETURN_CSTRING(out);
}

/* Binary form: the bytes themselves (already in one byte order). */
Datum
journey_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int			len = msg->len - msg->cursor;
	bytea	   *result = palloc(VARHDRSZ + len);
	StoredState st;

	SET_VARSIZE(result, VARHDRSZ + len);
	pq_copymsgbytes(msg, VARDATA(result), len);
	StateUnpack(NULL, result, &st);
	PG_RETURN_BYTEA_P(result);
}

Datum
journey_state_send(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---------- the aggregates' final functions: a state ---------- */

PG_FUNCTION_INFO_V1(journey_path_state_final);
PG_FUNCTION_INFO_V1(journey_conversion_state_final);
PG_FUNCTION_INFO_V1(journey_funnel_state_final);
PG_FUNCTION_INFO_V1(journey_funnel_rules_state_final);
PG_FUNCTION_INFO_V1(journey_sequence_state_final);
PG_FUNCTION_INFO_V1(journey_retention_state_final);

/*
 * The group's event buffer as a state of kind.  No rows: NULL (as the
 * aggregates, whose answer for no rows merge_state's NULL handling and the
 * *_result functions give back).  In canonical form (sorted, labels in
 * event order): reading it later costs no sort, and the same rows give
 * the same bytes however they were split.
 */
static Datum
EventsStateFinal(FunctionCallInfo fcinfo, StateKind kind)
{
	StoredState st = {kind, NULL, 0};

	(void) JourneyAggContext(fcinfo, "journey state aggregate");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st.events = (JourneyEvents *) PG_GETARG_POINTER(0);
	JourneyEventsCanonical(st.events);
	PG_RETURN_BYTEA_P(StatePack(&st));
}

Datum
journey_path_state_final(PG_FUNCTION_ARGS)
{
	return EventsStateFinal(fcinfo, STATE_PATH);
}

Datum
journey_conversion_state_final(PG_FUNCTION_ARGS)
{
	return EventsStateFinal(fcinfo, STATE_CONVERSION);
}

Datum
journey_funnel_state_final(PG_FUNCTION_ARGS)
{
	return EventsStateFinal(fcinfo, STATE_FUNNEL);
}

Datum
journey_funnel_rules_state_final(PG_FUNCTION_ARGS)
{
	return EventsStateFinal(fcinfo, STATE_FUNNEL_RULES);
}

Datum
journey_sequence_state_final(PG_FUNCTION_ARGS)
{
	return EventsStateFinal(fcinfo, STATE_SEQUENCE);
}

/* STRICT: a NULL retention state (no rows) stays NULL */
Datum
journey_retention_state_final(PG_FUNCTION_ARGS)
{
	StoredState st = {STATE_RETENTION, NULL, PG_GETARG_INT64(0)};

	PG_RETURN_BYTEA_P(StatePack(&st));
}

/* ---------- merge ---------- */

PG_FUNCTION_INFO_V1(journey_merge_state);

/*
 * Two states of the same group (the same kind and parameters) as one: the
 * state of all their rows.  Not strict: NULL stands for no rows, so the
 * other state is the answer (and merge_states can start from NULL).
 */
Datum
journey_merge_state(PG_FUNCTION_ARGS)
{
	StateCache *cache;
	StoredState *a;
	StoredState *b;

	if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		int			arg = PG_ARGISNULL(0) ? 1 : 0;
		StoredState st;

		/* checked as any argument is, and returned as it is */
		StateUnpack(&GetStateCache(fcinfo)->params, PG_GETARG_BYTEA_PP(arg), &st);
		PG_RETURN_DATUM(PG_GETARG_DATUM(arg));
	}
	cache = GetStateCache(fcinfo);
	a = palloc(sizeof(StoredState));
	b = palloc(sizeof(StoredState));
	StateUnpack(&cache->params, PG_GETARG_BYTEA_PP(0), a);
	StateUnpack(&cache->params, PG_GETARG_BYTEA_PP(1), b);
	if (a->kind != b->kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge a %s state with a %s state",
						kind_names[a->kind], kind_names[b->kind]),
				 errdetail("Only states of the same aggregate can be merged.")));
	if (a->kind == STATE_RETENTION)
		a->retention = JourneyRetentionMerge(a->retention, b->retention);
	else
	{
		LOCAL_FCINFO(intern, 0);

		if (!JourneyParamsEqual(a->events->params, b->events->params))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot merge %s states made with different parameters",
							kind_names[a->kind]),
					 errdetail("The window, lookback, modes, pattern, rules or number of conditions differ.")));
		/* (Combine interns parameters through its fcinfo's flinfo) */
		intern->flinfo = &cache->params;
		a->events = JourneyEventsCombine(intern, CurrentMemoryContext,
										 a->events, b->events);
		JourneyEventsCanonical(a->events);
	}
	PG_RETURN_BYTEA_P(StatePack(a));
}

/* ---------- answers ---------- */

PG_FUNCTION_INFO_V1(journey_path_agg_result);
PG_FUNCTION_INFO_V1(journey_paths_to_conversion_result);
PG_FUNCTION_INFO_V1(journey_window_funnel_result);
PG_FUNCTION_INFO_V1(journey_funnel_times_result);
PG_FUNCTION_INFO_V1(journey_sequence_match_result);
PG_FUNCTION_INFO_V1(journey_sequence_count_result);
PG_FUNCTION_INFO_V1(journey_retention_result);
PG_FUNCTION_INFO_V1(journey_state_info);

/*
 * Each gives what its aggregate gives over the rows of the state; for a
 * NULL state (no rows) what the aggregate gives over no rows.
 */
Datum
journey_path_agg_result(PG_FUNCTION_ARGS)
{
	ArrayType  *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	result = JourneyPathAggArray(GetState(fcinfo, 0, STATE_PATH)->events);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(result);
}

Datum
journey_paths_to_conversion_result(PG_FUNCTION_ARGS)
{
	StoredState *st;
	ArrayType  *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = GetState(fcinfo, 0, STATE_CONVERSION);
	result = JourneyPathsToConversionArray(&GetStateCache(fcinfo)->rowtype,
										   st->events);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(result);
}

Datum
journey_window_funnel_result(PG_FUNCTION_ARGS)
{
	StoredState *st;

	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	st = GetStateOf(fcinfo, 0, STATE_FUNNEL, STATE_FUNNEL_RULES);
	if (st->kind == STATE_FUNNEL_RULES)
		PG_RETURN_INT32(JourneyFunnelRulesLevel(st->events));
	PG_RETURN_INT32(JourneyFunnelLevel(st->events));
}

/*
 * With step rules: NULL for a customer that drop_excluded leaves out, as
 * funnel_times with rules gives.
 */
Datum
journey_funnel_times_result(PG_FUNCTION_ARGS)
{
	StoredState *st;

	if (PG_ARGISNULL(0))
		PG_RETURN_ARRAYTYPE_P(JourneyFunnelTimesArray(NULL));
	st = GetStateOf(fcinfo, 0, STATE_FUNNEL, STATE_FUNNEL_RULES);
	if (st->kind == STATE_FUNNEL_RULES)
	{
		ArrayType  *times = JourneyFunnelRulesTimes(st->events);

		if (times == NULL)
			PG_RETURN_NULL();
		PG_RETURN_ARRAYTYPE_P(times);
	}
	if ((st->events->params->modes & 0xFF) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_times_result needs a funnel state made without modes"),
				 errdetail("funnel_times has no modes; this state was made with window_funnel's modes."),
				 errhint("Read it with journey.window_funnel_result, or make the state with window_funnel_state(ts, conversion_window, steps...).")));
	PG_RETURN_ARRAYTYPE_P(JourneyFunnelTimesArray(st->events));
}

Datum
journey_sequence_match_result(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(JourneySequenceMatch(GetState(fcinfo, 0, STATE_SEQUENCE)->events));
}

Datum
journey_sequence_count_result(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(JourneySequenceCount(GetState(fcinfo, 0, STATE_SEQUENCE)->events));
}

Datum
journey_retention_result(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(JourneyRetentionArray(GetState(fcinfo, 0, STATE_RETENTION)->retention));
}

/* state_info(state): kind, events held, stored bytes, format version. */
Datum
journey_state_info(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StoredState st;
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	StateUnpack(&GetStateCache(fcinfo)->params, bytes, &st);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "journey.state_info must return a record");
	values[0] = CStringGetTextDatum(kind_names[st.kind]);
	values[1] = Int32GetDatum(st.events ? st.events->nevents : 0);
	values[2] = Int32GetDatum((int32) VARSIZE_ANY(bytes));
	values[3] = Int32GetDatum(JOURNEY_STATE_VERSION);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

/* ---------- exact values for the snapshot's sums ---------- */

PG_FUNCTION_INFO_V1(journey_exact_numeric);

/*
 * exact_numeric(x): the float8's exact value as numeric, every binary
 * digit of it (a double is a finite binary fraction, so a finite
 * decimal).  Numeric sums of such values are exact, and converting such a
 * sum back to float8 rounds it once, to nearest: the bits exact_sum gives,
 * while the sum can also be kept, and subtracted from, in a table.
 */
Datum
JourneyExactNumeric(double x)
{
	char		buf[1200];
	char	   *e;
	char	   *last;

	if (!isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value must be a finite number"),
				 errdetail("The value is %g.", x)));
	/* 1074 fractional binary digits need at most 767 significant decimals */
	snprintf(buf, sizeof(buf), "%.800e", x);
	e = strchr(buf, 'e');
	if (e == NULL)
		elog(ERROR, "unexpected float8 text \"%s\"", buf);
	/* drop the mantissa's trailing zeros (they would be kept as scale) */
	last = e - 1;
	while (*last == '0')
		last--;
	if (*last == '.')
		last--;
	memmove(last + 1, e, strlen(e) + 1);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

Datum
journey_exact_numeric(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(JourneyExactNumeric(PG_GETARG_FLOAT8(0)));
}
