/*-------------------------------------------------------------------------
 *
 * next_node.c
 *	  sequence_next_node: what a customer did right after (or right
 *	  before) a chain of events, with the semantics of ClickHouse's
 *	  sequenceNextNode.
 *
 * Every row with a timestamp and an event value is one node: its value
 * (the event's label), its time, the event conditions it meets (flags) and
 * whether it may be the base (the base condition, kept as the event's
 * value, 1 or 0).  The nodes are read in the one event order: time, then
 * value (bytewise), then conditions and base flag, so ties are broken the
 * same way whatever the input order.
 *
 * The base node is the first node (head) or the last (tail) when it meets
 * the base condition, or the first (first_match) or last (last_match) node
 * that meets both the base condition and event condition 1.  From it,
 * forward, nodes base, base + 1, ... must meet conditions 1, 2, ... in
 * turn, and the answer is the node after them; backward, nodes base,
 * base - 1, ... must, and the answer is the node before them.  No base, a
 * condition not met, or nothing there: NULL.  With no condition (head and
 * tail only) the answer is the base itself.  As in ClickHouse, a group of
 * no more nodes than conditions answers NULL.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(journey_sequence_next_node_sfunc);
PG_FUNCTION_INFO_V1(journey_sequence_next_node_final);

#define NEXT_NODE_BACKWARD		0x01
#define NEXT_NODE_BASE_SHIFT	1	/* base kind in bits 1-2 */
#define NEXT_NODE_STATE			0x1000	/* marks the state's parameters */

typedef enum NextNodeBase
{
	BASE_HEAD = 0,
	BASE_TAIL,
	BASE_FIRST_MATCH,
	BASE_LAST_MATCH
} NextNodeBase;

static const char *const base_names[] = {"head", "tail", "first_match", "last_match"};

/* The mode bits for direction and base, every combination checked. */
static uint32
NextNodeModes(text *direction, text *base, int nconds)
{
	char	   *dir = text_to_cstring(direction);
	char	   *b = text_to_cstring(base);
	uint32		modes = NEXT_NODE_STATE;
	int			kind = -1;

	if (strcmp(dir, "backward") == 0)
		modes |= NEXT_NODE_BACKWARD;
	else if (strcmp(dir, "forward") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown sequence_next_node direction \"%s\"", dir),
				 errhint("Pass 'forward' or 'backward'.")));
	for (int i = 0; i < lengthof(base_names); i++)
		if (strcmp(b, base_names[i]) == 0)
			kind = i;
	if (kind < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown sequence_next_node base \"%s\"", b),
				 errhint("Pass 'head', 'tail', 'first_match' or 'last_match'.")));
	if ((kind == BASE_HEAD && (modes & NEXT_NODE_BACKWARD)) ||
		(kind == BASE_TAIL && !(modes & NEXT_NODE_BACKWARD)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sequence_next_node base \"%s\" does not go with direction \"%s\"", b, dir),
				 errdetail("head looks forward and tail backward; first_match and last_match go either way.")));
	if ((kind == BASE_FIRST_MATCH || kind == BASE_LAST_MATCH) && nconds == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sequence_next_node base \"%s\" needs at least one event condition", b),
				 errdetail("The base is a node where event condition 1 holds.")));
	return modes | ((uint32) kind << NEXT_NODE_BASE_SHIFT);
}

/*
 * Transition: (state, direction, base, ts, event_value, base_condition,
 * conditions...), the conditions as one VARIADIC array, one boolean
 * argument each, or none.
 */
Datum
journey_sequence_next_node_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, "sequence_next_node");
	JourneyEvents *state = PG_ARGISNULL(0) ? NULL :
	(JourneyEvents *) PG_GETARG_POINTER(0);
	const int	first = 6;
	JourneyParams params = {0};
	uint32		mask;
	text	   *value;
	bool		base_ok;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("direction and base of sequence_next_node must not be NULL"),
				 errhint("Pass e.g. 'forward', 'head'.")));
	if (PG_NARGS() > first && JourneyConditionArgsArray(fcinfo, first) &&
		PG_ARGISNULL(first))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("conditions of sequence_next_node must not be a NULL array"),
				 errhint("Pass one boolean condition per event of the chain.")));
	params.nconds = PG_NARGS() > first ?
		JourneyConditionCount(fcinfo, first, "event conditions") : 0;
	params.modes = NextNodeModes(PG_GETARG_TEXT_PP(1), PG_GETARG_TEXT_PP(2),
								 params.nconds);
	if (state == NULL)
		state = JourneyEventsEmpty(JourneyParamsIntern(fcinfo->flinfo, aggcxt,
													   &params));
	else if (!JourneyParamsEqual(state->params, &params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("direction, base and number of conditions of sequence_next_node must be the same for every row of a group")));

	/* a row without time or event value is no node */
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_POINTER(state);
	mask = params.nconds > 0 ?
		JourneyConditionBits(fcinfo, first, params.nconds, "event conditions") : 0;
	base_ok = !PG_ARGISNULL(5) && PG_GETARG_BOOL(5);
	value = PG_GETARG_TEXT_PP(4);
	if (state->shared)
		state = JourneyEventsCreate(aggcxt, state->params, true);
	JourneyEventsAdd(state, PG_GETARG_TIMESTAMPTZ(3), VARDATA_ANY(value),
					 VARSIZE_ANY_EXHDR(value), mask, base_ok ? 1.0 : 0.0);
	PG_RETURN_POINTER(state);
}

/* Whether node i may be the base: a value of 1 (checked: it came from bytes). */
static bool
CanBeBase(const JourneyEvents *state, int i)
{
	float8		v = JourneyEventValue(state, i);

	if (v != 0.0 && v != 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid journey aggregate state"),
				 errdetail("A node's base flag is neither 0 nor 1.")));
	return v == 1.0;
}

/* The answer of a state: the node's value, or NULL. */
static const char *
NextNodeAnswer(JourneyEvents *state)
{
	uint32		modes;
	int			n,
				nconds,
				kind;
	int			base = -1;
	int			i;
	bool		backward;
	const char *label;

	modes = state->params->modes;
	nconds = state->params->nconds;
	kind = (modes >> NEXT_NODE_BASE_SHIFT) & 3;
	backward = (modes & NEXT_NODE_BACKWARD) != 0;
	if ((modes & ~(uint32) (NEXT_NODE_STATE | NEXT_NODE_BACKWARD | (3 << NEXT_NODE_BASE_SHIFT))) != 0 ||
		!(modes & NEXT_NODE_STATE) || nconds < 0 || nconds > JOURNEY_MAX_CONDITIONS ||
		((kind == BASE_FIRST_MATCH || kind == BASE_LAST_MATCH) && nconds == 0))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid journey aggregate state"),
				 errdetail("The parameters of sequence_next_node are out of range.")));
	n = state->nevents;
	if (n <= nconds)
		return NULL;
	JourneyEventsSort(state);

	switch (kind)
	{
		case BASE_HEAD:
			if (CanBeBase(state, 0))
				base = 0;
			break;
		case BASE_TAIL:
			if (CanBeBase(state, n - 1))
				base = n - 1;
			break;
		case BASE_FIRST_MATCH:
			for (i = 0; i < n && base < 0; i++)
			{
				CHECK_FOR_INTERRUPTS();
				if ((state->events[i].flags & 1) && CanBeBase(state, i))
					base = i;
			}
			break;
		case BASE_LAST_MATCH:
			for (i = n - 1; i >= 0 && base < 0; i--)
			{
				CHECK_FOR_INTERRUPTS();
				if ((state->events[i].flags & 1) && CanBeBase(state, i))
					base = i;
			}
			break;
	}
	if (base < 0)
		return NULL;

	/* conditions 1, 2, ... on consecutive nodes from the base */
	for (i = 0; i < nconds; i++)
	{
		int			at = backward ? base - i : base + i;

		if (at < 0 || at >= n || !(state->events[at].flags & ((uint32) 1 << i)))
			return NULL;
	}
	i = backward ? base - nconds : base + nconds;
	if (i < 0 || i >= n)
		return NULL;
	label = JourneyEventLabel(state, &state->events[i]);
	if (label == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid journey aggregate state"),
				 errdetail("A node of sequence_next_node has no value.")));
	return label;
}

Datum
journey_sequence_next_node_final(PG_FUNCTION_ARGS)
{
	const char *label;

	(void) JourneyAggContext(fcinfo, "sequence_next_node");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	label = NextNodeAnswer((JourneyEvents *) PG_GETARG_POINTER(0));
	if (label == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(label));
}

/*
 * Test hook, not part of the install script: the answer of a state built
 * from arguments (see JourneyEventsForTest), to show the checks of a
 * damaged state.
 */
PG_FUNCTION_INFO_V1(journey_sequence_next_node_check);

Datum
journey_sequence_next_node_check(PG_FUNCTION_ARGS)
{
	const char *label = NextNodeAnswer(JourneyEventsForTest(fcinfo, 0));

	if (label == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(label));
}
