/*-------------------------------------------------------------------------
 *
 * events.c
 *	  The per-group event buffer shared by every event aggregate: creation,
 *	  append, combine, the one sort, and the serialized form.
 *
 * Serialized layout (all integers in native byte order, as PostgreSQL
 * itself does for internal aggregate states, which never leave one
 * server):
 *
 *	  uint8   version (JOURNEY_EVENTS_VERSION)
 *	  int64   params.interval_usec
 *	  int32   params.nconds
 *	  uint32  params.modes
 *	  int32   params.text_len, then text_len bytes
 *	  int32   nevents
 *	  int64   labels_len
 *	  nevents x JourneyEvent (label offsets relative to the arena)
 *	  labels_len bytes of label arena
 *
 * Deserialization distrusts its input: a short buffer, a count that does
 * not match the size, or a label outside the arena is an error.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/array.h"
#include "utils/memutils.h"

#define JOURNEY_EVENTS_VERSION 1

int			journey_max_events_per_group = JOURNEY_DEFAULT_MAX_EVENTS;

static int	EventCmp(const void *pa, const void *pb, void *arg);

#ifdef USE_ASSERT_CHECKING
/* Check the state's counts and the events from index "from" on. */
static void
AssertEventsValid(const JourneyEvents *state, int from)
{
	Assert(state->nevents >= 0 && state->nevents <= state->maxevents);
	Assert(state->labels_len >= 0 && state->labels_len <= state->labels_cap);
	for (int i = Max(from, 0); i < state->nevents; i++)
	{
		const JourneyEvent *ev = &state->events[i];

		Assert(ev->label_off == -1 ||
			   (ev->label_off >= 0 &&
				(int64) ev->label_off + ev->label_len < state->labels_len + 1));
	}
}
#define CHECK_EVENTS(s) AssertEventsValid(s, 0)
#define CHECK_LAST_EVENT(s) AssertEventsValid(s, (s)->nevents - 1)
#else
#define CHECK_EVENTS(s) ((void) 0)
#define CHECK_LAST_EVENT(s) ((void) 0)
#endif

/*
 * The aggregate memory context, or an error if called as a plain function.
 */
MemoryContext
JourneyAggContext(FunctionCallInfo fcinfo, const char *funcname)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "%s called in non-aggregate context", funcname);
	return aggcxt;
}

/*
 * A new state is one allocation: the struct, then room for a few events and
 * their labels, sized so that the whole chunk is 256 bytes.  Most groups of
 * a GROUP BY customer never outgrow it, which keeps a hash aggregate over a
 * million customers small; a group that does moves its events or labels to
 * their own allocation (see EnsureCapacity).
 */
#define JOURNEY_STATE_CHUNK		256
#define JOURNEY_INITIAL_EVENTS	4
#define JOURNEY_STATE_HEADER	MAXALIGN(sizeof(JourneyEvents))
#define JOURNEY_INITIAL_LABEL_BYTES \
	(JOURNEY_STATE_CHUNK - JOURNEY_STATE_HEADER - \
	 JOURNEY_INITIAL_EVENTS * sizeof(JourneyEvent))

StaticAssertDecl(JOURNEY_STATE_HEADER + JOURNEY_INITIAL_EVENTS * sizeof(JourneyEvent) + 16
				 <= JOURNEY_STATE_CHUNK,
				 "JourneyEvents too large for its initial chunk");

static inline bool
EventsInline(const JourneyEvents *state)
{
	return (const char *) state->events == (const char *) state + JOURNEY_STATE_HEADER;
}

static inline bool
LabelsInline(const JourneyEvents *state)
{
	return state->labels == (const char *) state + JOURNEY_STATE_HEADER +
		JOURNEY_INITIAL_EVENTS * sizeof(JourneyEvent);
}

JourneyEvents *
JourneyEventsCreate(MemoryContext aggcxt, const JourneyParams *params)
{
	JourneyEvents *state;
	char	   *chunk;

	chunk = MemoryContextAlloc(aggcxt, JOURNEY_STATE_CHUNK);
	state = (JourneyEvents *) chunk;
	memset(state, 0, sizeof(JourneyEvents));
	state->maxevents = JOURNEY_INITIAL_EVENTS;
	state->events = (JourneyEvent *) (chunk + JOURNEY_STATE_HEADER);
	state->labels_cap = JOURNEY_INITIAL_LABEL_BYTES;
	state->labels = chunk + JOURNEY_STATE_HEADER +
		JOURNEY_INITIAL_EVENTS * sizeof(JourneyEvent);
	state->sorted = true;
	if (params)
	{
		state->params = *params;
		if (params->text_len > 0)
		{
			state->params.text = MemoryContextAlloc(aggcxt, params->text_len);
			memcpy(state->params.text, params->text, params->text_len);
		}
		else
			state->params.text = NULL;
	}
	CHECK_EVENTS(state);
	return state;
}

static void
TooManyEvents(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("too many events in one group"),
			 errdetail("One group may hold at most %d events (journey.max_events_per_group).",
					   journey_max_events_per_group),
			 errhint("Group by a finer key, filter the events, or raise journey.max_events_per_group.")));
}

/* Make room for n more events and label_bytes more arena bytes. */
static void
EnsureCapacity(JourneyEvents *state, int64 n, int64 label_bytes)
{
	if ((int64) state->nevents + n > journey_max_events_per_group)
		TooManyEvents();
	if ((int64) state->nevents + n > state->maxevents)
	{
		int64		newmax = state->maxevents;

		while (newmax < (int64) state->nevents + n)
			newmax *= 2;
		newmax = Min(newmax, (int64) MaxAllocHugeSize / sizeof(JourneyEvent));
		if (EventsInline(state))
		{
			JourneyEvent *moved;

			moved = MemoryContextAllocHuge(GetMemoryChunkContext(state),
										   sizeof(JourneyEvent) * newmax);
			memcpy(moved, state->events, sizeof(JourneyEvent) * state->nevents);
			state->events = moved;
		}
		else
			state->events = repalloc_huge(state->events,
										  sizeof(JourneyEvent) * newmax);
		state->maxevents = (int32) Min(newmax, PG_INT32_MAX);
	}
	if (state->labels_len + label_bytes > state->labels_cap)
	{
		int64		newcap = state->labels_cap;

		if (state->labels_len + label_bytes > JOURNEY_MAX_LABEL_BYTES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("labels of one group exceed %d bytes",
							(int) JOURNEY_MAX_LABEL_BYTES)));
		while (newcap < state->labels_len + label_bytes)
			newcap *= 2;
		newcap = Min(newcap, (int64) JOURNEY_MAX_LABEL_BYTES);
		if (LabelsInline(state))
		{
			char	   *moved;

			moved = MemoryContextAllocHuge(GetMemoryChunkContext(state), newcap);
			memcpy(moved, state->labels, state->labels_len);
			state->labels = moved;
		}
		else
			state->labels = repalloc_huge(state->labels, newcap);
		state->labels_cap = newcap;
	}
}

/*
 * Append one event.  A label is stored NUL-terminated so that callers may
 * read it as a C string; label NULL stores no label.
 */
void
JourneyEventsAdd(JourneyEvents *state, TimestampTz ts,
				 const char *label, int label_len,
				 uint32 flags, float8 value)
{
	JourneyEvent *ev;
	const JourneyEvent *prev = NULL;
	bool		reuse_label;

	if (state->nevents > 0)
		prev = &state->events[state->nevents - 1];

	/* a label repeating the previous event's shares its bytes */
	reuse_label = label && prev && prev->label_off >= 0 &&
		prev->label_len == label_len &&
		memcmp(state->labels + prev->label_off, label, label_len) == 0;
	EnsureCapacity(state, 1, (label && !reuse_label) ? label_len + 1 : 0);
	/* EnsureCapacity may have moved the events */
	if (prev)
		prev = &state->events[state->nevents - 1];
	ev = &state->events[state->nevents];
	ev->ts = ts;
	ev->value = value;
	ev->flags = flags;
	ev->reserved = 0;
	if (reuse_label)
	{
		ev->label_off = prev->label_off;
		ev->label_len = label_len;
	}
	else if (label)
	{
		ev->label_off = (int32) state->labels_len;
		ev->label_len = label_len;
		memcpy(state->labels + state->labels_len, label, label_len);
		state->labels[state->labels_len + label_len] = '\0';
		state->labels_len += label_len + 1;
	}
	else
	{
		ev->label_off = -1;
		ev->label_len = 0;
	}
	/* input in order (the usual case) is noticed here, while it is cheap */
	if (state->sorted && prev && EventCmp(prev, ev, state) > 0)
		state->sorted = false;
	state->nevents++;
	/* only the new event: a full check per row would be quadratic */
	CHECK_LAST_EVENT(state);
}

static bool
ParamsEqual(const JourneyParams *a, const JourneyParams *b)
{
	return a->interval_usec == b->interval_usec &&
		a->nconds == b->nconds &&
		a->modes == b->modes &&
		a->text_len == b->text_len &&
		(a->text_len == 0 || memcmp(a->text, b->text, a->text_len) == 0);
}

/*
 * Combine two states into the left one (or a copy of the right one in the
 * aggregate context when the left is NULL).  Either may be NULL.
 */
JourneyEvents *
JourneyEventsCombine(MemoryContext aggcxt, JourneyEvents *left,
					 JourneyEvents *right)
{
	if (right == NULL)
		return left;
	if (left == NULL)
	{
		left = JourneyEventsCreate(aggcxt, &right->params);
		if (right->nevents == 0)
			return left;
	}
	else if (!ParamsEqual(&left->params, &right->params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aggregate parameters must be the same for every row of a group"),
				 errdetail("The window, lookback, gap, mode, pattern or number of conditions changed between rows.")));

	EnsureCapacity(left, right->nevents, right->labels_len);
	for (int i = 0; i < right->nevents; i++)
	{
		JourneyEvent ev = right->events[i];

		if (ev.label_off >= 0)
			ev.label_off += (int32) left->labels_len;
		left->events[left->nevents + i] = ev;
	}
	memcpy(left->labels + left->labels_len, right->labels, right->labels_len);
	left->labels_len += right->labels_len;
	left->nevents += right->nevents;
	left->sorted = (left->nevents <= 1);
	CHECK_EVENTS(left);
	return left;
}

/* Label order: NULL label first, then bytewise (C collation). */
int
JourneyEventLabelCmp(const JourneyEvents *state,
					 const JourneyEvent *a, const JourneyEvent *b)
{
	int			c;

	if (a->label_off < 0 || b->label_off < 0)
		return (a->label_off >= 0) - (b->label_off >= 0);
	c = memcmp(state->labels + a->label_off, state->labels + b->label_off,
			   Min(a->label_len, b->label_len));
	if (c != 0)
		return c;
	return (a->label_len > b->label_len) - (a->label_len < b->label_len);
}

/*
 * The one event order: timestamp, then label, then flags, then value.
 * Every field takes part, so the result never depends on input order.
 */
static int
EventCmp(const void *pa, const void *pb, void *arg)
{
	const JourneyEvent *a = pa;
	const JourneyEvent *b = pb;
	int			c;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	c = JourneyEventLabelCmp((const JourneyEvents *) arg, a, b);
	if (c != 0)
		return c;
	if (a->flags != b->flags)
		return a->flags < b->flags ? -1 : 1;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	return 0;
}

void
JourneyEventsSort(JourneyEvents *state)
{
	bool		ordered = true;

	if (state->sorted)
		return;
	/* Input often arrives in order already: check before sorting. */
	for (int i = 1; i < state->nevents && ordered; i++)
		if (EventCmp(&state->events[i - 1], &state->events[i], state) > 0)
			ordered = false;
	CHECK_FOR_INTERRUPTS();
	if (!ordered)
		qsort_arg(state->events, state->nevents, sizeof(JourneyEvent),
				  EventCmp, state);
	state->sorted = true;
}

/* Serialization helpers. */
typedef struct ByteWriter
{
	char	   *p;
} ByteWriter;

static inline void
Put(ByteWriter *w, const void *src, Size n)
{
	memcpy(w->p, src, n);
	w->p += n;
}

typedef struct ByteReader
{
	const char *p;
	const char *end;
} ByteReader;

static void
CorruptState(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid journey aggregate state"),
			 errdetail("%s", detail)));
}

static inline void
Get(ByteReader *r, void *dst, Size n)
{
	if ((Size) (r->end - r->p) < n)
		CorruptState("The serialized state is truncated.");
	memcpy(dst, r->p, n);
	r->p += n;
}

bytea	   *
JourneyEventsSerialize(JourneyEvents *state)
{
	Size		size;
	bytea	   *out;
	ByteWriter	w;
	uint8		version = JOURNEY_EVENTS_VERSION;

	size = VARHDRSZ + 1 + sizeof(int64) + sizeof(int32) + sizeof(uint32) +
		sizeof(int32) + state->params.text_len +
		sizeof(int32) + sizeof(int64) +
		(Size) state->nevents * sizeof(JourneyEvent) + state->labels_len;
	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey aggregate state too large to serialize"),
				 errdetail("The state of one group needs %zu bytes.", size)));
	out = palloc(size);
	SET_VARSIZE(out, size);
	w.p = VARDATA(out);
	Put(&w, &version, 1);
	Put(&w, &state->params.interval_usec, sizeof(int64));
	Put(&w, &state->params.nconds, sizeof(int32));
	Put(&w, &state->params.modes, sizeof(uint32));
	Put(&w, &state->params.text_len, sizeof(int32));
	if (state->params.text_len > 0)
		Put(&w, state->params.text, state->params.text_len);
	Put(&w, &state->nevents, sizeof(int32));
	Put(&w, &state->labels_len, sizeof(int64));
	Put(&w, state->events, (Size) state->nevents * sizeof(JourneyEvent));
	Put(&w, state->labels, state->labels_len);
	Assert(w.p == (char *) out + size);
	return out;
}

JourneyEvents *
JourneyEventsDeserialize(bytea *bytes)
{
	ByteReader	r;
	uint8		version;
	JourneyParams params;
	int32		nevents;
	int64		labels_len;
	JourneyEvents *state;

	r.p = VARDATA_ANY(bytes);
	r.end = r.p + VARSIZE_ANY_EXHDR(bytes);
	Get(&r, &version, 1);
	if (version != JOURNEY_EVENTS_VERSION)
		CorruptState("Unknown state version.");
	Get(&r, &params.interval_usec, sizeof(int64));
	Get(&r, &params.nconds, sizeof(int32));
	Get(&r, &params.modes, sizeof(uint32));
	Get(&r, &params.text_len, sizeof(int32));
	if (params.interval_usec < 0 || params.nconds < 0 ||
		params.nconds > JOURNEY_MAX_CONDITIONS ||
		params.text_len < 0 || params.text_len > r.end - r.p)
		CorruptState("The state's parameters are out of range.");
	params.text = (char *) r.p;
	r.p += params.text_len;
	Get(&r, &nevents, sizeof(int32));
	Get(&r, &labels_len, sizeof(int64));
	if (nevents < 0 || labels_len < 0 || labels_len > JOURNEY_MAX_LABEL_BYTES ||
		(r.end - r.p) != (int64) nevents * (int64) sizeof(JourneyEvent) + labels_len)
		CorruptState("The state's size does not match its event count.");
	if (nevents > journey_max_events_per_group)
		TooManyEvents();

	state = JourneyEventsCreate(CurrentMemoryContext, &params);
	EnsureCapacity(state, nevents, labels_len);
	Get(&r, state->events, (Size) nevents * sizeof(JourneyEvent));
	Get(&r, state->labels, labels_len);
	state->nevents = nevents;
	state->labels_len = labels_len;
	for (int i = 0; i < nevents; i++)
	{
		const JourneyEvent *ev = &state->events[i];

		/* condition bitmasks hold no bit past the number of conditions */
		if (params.nconds > 0 && params.nconds < 32 &&
			(ev->flags >> params.nconds) != 0)
			CorruptState("An event meets a condition beyond the number of conditions.");
		if (ev->label_off == -1 && ev->label_len == 0)
			continue;
		if (ev->label_off < 0 || ev->label_len < 0 ||
			(int64) ev->label_off + ev->label_len >= labels_len ||
			state->labels[ev->label_off + ev->label_len] != '\0')
			CorruptState("An event's label lies outside the label arena.");
	}
	state->sorted = (nevents <= 1);
	CHECK_EVENTS(state);
	return state;
}

/*
 * Interval arguments (windows, lookbacks, gaps) are used as a fixed number
 * of microseconds: a day is 24 hours and a month 30 days, as in
 * PostgreSQL's own interval comparison.
 */
int64
JourneyIntervalToUsec(const Interval *iv, const char *argname)
{
	int64		days;
	int64		usec;

	if (pg_mul_s64_overflow((int64) iv->month, DAYS_PER_MONTH, &days) ||
		pg_add_s64_overflow(days, (int64) iv->day, &days) ||
		pg_mul_s64_overflow(days, USECS_PER_DAY, &usec) ||
		pg_add_s64_overflow(usec, iv->time, &usec))
		ereport(ERROR,
				(errcode(ERRCODE_INTERVAL_FIELD_OVERFLOW),
				 errmsg("%s is out of range", argname)));
	if (usec < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", argname),
				 errhint("Pass a positive interval such as '30 minutes' or '7 days'.")));
	return usec;
}

void
JourneyCheckConditionCount(int n, const char *what)
{
	if (n < 1 || n > JOURNEY_MAX_CONDITIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("number of %s must be between 1 and %d", what,
						JOURNEY_MAX_CONDITIONS),
				 errdetail("The call passed %d.", n)));
}

/*
 * Test hook, not part of the install script: deserialize bytes as an
 * event state and describe it, so that the regression suite can show that
 * corrupt states are rejected.  The suite binds it to a temporary SQL name.
 */
PG_FUNCTION_INFO_V1(journey_events_state_check);

Datum
journey_events_state_check(PG_FUNCTION_ARGS)
{
	JourneyEvents *state = JourneyEventsDeserialize(PG_GETARG_BYTEA_PP(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "events=%d interval=" INT64_FORMAT " conditions=%d modes=%u text=%d",
					 state->nevents, state->params.interval_usec,
					 state->params.nconds, state->params.modes,
					 state->params.text_len);
	JourneyEventsSort(state);
	for (int i = 0; i < state->nevents; i++)
	{
		const JourneyEvent *ev = &state->events[i];

		appendStringInfo(&buf, " [" INT64_FORMAT " %s %u]", ev->ts,
						 ev->label_off >= 0 ? JourneyEventLabel(state, ev) : "-",
						 ev->flags);
	}
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}

/*
 * The SQL-callable combine, serialize and deserialize functions shared by
 * every aggregate whose state is a JourneyEvents buffer.  Parameters travel
 * with the state, so one set of functions serves every such aggregate.
 * Serialize and deserialize need no aggregate context (they cannot be
 * called from SQL: their internal argument and STRICT see to that), so
 * they also work when an extension such as Citus calls them itself.
 */
PG_FUNCTION_INFO_V1(journey_events_combine);
PG_FUNCTION_INFO_V1(journey_events_serialize);
PG_FUNCTION_INFO_V1(journey_events_deserialize);

Datum
journey_events_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, "journey.events_combine");
	JourneyEvents *left = PG_ARGISNULL(0) ? NULL : (JourneyEvents *) PG_GETARG_POINTER(0);
	JourneyEvents *right = PG_ARGISNULL(1) ? NULL : (JourneyEvents *) PG_GETARG_POINTER(1);

	if (left == NULL && right == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(JourneyEventsCombine(aggcxt, left, right));
}

Datum
journey_events_serialize(PG_FUNCTION_ARGS)
{
	JourneyEvents *state = (JourneyEvents *) PG_GETARG_POINTER(0);

	PG_RETURN_BYTEA_P(JourneyEventsSerialize(state));
}

Datum
journey_events_deserialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(JourneyEventsDeserialize(PG_GETARG_BYTEA_PP(0)));
}

/*
 * Length of a one-dimensional array of conditions; anything else (a
 * multi-dimensional array, more than JOURNEY_MAX_CONDITIONS or no
 * elements) is an error.
 */
int
JourneyConditionArrayLength(ArrayType *conds, const char *what)
{
	int			n;

	if (ARR_NDIM(conds) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("The array has %d dimensions.", ARR_NDIM(conds))));
	n = ARR_NDIM(conds) == 0 ? 0 : ARR_DIMS(conds)[0];
	JourneyCheckConditionCount(n, what);
	return n;
}

uint32
JourneyConditionMask(ArrayType *conds, int expected, const char *what)
{
	int			n;
	bits8	   *nulls;
	const bool *data;
	uint32		mask = 0;

	Assert(ARR_ELEMTYPE(conds) == BOOLOID);
	if (ARR_NDIM(conds) > 1)
		(void) JourneyConditionArrayLength(conds, what);
	n = ARR_NDIM(conds) == 0 ? 0 : ARR_DIMS(conds)[0];
	if (n != expected)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of %s must be the same for every row of a group", what),
				 errdetail("The group started with %d, this row has %d.",
						   expected, n)));
	nulls = ARR_NULLBITMAP(conds);
	data = (const bool *) ARR_DATA_PTR(conds);
	/* NULL elements occupy no data bytes; bools need no alignment */
	for (int i = 0; i < n; i++)
	{
		if (nulls && !(nulls[i / 8] & (1 << (i % 8))))
			continue;
		if (*data++)
			mask |= (uint32) 1 << i;
	}
	return mask;
}
