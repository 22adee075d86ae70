/*-------------------------------------------------------------------------
 *
 * funnel_rules.c
 *	  window_funnel and funnel_times with step rules: exclusion steps,
 *	  per-step windows (maximum and minimum gap from the previous step) and
 *	  one object held through the funnel (a key every step must share).
 *
 * The rules forms take (ts, conversion_window, rules text, steps bool[],
 * exclusions bool[] [, object_key text]).  rules is a comma-separated list
 * of the window_funnel modes and of
 *
 *	  exclude(i, j)		exclusion condition number e (the e-th exclude in
 *						the list) must not happen strictly between the
 *						chain's step-i and step-j events
 *	  max_gap(k, iv)	step k at most iv after step k - 1 (inclusive)
 *	  min_gap(k, iv)	step k at least iv after step k - 1
 *	  drop_excluded		PostHog's exclusions: the customer leaves the
 *						funnel (level -1) instead of the chain not counting
 *
 * A chain is a list of events e1 .. em meeting steps 1 .. m, read in the
 * funnel's event order (doc/funnels.md), with every step within the whole
 * window of e1 and within its step's gaps from the one before; under a key,
 * every event of the chain carries the same non-NULL key (the funnel is
 * computed per key and the best key wins).  An exclusion (i, j) voids a
 * chain that holds both steps when an exclusion event lies strictly
 * between them in time; a chain that stops before step j keeps its level.
 * The strict modes stop the reading where window_funnel stops it, looking
 * at every chain.
 *
 * The level: one pass over the events, as in funnel.c, but keeping for each
 * level every chain that no other chain of that level dominates (another
 * chain dominates when every event that can extend this one, now or
 * later, can extend it too: it started no earlier, is blocked by no more
 * exclusions, and its last step is as good for the next step's gaps).
 * The chain reported (funnel_times, and the chain whose exclusions
 * drop_excluded looks at) is the lexicographically smallest list of times
 * among the chains that reach the level (the earliest-starting one, then
 * the earliest at each step), found step by step: each event tried is
 * kept when a pass seeded with the chain so far still reaches the level.
 *
 * Work is bounded: past FUNNEL_RULES_MAX_CHAINS chains kept at once or
 * FUNNEL_RULES_MAX_WORK chain steps in one group, an error says so; every
 * loop checks for interrupts.
 *
 * The exclusion conditions of a row travel in the event buffer as the
 * event's value (a bitmask, exact in a double), the key as its label.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(journey_window_funnel_rules_sfunc);
PG_FUNCTION_INFO_V1(journey_funnel_times_rules_sfunc);
PG_FUNCTION_INFO_V1(journey_window_funnel_rules_final);
PG_FUNCTION_INFO_V1(journey_funnel_times_rules_final);

/* mode bits of the rules forms, beside window_funnel's own */
#define FUNNEL_RULES_TIMES			0x100	/* funnel_times (as in funnel.c) */
#define FUNNEL_RULES				0x200	/* a rules form */
#define FUNNEL_RULES_KEYED			0x400	/* with object_key */
#define FUNNEL_RULES_DROP			0x800	/* drop_excluded */

#define FUNNEL_RULES_MAX_EXCLUSIONS	32
#define FUNNEL_RULES_MAX_CHAINS		100000
#define FUNNEL_RULES_MAX_WORK		INT64CONST(50000000)

#define FUNNEL_RULES_HINT \
	"Rules are window_funnel modes, exclude(i, j), max_gap(k, interval), min_gap(k, interval) and drop_excluded, separated by commas, e.g. 'exclude(1, 3), max_gap(2, 1 hour)'."

/* The rules of a funnel of n steps, parsed once per parameters. */
typedef struct FunnelRules
{
	int			nsteps;
	int			nexcl;
	uint32		modes;			/* window_funnel's mode bits */
	bool		drop;
	int			excl_from[FUNNEL_RULES_MAX_EXCLUSIONS]; /* 1-based steps */
	int			excl_to[FUNNEL_RULES_MAX_EXCLUSIONS];
	/* gaps by 0-based step (the gap before it); -1: none */
	int64		max_gap[JOURNEY_MAX_CONDITIONS];
	int64		min_gap[JOURNEY_MAX_CONDITIONS];
} FunnelRules;

static int
RuleStep(const JourneySpec *spec, int i, int nsteps, const char *item)
{
	int			k = JourneySpecInt(spec, i, "funnel rule");

	if (k < 1 || k > nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("step %d of funnel rule \"%s\" is out of range", k, item),
				 errdetail("The funnel has %d steps, numbered from 1.", nsteps)));
	return k;
}

static int64
RuleInterval(const JourneySpec *spec, int i, const char *item)
{
	Interval   *iv;

	iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
											   CStringGetDatum(spec->values[i]),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
	return JourneyIntervalToUsec(iv, spec->name);
}

/*
 * Parse a rules list for a funnel of nsteps steps: modes and rules, with
 * every argument checked.
 */
static void
ParseRules(const char *str, int nsteps, FunnelRules *rules)
{
	List	   *items = JourneySplitList(str);
	ListCell   *lc;
	StringInfoData modes;

	memset(rules, 0, sizeof(*rules));
	rules->nsteps = nsteps;
	for (int k = 0; k < JOURNEY_MAX_CONDITIONS; k++)
		rules->max_gap[k] = rules->min_gap[k] = -1;
	initStringInfo(&modes);
	foreach(lc, items)
	{
		const char *item = lfirst(lc);
		JourneySpec spec;

		JourneyParseSpec(item, &spec, "funnel rule", FUNNEL_RULES_HINT);
		if (pg_strcasecmp(spec.name, "exclude") == 0)
		{
			int			from,
						to;

			if (spec.nargs != 2 || spec.keys[0] || spec.keys[1])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("funnel rule \"%s\" takes two step numbers", item),
						 errhint("Write exclude(i, j) with 1 <= i < j <= the number of steps.")));
			from = RuleStep(&spec, 0, nsteps, item);
			to = RuleStep(&spec, 1, nsteps, item);
			if (from >= to)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("funnel rule \"%s\" must name an earlier step before a later one", item),
						 errdetail("An exclusion lies between step i and step j with i < j.")));
			if (rules->nexcl == FUNNEL_RULES_MAX_EXCLUSIONS)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many exclusions in funnel rules"),
						 errdetail("A funnel has at most %d exclusions.",
								   FUNNEL_RULES_MAX_EXCLUSIONS)));
			rules->excl_from[rules->nexcl] = from;
			rules->excl_to[rules->nexcl] = to;
			rules->nexcl++;
		}
		else if (pg_strcasecmp(spec.name, "max_gap") == 0 ||
				 pg_strcasecmp(spec.name, "min_gap") == 0)
		{
			bool		is_max = pg_strcasecmp(spec.name, "max_gap") == 0;
			int64	   *gaps = is_max ? rules->max_gap : rules->min_gap;
			int			k;

			if (spec.nargs != 2 || spec.keys[0] || spec.keys[1])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("funnel rule \"%s\" takes a step number and an interval", item),
						 errhint("Write %s(k, interval) with 2 <= k <= the number of steps, e.g. %s(2, 1 hour).",
								 spec.name, spec.name)));
			k = RuleStep(&spec, 0, nsteps, item);
			if (k == 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("funnel rule \"%s\" needs a step after the first", item),
						 errdetail("A gap is measured from the previous step; step 1 has none.")));
			if (gaps[k - 1] >= 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("funnel rule %s is given twice for step %d", spec.name, k)));
			gaps[k - 1] = RuleInterval(&spec, 1, item);
		}
		else if (spec.nargs == 0 && pg_strcasecmp(spec.name, "drop_excluded") == 0)
			rules->drop = true;
		else if (spec.nargs == 0 && strcmp(item, spec.name) == 0 &&
				 (pg_strcasecmp(item, "strict_order") == 0 ||
				  pg_strcasecmp(item, "strict_deduplication") == 0 ||
				  pg_strcasecmp(item, "strict_increase") == 0 ||
				  pg_strcasecmp(item, "strict_once") == 0 ||
				  pg_strcasecmp(item, "allow_reentry") == 0))
		{
			/* a window_funnel mode: its parser checks and reports it */
			if (modes.len > 0)
				appendStringInfoChar(&modes, ',');
			appendStringInfoString(&modes, spec.name);
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown funnel rule \"%s\"", item),
					 errhint(FUNNEL_RULES_HINT)));
	}
	rules->modes = JourneyFunnelModes(modes.data);
	for (int k = 1; k < nsteps; k++)
		if (rules->min_gap[k] >= 0 && rules->max_gap[k] >= 0 &&
			rules->min_gap[k] > rules->max_gap[k])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("min_gap of step %d is above its max_gap", k + 1),
					 errdetail("No event could be both at least the minimum and at most the maximum after the step before.")));
}

/* The parsed rules of a state's parameters, kept with them. */
static FunnelRules *
StateRules(JourneyParams *params)
{
	if (params->derived == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(params));
		FunnelRules *rules = palloc(sizeof(FunnelRules));
		char	   *str = pnstrdup(params->text ? params->text : "", params->text_len);

		ParseRules(str, params->nconds, rules);
		params->derived = rules;
		MemoryContextSwitchTo(old);
	}
	return params->derived;
}

/* ---------------------------------------------------------------------
 * The transition function.
 * ---------------------------------------------------------------------
 */

/* The exclusion conditions of a row (argument 5): a bitmask. */
static uint32
ExclusionBits(FunctionCallInfo fcinfo, int nexcl, const char *fname)
{
	ArrayType  *arr;
	int			n;

	if (PG_ARGISNULL(5))
		return 0;
	arr = PG_GETARG_ARRAYTYPE_P(5);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("exclusions must be a one-dimensional array"),
				 errdetail("The array has %d dimensions.", ARR_NDIM(arr))));
	n = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	if (n != nexcl)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has %d exclusion rules but this row has %d exclusion conditions",
						fname, nexcl, n),
				 errhint("Pass a one-dimensional array of one boolean per exclude(i, j) rule, in the order of the rules, or NULL for none.")));
	return n == 0 ? 0 : JourneyConditionArrayBits(arr, n, "exclusions");
}

/*
 * Arguments (state, ts, window, rules, steps bool[], exclusions bool[]
 * [, key text]).
 */
static Datum
RulesTransition(FunctionCallInfo fcinfo, const char *fname, uint32 extra_modes)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, fname);
	JourneyEvents *state = PG_ARGISNULL(0) ? NULL :
	(JourneyEvents *) PG_GETARG_POINTER(0);
	bool		keyed = PG_NARGS() >= 7;
	JourneyParams params = {0};
	JourneyParams *shared;
	FunnelRules *rules;
	uint32		steps;
	uint32		excl;
	text	   *key = NULL;

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("steps of %s must not be a NULL array", fname),
				 errhint("Pass one boolean condition per step.")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("conversion_window of %s must not be NULL", fname)));
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("rules of %s must not be NULL", fname),
				 errhint("Pass '' for no rule. " FUNNEL_RULES_HINT)));

	/* every row's window, rules and step count make the parameters */
	params.interval_usec = JourneyIntervalToUsec(PG_GETARG_INTERVAL_P(2),
												 "conversion_window");
	params.nconds = JourneyConditionArrayCount(PG_GETARG_ARRAYTYPE_P(4), "steps");
	{
		text	   *t = PG_GETARG_TEXT_PP(3);

		params.text = VARDATA_ANY(t);
		params.text_len = VARSIZE_ANY_EXHDR(t);
	}
	params.modes = extra_modes | FUNNEL_RULES | (keyed ? FUNNEL_RULES_KEYED : 0);
	if (state == NULL)
	{
		shared = JourneyParamsIntern(fcinfo->flinfo, aggcxt, &params);
		state = JourneyEventsEmpty(shared);
	}
	else if (!JourneyParamsEqual(state->params, &params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("conversion_window, rules and number of steps of %s must be the same for every row of a group",
						fname)));
	rules = StateRules(state->params);

	steps = JourneyConditionArrayBits(PG_GETARG_ARRAYTYPE_P(4), state->params->nconds, "steps");
	excl = ExclusionBits(fcinfo, rules->nexcl, fname);
	if (keyed)
	{
		if (PG_ARGISNULL(6))
			steps = 0;			/* a step without key is in no chain */
		else
			key = PG_GETARG_TEXT_PP(6);
		/* a keyless row meeting no step interrupts no key's strict_order */
		if (key == NULL && excl == 0)
			PG_RETURN_POINTER(state);
	}
	if (steps != 0 || excl != 0 || (rules->modes & JOURNEY_FUNNEL_STRICT_ORDER))
	{
		state = JourneyEventsOwn(aggcxt, state);
		if (key != NULL)
			JourneyEventsAdd(state, PG_GETARG_TIMESTAMPTZ(1),
							 VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
							 steps, (float8) excl);
		else if (excl != 0)
			JourneyEventsAdd(state, PG_GETARG_TIMESTAMPTZ(1), NULL, 0,
							 steps, (float8) excl);
		else
			JourneyEventsAddFlags(state, PG_GETARG_TIMESTAMPTZ(1), steps);
	}
	PG_RETURN_POINTER(state);
}

Datum
journey_window_funnel_rules_sfunc(PG_FUNCTION_ARGS)
{
	return RulesTransition(fcinfo, "window_funnel", 0);
}

Datum
journey_funnel_times_rules_sfunc(PG_FUNCTION_ARGS)
{
	return RulesTransition(fcinfo, "funnel_times", FUNNEL_RULES_TIMES);
}

/* ---------------------------------------------------------------------
 * The search.
 * ---------------------------------------------------------------------
 */

/* One event of the funnel of one key, in reading order. */
typedef struct RItem
{
	TimestampTz ts;
	uint32		steps;			/* steps it meets (for this key) */
	uint32		excl;			/* exclusion conditions it meets */
	bool		none;			/* a row of this key meeting no step */
} RItem;

/* A chain: its level (steps done), how far exclusions let it go, times. */
typedef struct RChain
{
	int32		level;
	int32		cap;
	int32		nused;			/* strict_once: items of this instant used */
	bool		fresh;			/* new or changed since the last pruning */
	int32		used[JOURNEY_MAX_CONDITIONS];
	TimestampTz t[JOURNEY_MAX_CONDITIONS];
} RChain;

typedef struct RLevel
{
	int			count;
	int			cap;
	bool		dirty;			/* holds new or changed chains */
	RChain	   *chains;
} RLevel;

/* A place in the reading order: run (first item of the instant), step, item. */
typedef struct RPos
{
	int			run;
	int			step;
	int			item;
} RPos;

typedef struct RSearch
{
	const FunnelRules *rules;
	int64		window;
	int			n;
	const RItem *items;
	int			nitems;
	bool		use_excl;		/* exclusions void chains (not drop_excluded) */
	/* exclusion instants of each exclusion, ascending */
	TimestampTz *excl_ts[FUNNEL_RULES_MAX_EXCLUSIONS];
	int			excl_n[FUNNEL_RULES_MAX_EXCLUSIONS];
	RPos		stop;			/* the strict modes' stop (or past the end) */
	int64		work;
	int			nchains;		/* chains kept now */
	RLevel		levels[JOURNEY_MAX_CONDITIONS + 1];
} RSearch;

static void
WorkLimit(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("window_funnel rules need too much work for one group"),
			 errdetail("At most %d chains at once and " INT64_FORMAT " chain steps per group are allowed.",
					   FUNNEL_RULES_MAX_CHAINS, FUNNEL_RULES_MAX_WORK),
			 errhint("Make the steps' conditions more selective, or group by a finer key.")));
}

static inline void
Work(RSearch *s, int64 n)
{
	s->work += n;
	if (s->work > FUNNEL_RULES_MAX_WORK)
		WorkLimit();
}

static inline bool
PosBefore(const RPos *a, const RPos *b)
{
	if (a->run != b->run)
		return a->run < b->run;
	if (a->step != b->step)
		return a->step < b->step;
	return a->item < b->item;
}

/* ts lies within span of from (ts >= from; no overflow possible) */
static inline bool
Within(TimestampTz from, TimestampTz ts, int64 span)
{
	return ts >= from && (uint64) ts - (uint64) from <= (uint64) span;
}

/* Whether an exclusion event of exclusion e lies strictly between a and b. */
static bool
ExclusionBetween(const RSearch *s, int e, TimestampTz a, TimestampTz b,
				 bool inclusive_end)
{
	const TimestampTz *x = s->excl_ts[e];
	int			lo = 0,
				hi = s->excl_n[e];

	/* first instant after a */
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (x[mid] <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->excl_n[e] && (x[lo] < b || (inclusive_end && x[lo] == b));
}

/*
 * Whether an event of step k (0-based) at ts (item r) may extend chain c
 * under the window, gaps, strict_increase and strict_once; exclusions are
 * the caller's.
 */
static inline bool
CanExtend(const RSearch *s, const RChain *c, int k, TimestampTz ts, int r)
{
	const FunnelRules *rules = s->rules;
	TimestampTz last = c->t[k - 1];

	if (c->level != k || c->cap <= k)
		return false;
	if (!Within(c->t[0], ts, s->window) || ts < last)
		return false;
	if (rules->max_gap[k] >= 0 && !Within(last, ts, rules->max_gap[k]))
		return false;
	if (rules->min_gap[k] >= 0 && (uint64) ts - (uint64) last < (uint64) rules->min_gap[k])
		return false;
	if ((rules->modes & JOURNEY_FUNNEL_STRICT_INCREASE) && !(last < ts))
		return false;
	if (rules->modes & JOURNEY_FUNNEL_STRICT_ONCE)
		for (int u = 0; u < c->nused; u++)
			if (c->used[u] == r)
				return false;
	return true;
}

static RChain *
AppendChain(RSearch *s, int level)
{
	RLevel	   *l = &s->levels[level];

	if (++s->nchains > FUNNEL_RULES_MAX_CHAINS)
		WorkLimit();
	if (l->count == l->cap)
	{
		l->cap = l->cap == 0 ? 4 : l->cap * 2;
		l->chains = l->chains == NULL ?
			palloc(sizeof(RChain) * l->cap) :
			repalloc(l->chains, sizeof(RChain) * l->cap);
	}
	l->dirty = true;
	return &l->chains[l->count++];
}

/* Whether chain a dominates chain b of the same level m (see the header). */
static bool
Dominates(const RSearch *s, const RChain *a, const RChain *b)
{
	const FunnelRules *rules = s->rules;
	int			m = a->level;

	if (a->cap < b->cap || a->t[0] < b->t[0])
		return false;
	if (m < s->n)
	{
		TimestampTz la = a->t[m - 1],
					lb = b->t[m - 1];

		if (rules->max_gap[m] >= 0 && la < lb)
			return false;
		if ((rules->min_gap[m] >= 0 || (rules->modes & JOURNEY_FUNNEL_STRICT_INCREASE)) &&
			la > lb)
			return false;
		/* without max_gap an earlier last step is no worse: ts >= last holds */
	}
	if (s->use_excl)
		for (int e = 0; e < rules->nexcl; e++)
		{
			int			from = rules->excl_from[e],
						to = rules->excl_to[e];

			if (from <= m && m < to && to <= b->cap &&
				a->t[from - 1] < b->t[from - 1])
				return false;
		}
	return true;
}

/*
 * Drop, per level, chains that cannot go further and chains another one
 * dominates (among chains that used no item of the instant being read).
 * Chains kept by the last pruning and unchanged since dominate none of
 * each other: only the new or changed ones are compared, with every
 * other, so a level nothing happened to costs nothing.
 */
static void
Prune(RSearch *s)
{
	for (int m = 1; m <= s->n; m++)
	{
		RLevel	   *l = &s->levels[m];
		RChain	   *fresh;
		int			nfresh = 0;

		if (!l->dirty)
			continue;
		l->dirty = false;
		Work(s, l->count);
		/* out: chains that cannot go further; aside: new or changed ones */
		for (int c = 0; c < l->count; c++)
			nfresh += (l->chains[c].fresh || l->chains[c].nused > 0 ||
					   l->chains[c].cap <= m);
		fresh = palloc(sizeof(RChain) * Max(nfresh, 1));
		nfresh = 0;
		for (int c = 0; c < l->count; c++)
		{
			RChain	   *ch = &l->chains[c];

			if (ch->cap > m && !ch->fresh && ch->nused == 0)
				continue;
			if (ch->cap > m)
				fresh[nfresh++] = *ch;
			else
				s->nchains--;
			l->chains[c--] = l->chains[--l->count];
		}
		for (int c = 0; c < nfresh; c++)
		{
			RChain	   *ch = &fresh[c];
			bool		drop = false;

			CHECK_FOR_INTERRUPTS();
			Work(s, l->count + 1);
			if (ch->nused == 0)
			{
				for (int d = 0; d < l->count && !drop; d++)
					if (l->chains[d].nused == 0 && Dominates(s, &l->chains[d], ch))
						drop = true;
				if (drop)
				{
					s->nchains--;
					continue;
				}
				for (int d = 0; d < l->count; d++)
					if (l->chains[d].nused == 0 && Dominates(s, ch, &l->chains[d]))
					{
						l->chains[d--] = l->chains[--l->count];
						s->nchains--;
					}
				ch->fresh = false;
			}
			else
				l->dirty = true;	/* compared once it used no item */
			l->chains[l->count++] = *ch;
		}
		pfree(fresh);
	}
}

static void
ClearLevels(RSearch *s)
{
	for (int m = 0; m <= s->n; m++)
	{
		s->levels[m].count = 0;
		s->levels[m].dirty = false;
	}
	s->nchains = 0;
}

/* End of the run of items sharing items[i].ts. */
static inline int
ItemRunEnd(const RSearch *s, int i)
{
	int			j = i;

	while (j < s->nitems && s->items[j].ts == s->items[i].ts)
		j++;
	return j;
}

/* Exclusion events of the run [i, end) block the chains that they fall in. */
static void
ApplyExclusions(RSearch *s, int i, int end)
{
	const FunnelRules *rules = s->rules;
	uint32		excl = 0;
	TimestampTz x = s->items[i].ts;

	if (!s->use_excl || rules->nexcl == 0)
		return;
	for (int r = i; r < end; r++)
		excl |= s->items[r].excl;
	if (excl == 0)
		return;
	for (int e = 0; e < rules->nexcl; e++)
	{
		int			from = rules->excl_from[e],
					to = rules->excl_to[e];

		if (!(excl & ((uint32) 1 << e)))
			continue;
		for (int m = from; m < to; m++)
		{
			RLevel	   *l = &s->levels[m];

			for (int c = 0; c < l->count; c++)
			{
				RChain	   *ch = &l->chains[c];

				CHECK_FOR_INTERRUPTS();
				Work(s, 1);
				if (ch->t[from - 1] < x && ch->cap > to - 1)
				{
					ch->cap = to - 1;
					ch->fresh = true;
					l->dirty = true;
				}
			}
		}
	}
}

/*
 * One pass of the reading from position from (from.step: the first step
 * read at run from.run).  starts: step-1 events start chains, and the
 * strict modes apply (the first pass; it records where they stop in
 * s->stop).  Returns the highest level reached, returning as soon as it is
 * target.
 */
static int
Pass(RSearch *s, RPos from, bool starts, int target)
{
	const FunnelRules *rules = s->rules;
	uint32		modes = rules->modes;
	int			n = s->n;
	int			reached = 0;
	bool		started = false;
	int			i = from.run;

	for (int m = 1; m <= n; m++)
		if (s->levels[m].count > 0)
			reached = m;
	if (reached >= target)
		return reached;
	while (i < s->nitems)
	{
		int			end = ItemRunEnd(s, i);
		TimestampTz ts = s->items[i].ts;
		int			first_step = (i == from.run) ? from.step : 0;
		bool		has_none = false;

		CHECK_FOR_INTERRUPTS();
		if (i > from.run)
		{
			/* a new instant: no chain has used any of its items */
			for (int m = 1; m <= n; m++)
				for (int c = 0; c < s->levels[m].count; c++)
					s->levels[m].chains[c].nused = 0;
			Prune(s);
		}
		for (int r = i; r < end; r++)
			has_none |= s->items[r].none;
		if (starts && has_none && started &&
			(modes & JOURNEY_FUNNEL_STRICT_ORDER))
		{
			s->stop.run = i;
			s->stop.step = -1;
			s->stop.item = i;
			return reached;
		}
		for (int k = first_step; k < n; k++)
		{
			uint32		bit = (uint32) 1 << k;

			for (int r = i; r < end; r++)
			{
				RPos		here = {i, k, r};

				if (!(s->items[r].steps & bit))
					continue;
				if (!starts && !PosBefore(&here, &s->stop))
					return reached;
				CHECK_FOR_INTERRUPTS();
				if (k == 0)
				{
					RChain	   *c;

					if (!starts)
						continue;
					c = AppendChain(s, 1);
					memset(c, 0, offsetof(RChain, t));
					c->level = 1;
					c->cap = n;
					c->nused = 1;
					c->fresh = true;
					c->used[0] = r;
					c->t[0] = ts;
					started = true;
					reached = Max(reached, 1);
				}
				else if (starts && (modes & JOURNEY_FUNNEL_STRICT_DEDUPLICATION) &&
						 reached >= k + 1)
				{
					s->stop = here;
					return reached;
				}
				else if (starts && (modes & JOURNEY_FUNNEL_STRICT_ORDER) &&
						 started && reached < k)
				{
					if (modes & JOURNEY_FUNNEL_ALLOW_REENTRY)
						continue;
					s->stop = here;
					return reached;
				}
				else
				{
					RLevel	   *prev = &s->levels[k];
					int			nprev = prev->count;

					for (int c = 0; c < nprev; c++)
					{
						RChain	   *q;

						Work(s, 1);
						if (!CanExtend(s, &prev->chains[c], k, ts, r))
							continue;
						q = AppendChain(s, k + 1);
						/* levels[k + 1] may have moved; prev is another level */
						*q = prev->chains[c];
						q->level = k + 1;
						q->fresh = true;
						q->t[k] = ts;
						if (q->nused < JOURNEY_MAX_CONDITIONS)
							q->used[q->nused++] = r;
						reached = Max(reached, k + 1);
					}
					if (reached >= target)
						return reached;
				}
			}
		}
		ApplyExclusions(s, i, end);
		i = end;
	}
	return reached;
}

/*
 * Whether the chain c (its last step read at position at) can reach level
 * target: a pass seeded with it alone.
 */
static bool
CanReach(RSearch *s, const RChain *c, RPos at, int target)
{
	RPos		from = {at.run, at.step + 1, at.run};

	if (c->level >= target)
		return true;
	ClearLevels(s);
	*AppendChain(s, c->level) = *c;
	s->levels[c->level].chains[0].fresh = true;
	return Pass(s, from, false, target) >= target;
}

/*
 * The cap of a chain whose last step (level m) is at ts: exclusions
 * pending (from <= m < to) with an event strictly between the chain's step
 * "from" and ts.  The events of ts itself are applied by the pass that
 * continues from there.
 */
static int
ChainCap(const RSearch *s, const RChain *c, TimestampTz ts)
{
	const FunnelRules *rules = s->rules;
	int			cap = s->n;

	if (!s->use_excl)
		return cap;
	for (int e = 0; e < rules->nexcl; e++)
	{
		int			from = rules->excl_from[e],
					to = rules->excl_to[e];

		if (from <= c->level && c->level < to &&
			ExclusionBetween(s, e, c->t[from - 1], ts, false))
			cap = Min(cap, to - 1);
	}
	return cap;
}

/* A chain being built by SmallestChain, and where its last step was read. */
typedef struct RCand
{
	RChain		chain;
	RPos		at;
} RCand;

/*
 * Whether chain c (level k, its last step read at position at) may take
 * the step-(k + 1) event of item r at position here, and then still reach
 * level L; if so, the extended chain goes to *next.
 */
static bool
TryExtend(RSearch *s, const RChain *c, RPos at, RPos here, int L, RChain *next)
{
	int			k = c->level;
	TimestampTz ts = s->items[here.item].ts;

	*next = *c;
	if (here.run != at.run)
		next->nused = 0;
	if (!CanExtend(s, next, k, ts, here.item))
		return false;
	/* exclusions ending at this step: none strictly between */
	for (int e = 0; s->use_excl && e < s->rules->nexcl; e++)
		if (s->rules->excl_to[e] == k + 1 &&
			ExclusionBetween(s, e, next->t[s->rules->excl_from[e] - 1], ts, false))
			return false;
	next->level = k + 1;
	next->t[k] = ts;
	if (next->nused < JOURNEY_MAX_CONDITIONS)
		next->used[next->nused++] = here.item;
	next->cap = ChainCap(s, next, ts);
	if (next->cap < L)
		return false;
	return CanReach(s, next, here, L);
}

/*
 * The lexicographically smallest list of times among the chains that reach
 * level L (> 0), into *best.  Step by step it keeps every chain whose times
 * so far are the smallest (several, when rows share an instant: which of
 * them was taken decides what can follow), and extends them by the
 * earliest instant at which one of them can go on and still reach L (a
 * seeded pass says whether it can).
 */
static void
SmallestChain(RSearch *s, int L, RChain *best)
{
	RCand	   *cands;
	int			ncands = 0;
	int			cap = 8;
	RChain		seed;
	TimestampTz at_ts = 0;

	cands = palloc(sizeof(RCand) * cap);
	/* step 1: the earliest instant a chain reaching L can start at */
	for (int i = 0; i < s->nitems && ncands == 0;)
	{
		int			end = ItemRunEnd(s, i);

		for (int r = i; r < end; r++)
		{
			RPos		here = {i, 0, r};

			CHECK_FOR_INTERRUPTS();
			Work(s, 1);
			if (!(s->items[r].steps & 1) || !PosBefore(&here, &s->stop))
				continue;
			memset(&seed, 0, sizeof(seed));
			seed.level = 1;
			seed.cap = s->n;
			seed.nused = 1;
			seed.used[0] = r;
			seed.t[0] = s->items[r].ts;
			if (CanReach(s, &seed, here, L))
			{
				if (ncands == cap)
					cands = repalloc(cands, sizeof(RCand) * (cap *= 2));
				cands[ncands].chain = seed;
				cands[ncands].at = here;
				ncands++;
			}
		}
		i = end;
	}
	if (ncands == 0)
		elog(ERROR, "funnel rules found no chain of level %d", L);

	for (int k = 1; k < L; k++)
	{
		RCand	   *next = palloc(sizeof(RCand) * 8);
		int			nnext = 0;
		int			ncap = 8;
		bool		found = false;

		/* the earliest instant any of them can go on at, and every way */
		for (int c = 0; c < ncands; c++)
		{
			const RCand *cand = &cands[c];

			for (int i = cand->at.run; i < s->nitems;)
			{
				int			end = ItemRunEnd(s, i);
				TimestampTz ts = s->items[i].ts;

				if (found && ts > at_ts)
					break;
				for (int r = i; r < end; r++)
				{
					RPos		here = {i, k, r};
					RChain		ext;

					CHECK_FOR_INTERRUPTS();
					Work(s, 1);
					if (!(s->items[r].steps & ((uint32) 1 << k)) ||
						!PosBefore(&here, &s->stop))
						continue;
					if (!TryExtend(s, &cand->chain, cand->at, here, L, &ext))
						continue;
					if (found && ts < at_ts)
						nnext = 0;	/* an earlier instant: start again */
					found = true;
					at_ts = ts;
					if (nnext == ncap)
						next = repalloc(next, sizeof(RCand) * (ncap *= 2));
					next[nnext].chain = ext;
					next[nnext].at = here;
					nnext++;
					if (nnext > FUNNEL_RULES_MAX_CHAINS)
						WorkLimit();
				}
				i = end;
				if (found)
					break;		/* later instants of this chain come later */
			}
		}
		if (!found)
			elog(ERROR, "funnel rules lost their chain at step %d", k + 1);
		pfree(cands);
		cands = next;
		ncands = nnext;
	}
	*best = cands[0].chain;
	pfree(cands);
}

/*
 * drop_excluded: whether an exclusion event lies between the chain's step
 * i and step j, or, when the chain stops before step j, after its step i
 * and within the window of its first step.
 */
static bool
ChainExcluded(const RSearch *s, const RChain *c)
{
	const FunnelRules *rules = s->rules;

	for (int e = 0; e < rules->nexcl; e++)
	{
		int			from = rules->excl_from[e],
					to = rules->excl_to[e];
		TimestampTz t0 = c->t[0];
		TimestampTz end;
		bool		inclusive = false;

		if (from > c->level)
			continue;
		if (to <= c->level)
			end = c->t[to - 1];
		else
		{
			/* the window's end, or the largest timestamp */
			end = (t0 > 0 && s->window > PG_INT64_MAX - t0) ? PG_INT64_MAX :
				t0 + s->window;
			inclusive = true;
		}
		if (ExclusionBetween(s, e, c->t[from - 1], end, inclusive))
			return true;
	}
	return false;
}

/* The answer for one key: level (or -1 when dropped), and its chain. */
typedef struct RAnswer
{
	int			level;
	bool		dropped;
	RChain		chain;
} RAnswer;

static void
SolveKey(RSearch *s, bool want_chain, RAnswer *ans)
{
	RPos		end = {PG_INT32_MAX, 0, 0};
	RPos		start = {0, 0, 0};
	bool		strict = (s->rules->modes &
						  (JOURNEY_FUNNEL_STRICT_ORDER | JOURNEY_FUNNEL_STRICT_DEDUPLICATION)) != 0;
	int			L;

	ans->level = 0;
	ans->dropped = false;
	s->stop = end;
	ClearLevels(s);
	/* a chain is looked for only before where the strict modes stop */
	L = Pass(s, start, true, (want_chain && strict) ? s->n + 1 : s->n);
	ans->level = L;
	if (L == 0 || !want_chain)
		return;
	SmallestChain(s, L, &ans->chain);
	if (s->rules->drop)
		ans->dropped = ChainExcluded(s, &ans->chain);
}

/* lexicographic comparison of two chains' times (same level) */
static int
ChainCmp(const RChain *a, const RChain *b, int L)
{
	for (int k = 0; k < L; k++)
		if (a->t[k] != b->t[k])
			return a->t[k] < b->t[k] ? -1 : 1;
	return 0;
}

/* Whether a value is an exclusion mask of nexcl exclusions. */
static bool
ExclusionMaskValid(float8 v, int nexcl)
{
	return v >= 0 && v < 4294967296.0 && v == floor(v) &&
		(nexcl >= 32 || ((uint32) v >> nexcl) == 0);
}

/* An exclusion mask carried as a value: checked, for it came from bytes. */
static uint32
ItemExclusions(const JourneyEvents *state, int i, int nexcl)
{
	float8		v = JourneyEventValue(state, i);

	if (!ExclusionMaskValid(v, nexcl))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid journey aggregate state"),
				 errdetail("An event's exclusion conditions are out of range.")));
	return (uint32) v;
}

typedef struct KeyRow
{
	const char *key;
	int			row;
} KeyRow;

static int
KeyRowCmp(const void *a, const void *b)
{
	const KeyRow *x = a,
			   *y = b;
	int			c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->row > y->row) - (x->row < y->row);
}

/*
 * The answer of a rules state: the best over keys (or the one funnel
 * without key).  want_chain: fill ans->chain with the reported chain.
 */
static void
RulesAnswer(JourneyEvents *state, bool want_chain, RAnswer *ans)
{
	JourneyParams *params = state->params;
	FunnelRules *rules;
	RSearch		s;
	bool		keyed = (params->modes & FUNNEL_RULES_KEYED) != 0;
	RItem	   *items;
	int		   *excl_rows;
	int			nexcl_rows = 0;
	bool		need_chain;

	if (!(params->modes & FUNNEL_RULES) ||
		(params->modes & ~(uint32) (0x1f | FUNNEL_RULES_TIMES | FUNNEL_RULES |
									FUNNEL_RULES_KEYED)) != 0 ||
		params->nconds < 1 || params->nconds > JOURNEY_MAX_CONDITIONS)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid journey aggregate state"),
				 errdetail("The funnel parameters are out of range.")));
	rules = StateRules(params);
	memset(ans, 0, sizeof(*ans));
	if (state->nevents == 0)
		return;
	JourneyEventsSort(state);

	memset(&s, 0, sizeof(s));
	s.rules = rules;
	s.window = params->interval_usec;
	s.n = params->nconds;
	s.use_excl = !rules->drop;
	need_chain = want_chain || rules->drop;
	items = palloc(sizeof(RItem) * state->nevents);
	excl_rows = palloc(sizeof(int) * state->nevents);
	for (int i = 0; i < state->nevents; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (ItemExclusions(state, i, rules->nexcl) != 0)
			excl_rows[nexcl_rows++] = i;
	}
	/* the exclusion instants, per exclusion */
	for (int e = 0; e < rules->nexcl; e++)
	{
		s.excl_ts[e] = palloc(sizeof(TimestampTz) * Max(nexcl_rows, 1));
		for (int x = 0; x < nexcl_rows; x++)
			if (ItemExclusions(state, excl_rows[x], rules->nexcl) & ((uint32) 1 << e))
				s.excl_ts[e][s.excl_n[e]++] = state->events[excl_rows[x]].ts;
	}

	if (!keyed)
	{
		for (int i = 0; i < state->nevents; i++)
		{
			items[i].ts = state->events[i].ts;
			items[i].steps = state->events[i].flags;
			items[i].excl = ItemExclusions(state, i, rules->nexcl);
			items[i].none = (items[i].steps == 0);
		}
		s.items = items;
		s.nitems = state->nevents;
		SolveKey(&s, need_chain, ans);
	}
	else
	{
		KeyRow	   *rows = palloc(sizeof(KeyRow) * state->nevents);
		int			nrows = 0;
		RAnswer		cur;

		for (int i = 0; i < state->nevents; i++)
		{
			const char *key = JourneyEventLabel(state, &state->events[i]);

			if (key != NULL)
			{
				rows[nrows].key = key;
				rows[nrows].row = i;
				nrows++;
			}
		}
		qsort(rows, nrows, sizeof(KeyRow), KeyRowCmp);
		for (int a = 0; a < nrows;)
		{
			int			b = a;
			int			x = 0;
			int			ni = 0;

			CHECK_FOR_INTERRUPTS();
			while (b < nrows && strcmp(rows[b].key, rows[a].key) == 0)
				b++;
			/* merge the key's rows with every exclusion row, in order */
			for (int r = a; r <= b; r++)
			{
				int			row = r < b ? rows[r].row : PG_INT32_MAX;

				while (x < nexcl_rows && excl_rows[x] < row)
				{
					int			e = excl_rows[x++];

					if (JourneyEventLabel(state, &state->events[e]) != NULL &&
						strcmp(JourneyEventLabel(state, &state->events[e]), rows[a].key) == 0)
						continue;	/* the key's own: below */
					items[ni].ts = state->events[e].ts;
					items[ni].steps = 0;
					items[ni].excl = ItemExclusions(state, e, rules->nexcl);
					items[ni].none = false;
					ni++;
				}
				if (r < b)
				{
					items[ni].ts = state->events[row].ts;
					items[ni].steps = state->events[row].flags;
					items[ni].excl = ItemExclusions(state, row, rules->nexcl);
					items[ni].none = (items[ni].steps == 0);
					ni++;
				}
			}
			Work(&s, ni);
			s.items = items;
			s.nitems = ni;
			SolveKey(&s, need_chain, &cur);
			/* best level; then the smallest chain; then the first key */
			if (cur.level > ans->level ||
				(need_chain && cur.level == ans->level && cur.level > 0 &&
				 ChainCmp(&cur.chain, &ans->chain, cur.level) < 0))
				*ans = cur;
			a = b;
		}
	}
	if (ans->dropped)
		ans->level = -1;
}

/* window_funnel's answer for a rules state: the level, -1 when dropped. */
int
JourneyFunnelRulesLevel(JourneyEvents *state)
{
	RAnswer		ans;

	RulesAnswer(state, false, &ans);
	return ans.level;
}

/*
 * funnel_times' answer for a rules state: the times of the reported chain,
 * or NULL (a null pointer) for a customer that drop_excluded leaves out.
 */
ArrayType  *
JourneyFunnelRulesTimes(JourneyEvents *state)
{
	RAnswer		ans;
	Datum		datums[JOURNEY_MAX_CONDITIONS];

	RulesAnswer(state, true, &ans);
	if (ans.level < 0)
		return NULL;
	if (ans.level == 0)
		return construct_empty_array(TIMESTAMPTZOID);
	for (int k = 0; k < ans.level; k++)
		datums[k] = TimestampTzGetDatum(ans.chain.t[k]);
	return construct_array(datums, ans.level, TIMESTAMPTZOID,
						   sizeof(TimestampTz), FLOAT8PASSBYVAL,
						   TYPALIGN_DOUBLE);
}

Datum
journey_window_funnel_rules_final(PG_FUNCTION_ARGS)
{
	(void) JourneyAggContext(fcinfo, "window_funnel");
	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(JourneyFunnelRulesLevel((JourneyEvents *) PG_GETARG_POINTER(0)));
}

/*
 * The times of the reported chain, or NULL for a customer that
 * drop_excluded leaves out.
 */
Datum
journey_funnel_times_rules_final(PG_FUNCTION_ARGS)
{
	ArrayType  *times;

	(void) JourneyAggContext(fcinfo, "funnel_times");
	if (PG_ARGISNULL(0))
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TIMESTAMPTZOID));
	times = JourneyFunnelRulesTimes((JourneyEvents *) PG_GETARG_POINTER(0));
	if (times == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(times);
}

/*
 * What is wrong with a stored rules state (src/state.c, kind funnel_rules)
 * read from bytes, or NULL: the parameters are those window_funnel's rules
 * transition makes (with or without object_key), the rules text parses for
 * the number of steps, every event's value is an exclusion mask of the
 * rules' exclusions, and only a state with object_key has keys.  A rules
 * text that does not parse is reported here, as the state's fault, not as
 * an argument's.
 */
const char *
JourneyFunnelRulesProblem(JourneyEvents *state)
{
	JourneyParams *params = state->params;
	bool		keyed = (params->modes & FUNNEL_RULES_KEYED) != 0;
	FunnelRules *rules = NULL;
	MemoryContext cxt = CurrentMemoryContext;

	if (params->modes != (FUNNEL_RULES | (keyed ? FUNNEL_RULES_KEYED : 0)) ||
		params->nconds < 1)
		return "A funnel_rules state's parameters are not those of window_funnel_state with rules.";
	PG_TRY();
	{
		rules = StateRules(params);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		int			category;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		category = ERRCODE_TO_CATEGORY(edata->sqlerrcode);
		/* only what a bad rules text raises; a cancel stays a cancel */
		if (category != ERRCODE_DATA_EXCEPTION &&
			category != ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION &&
			category != ERRCODE_PROGRAM_LIMIT_EXCEEDED)
			PG_RE_THROW();
		FlushErrorState();
		return psprintf("The state's funnel rules are not valid: %s", edata->message);
	}
	PG_END_TRY();
	for (int i = 0; i < state->nevents; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!ExclusionMaskValid(JourneyEventValue(state, i), rules->nexcl))
			return "An event's exclusion conditions do not fit the state's rules.";
		if (!keyed && state->events[i].label_off >= 0)
			return "An event has a key but the state was made without object_key.";
	}
	return NULL;
}

/*
 * Test hook, not part of the install script: the answer of a rules state
 * built from arguments (see JourneyEventsForTest), with the chain when
 * asked, so that the regression suite can show the final functions'
 * checks of a damaged state.
 */
PG_FUNCTION_INFO_V1(journey_funnel_rules_check);

Datum
journey_funnel_rules_check(PG_FUNCTION_ARGS)
{
	RAnswer		ans;
	StringInfoData buf;

	RulesAnswer(JourneyEventsForTest(fcinfo, 0), PG_GETARG_BOOL(8), &ans);
	initStringInfo(&buf);
	appendStringInfo(&buf, "level=%d", ans.level);
	if (PG_GETARG_BOOL(8) && ans.level > 0)
		for (int k = 0; k < ans.level; k++)
			appendStringInfo(&buf, " " INT64_FORMAT, ans.chain.t[k]);
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}
