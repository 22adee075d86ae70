/*-------------------------------------------------------------------------
 *
 * events.c
 *	  The per-group event buffer shared by every event aggregate: creation,
 *	  append, combine, the one sort, and the serialized form.
 *
 * Serialized layout (written and read with pack.h: integers and floats
 * little-endian, the host's own order on every common platform):
 *
 *	  uint8   version (JOURNEY_EVENTS_VERSION)
 *	  int64   params.interval_usec
 *	  int32   params.nconds
 *	  uint32  params.modes
 *	  int32   params.text_len, then text_len bytes
 *	  int32   nevents
 *	  int32   labels_len
 *	  uint8   1 if a value array follows the events, else 0
 *	  nevents x JourneyEvent (label offsets relative to the arena)
 *	  nevents x float8 values, if present
 *	  labels_len bytes of label arena (NUL-terminated labels)
 *
 * Deserialization distrusts its input: a short buffer, a count that does
 * not match the size, or a label outside the arena is an error
 * (ERRCODE_DATA_CORRUPTED, "invalid journey aggregate state").
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <math.h>

#include "pack.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "common/int128.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "nodes/primnodes.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/array.h"
#include "utils/memutils.h"

#define JOURNEY_EVENTS_VERSION 2

int			journey_max_events_per_group = JOURNEY_DEFAULT_MAX_EVENTS;

static inline int EventCmp(const JourneyEvent *a, float8 va,
						   const JourneyEvent *b, float8 vb, const char *labels);
static int64 LabelsCap(const JourneyEvents *state);

#ifdef USE_ASSERT_CHECKING
/* Check the state's counts and the events from index "from" on. */
static void
AssertEventsValid(const JourneyEvents *state, int from)
{
	Assert(state->params != NULL);
	Assert(state->nevents >= 0 && state->nevents <= state->maxevents);
	Assert(state->labels_len >= 0 && state->labels_len <= LabelsCap(state));
	Assert(state->labels_len == 0 || state->labels[state->labels_len - 1] == '\0');
	for (int i = Max(from, 0); i < state->nevents; i++)
	{
		const JourneyEvent *ev = &state->events[i];

		Assert(ev->label_off == -1 ||
			   (ev->label_off >= 0 && ev->label_off < state->labels_len));
		/* a state that says it is in order is */
		Assert(!state->sorted || i == 0 ||
			   EventCmp(ev - 1, JourneyEventValue(state, i - 1),
						ev, JourneyEventValue(state, i), state->labels) <= 0);
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
 * Whether argument argnum of an aggregate's transition function (0 being
 * the state) has the same value on every row: a constant or an external
 * parameter in the aggregate call.  (The transition function's own
 * expression cannot tell: PostgreSQL builds it with placeholders.)  False
 * when unknown, e.g. for an aggregate run as a window function.
 */
static bool
AggArgStable(FunctionCallInfo fcinfo, int argnum)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	Expr	   *arg;

	if (aggref == NULL || argnum < 1 || argnum > list_length(aggref->args))
		return false;
	arg = list_nth_node(TargetEntry, aggref->args, argnum - 1)->expr;
	return IsA(arg, Const) ||
		(IsA(arg, Param) && ((Param *) arg)->paramkind == PARAM_EXTERN);
}

/* ---------- parameters ---------- */

/* The parameters of aggregates that take none (path_agg), and their shared
 * empty state (see JourneyEventsEmpty). */
static JourneyParams no_params;
static JourneyEvents no_params_empty;

bool
JourneyParamsEqual(const JourneyParams *a, const JourneyParams *b)
{
	return a == b ||
		(a->interval_usec == b->interval_usec &&
		 a->nconds == b->nconds &&
		 a->modes == b->modes &&
		 a->text_len == b->text_len &&
		 (a->text_len == 0 || memcmp(a->text, b->text, a->text_len) == 0));
}

/*
 * The shared copy of params for a state made by the function of flinfo.
 * The first parameters seen are copied into fn_mcxt (which outlives every
 * aggregate context of the query) and remembered in fn_extra; groups with
 * those parameters share that copy.  Groups with other parameters (a
 * window that differs between groups, say) get their own copy in cxt,
 * which lives as long as their state.  The caller must not use fn_extra
 * for anything else.
 */
JourneyParams *
JourneyParamsIntern(FmgrInfo *flinfo, MemoryContext cxt,
					const JourneyParams *params)
{
	JourneyParams *cached = (JourneyParams *) flinfo->fn_extra;
	JourneyParams *copy;

	if (params == NULL || params == &no_params)
		return &no_params;
	if (cached != NULL && JourneyParamsEqual(cached, params))
		return cached;
	copy = MemoryContextAlloc(cached ? cxt : flinfo->fn_mcxt,
							  sizeof(JourneyParams) + params->text_len);
	*copy = *params;
	copy->args_constant = false;
	copy->call_constant = false;
	copy->derived = NULL;
	copy->empty = NULL;
	copy->text = NULL;
	if (params->text_len > 0)
	{
		copy->text = (char *) (copy + 1);
		memcpy(copy->text, params->text, params->text_len);
	}
	if (cached == NULL)
		flinfo->fn_extra = copy;
	return copy;
}

/*
 * The shared parameters for a new group of an aggregate's transition
 * function: params, made from the arguments whose numbers are the bits of
 * argmask, interned (JourneyParamsIntern).  When those arguments are
 * constants of the call, the call site's own copy is marked args_constant;
 * when moreover the conditions, from argument first_cond on (-1: none), are
 * written out, so that their number is the call's, it is marked
 * call_constant too (see JourneyParamsCallConstant).
 */
JourneyParams *
JourneyParamsForCall(FunctionCallInfo fcinfo, MemoryContext aggcxt,
					 const JourneyParams *params, uint32 argmask,
					 int first_cond)
{
	JourneyParams *shared = JourneyParamsIntern(fcinfo->flinfo, aggcxt, params);
	bool		stable = true;

	if (shared != fcinfo->flinfo->fn_extra || shared->args_constant)
		return shared;
	for (int i = 1; i < 32 && stable; i++)
		if (argmask & ((uint32) 1 << i))
			stable = AggArgStable(fcinfo, i);
	if (stable)
	{
		shared->args_constant = true;
		shared->call_constant = first_cond < 0 ||
			!JourneyConditionArgsArray(fcinfo, first_cond);
	}
	return shared;
}

/*
 * The call site's shared parameters when a new group may take them as they
 * are (JourneyParamsForCall marked them call_constant), else NULL.
 */
JourneyParams *
JourneyParamsCallConstant(FmgrInfo *flinfo)
{
	JourneyParams *cached = (JourneyParams *) flinfo->fn_extra;

	return (cached != NULL && cached->call_constant) ? cached : NULL;
}

/* ---------- the buffer ---------- */

/*
 * A new state is one allocation: the struct, then room for a few events
 * (and, for aggregates with labels, a few labels).  AllocSet rounds
 * requests up to a power of two, so the chunk is 128 bytes without labels
 * (5 events) and 256 with (6 events and 112 label bytes).  Most groups of a
 * GROUP BY customer never outgrow it, which keeps a hash aggregate over a
 * million customers small (its memory per group is what such a query's
 * speed depends on); a group that does moves its events or labels to their
 * own allocation (see EnsureCapacity).
 */
#define JOURNEY_STATE_HEADER	MAXALIGN(sizeof(JourneyEvents))
#define JOURNEY_CHUNK			128
#define JOURNEY_LABELED_CHUNK	256
#define JOURNEY_INITIAL_EVENTS \
	((JOURNEY_CHUNK - JOURNEY_STATE_HEADER) / sizeof(JourneyEvent))
#define JOURNEY_LABELED_EVENTS	6
#define JOURNEY_INITIAL_LABEL_BYTES \
	(JOURNEY_LABELED_CHUNK - JOURNEY_STATE_HEADER - \
	 JOURNEY_LABELED_EVENTS * sizeof(JourneyEvent))
/* label arenas of their own are powers of two from 128 bytes (or the limit) */
#define JOURNEY_MIN_LABEL_BLOCK 128

StaticAssertDecl(sizeof(JourneyEvent) == 16, "JourneyEvent must stay 16 bytes");
StaticAssertDecl(JOURNEY_INITIAL_EVENTS >= 5,
				 "JourneyEvents too large for its initial chunk");
StaticAssertDecl(JOURNEY_INITIAL_LABEL_BYTES >= 64,
				 "JourneyEvents too large for its labeled chunk");

static inline bool
EventsInline(const JourneyEvents *state)
{
	return (const char *) state->events == (const char *) state + JOURNEY_STATE_HEADER;
}

/* The size of a label arena of its own that holds len bytes. */
static int64
LabelBlockSize(int64 len)
{
	return Min(pg_nextpower2_64(Max(len, JOURNEY_MIN_LABEL_BLOCK)),
			   (int64) JOURNEY_MAX_LABEL_BYTES);
}

/*
 * The arena's capacity, known from where it lies: in the chunk, a fixed
 * size; in a block of its own, that block was made LabelBlockSize of a
 * length at least today's (EnsureCapacity), which is at least
 * LabelBlockSize of today's length.
 */
static int64
LabelsCap(const JourneyEvents *state)
{
	if (state->labels == NULL)
		return 0;
	if (state->labels_inline)
		return JOURNEY_INITIAL_LABEL_BYTES;
	return LabelBlockSize(state->labels_len);
}

JourneyEvents *
JourneyEventsCreate(MemoryContext aggcxt, JourneyParams *params,
					bool with_labels)
{
	JourneyEvents *state;
	char	   *chunk;

	chunk = MemoryContextAlloc(aggcxt, with_labels ? JOURNEY_LABELED_CHUNK : JOURNEY_CHUNK);
	state = (JourneyEvents *) chunk;
	memset(state, 0, sizeof(JourneyEvents));
	state->params = params ? params : &no_params;
	state->events = (JourneyEvent *) (chunk + JOURNEY_STATE_HEADER);
	state->sorted = true;
	if (with_labels)
	{
		state->maxevents = JOURNEY_LABELED_EVENTS;
		state->labels = chunk + JOURNEY_STATE_HEADER +
			JOURNEY_LABELED_EVENTS * sizeof(JourneyEvent);
		state->labels_inline = true;
	}
	else
		state->maxevents = JOURNEY_INITIAL_EVENTS;
	CHECK_EVENTS(state);
	return state;
}

/*
 * The state of a group that has no event yet, for aggregates that skip rows
 * (a funnel's rows meeting no step, a sequence's rows meeting no
 * condition): one read-only state per parameters, shared by every such
 * group, so that a customer none of whose rows count costs no memory.  It
 * lives with the parameters.  Whoever adds an event first replaces it with a
 * state of the group's own (JourneyEventsOwn); nothing writes to it.
 */
JourneyEvents *
JourneyEventsEmpty(JourneyParams *params)
{
	if (params == &no_params)
	{
		if (!no_params_empty.shared)
		{
			no_params_empty.params = &no_params;
			no_params_empty.sorted = true;
			no_params_empty.shared = true;
		}
		return &no_params_empty;
	}
	if (params->empty == NULL)
	{
		JourneyEvents *state;

		state = MemoryContextAllocZero(GetMemoryChunkContext(params),
									   sizeof(JourneyEvents));
		state->params = params;
		state->sorted = true;
		state->shared = true;
		params->empty = state;
	}
	return params->empty;
}

/* A state the caller may add events to: state itself, or a new one. */
JourneyEvents *
JourneyEventsOwn(MemoryContext aggcxt, JourneyEvents *state)
{
	if (!state->shared)
		return state;
	return JourneyEventsCreate(aggcxt, state->params, false);
}

/* The error for a group past journey.max_events_per_group. */
void
JourneyEventsTooMany(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("too many events in one group"),
			 errdetail("One group may hold at most %d events (journey.max_events_per_group).",
					   journey_max_events_per_group),
			 errhint("Group by a finer key, filter the events, or have a superuser raise journey.max_events_per_group.")));
}

/*
 * Move a block of the state (events, values or labels) to an allocation of
 * its own of newsize bytes, or enlarge the one it has.
 */
static void *
GrowBlock(JourneyEvents *state, void *block, bool is_inline, Size used,
		  Size newsize)
{
	void	   *moved;

	if (block != NULL && !is_inline)
		return repalloc_huge(block, newsize);
	moved = MemoryContextAllocHuge(GetMemoryChunkContext(state), newsize);
	if (used > 0)
		memcpy(moved, block, used);
	return moved;
}

/* Make room for n more events and label_bytes more arena bytes. */
static void
EnsureCapacity(JourneyEvents *state, int64 n, int64 label_bytes)
{
	if ((int64) state->nevents + n > journey_max_events_per_group)
		JourneyEventsTooMany();
	if ((int64) state->nevents + n > state->maxevents)
	{
		int64		newmax = Max(state->maxevents, 1);

		while (newmax < (int64) state->nevents + n)
			newmax *= 2;
		newmax = Min(newmax, JOURNEY_MAX_MAX_EVENTS);
		state->events = GrowBlock(state, state->events, EventsInline(state),
								  sizeof(JourneyEvent) * state->nevents,
								  sizeof(JourneyEvent) * newmax);
		if (state->values)
			state->values = repalloc_huge(state->values, sizeof(float8) * newmax);
		state->maxevents = (int32) newmax;
	}
	if ((int64) state->labels_len + label_bytes > LabelsCap(state))
	{
		int64		newcap;

		if ((int64) state->labels_len + label_bytes > JOURNEY_MAX_LABEL_BYTES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("labels of one group exceed %d bytes",
							(int) JOURNEY_MAX_LABEL_BYTES)));
		newcap = LabelBlockSize(state->labels_len + label_bytes);
		state->labels = GrowBlock(state, state->labels, state->labels_inline,
								  state->labels_len, newcap);
		state->labels_inline = false;
	}
}

/* Give the state a value array: 0 for every event so far. */
static void
EnsureValues(JourneyEvents *state)
{
	if (state->values == NULL)
		state->values = MemoryContextAllocZero(GetMemoryChunkContext(state),
											   sizeof(float8) * state->maxevents);
}

/*
 * Append one event.  A label is stored NUL-terminated so that callers may
 * read it as a C string; label NULL stores no label.  A value of 0 costs
 * nothing: the value array is made by the first other value.
 */
void
JourneyEventsAdd(JourneyEvents *state, TimestampTz ts,
				 const char *label, int label_len,
				 uint32 flags, float8 value)
{
	JourneyEvent *ev;
	int			n = state->nevents;
	int32		prev_off = n > 0 ? state->events[n - 1].label_off : -1;
	bool		reuse_label;

	Assert(!state->shared);
	/* a label repeating the previous event's shares its bytes */
	reuse_label = label && prev_off >= 0 &&
		(int64) prev_off + label_len < state->labels_len &&
		state->labels[prev_off + label_len] == '\0' &&
		memcmp(state->labels + prev_off, label, label_len) == 0;
	EnsureCapacity(state, 1, (label && !reuse_label) ? label_len + 1 : 0);
	if (value != 0.0 || signbit(value)) /* -0 is kept too */
		EnsureValues(state);
	ev = &state->events[n];
	ev->ts = ts;
	ev->flags = flags;
	if (reuse_label)
		ev->label_off = prev_off;
	else if (label)
	{
		ev->label_off = state->labels_len;
		memcpy(state->labels + state->labels_len, label, label_len);
		state->labels[state->labels_len + label_len] = '\0';
		state->labels_len += label_len + 1;
	}
	else
		ev->label_off = -1;
	if (state->values)
		state->values[n] = value;
	/* input in order (the usual case) is noticed here, while it is cheap */
	if (state->sorted && n > 0 &&
		EventCmp(&state->events[n - 1], JourneyEventValue(state, n - 1),
				 ev, value, state->labels) > 0)
		state->sorted = false;
	state->nevents++;
	/* only the new event: a full check per row would be quadratic */
	CHECK_LAST_EVENT(state);
}

/*
 * Append an event without label or value (funnels, sequences): the same as
 * JourneyEventsAdd(state, ts, NULL, 0, flags, 0), with less to do per row.
 */
void
JourneyEventsAddFlags(JourneyEvents *state, TimestampTz ts, uint32 flags)
{
	int			n = state->nevents;
	JourneyEvent *ev;

	Assert(!state->shared);
	if (n >= state->maxevents || n >= journey_max_events_per_group ||
		state->values != NULL)
	{
		JourneyEventsAdd(state, ts, NULL, 0, flags, 0.0);
		return;
	}
	ev = &state->events[n];
	ev->ts = ts;
	ev->flags = flags;
	ev->label_off = -1;

	/*
	 * EventCmp(ev - 1, ev) > 0 for an event without label or value (and no
	 * values in the state): a later timestamp, or at the same one a label or
	 * higher flags before it.
	 */
	if (state->sorted && n > 0 &&
		(ev[-1].ts > ts ||
		 (ev[-1].ts == ts && (ev[-1].label_off >= 0 || ev[-1].flags > flags))))
		state->sorted = false;
	state->nevents = n + 1;
	CHECK_LAST_EVENT(state);
}

/*
 * Combine two states into the left one (or a copy of the right one in the
 * aggregate context when the left is NULL).  Either may be NULL.
 */
JourneyEvents *
JourneyEventsCombine(FunctionCallInfo fcinfo, MemoryContext aggcxt,
					 JourneyEvents *left, JourneyEvents *right)
{
	int			first_new;
	bool		both_sorted;

	if (right == NULL)
		return left;
	if (left != NULL && !JourneyParamsEqual(left->params, right->params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aggregate parameters must be the same for every row of a group"),
				 errdetail("The window, lookback, gap, mode, pattern or number of conditions changed between rows.")));
	if (right->nevents == 0)
	{
		/* nothing to add; a shared empty state here must be this call's */
		if (left == NULL)
			left = JourneyEventsEmpty(JourneyParamsIntern(fcinfo->flinfo, aggcxt,
														  right->params));
		return left;
	}
	if (left == NULL || left->shared)
		left = JourneyEventsCreate(aggcxt,
								   JourneyParamsIntern(fcinfo->flinfo, aggcxt,
													   right->params),
								   right->labels_len > 0);

	EnsureCapacity(left, right->nevents, right->labels_len);
	if (right->values)
		EnsureValues(left);
	first_new = left->nevents;
	both_sorted = left->sorted && right->sorted;
	for (int i = 0; i < right->nevents; i++)
	{
		JourneyEvent ev = right->events[i];

		CHECK_FOR_INTERRUPTS();
		if (ev.label_off >= 0)
			ev.label_off += left->labels_len;
		left->events[left->nevents + i] = ev;
		if (left->values)
			left->values[left->nevents + i] = JourneyEventValue(right, i);
	}
	if (right->labels_len > 0)
		memcpy(left->labels + left->labels_len, right->labels, right->labels_len);
	left->labels_len += right->labels_len;
	left->nevents += right->nevents;
	/* in order when both halves are, and where they meet */
	left->sorted = both_sorted &&
		(first_new == 0 ||
		 EventCmp(&left->events[first_new - 1], JourneyEventValue(left, first_new - 1),
				  &left->events[first_new], JourneyEventValue(left, first_new),
				  left->labels) <= 0);
	CHECK_EVENTS(left);
	return left;
}

/*
 * A total order of values: NaN after everything (all NaNs equal), and -0
 * before +0, so that no two different values tie.
 */
static inline int
ValueCmp(float8 a, float8 b)
{
	if (isnan(a) || isnan(b))
		return (isnan(a) != 0) - (isnan(b) != 0);
	if (a != b)
		return a < b ? -1 : 1;
	return (signbit(b) != 0) - (signbit(a) != 0);
}

/*
 * The one event order: timestamp, then label (no label first, then
 * bytewise, as the C collation orders text), then flags, then value.
 * Every field takes part, so the result never depends on input order.
 */
static inline int
EventCmp(const JourneyEvent *a, float8 va, const JourneyEvent *b, float8 vb,
		 const char *labels)
{
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->label_off != b->label_off)
	{
		int			c;

		if (a->label_off < 0 || b->label_off < 0)
			return (a->label_off >= 0) - (b->label_off >= 0);
		c = strcmp(labels + a->label_off, labels + b->label_off);
		if (c != 0)
			return c;
	}
	if (a->flags != b->flags)
		return a->flags < b->flags ? -1 : 1;
	return ValueCmp(va, vb);
}

/* An event with its value, to sort both together. */
typedef struct EventWithValue
{
	JourneyEvent ev;
	float8		value;
} EventWithValue;

/*
 * The sort itself: PostgreSQL's quicksort (lib/sort_template.h),
 * specialised for events and for (event, value) pairs so that the
 * comparison is inlined, and checking for interrupts as it partitions, so
 * that a statement timeout or cancel stops the sort of even the largest
 * group at once.
 */
#define ST_SORT SortEventsNoValue
#define ST_ELEMENT_TYPE JourneyEvent
#define ST_COMPARE(a, b, labels) EventCmp(a, 0.0, b, 0.0, labels)
#define ST_COMPARE_ARG_TYPE const char
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

#define ST_SORT SortEventsWithValue
#define ST_ELEMENT_TYPE EventWithValue
#define ST_COMPARE(a, b, labels) EventCmp(&(a)->ev, (a)->value, &(b)->ev, (b)->value, labels)
#define ST_COMPARE_ARG_TYPE const char
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * Sort the events into the one event order.  A state always knows whether
 * it is in order (rows are checked as they are added, combined and
 * deserialized states where their parts meet or as they are read), so a
 * state in order costs nothing here.
 */
void
JourneyEventsSort(JourneyEvents *state)
{
	int			n = state->nevents;

	if (state->sorted)
		return;
	if (state->values == NULL)
		SortEventsNoValue(state->events, n, state->labels);
	else
	{
		EventWithValue *pairs = palloc_extended(sizeof(EventWithValue) * n,
												MCXT_ALLOC_HUGE);

		for (int i = 0; i < n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			pairs[i].ev = state->events[i];
			pairs[i].value = state->values[i];
		}
		SortEventsWithValue(pairs, n, state->labels);
		for (int i = 0; i < n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			state->events[i] = pairs[i].ev;
			state->values[i] = pairs[i].value;
		}
		pfree(pairs);
	}
	state->sorted = true;
}

/*
 * Sort the events and rewrite the label arena in event order, each label
 * once for a run of events that share it, so that states holding the same
 * events hold the same bytes however their rows were split, combined and
 * ordered (a stored state is compared and stored so).  The arena is
 * rewritten through a copy of the old one.
 */
void
JourneyEventsCanonical(JourneyEvents *state)
{
	char	   *old;
	int32		len = 0;
	int32		prev_old = -1;
	int32		prev_new = -1;

	JourneyEventsSort(state);
	if (state->labels_len == 0)
		return;

	/*
	 * The new arena may be larger than the old one: events that shared a
	 * label (a repeat of the event added just before) can be apart once
	 * sorted.  Its size first, then room for it.
	 */
	for (int i = 0; i < state->nevents; i++)
	{
		int32		off = state->events[i].label_off;

		CHECK_FOR_INTERRUPTS();
		if (off < 0)
			continue;
		if (prev_old < 0 || (off != prev_old &&
							 strcmp(state->labels + off, state->labels + prev_old) != 0))
		{
			len += (int32) strlen(state->labels + off) + 1;
			if (len > JOURNEY_MAX_LABEL_BYTES)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("labels of one group exceed %d bytes",
								(int) JOURNEY_MAX_LABEL_BYTES)));
		}
		prev_old = off;
	}
	if (len > state->labels_len)
		EnsureCapacity(state, 0, len - state->labels_len);
	len = 0;
	prev_old = -1;
	old = palloc_extended(state->labels_len, MCXT_ALLOC_HUGE);
	memcpy(old, state->labels, state->labels_len);
	for (int i = 0; i < state->nevents; i++)
	{
		JourneyEvent *ev = &state->events[i];
		int32		off = ev->label_off;

		CHECK_FOR_INTERRUPTS();
		if (off < 0)
			continue;
		if (prev_old >= 0 && (off == prev_old || strcmp(old + off, old + prev_old) == 0))
			ev->label_off = prev_new;
		else
		{
			int32		n = (int32) strlen(old + off) + 1;

			memcpy(state->labels + len, old + off, n);
			prev_new = len;
			ev->label_off = len;
			len += n;
		}
		prev_old = off;
	}
	state->labels_len = len;
	pfree(old);
	CHECK_EVENTS(state);
}

/* ---------- serialized form ---------- */

#define EVENTS_STATE_WHAT "journey aggregate state"

/* The events, as the layout says (see pack.h on byte order). */
static void
PackEvents(StringInfo buf, const JourneyEvent *events, int n)
{
	if (JOURNEY_PACK_NATIVE_LE)
	{
		JourneyPackBytes(buf, events, (Size) n * sizeof(JourneyEvent));
		return;
	}
	for (int i = 0; i < n; i++)
	{
		JourneyPackTimestamp(buf, events[i].ts);
		JourneyPackUInt32(buf, events[i].flags);
		JourneyPackInt32(buf, events[i].label_off);
	}
}

static void
UnpackEvents(JourneyPackReader *r, JourneyEvent *events, int n)
{
	if (JOURNEY_PACK_NATIVE_LE)
	{
		JourneyPackGetInto(r, events, (Size) n * sizeof(JourneyEvent));
		return;
	}
	for (int i = 0; i < n; i++)
	{
		events[i].ts = JourneyPackGetTimestamp(r);
		events[i].flags = JourneyPackGetUInt32(r);
		events[i].label_off = JourneyPackGetInt32(r);
	}
}

/* The size JourneyEventsPack writes. */
Size
JourneyEventsPackedSize(const JourneyEvents *state)
{
	return 1 + sizeof(int64) + sizeof(int32) + sizeof(uint32) +
		sizeof(int32) + state->params->text_len +
		sizeof(int32) + sizeof(int32) + 1 +
		(Size) state->nevents * (sizeof(JourneyEvent) +
								 (state->values ? sizeof(float8) : 0)) +
		state->labels_len;
}

/* Append the state in the serialized layout (see the top of this file). */
void
JourneyEventsPack(StringInfo buf, const JourneyEvents *state)
{
	const JourneyParams *params = state->params;
	bool		has_values = (state->values != NULL);

	JourneyPackUInt8(buf, JOURNEY_EVENTS_VERSION);
	JourneyPackInt64(buf, params->interval_usec);
	JourneyPackInt32(buf, params->nconds);
	JourneyPackUInt32(buf, params->modes);
	JourneyPackText(buf, params->text, params->text_len);
	JourneyPackInt32(buf, state->nevents);
	JourneyPackInt32(buf, state->labels_len);
	JourneyPackUInt8(buf, has_values ? 1 : 0);
	PackEvents(buf, state->events, state->nevents);
	if (has_values)
		for (int i = 0; i < state->nevents; i++)
			JourneyPackFloat8(buf, state->values[i]);
	JourneyPackBytes(buf, state->labels, state->labels_len);
}

bytea	   *
JourneyEventsSerialize(JourneyEvents *state)
{
	StringInfoData buf;

	JourneyPackBegin(&buf, VARHDRSZ + JourneyEventsPackedSize(state),
					 EVENTS_STATE_WHAT);
	JourneyEventsPack(&buf, state);
	Assert(buf.len + 1 == buf.maxlen);
	return JourneyPackEnd(&buf);
}

/*
 * The state held in bytes, in the current memory context; its parameters
 * are interned through flinfo (see JourneyParamsIntern).
 */
JourneyEvents *
JourneyEventsDeserialize(FmgrInfo *flinfo, bytea *bytes)
{
	JourneyPackReader r;
	JourneyEvents *state;

	JourneyPackReaderInit(&r, bytes, EVENTS_STATE_WHAT, ERRCODE_DATA_CORRUPTED);
	state = JourneyEventsUnpack(flinfo, &r);
	JourneyPackFinish(&r);
	return state;
}

/*
 * Read a state written by JourneyEventsPack from r (which reports what is
 * wrong with its own message and errcode); the reader is left after it.
 */
JourneyEvents *
JourneyEventsUnpack(FmgrInfo *flinfo, JourneyPackReader *r)
{
	uint8		has_values;
	JourneyParams params = {0};
	int32		nevents;
	int32		labels_len;
	JourneyEvents *state;

	if (JourneyPackGetUInt8(r) != JOURNEY_EVENTS_VERSION)
		JourneyPackCorrupt(r, "Unknown state version.");
	params.interval_usec = JourneyPackGetInt64(r);
	params.nconds = JourneyPackGetInt32(r);
	params.modes = JourneyPackGetUInt32(r);
	params.text_len = JourneyPackGetInt32(r);
	if (params.interval_usec < 0 || params.nconds < 0 ||
		params.nconds > JOURNEY_MAX_CONDITIONS ||
		params.text_len < 0 || params.text_len > JourneyPackRemaining(r))
		JourneyPackCorrupt(r, "The state's parameters are out of range.");
	params.text = (char *) JourneyPackGetBytes(r, params.text_len);
	nevents = JourneyPackGetInt32(r);
	labels_len = JourneyPackGetInt32(r);
	has_values = JourneyPackGetUInt8(r);
	if (labels_len < 0 || labels_len > JOURNEY_MAX_LABEL_BYTES || has_values > 1)
		JourneyPackCorrupt(r, "The state's size does not match its event count.");
	JourneyPackCount(r, nevents,
					 sizeof(JourneyEvent) + (has_values ? sizeof(float8) : 0),
					 labels_len, true,
					 "The state's size does not match its event count.");
	if (nevents > journey_max_events_per_group)
		JourneyEventsTooMany();

	state = JourneyEventsCreate(CurrentMemoryContext,
								JourneyParamsIntern(flinfo, CurrentMemoryContext,
													&params),
								labels_len > 0);
	EnsureCapacity(state, nevents, labels_len);
	UnpackEvents(r, state->events, nevents);
	if (has_values)
	{
		EnsureValues(state);
		for (int i = 0; i < nevents; i++)
			state->values[i] = JourneyPackGetFloat8(r);
	}
	if (labels_len > 0)
	{
		JourneyPackGetInto(r, state->labels, labels_len);
		/* every label ends within the arena */
		if (state->labels[labels_len - 1] != '\0')
			JourneyPackCorrupt(r, "The state's last label is not terminated.");
	}
	state->nevents = nevents;
	state->labels_len = labels_len;
	for (int i = 0; i < nevents; i++)
	{
		const JourneyEvent *ev = &state->events[i];

		CHECK_FOR_INTERRUPTS();
		/* condition bitmasks hold no bit past the number of conditions */
		if (params.nconds > 0 && params.nconds < 32 &&
			(ev->flags >> params.nconds) != 0)
			JourneyPackCorrupt(r, "An event meets a condition beyond the number of conditions.");
		if (ev->label_off < -1 || ev->label_off >= labels_len)
			JourneyPackCorrupt(r, "An event's label lies outside the label arena.");
	}
	/* (labels checked above: the comparison reads them) */
	state->sorted = true;
	for (int i = 1; i < nevents && state->sorted; i++)
	{
		CHECK_FOR_INTERRUPTS();
		state->sorted = EventCmp(&state->events[i - 1], JourneyEventValue(state, i - 1),
								 &state->events[i], JourneyEventValue(state, i),
								 state->labels) <= 0;
	}
	CHECK_EVENTS(state);
	return state;
}

/*
 * Interval arguments (windows, lookbacks, gaps) are used as a fixed number
 * of microseconds: a day is 24 hours and a month 30 days, as in
 * PostgreSQL's own interval comparison (whose exact 128-bit sum this is).
 * Every interval up to JOURNEY_MAX_INTERVAL_TEXT (int64 microseconds)
 * is used as it is; a longer one, which PostgreSQL can hold (its months
 * reach 178 million years), is refused with that limit in the message.
 */
#define JOURNEY_MAX_INTERVAL_TEXT "106751991 days 04:00:54.775807"

int64
JourneyIntervalToUsec(const Interval *iv, const char *argname)
{
	INT128		span = int64_to_int128(iv->time);
	int64		days = (int64) iv->month * DAYS_PER_MONTH + (int64) iv->day;

	int128_add_int64_mul_int64(&span, days, USECS_PER_DAY);
	if (int128_compare(span, int64_to_int128(0)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", argname),
				 errhint("Pass a positive interval such as '30 minutes' or '7 days'.")));
	if (int128_compare(span, int64_to_int128(PG_INT64_MAX)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is out of range", argname),
				 errdetail("The %s is %s; the longest that can be used is "
						   JOURNEY_MAX_INTERVAL_TEXT
						   " (about 296,533 years of 360 days: a month counts as 30 days).",
						   argname,
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   PointerGetDatum(iv)))),
				 errhint("Pass a shorter interval, e.g. '30 days'.")));
	return int128_to_int64(span);
}

/* Check a condition count against 1..JOURNEY_MAX_CONDITIONS. */
static void
CheckConditionCount(int n, const char *what)
{
	if (n < 1 || n > JOURNEY_MAX_CONDITIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("number of %s must be between 1 and %d", what,
						JOURNEY_MAX_CONDITIONS),
				 errdetail("The call passed %d.", n)));
}

/* The test hooks' description of a state: parameters, then events in order. */
static text *
DescribeState(JourneyEvents *state)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "events=%d interval=" INT64_FORMAT " conditions=%d modes=%u text=%d",
					 state->nevents, state->params->interval_usec,
					 state->params->nconds, state->params->modes,
					 state->params->text_len);
	JourneyEventsSort(state);
	for (int i = 0; i < state->nevents; i++)
	{
		const JourneyEvent *ev = &state->events[i];

		appendStringInfo(&buf, " [" INT64_FORMAT " %s %u", ev->ts,
						 ev->label_off >= 0 ? JourneyEventLabel(state, ev) : "-",
						 ev->flags);
		if (state->values)
			appendStringInfo(&buf, " %g", state->values[i]);
		appendStringInfoChar(&buf, ']');
	}
	return cstring_to_text(buf.data);
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
	PG_RETURN_TEXT_P(DescribeState(JourneyEventsDeserialize(fcinfo->flinfo,
															PG_GETARG_BYTEA_PP(0))));
}

/*
 * For test hooks of final functions (not part of the install script): a
 * state built from arguments first .. first + 7 of the call: interval
 * (bigint), number of conditions, mode bits (int), parameter text, then the
 * events as arrays of timestamps (bigint microseconds), flags (int), values
 * (float8) and labels (text, NULL: none), of one length; any values, so
 * that a final function's checks of what a damaged state may hold can be
 * shown.
 */
JourneyEvents *
JourneyEventsForTest(FunctionCallInfo fcinfo, int first)
{
	JourneyParams params = {0};
	Datum	   *ts,
			   *flags,
			   *vals,
			   *labels;
	bool	   *ts_null,
			   *flags_null,
			   *vals_null,
			   *labels_null;
	int			n,
				n2,
				n3,
				n4;
	JourneyEvents *state;
	text	   *ptext = PG_GETARG_TEXT_PP(first + 3);

	params.interval_usec = PG_GETARG_INT64(first);
	params.nconds = PG_GETARG_INT32(first + 1);
	params.modes = (uint32) PG_GETARG_INT32(first + 2);
	params.text = VARDATA_ANY(ptext);
	params.text_len = VARSIZE_ANY_EXHDR(ptext);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(first + 4), INT8OID, 8, FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &ts, &ts_null, &n);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(first + 5), INT4OID, 4, true,
					  TYPALIGN_INT, &flags, &flags_null, &n2);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(first + 6), FLOAT8OID, 8, FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &vals, &vals_null, &n3);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(first + 7), TEXTOID, -1, false,
					  TYPALIGN_INT, &labels, &labels_null, &n4);
	if (n2 != n || n3 != n || n4 != n)
		elog(ERROR, "the event arrays must have one length");
	state = JourneyEventsCreate(CurrentMemoryContext,
								JourneyParamsIntern(fcinfo->flinfo, CurrentMemoryContext,
													&params),
								true);
	for (int i = 0; i < n; i++)
	{
		text	   *label = labels_null[i] ? NULL : DatumGetTextPP(labels[i]);

		JourneyEventsAdd(state, DatumGetInt64(ts[i]),
						 label ? VARDATA_ANY(label) : NULL,
						 label ? VARSIZE_ANY_EXHDR(label) : 0,
						 (uint32) DatumGetInt32(flags[i]), DatumGetFloat8(vals[i]));
	}
	return state;
}

/*
 * Test hook, not part of the install script either: combine two serialized
 * states as the combine function does, and say whether the result knew it
 * was in order before describing it.
 */
PG_FUNCTION_INFO_V1(journey_events_combine_check);

Datum
journey_events_combine_check(PG_FUNCTION_ARGS)
{
	JourneyEvents *left = JourneyEventsDeserialize(fcinfo->flinfo,
												   PG_GETARG_BYTEA_PP(0));
	JourneyEvents *right = JourneyEventsDeserialize(fcinfo->flinfo,
													PG_GETARG_BYTEA_PP(1));
	bool		in_order;

	left = JourneyEventsCombine(fcinfo, CurrentMemoryContext, left, right);
	in_order = left->sorted;
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("in_order=%s %s",
											  in_order ? "true" : "false",
											  text_to_cstring(DescribeState(left)))));
}

/* A step of splitmix64: the test hooks' fixed pseudo-random sequence. */
static inline uint64
SplitMix64(uint64 *x)
{
	uint64		z = (*x += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* An order-independent digest of a state's events (a sum of hashes). */
static uint64
EventsDigest(const JourneyEvents *state)
{
	uint64		sum = 0;

	for (int i = 0; i < state->nevents; i++)
	{
		const JourneyEvent *ev = &state->events[i];
		float8		value = JourneyEventValue(state, i);
		uint64		x = (uint64) ev->ts;
		uint64		vbits;

		/* a label stays where it is in the arena: its offset names it */
		memcpy(&vbits, &value, sizeof(vbits));
		x ^= (uint64) ev->flags << 32;
		x ^= (uint64) (uint32) ev->label_off * UINT64CONST(0x9E3779B97F4A7C15);
		x ^= vbits * 31;
		sum += SplitMix64(&x);
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return sum;
}

/*
 * Test hook, not part of the install script: a state of nevents events in
 * a scrambled order (a fixed pseudo-random sequence), with labels drawn
 * from nlabels distinct ones sharing a prefix of two kilobytes (none if 0)
 * and values if asked, sorted by JourneyEventsSort.  Timestamps are drawn
 * from a quarter as many values, or with labels from 16, so that ties are
 * many and broken by label, flags and value.  Says whether the result is in
 * order and holds the same events.  With large counts it times the one
 * event sort and shows that it answers a cancel: the events cost next to
 * nothing to build here, and with labels most comparisons read two
 * kilobytes, so the sort takes seconds in little memory.
 */
PG_FUNCTION_INFO_V1(journey_events_sort_check);

Datum
journey_events_sort_check(PG_FUNCTION_ARGS)
{
	int32		nevents = PG_GETARG_INT32(0);
	int32		nlabels = PG_GETARG_INT32(1);
	bool		with_values = PG_GETARG_BOOL(2);
	JourneyEvents *state;
	int64		label_bytes;
	int32		label_len = 0;
	uint64		seed = UINT64CONST(20261206);
	uint64		digest;
	bool		in_order = true;
	const int	prefix_len = 2048;
	uint64		ts_values;

	if (nevents < 0 || nlabels < 0)
		elog(ERROR, "counts must not be negative");
	state = JourneyEventsCreate(CurrentMemoryContext, NULL, nlabels > 0);
	if (nlabels > 0)
		label_len = prefix_len + 10;
	label_bytes = (int64) nlabels * (label_len + 1);
	EnsureCapacity(state, nevents, label_bytes);
	for (int32 l = 0; l < nlabels; l++)
	{
		char	   *label = state->labels + (int64) l * (label_len + 1);

		memset(label, '-', prefix_len);
		snprintf(label + prefix_len, 11, "%010d", l);
	}
	state->labels_len = label_bytes;
	ts_values = nlabels > 0 ? 16 : (uint64) Max(nevents / 4, 1);
	if (with_values)
		EnsureValues(state);
	for (int32 i = 0; i < nevents; i++)
	{
		JourneyEvent *ev = &state->events[i];
		uint64		r = SplitMix64(&seed);

		ev->ts = (TimestampTz) (r % ts_values);
		ev->flags = (r >> 32) & 3;
		ev->label_off = nlabels > 0 ?
			(int32) (((r >> 34) % (uint64) nlabels) * (label_len + 1)) : -1;
		if (with_values)
			state->values[i] = (float8) ((int) ((r >> 60) & 7) - 3);
	}
	state->nevents = nevents;
	state->sorted = false;
	digest = EventsDigest(state);

	JourneyEventsSort(state);

	for (int32 i = 1; i < nevents && in_order; i++)
		in_order = EventCmp(&state->events[i - 1], JourneyEventValue(state, i - 1),
							&state->events[i], JourneyEventValue(state, i),
							state->labels) <= 0;
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("events=%d in_order=%s same_events=%s",
											  nevents,
											  in_order ? "true" : "false",
											  digest == EventsDigest(state) ? "true" : "false")));
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
	MemoryContext aggcxt = JourneyAggContext(fcinfo, "journey_internal.events_combine");
	JourneyEvents *left = PG_ARGISNULL(0) ? NULL : (JourneyEvents *) PG_GETARG_POINTER(0);
	JourneyEvents *right = PG_ARGISNULL(1) ? NULL : (JourneyEvents *) PG_GETARG_POINTER(1);

	if (left == NULL && right == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(JourneyEventsCombine(fcinfo, aggcxt, left, right));
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
	PG_RETURN_POINTER(JourneyEventsDeserialize(fcinfo->flinfo,
											   PG_GETARG_BYTEA_PP(0)));
}

/*
 * Length of a one-dimensional array of conditions; anything else (a
 * multi-dimensional array, more than JOURNEY_MAX_CONDITIONS or no
 * elements) is an error.
 */
static int
ConditionArrayLength(ArrayType *conds, const char *what)
{
	int			n;

	Assert(ARR_ELEMTYPE(conds) == BOOLOID);
	if (ARR_NDIM(conds) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("The array has %d dimensions.", ARR_NDIM(conds))));
	n = ARR_NDIM(conds) == 0 ? 0 : ARR_DIMS(conds)[0];
	CheckConditionCount(n, what);
	return n;
}

int
JourneyConditionArrayCount(ArrayType *conds, const char *what)
{
	return ConditionArrayLength(conds, what);
}

int
JourneyConditionCount(FunctionCallInfo fcinfo, int first, const char *what)
{
	if (JourneyConditionArgsArray(fcinfo, first))
	{
		Assert(!PG_ARGISNULL(first));
		return ConditionArrayLength(PG_GETARG_ARRAYTYPE_P(first), what);
	}
	CheckConditionCount(PG_NARGS() - first, what);
	return PG_NARGS() - first;
}

uint32
JourneyConditionBits(FunctionCallInfo fcinfo, int first, int expected,
					 const char *what)
{
	uint32		mask = 0;

	if (!JourneyConditionArgsArray(fcinfo, first))
	{
		/* one boolean argument per condition; their number is the call's */
		Assert(PG_NARGS() - first == expected);
		for (int i = 0; i < expected; i++)
			if (!PG_ARGISNULL(first + i) && PG_GETARG_BOOL(first + i))
				mask |= (uint32) 1 << i;
		return mask;
	}

	Assert(!PG_ARGISNULL(first));
	return JourneyConditionArrayBits(PG_GETARG_ARRAYTYPE_P(first), expected, what);
}

/*
 * The bitmask of the conditions of an array that hold, checked to have
 * exactly "expected" conditions (NULL counts as false).
 */
uint32
JourneyConditionArrayBits(ArrayType *conds, int expected, const char *what)
{
	int			n;
	bits8	   *nulls;
	const bool *data;
	uint32		mask = 0;

	if (ARR_NDIM(conds) > 1)
		(void) ConditionArrayLength(conds, what);
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
