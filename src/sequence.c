/*-------------------------------------------------------------------------
 *
 * sequence.c
 *	  Sequence pattern aggregates: journey.sequence_match and
 *	  journey.sequence_count, with the semantics of ClickHouse's
 *	  sequenceMatch and sequenceCount.
 *
 * A pattern is a chain of elements:
 *
 *	  (?N)		an event for which condition N (1-based) holds
 *	  .			any one event
 *	  .*		any number of events, including none
 *	  (?t<=S)	time constraints, S in whole seconds, measured from the
 *	  (?t<S)	event the preceding element stopped at; any events may
 *	  (?t>=S)	lie in between
 *	  (?t>S)
 *	  (?t==S)
 *
 * The pattern is anchored nowhere: a match may start at any event.  Only
 * events for which at least one condition holds take part (the others are
 * dropped when the row is added, as ClickHouse does), so "." and "(?1)(?2)"
 * speak of those events only.  Events are taken in the shared order of
 * src/events.c: by timestamp, then, at equal timestamps, by condition
 * bitmask (condition 1 is bit 0).
 *
 * Matching follows ClickHouse: sequence_match on a pattern without time
 * constraints runs a state-set automaton, linear in the number of events;
 * any other case runs a backtracking matcher whose work per match attempt
 * is bounded: (pattern elements + 1) steps per event from where the
 * attempt starts, plus journey.max_pattern_steps.  sequence_count repeats
 * the backtracking match from where the previous match ended, so the
 * matches it counts never overlap.
 *
 * The state is the shared JourneyEvents buffer: flags hold the condition
 * bitmask, params.nconds the number of conditions and params.text the
 * pattern text, so that the shared combine function checks that every
 * row of a group used the same pattern.  The pattern is parsed once per
 * call site and kept with the shared parameters (see JourneySequencePattern).
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

int			journey_max_pattern_steps = JOURNEY_DEFAULT_MAX_PATTERN_STEPS;

/* Largest S of a time constraint: S seconds must fit in microseconds. */
#define SEQ_MAX_SECONDS (PG_INT64_MAX / USECS_PER_SEC)

#define SEQ_PATTERN_HINT \
	"A pattern chains (?N) (an event where condition N holds), . (any one event), " \
	".* (any events) and time constraints (?t<=S), (?t<S), (?t>=S), (?t>S), (?t==S) " \
	"with S in seconds, e.g. '(?1).*(?t<=3600)(?2)'."

typedef enum SeqOpKind
{
	SEQ_OP_STAR,				/* .* (and the implicit leading one) */
	SEQ_OP_EVENT,				/* (?N) */
	SEQ_OP_ANY,					/* . */
	SEQ_OP_TIME_LE,
	SEQ_OP_TIME_LT,
	SEQ_OP_TIME_GE,
	SEQ_OP_TIME_GT,
	SEQ_OP_TIME_EQ
} SeqOpKind;

typedef struct SeqOp
{
	SeqOpKind	kind;
	int32		cond;			/* SEQ_OP_EVENT: condition, 0-based */
	int64		usec;			/* time constraints: S in microseconds */
} SeqOp;

/*
 * A parsed pattern.  ops[0] is an implicit ".*" so that a match may start
 * at any event.  The automaton used when the pattern has no time
 * constraint has one state per event-consuming element plus the accepting
 * state; state s consumes an event matching state_cond[s] (-1: any) to
 * reach s + 1, and loops on any event when state_star[s].
 */
typedef struct SeqPattern
{
	int			nops;
	SeqOp	   *ops;
	bool		has_time;
	uint32		conds_used;		/* bitmask of conditions in the pattern */
	int			nstates;
	int32	   *state_cond;
	bool	   *state_star;
} SeqPattern;

/* A backtracking point: resume at op with event ev + 1, base event base. */
typedef struct SeqFrame
{
	int32		op;
	int32		ev;
	int32		base;
} SeqFrame;

typedef struct SeqMatcher
{
	const SeqPattern *pat;
	const JourneyEvent *events;
	int32		nevents;
	SeqFrame   *stack;			/* at most nops frames */
	int32		depth;
} SeqMatcher;

/* ---------- parser ---------- */

static void
PatternError(const char *src, int len, const char *at, const char *detail)
{
	int			position = pg_mbstrlen_with_len(src, at - src) + 1;

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid sequence pattern at position %d", position),
			 errdetail("%s", detail),
			 errhint(SEQ_PATTERN_HINT)));
}

/* What follows position p, for error details. */
static char *
Found(const char *p, const char *end)
{
	if (p >= end)
		return pstrdup("the end of the pattern");
	return psprintf("\"%s\"", pnstrdup(p, pg_mbcliplen(p, end - p, 20)));
}

/*
 * Read a non-negative decimal number at *p.  Returns false if there is no
 * digit; sets *overflow when the value exceeds max (the value is then
 * meaningless).
 */
static bool
ReadNumber(const char **p, const char *end, int64 max, int64 *val,
		   bool *overflow)
{
	const char *q = *p;
	int64		v = 0;

	*overflow = false;
	while (q < end && *q >= '0' && *q <= '9')
	{
		if (!*overflow)
		{
			v = v * 10 + (*q - '0');
			if (v > max)
				*overflow = true;
		}
		q++;
	}
	if (q == *p)
		return false;
	*p = q;
	*val = v;
	return true;
}

static bool
Accept(const char **p, const char *end, const char *token)
{
	size_t		n = strlen(token);

	if ((size_t) (end - *p) >= n && memcmp(*p, token, n) == 0)
	{
		*p += n;
		return true;
	}
	return false;
}

/*
 * Parse a pattern for a call with nconds conditions.  The result is
 * allocated in the current memory context.
 */
static SeqPattern *
ParsePattern(const char *src, int len, int nconds)
{
	const char *p = src;
	const char *end = src + len;
	SeqPattern *pat;
	int			maxops = len + 1;
	int			s;

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sequence pattern must not be empty"),
				 errhint(SEQ_PATTERN_HINT)));

	pat = palloc0(sizeof(SeqPattern));
	/* every element takes at least one byte */
	pat->ops = palloc0(sizeof(SeqOp) * maxops);
	pat->ops[0].kind = SEQ_OP_STAR;
	pat->nops = 1;

	while (p < end)
	{
		const char *start = p;
		SeqOp	   *op = &pat->ops[pat->nops];

		CHECK_FOR_INTERRUPTS();
		if (Accept(&p, end, "(?t"))
		{
			int64		seconds;
			bool		overflow;
			const char *numstart;
			SeqOpKind	prev = pat->ops[pat->nops - 1].kind;

			if (pat->nops == 1 ||
				(prev != SEQ_OP_EVENT && prev != SEQ_OP_ANY &&
				 prev != SEQ_OP_STAR))
				PatternError(src, len, start,
							 "A time constraint must follow a condition (?N), \".\" or \".*\".");
			if (Accept(&p, end, "<="))
				op->kind = SEQ_OP_TIME_LE;
			else if (Accept(&p, end, "<"))
				op->kind = SEQ_OP_TIME_LT;
			else if (Accept(&p, end, ">="))
				op->kind = SEQ_OP_TIME_GE;
			else if (Accept(&p, end, ">"))
				op->kind = SEQ_OP_TIME_GT;
			else if (Accept(&p, end, "=="))
				op->kind = SEQ_OP_TIME_EQ;
			else
				PatternError(src, len, p,
							 psprintf("Expected one of <=, <, >=, >, == after \"(?t\", found %s.",
									  Found(p, end)));
			numstart = p;
			if (!ReadNumber(&p, end, SEQ_MAX_SECONDS, &seconds, &overflow))
				PatternError(src, len, p,
							 psprintf("Expected a number of seconds, found %s.",
									  Found(p, end)));
			if (overflow)
				PatternError(src, len, numstart,
							 psprintf("A time constraint may not exceed " INT64_FORMAT " seconds.",
									  (int64) SEQ_MAX_SECONDS));
			op->usec = seconds * USECS_PER_SEC;
			pat->has_time = true;
		}
		else if (Accept(&p, end, "(?"))
		{
			int64		n;
			bool		overflow;
			const char *numstart = p;

			if (!ReadNumber(&p, end, PG_INT32_MAX, &n, &overflow))
				PatternError(src, len, p,
							 psprintf("Expected a condition number or \"t\" after \"(?\", found %s.",
									  Found(p, end)));
			if (n == 0 && !overflow)
				PatternError(src, len, numstart,
							 "Condition 0 does not exist: conditions are numbered from 1.");
			if (overflow || n > nconds)
				PatternError(src, len, numstart,
							 psprintf("Condition %s does not exist: the call passes %d condition%s.",
									  pnstrdup(numstart, p - numstart), nconds,
									  nconds == 1 ? "" : "s"));
			op->kind = SEQ_OP_EVENT;
			op->cond = (int32) (n - 1);
			pat->conds_used |= (uint32) 1 << op->cond;
		}
		else if (Accept(&p, end, ".*"))
			op->kind = SEQ_OP_STAR;
		else if (Accept(&p, end, "."))
			op->kind = SEQ_OP_ANY;
		else
			PatternError(src, len, p,
						 psprintf("Expected \"(?N)\", \".\", \".*\" or a time constraint, found %s.",
								  Found(p, end)));

		if (op->kind != SEQ_OP_STAR && op->kind != SEQ_OP_ANY &&
			!Accept(&p, end, ")"))
			PatternError(src, len, p,
						 psprintf("Expected \")\", found %s.", Found(p, end)));
		pat->nops++;
		Assert(pat->nops <= maxops);
	}

	/* The automaton for patterns without time constraints. */
	pat->nstates = 1;
	for (int i = 0; i < pat->nops; i++)
		if (pat->ops[i].kind == SEQ_OP_EVENT || pat->ops[i].kind == SEQ_OP_ANY)
			pat->nstates++;
	pat->state_cond = palloc0(sizeof(int32) * pat->nstates);
	pat->state_star = palloc0(sizeof(bool) * pat->nstates);
	s = 0;
	for (int i = 0; i < pat->nops; i++)
	{
		const SeqOp *op = &pat->ops[i];

		if (op->kind == SEQ_OP_STAR)
			pat->state_star[s] = true;
		else if (op->kind == SEQ_OP_EVENT || op->kind == SEQ_OP_ANY)
		{
			pat->state_cond[s] = op->kind == SEQ_OP_EVENT ? op->cond : -1;
			s++;
		}
	}
	Assert(s == pat->nstates - 1);
	return pat;
}

/*
 * The parsed pattern of a state.  It hangs off the state's shared
 * parameters (JourneyParamsIntern), which hold the pattern text and the
 * number of conditions, so a pattern is parsed once per call site, not per
 * group; it is allocated in the parameters' own memory context, which
 * lives as long as they do.
 */
void	   *
JourneySequencePattern(JourneyParams *params)
{
	if (params->derived == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(params));

		params->derived = ParsePattern(params->text, params->text_len,
									   params->nconds);
		MemoryContextSwitchTo(old);
	}
	return params->derived;
}

/* ---------- matching ---------- */

static void
TooManySteps(int64 limit)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("sequence pattern matching exceeded " INT64_FORMAT " steps", limit),
			 errdetail("A match attempt may take (pattern elements + 1) steps per event from "
					   "where it starts, plus journey.max_pattern_steps (%d) more; \".*\" and "
					   "time constraints make the matcher backtrack over the events of the group.",
					   journey_max_pattern_steps),
			 errhint("Use fewer \".*\" and time constraints, filter the events, or have a superuser raise journey.max_pattern_steps.")));
}

/*
 * Does the time constraint op hold between the base event and event ev?
 * Events are sorted, so the difference is never negative; a difference
 * too large for int64 (infinite timestamps) counts as larger than any S.
 */
static inline bool
TimeHolds(const SeqOp *op, TimestampTz base, TimestampTz ts)
{
	int64		diff;

	if (pg_sub_s64_overflow(ts, base, &diff))
		diff = PG_INT64_MAX;
	switch (op->kind)
	{
		case SEQ_OP_TIME_LE:
			return diff <= op->usec;
		case SEQ_OP_TIME_LT:
			return diff < op->usec;
		case SEQ_OP_TIME_GE:
			return diff >= op->usec;
		case SEQ_OP_TIME_GT:
			return diff > op->usec;
		case SEQ_OP_TIME_EQ:
			return diff == op->usec;
		default:
			elog(ERROR, "unexpected sequence pattern element %d", (int) op->kind);
	}
	return false;				/* keep compiler quiet */
}

static inline void
Push(SeqMatcher *m, int32 op, int32 ev, int32 base)
{
	Assert(m->depth < m->pat->nops);
	m->stack[m->depth].op = op;
	m->stack[m->depth].ev = ev;
	m->stack[m->depth].base = base;
	m->depth++;
}

/*
 * Resume at the latest backtracking point that still has an event to try.
 * Returns false when none is left.
 */
static bool
Backtrack(SeqMatcher *m, int32 *op, int32 *ev, int32 *base)
{
	while (m->depth > 0)
	{
		SeqFrame   *f = &m->stack[--m->depth];

		*op = f->op;
		*ev = f->ev + 1;
		*base = f->base;
		if (*ev < m->nevents)
			return true;
	}
	return false;
}

/*
 * One backtracking match attempt starting at event *pos.  On return *pos
 * is the event after the last one the attempt consumed (at least one past
 * the start), where a next, non-overlapping attempt begins.
 *
 * A time constraint is measured from the "base" event: the event the
 * previous (?N) or "." matched, or, after ".*", the event at which the
 * constraint is tried.  A failed <= or < constraint backtracks (later
 * events are only later); a failed >=, > or == constraint tries the next
 * event (an == constraint already exceeded backtracks at once: no later
 * event can satisfy it).  Trailing ".*", <=, < and >=0 elements match the
 * empty rest.
 */
static bool
BacktrackMatch(SeqMatcher *m, int32 *pos)
{
	const SeqOp *ops = m->pat->ops;
	int			nops = m->pat->nops;
	int32		n = m->nevents;
	int32		start = *pos;
	int32		op = 0;
	int32		ev = start;
	int32		base = start;
	int64		steps = 0;
	int64		limit;
	SeqOp		past = {SEQ_OP_TIME_GT, 0, 0};

	/*
	 * The work bound: (pattern elements + 1) steps per event from the
	 * attempt's start, plus journey.max_pattern_steps.  A step is one pass of
	 * the loop below, one element tried at one event; nops is the pattern's
	 * elements plus the implicit leading ".*".  A pattern without ".*" or
	 * time constraints needs at most that many steps per event (the implicit
	 * ".*" once, then at most each element once before one fails), so simple
	 * patterns never fail on big groups, and the setting bounds the
	 * backtracking beyond it.
	 */
	limit = (int64) journey_max_pattern_steps + (int64) nops * (n - start);

	m->depth = 0;
	while (op < nops && ev < n)
	{
		const SeqOp *o = &ops[op];

		if (o->kind == SEQ_OP_TIME_EQ)
			past.usec = o->usec;

		CHECK_FOR_INTERRUPTS();
		switch (o->kind)
		{
			case SEQ_OP_STAR:
				Push(m, op, ev, base);
				base = ev;
				op++;
				break;
			case SEQ_OP_EVENT:
				if (m->events[ev].flags & ((uint32) 1 << o->cond))
				{
					base = ev;
					op++;
					ev++;
				}
				else if (!Backtrack(m, &op, &ev, &base))
					goto done;
				break;
			case SEQ_OP_ANY:
				base = ev;
				op++;
				ev++;
				break;
			case SEQ_OP_TIME_LE:
			case SEQ_OP_TIME_LT:
				if (TimeHolds(o, m->events[base].ts, m->events[ev].ts))
				{
					Push(m, op, ev, base);
					base = ev;
					op++;
				}
				else if (!Backtrack(m, &op, &ev, &base))
					goto done;
				break;
			case SEQ_OP_TIME_GE:
			case SEQ_OP_TIME_GT:
			case SEQ_OP_TIME_EQ:
				if (TimeHolds(o, m->events[base].ts, m->events[ev].ts))
				{
					Push(m, op, ev, base);
					base = ev;
					op++;
				}
				else if (o->kind == SEQ_OP_TIME_EQ &&
						 TimeHolds(&past, m->events[base].ts, m->events[ev].ts))
				{
					/*
					 * Past S seconds no later event can be exactly S seconds
					 * away: give up on this path at once rather than trying
					 * every later event (same result, less work).
					 */
					if (!Backtrack(m, &op, &ev, &base))
						goto done;
				}
				else if (++ev == n && !Backtrack(m, &op, &ev, &base))
					goto done;
				break;
		}
		if (++steps > limit)
			TooManySteps(limit);
	}
done:
	while (op < nops &&
		   (ops[op].kind == SEQ_OP_STAR ||
			ops[op].kind == SEQ_OP_TIME_LE ||
			ops[op].kind == SEQ_OP_TIME_LT ||
			(ops[op].kind == SEQ_OP_TIME_GE && ops[op].usec == 0)))
		op++;
	if (ev == start)
		ev++;
	*pos = ev;
	return op == nops;
}

/*
 * The automaton for patterns without time constraints: the set of states
 * reachable after each event, in O(events x states).
 */
static bool
AutomatonMatch(const SeqPattern *pat, const JourneyEvents *state)
{
	int			last = pat->nstates - 1;
	bool	   *active = palloc0(sizeof(bool) * pat->nstates);
	bool	   *next = palloc0(sizeof(bool) * pat->nstates);
	int			nactive = 1;
	bool		result;

	active[0] = true;
	for (int i = 0; i < state->nevents && nactive > 0 && !active[last]; i++)
	{
		uint32		flags = state->events[i].flags;
		bool	   *swap;

		CHECK_FOR_INTERRUPTS();
		memset(next, 0, sizeof(bool) * pat->nstates);
		nactive = 0;
		for (int s = 0; s <= last; s++)
		{
			if (!active[s])
				continue;
			if (s < last &&
				(pat->state_cond[s] < 0 ||
				 (flags & ((uint32) 1 << pat->state_cond[s]))))
			{
				next[s + 1] = true;
				nactive++;
			}
			if (pat->state_star[s])
			{
				next[s] = true;
				nactive++;
			}
		}
		swap = active;
		active = next;
		next = swap;
	}
	result = active[last];
	pfree(active);
	pfree(next);
	return result;
}

/*
 * Sort the events and say whether every condition the pattern names holds
 * for at least one event; if not, nothing can match.
 */
static bool
PrepareEvents(JourneyEvents *state, const SeqPattern *pat)
{
	uint32		seen = 0;

	JourneyEventsSort(state);
	for (int i = 0; i < state->nevents; i++)
		seen |= state->events[i].flags;
	return (seen & pat->conds_used) == pat->conds_used;
}

static void
MatcherInit(SeqMatcher *m, const SeqPattern *pat, const JourneyEvents *state)
{
	m->pat = pat;
	m->events = state->events;
	m->nevents = state->nevents;
	m->stack = palloc(sizeof(SeqFrame) * pat->nops);
	m->depth = 0;
}

/* ---------- SQL-callable functions ---------- */

/*
 * Transition function of both aggregates: (state, pattern text,
 * ts timestamptz, conds bool[]) or, for the overloads with the conditions
 * written out, one boolean argument per condition.
 */
PG_FUNCTION_INFO_V1(journey_sequence_sfunc);

/* The row's pattern is not the one the group started with. */
static bool
PatternDiffers(text *pattern, const JourneyParams *params)
{
	return VARSIZE_ANY_EXHDR(pattern) != params->text_len ||
		memcmp(VARDATA_ANY(pattern), params->text, params->text_len) != 0;
}

Datum
journey_sequence_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, "journey_internal.sequence_sfunc");
	JourneyEvents *state;
	JourneyParams *known;
	text	   *pattern;
	int			nconds;
	uint32		flags;

	state = PG_ARGISNULL(0) ? NULL : (JourneyEvents *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("sequence pattern must not be NULL"),
				 errhint(SEQ_PATTERN_HINT)));
	if (JourneyConditionArgsArray(fcinfo, 3) && PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("array of conditions must not be NULL"),
				 errhint("Pass the conditions as separate arguments, e.g. event = 'signup', event = 'purchase'.")));

	if (state == NULL &&
		(known = JourneyParamsCallConstant(fcinfo->flinfo)) != NULL)
	{
		/* this call site's pattern is known and parsed: nothing to check */
		state = JourneyEventsEmpty(known);
	}
	else if (state == NULL)
	{
		JourneyParams params = {0};
		JourneyParams *shared;

		pattern = PG_GETARG_TEXT_PP(1);
		params.nconds = JourneyConditionCount(fcinfo, 3, "conditions");
		params.text_len = VARSIZE_ANY_EXHDR(pattern);
		params.text = VARDATA_ANY(pattern);
		/* made from the pattern */
		shared = JourneyParamsForCall(fcinfo, aggcxt, &params,
									  (uint32) 1 << 1, 3);
		/* check the pattern before anything is allocated for the group */
		(void) JourneySequencePattern(shared);
		/* no event yet: the shared empty state, until a condition holds */
		state = JourneyEventsEmpty(shared);
	}
	else if (!state->params->args_constant &&
			 PatternDiffers(PG_GETARG_TEXT_PP(1), state->params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aggregate parameters must be the same for every row of a group"),
				 errdetail("The pattern or the number of conditions changed between rows.")));
	nconds = state->params->nconds;

	if (PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);

	/* a NULL condition is false */
	flags = JourneyConditionBits(fcinfo, 3, nconds, "conditions");
	/* Events for which no condition holds take no part in any match. */
	if (flags != 0)
	{
		state = JourneyEventsOwn(aggcxt, state);
		JourneyEventsAddFlags(state, PG_GETARG_TIMESTAMPTZ(2), flags);
	}
	PG_RETURN_POINTER(state);
}

/*
 * Whether the events of a group match the pattern of its parameters
 * (sequence_match's answer).
 */
bool
JourneySequenceMatch(JourneyEvents *state)
{
	SeqPattern *pat = JourneySequencePattern(state->params);
	bool		result;

	if (!PrepareEvents(state, pat))
		return false;
	if (!pat->has_time)
		return AutomatonMatch(pat, state);
	else
	{
		SeqMatcher	m;
		int32		pos = 0;

		MatcherInit(&m, pat, state);
		result = BacktrackMatch(&m, &pos);
		pfree(m.stack);
	}
	return result;
}

/* The non-overlapping matches in events already prepared (PrepareEvents). */
static int64
CountMatches(const SeqPattern *pat, const JourneyEvents *state)
{
	SeqMatcher	m;
	int32		pos = 0;
	int64		count = 0;

	MatcherInit(&m, pat, state);
	while (pos < state->nevents && BacktrackMatch(&m, &pos))
		count++;
	pfree(m.stack);
	return count;
}

/*
 * The number of non-overlapping matches of the pattern of its parameters
 * in the events of a group (sequence_count's answer).
 */
int64
JourneySequenceCount(JourneyEvents *state)
{
	SeqPattern *pat = JourneySequencePattern(state->params);

	if (!PrepareEvents(state, pat))
		return 0;
	return CountMatches(pat, state);
}

/*
 * Both answers for one group, the events sorted once: the number of
 * matches (sequence_count's answer), and in *matched sequence_match's.
 * With time constraints sequence_match's one attempt is the count's first,
 * so it is not run again.
 */
int64
JourneySequenceCountMatch(JourneyEvents *state, bool *matched)
{
	SeqPattern *pat = JourneySequencePattern(state->params);
	int64		count;

	*matched = false;
	if (!PrepareEvents(state, pat))
		return 0;
	count = CountMatches(pat, state);
	*matched = pat->has_time ? count > 0 : AutomatonMatch(pat, state);
	return count;
}

PG_FUNCTION_INFO_V1(journey_sequence_match_final);

Datum
journey_sequence_match_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(JourneySequenceMatch((JourneyEvents *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(journey_sequence_count_final);

Datum
journey_sequence_count_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(JourneySequenceCount((JourneyEvents *) PG_GETARG_POINTER(0)));
}
