/*-------------------------------------------------------------------------
 *
 * funnel.c
 *	  window_funnel and funnel_times: how far a group's events advance
 *	  through an ordered list of steps within a time window, with the
 *	  semantics and modes of ClickHouse's windowFunnel.
 *
 * Every row whose timestamp is not NULL and that meets at least one step
 * (or any row, under strict_order) is kept in the shared event buffer with
 * flags = bitmask of the steps it meets.  The final function sorts the
 * buffer once and reads it as a stream of (timestamp, step) events: the
 * rows of one timestamp are read step by step, lowest step first, so that
 * at equal timestamps step k is always seen before step k + 1, whatever
 * order the rows arrived in (and whichever rows carry them).  A row that
 * meets several steps is one event per step, so (except under
 * strict_once) one row may fill several consecutive steps.
 *
 * The level computation keeps, for each step, the latest-starting chain
 * that reached it (its first and last timestamps): every step-1 event
 * starts a new chain, and a step-k event extends the chain kept for step
 * k - 1 when it lies within the window of that chain's step-1 event
 * (inclusive).  One pass, O(events x steps).
 *
 * strict_once (one row may fill only one step of a chain) keeps every
 * chain that can still differ in which rows of the current timestamp it
 * has used; at each new timestamp those collapse to the latest-starting
 * chain per step, which dominates the others, so the work stays bounded by
 * the rows sharing one timestamp (and is capped, with an error, beyond
 * FUNNEL_MAX_ONCE_CHAINS).
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(journey_window_funnel_steps_sfunc);
PG_FUNCTION_INFO_V1(journey_window_funnel_modes_sfunc);
PG_FUNCTION_INFO_V1(journey_window_funnel_sfunc);
PG_FUNCTION_INFO_V1(journey_window_funnel_final);
PG_FUNCTION_INFO_V1(journey_funnel_times_sfunc);
PG_FUNCTION_INFO_V1(journey_funnel_times_final);

/* marks funnel_times states, so that they never combine with funnel ones */
#define FUNNEL_TIMES				0x100

/* Most chains strict_once may track among the rows of one timestamp. */
#define FUNNEL_MAX_ONCE_CHAINS		100000

static const struct
{
	const char *name;
	uint32		bit;
}			funnel_modes[] =

{
	{"strict_order", JOURNEY_FUNNEL_STRICT_ORDER},
	{"strict_deduplication", JOURNEY_FUNNEL_STRICT_DEDUPLICATION},
	{"strict_increase", JOURNEY_FUNNEL_STRICT_INCREASE},
	{"strict_once", JOURNEY_FUNNEL_STRICT_ONCE},
	{"allow_reentry", JOURNEY_FUNNEL_ALLOW_REENTRY},
};

#define FUNNEL_MODES_HINT \
	"Valid modes are strict_order, strict_deduplication, strict_increase, strict_once and allow_reentry, separated by commas."

/* Parse a comma-separated list of modes into mode bits. */
uint32
JourneyFunnelModes(const char *str)
{
	List	   *items = JourneySplitList(str);
	ListCell   *lc;
	uint32		modes = 0;

	foreach(lc, items)
	{
		const char *item = lfirst(lc);
		int			i;

		/* case-insensitive, like transform and model names */
		for (i = 0; i < lengthof(funnel_modes); i++)
			if (pg_strcasecmp(item, funnel_modes[i].name) == 0)
				break;
		if (i == lengthof(funnel_modes))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown window_funnel mode \"%s\"", item),
					 errhint(FUNNEL_MODES_HINT)));
		modes |= funnel_modes[i].bit;
	}
	if ((modes & JOURNEY_FUNNEL_ALLOW_REENTRY) && !(modes & JOURNEY_FUNNEL_STRICT_ORDER))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel mode allow_reentry requires strict_order"),
				 errhint("Pass 'strict_order, allow_reentry'.")));
	return modes;
}

/*
 * The window and modes of a later row must be those the state was created
 * with: otherwise the answer would depend on which row came first (and a
 * parallel plan would fail where a serial one did not).  Constant
 * arguments need no checking: their parameters say so (args_constant).
 */
static void
CheckSameParams(FunctionCallInfo fcinfo, const JourneyEvents *state,
				const char *fname, bool with_modes)
{
	JourneyParams *params = state->params;

	if (params->args_constant)
		return;

	if (PG_ARGISNULL(2) ||
		JourneyIntervalToUsec(PG_GETARG_INTERVAL_P(2), "conversion_window") !=
		params->interval_usec)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("conversion_window of %s must be the same for every row of a group", fname)));
	if (with_modes &&
		(PG_ARGISNULL(3) ||
		 JourneyFunnelModes(text_to_cstring(PG_GETARG_TEXT_PP(3))) !=
		 (params->modes & ~FUNNEL_TIMES)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("modes of %s must be the same for every row of a group", fname)));
}

/*
 * Transition: arguments (state, ts, window[, modes], steps...), the steps
 * as one VARIADIC array or one boolean argument each.  The window, modes
 * and number of steps are checked when the state is created, and later
 * rows must agree.
 */
static Datum
FunnelTransition(FunctionCallInfo fcinfo, const char *fname, bool with_modes,
				 uint32 extra_modes)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, fname);
	JourneyEvents *state = PG_ARGISNULL(0) ? NULL :
	(JourneyEvents *) PG_GETARG_POINTER(0);
	int			steps_arg = with_modes ? 4 : 3;
	JourneyParams *known;
	uint32		mask;

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	if (JourneyConditionArgsArray(fcinfo, steps_arg) && PG_ARGISNULL(steps_arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("steps of %s must not be a NULL array", fname),
				 errhint("Pass one boolean condition per step.")));

	if (state == NULL &&
		(known = JourneyParamsCallConstant(fcinfo->flinfo)) != NULL)
	{
		/* this call site's window and modes are known: nothing to check */
		state = JourneyEventsEmpty(known);
	}
	else if (state == NULL)
	{
		JourneyParams params = {0};
		JourneyParams *shared;

		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("conversion_window of %s must not be NULL", fname)));
		params.interval_usec = JourneyIntervalToUsec(PG_GETARG_INTERVAL_P(2),
													 "conversion_window");
		params.modes = extra_modes;
		if (with_modes)
		{
			if (PG_ARGISNULL(3))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("modes of %s must not be NULL", fname),
						 errhint("Pass '' for no mode. " FUNNEL_MODES_HINT)));
			params.modes |= JourneyFunnelModes(text_to_cstring(PG_GETARG_TEXT_PP(3)));
		}
		params.nconds = JourneyConditionCount(fcinfo, steps_arg, "steps");
		/* made from the window, and the modes if any */
		shared = JourneyParamsForCall(fcinfo, aggcxt, &params,
									  ((uint32) 1 << 2) | (with_modes ? (uint32) 1 << 3 : 0),
									  steps_arg);
		/* no event yet: the shared empty state, until a row counts */
		state = JourneyEventsEmpty(shared);
	}
	else
		CheckSameParams(fcinfo, state, fname, with_modes);

	mask = JourneyConditionBits(fcinfo, steps_arg, state->params->nconds, "steps");
	/* rows meeting no step matter only to strict_order */
	if (mask != 0 || (state->params->modes & JOURNEY_FUNNEL_STRICT_ORDER))
	{
		state = JourneyEventsOwn(aggcxt, state);
		JourneyEventsAddFlags(state, PG_GETARG_TIMESTAMPTZ(1), mask);
	}
	PG_RETURN_POINTER(state);
}

Datum
journey_window_funnel_steps_sfunc(PG_FUNCTION_ARGS)
{
	return FunnelTransition(fcinfo, "window_funnel", false, 0);
}

Datum
journey_window_funnel_modes_sfunc(PG_FUNCTION_ARGS)
{
	return FunnelTransition(fcinfo, "window_funnel", true, 0);
}

/*
 * The transition function of both window_funnel forms as the first
 * install script declared them, (state, ts, window, steps bool[]) and
 * (state, ts, window, modes, steps bool[]), told apart by the type of their
 * fourth argument.  The current script uses the two functions above; this one
 * keeps a database whose catalog predates them giving the same answers
 * after the library is replaced.
 */
Datum
journey_window_funnel_sfunc(PG_FUNCTION_ARGS)
{
	/* the modes argument is told by its type, whatever the declaration */
	bool		with_modes = PG_NARGS() >= 5 &&
	get_fn_expr_argtype(fcinfo->flinfo, 3) == TEXTOID;

	return FunnelTransition(fcinfo, "window_funnel", with_modes, 0);
}

Datum
journey_funnel_times_sfunc(PG_FUNCTION_ARGS)
{
	return FunnelTransition(fcinfo, "funnel_times", false, FUNNEL_TIMES);
}

/*
 * Whether parameters are a funnel's (without step rules): steps, and modes
 * the mode parser can give (also checked for stored states, src/state.c).
 */
bool
JourneyFunnelParamsValid(const JourneyParams *params)
{
	uint32		known = JOURNEY_FUNNEL_STRICT_ORDER | JOURNEY_FUNNEL_STRICT_DEDUPLICATION |
	JOURNEY_FUNNEL_STRICT_INCREASE | JOURNEY_FUNNEL_STRICT_ONCE | JOURNEY_FUNNEL_ALLOW_REENTRY |
	FUNNEL_TIMES;

	return !(params->nconds < 1 || params->nconds > JOURNEY_MAX_CONDITIONS ||
			 (params->modes & ~known) != 0 ||
			 ((params->modes & JOURNEY_FUNNEL_ALLOW_REENTRY) &&
			  !(params->modes & JOURNEY_FUNNEL_STRICT_ORDER)));
}

/*
 * The state comes from the shared buffer's deserializer when a parallel
 * plan combined it: check the funnel's own parameters before use.
 */
static void
CheckFunnelParams(const JourneyParams *params)
{
	if (!JourneyFunnelParamsValid(params))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid journey aggregate state"),
				 errdetail("The funnel parameters are out of range.")));
}

/* ---------------------------------------------------------------------
 * The level computation.
 * ---------------------------------------------------------------------
 */

/* The chain kept for one step: its step-1 and its latest timestamp. */
typedef struct FunnelChain
{
	bool		set;
	TimestampTz first;
	TimestampTz last;
} FunnelChain;

/* ts lies within window of first (ts >= first; no overflow possible) */
static inline bool
InWindow(TimestampTz first, TimestampTz ts, int64 window)
{
	return ts >= first && (uint64) ts - (uint64) first <= (uint64) window;
}

/* End of the run of events sharing events[i].ts. */
static inline int
RunEnd(const JourneyEvents *state, int i, uint32 *union_flags, bool *has_none)
{
	const JourneyEvent *ev = state->events;
	int			j = i;

	*union_flags = 0;
	*has_none = false;
	while (j < state->nevents && ev[j].ts == ev[i].ts)
	{
		*union_flags |= ev[j].flags;
		*has_none |= (ev[j].flags == 0);
		j++;
	}
	return j;
}

static int
HighestChain(const FunnelChain *chains, int n)
{
	for (int k = n; k > 0; k--)
		if (chains[k - 1].set)
			return k;
	return 0;
}

/* Every mode but strict_once. */
static int
FunnelLevel(const JourneyEvents *state)
{
	const JourneyEvent *ev = state->events;
	int			n = state->params->nconds;
	uint32		modes = state->params->modes;
	int64		window = state->params->interval_usec;
	FunnelChain chains[JOURNEY_MAX_CONDITIONS];
	bool		started = false;
	int			i = 0;

	memset(chains, 0, sizeof(FunnelChain) * n);
	while (i < state->nevents)
	{
		uint32		union_flags;
		bool		has_none;
		int			end = RunEnd(state, i, &union_flags, &has_none);
		TimestampTz ts = ev[i].ts;

		CHECK_FOR_INTERRUPTS();
		/* a row meeting no step (kept only under strict_order) comes first */
		if (has_none && started)
			break;
		for (int k = 0; k < n; k++)
		{
			uint32		bit = (uint32) 1 << k;

			if (!(union_flags & bit))
				continue;
			for (int r = i; r < end; r++)
			{
				CHECK_FOR_INTERRUPTS();
				if (!(ev[r].flags & bit))
					continue;
				if (k == 0)
				{
					chains[0].set = true;
					chains[0].first = chains[0].last = ts;
					started = true;
				}
				else if ((modes & JOURNEY_FUNNEL_STRICT_DEDUPLICATION) && chains[k].set)
					return HighestChain(chains, n);
				else if ((modes & JOURNEY_FUNNEL_STRICT_ORDER) && started &&
						 !chains[k - 1].set)
				{
					if (modes & JOURNEY_FUNNEL_ALLOW_REENTRY)
						continue;
					for (int l = 0; l < n; l++)
						if (!chains[l].set)
							return l;
				}
				else if (chains[k - 1].set &&
						 InWindow(chains[k - 1].first, ts, window) &&
						 (!(modes & JOURNEY_FUNNEL_STRICT_INCREASE) ||
						  chains[k - 1].last < ts))
				{
					chains[k].set = true;
					chains[k].first = chains[k - 1].first;
					chains[k].last = ts;
					if (k + 1 == n)
						return n;
				}
			}
		}
		i = end;
	}
	return HighestChain(chains, n);
}

/* strict_once: a chain and the rows of the current timestamp it used. */
typedef struct OnceChain
{
	TimestampTz first;
	TimestampTz last;
	int32		nused;
	int32		used[JOURNEY_MAX_CONDITIONS];
} OnceChain;

typedef struct OnceLevel
{
	int			count;
	int			cap;
	OnceChain  *chains;
} OnceLevel;

static int
HighestOnce(const OnceLevel *levels, int n)
{
	for (int k = n; k > 0; k--)
		if (levels[k - 1].count > 0)
			return k;
	return 0;
}

static OnceChain *
OnceAppend(OnceLevel *level, int *total)
{
	if (++(*total) > FUNNEL_MAX_ONCE_CHAINS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("window_funnel strict_once found too many partial chains among the events of one timestamp"),
				 errdetail("At most %d chains are tracked among events sharing one timestamp.",
						   FUNNEL_MAX_ONCE_CHAINS),
				 errhint("Make the steps' conditions more selective, or drop strict_once.")));
	if (level->count == level->cap)
	{
		level->cap = level->cap == 0 ? 4 : level->cap * 2;
		level->chains = level->chains == NULL ?
			palloc(sizeof(OnceChain) * level->cap) :
			repalloc(level->chains, sizeof(OnceChain) * level->cap);
	}
	return &level->chains[level->count++];
}

static int
FunnelLevelOnce(const JourneyEvents *state)
{
	const JourneyEvent *ev = state->events;
	int			n = state->params->nconds;
	uint32		modes = state->params->modes;
	int64		window = state->params->interval_usec;
	OnceLevel	levels[JOURNEY_MAX_CONDITIONS];
	bool		started = false;
	int			i = 0;

	memset(levels, 0, sizeof(levels));
	while (i < state->nevents)
	{
		uint32		union_flags;
		bool		has_none;
		int			end = RunEnd(state, i, &union_flags, &has_none);
		TimestampTz ts = ev[i].ts;
		int			total = 0;

		CHECK_FOR_INTERRUPTS();

		/*
		 * Chains from earlier timestamps used none of this timestamp's rows:
		 * per step, the latest-starting one dominates the others.
		 */
		for (int k = 0; k < n; k++)
		{
			OnceLevel  *level = &levels[k];
			int			best = 0;

			if (level->count == 0)
				continue;
			for (int c = 1; c < level->count; c++)
				if (level->chains[c].first > level->chains[best].first)
					best = c;
			level->chains[0] = level->chains[best];
			level->chains[0].nused = 0;
			level->count = 1;
			total++;
		}
		if (has_none && started)
			break;
		for (int k = 0; k < n; k++)
		{
			uint32		bit = (uint32) 1 << k;

			if (!(union_flags & bit))
				continue;
			for (int r = i; r < end; r++)
			{
				CHECK_FOR_INTERRUPTS();
				if (!(ev[r].flags & bit))
					continue;
				if (k == 0)
				{
					OnceChain  *c = OnceAppend(&levels[0], &total);

					c->first = c->last = ts;
					c->nused = 1;
					c->used[0] = r;
					started = true;
				}
				else if ((modes & JOURNEY_FUNNEL_STRICT_DEDUPLICATION) &&
						 levels[k].count > 0)
					return HighestOnce(levels, n);
				else if ((modes & JOURNEY_FUNNEL_STRICT_ORDER) && started &&
						 levels[k - 1].count == 0)
				{
					if (modes & JOURNEY_FUNNEL_ALLOW_REENTRY)
						continue;
					for (int l = 0; l < n; l++)
						if (levels[l].count == 0)
							return l;
				}
				else
				{
					OnceLevel  *prev = &levels[k - 1];
					int			nprev = prev->count;

					for (int c = 0; c < nprev; c++)
					{
						OnceChain  *p = &prev->chains[c];
						OnceChain  *q;
						bool		ok;

						ok = InWindow(p->first, ts, window) &&
							(!(modes & JOURNEY_FUNNEL_STRICT_INCREASE) || p->last < ts);
						for (int u = 0; ok && u < p->nused; u++)
							ok = (p->used[u] != r);
						if (!ok)
							continue;
						q = OnceAppend(&levels[k], &total);
						/* levels[k] may have moved; prev is another level */
						p = &prev->chains[c];
						*q = *p;
						q->last = ts;
						q->used[q->nused++] = r;
						if (k + 1 == n)
							return n;
					}
				}
			}
		}
		i = end;
	}
	return HighestOnce(levels, n);
}

/*
 * The furthest level the events of a group reached (window_funnel's
 * answer), under the modes of its parameters.
 */
int
JourneyFunnelLevel(JourneyEvents *state)
{
	CheckFunnelParams(state->params);
	if (state->nevents == 0)
		return 0;
	JourneyEventsSort(state);
	if (state->params->modes & JOURNEY_FUNNEL_STRICT_ONCE)
		return FunnelLevelOnce(state);
	return FunnelLevel(state);
}

Datum
journey_window_funnel_final(PG_FUNCTION_ARGS)
{
	JourneyEvents *state;

	(void) JourneyAggContext(fcinfo, "window_funnel");
	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	state = (JourneyEvents *) PG_GETARG_POINTER(0);
	PG_RETURN_INT32(JourneyFunnelLevel(state));
}

/*
 * funnel_times: the timestamps of the earliest-starting chain that reaches
 * the furthest level L.
 *
 * A backward pass computes, for every step-1 event, the earliest time at
 * which a chain starting there can complete step L: taking, after each
 * step, the next event that meets the following step is optimal (that
 * completion time only grows as the starting point moves later), so
 * done[k] holds, for the nearest step-(k+1) event ahead, the completion
 * time of its greedy chain.  The last step-1 event seen whose completion
 * lies within the window is the earliest chain start; a forward pass then
 * walks its greedy chain.  O(events x steps).
 *
 * Returns L and sets times[0 .. L - 1] (the caller's array holds
 * JOURNEY_MAX_CONDITIONS).
 */
int
JourneyFunnelTimes(JourneyEvents *state, TimestampTz *times)
{
	const JourneyEvent *ev;
	int			level;
	TimestampTz done[JOURNEY_MAX_CONDITIONS];
	bool		done_set[JOURNEY_MAX_CONDITIONS];
	int			start = -1;
	int			i;

	level = JourneyFunnelLevel(state);
	if (level == 0)
		return 0;
	ev = state->events;

	memset(done_set, 0, sizeof(done_set));
	i = state->nevents;
	while (i > 0)
	{
		int			begin = i - 1;

		CHECK_FOR_INTERRUPTS();
		while (begin > 0 && ev[begin - 1].ts == ev[i - 1].ts)
			begin--;
		/* within a timestamp, the higher step comes later: go down */
		for (int k = level - 1; k >= 0; k--)
		{
			uint32		bit = (uint32) 1 << k;

			for (int r = i - 1; r >= begin; r--)
			{
				CHECK_FOR_INTERRUPTS();
				if (!(ev[r].flags & bit))
					continue;
				if (k == level - 1)
				{
					done[k] = ev[r].ts;
					done_set[k] = true;
				}
				else if (done_set[k + 1])
				{
					done[k] = done[k + 1];
					done_set[k] = true;
				}
				if (k == 0 && done_set[0] &&
					InWindow(ev[r].ts, done[0], state->params->interval_usec))
					start = r;
			}
		}
		i = begin;
	}
	if (start < 0)
		elog(ERROR, "funnel_times found no chain of level %d", level);

	times[0] = ev[start].ts;
	{
		int			run = start;	/* first row of the current timestamp */

		while (run > 0 && ev[run - 1].ts == ev[start].ts)
			run--;
		for (int k = 1; k < level; k++)
		{
			uint32		bit = (uint32) 1 << k;
			int			r = run;

			while (r < state->nevents && !(ev[r].flags & bit))
				r++;
			if (r == state->nevents)
				elog(ERROR, "funnel_times lost its chain at step %d", k + 1);
			times[k] = ev[r].ts;
			if (ev[r].ts != ev[run].ts)
			{
				run = r;
				while (run > 0 && ev[run - 1].ts == ev[r].ts)
					run--;
			}
		}
	}
	return level;
}

Datum
journey_funnel_times_final(PG_FUNCTION_ARGS)
{
	(void) JourneyAggContext(fcinfo, "funnel_times");
	PG_RETURN_ARRAYTYPE_P(JourneyFunnelTimesArray(PG_ARGISNULL(0) ? NULL :
												  (JourneyEvents *) PG_GETARG_POINTER(0)));
}

/* funnel_times' answer for a state (NULL: no rows): the chain's times. */
ArrayType  *
JourneyFunnelTimesArray(JourneyEvents *state)
{
	TimestampTz times[JOURNEY_MAX_CONDITIONS];
	Datum		datums[JOURNEY_MAX_CONDITIONS];
	int			level;

	if (state == NULL)
		return construct_empty_array(TIMESTAMPTZOID);
	level = JourneyFunnelTimes(state, times);
	if (level == 0)
		return construct_empty_array(TIMESTAMPTZOID);
	for (int k = 0; k < level; k++)
		datums[k] = TimestampTzGetDatum(times[k]);
	return construct_array(datums, level, TIMESTAMPTZOID,
						   sizeof(TimestampTz), FLOAT8PASSBYVAL,
						   TYPALIGN_DOUBLE);
}
