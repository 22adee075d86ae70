/*-------------------------------------------------------------------------
 *
 * journey.h
 *	  Shared declarations of the journey extension: limits, the per-group
 *	  event buffer used by every event aggregate, its sort and its
 *	  serialized form, the parser for "name(key=value, ...)" specs, and
 *	  small argument checkers.
 *
 * Every aggregate over events keeps its rows in one JourneyEvents state:
 * appended unsorted by the transition function, concatenated by the
 * combine function, sorted once (by timestamp, then a deterministic
 * tie-break) before the final function reads it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JOURNEY_H
#define JOURNEY_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/array.h"
#include "utils/timestamp.h"

/*
 * Limits.  The number of events one group may hold is a GUC
 * (journey.max_events_per_group); these are its bounds.
 */
#define JOURNEY_DEFAULT_MAX_EVENTS	1000000
#define JOURNEY_MAX_MAX_EVENTS		50000000
#define JOURNEY_MAX_CONDITIONS		32	/* steps of a funnel, conditions */
#define JOURNEY_MAX_LABEL_BYTES		(MaxAllocSize / 2)

extern int	journey_max_events_per_group;

/* sequence.c: work bound of one sequence pattern match attempt */
#define JOURNEY_DEFAULT_MAX_PATTERN_STEPS 1000000
extern int	journey_max_pattern_steps;

/*
 * One event of one group: 16 bytes, so that a small group fits in the
 * state's first allocation.  A label is NUL-terminated in the state's label
 * arena (text never contains a NUL byte); an event's value, used only by
 * aggregates that carry one, lives in a side array (see JourneyEvents).
 */
typedef struct JourneyEvent
{
	TimestampTz ts;
	uint32		flags;			/* condition bitmask / conversion flag */
	int32		label_off;		/* offset into the label arena, -1: none */
} JourneyEvent;

/* Flag bit used by aggregates that mark a conversion event. */
#define JOURNEY_FLAG_CONVERSION ((uint32) 1 << 31)

/*
 * Parameters fixed for the whole aggregate call (window, lookback, gap,
 * number of conditions, mode bits, pattern text).  They are checked when a
 * group's state is created, and every later row must agree; they travel
 * with the serialized state so that a combined state can be checked for
 * agreement.
 *
 * States do not carry their own copy: JourneyParamsForCall gives every
 * group of a call site the same one, kept in the calling function's
 * fn_extra, so a million groups cost one copy.  When the arguments they
 * come from are constants of the call, that copy says so, and rows and
 * groups take it as it is instead of evaluating and checking their
 * arguments again.
 */
typedef struct JourneyParams
{
	int64		interval_usec;	/* window / lookback / gap, or 0 */
	int32		nconds;			/* number of conditions, or 0 */
	uint32		modes;			/* aggregate-specific mode bits */
	int32		text_len;		/* length of text (pattern, model), or 0 */
	bool		args_constant;	/* made from constant arguments: every row of
								 * the call site passes these */
	bool		call_constant;	/* and the number of conditions is the call's:
								 * a new group may take these */
	char	   *text;			/* not NUL-terminated; or NULL */
	void	   *derived;		/* the owner's (e.g. the parsed pattern),
								 * allocated in the parameters' own memory
								 * context */
	struct JourneyEvents *empty;	/* the shared empty state, or NULL (see
									 * JourneyEventsEmpty) */
} JourneyParams;

typedef struct JourneyEvents
{
	int32		nevents;
	int32		maxevents;		/* allocated slots */
	JourneyEvent *events;		/* in the state's own chunk at first */
	JourneyParams *params;		/* never NULL; shared, see JourneyParams */
	char	   *labels;			/* arena of label bytes, or NULL */
	float8	   *values;			/* maxevents values, or NULL while all are 0 */
	int32		labels_len;
	bool		sorted;
	bool		shared;			/* the read-only empty state of its params */
	bool		labels_inline;	/* the label arena lies in the state's chunk */
} JourneyEvents;

/* events.c */
extern MemoryContext JourneyAggContext(FunctionCallInfo fcinfo,
									   const char *funcname);
extern JourneyParams *JourneyParamsIntern(FmgrInfo *flinfo, MemoryContext cxt,
										  const JourneyParams *params);
extern JourneyParams *JourneyParamsForCall(FunctionCallInfo fcinfo,
										   MemoryContext aggcxt,
										   const JourneyParams *params,
										   uint32 argmask, int first_cond);
extern bool JourneyParamsEqual(const JourneyParams *a, const JourneyParams *b);
extern JourneyParams *JourneyParamsCallConstant(FmgrInfo *flinfo);
extern JourneyEvents *JourneyEventsCreate(MemoryContext aggcxt,
										  JourneyParams *params,
										  bool with_labels);
extern JourneyEvents *JourneyEventsEmpty(JourneyParams *params);
extern JourneyEvents *JourneyEventsOwn(MemoryContext aggcxt,
									   JourneyEvents *state);
extern void JourneyEventsAdd(JourneyEvents *state, TimestampTz ts,
							 const char *label, int label_len,
							 uint32 flags, float8 value);
extern void JourneyEventsAddFlags(JourneyEvents *state, TimestampTz ts,
								  uint32 flags);
extern JourneyEvents *JourneyEventsCombine(FunctionCallInfo fcinfo,
										   MemoryContext aggcxt,
										   JourneyEvents *left,
										   JourneyEvents *right);
extern void JourneyEventsSort(JourneyEvents *state);
extern void JourneyEventsCanonical(JourneyEvents *state);
extern void JourneyEventsTooMany(void) pg_attribute_noreturn();
extern bytea *JourneyEventsSerialize(JourneyEvents *state);
extern JourneyEvents *JourneyEventsDeserialize(FmgrInfo *flinfo, bytea *bytes);
extern JourneyEvents *JourneyEventsForTest(FunctionCallInfo fcinfo, int first);

/* the same layout inside a larger value (state.c): pack.h's writer/reader */
struct JourneyPackReader;
extern Size JourneyEventsPackedSize(const JourneyEvents *state);
extern void JourneyEventsPack(StringInfo buf, const JourneyEvents *state);
extern JourneyEvents *JourneyEventsUnpack(FmgrInfo *flinfo,
										  struct JourneyPackReader *r);

static inline const char *
JourneyEventLabel(const JourneyEvents *state, const JourneyEvent *ev)
{
	return ev->label_off < 0 ? NULL : state->labels + ev->label_off;
}

static inline float8
JourneyEventValue(const JourneyEvents *state, int i)
{
	return state->values ? state->values[i] : 0.0;
}

/*
 * paths.c: a label borrowed from somewhere else (an event buffer, an input
 * array), and the one builder of text[] results from such labels.
 */
typedef struct JourneyLabel
{
	const char *data;
	int			len;
} JourneyLabel;

extern ArrayType *JourneyBuildTextArray(const JourneyLabel *labels, int n);
extern void JourneyTransition(const JourneyLabel *labels, int n, int k,
							  JourneyLabel *from, JourneyLabel *to);

/* transform.c: path_transform's chain, parsed once and applied per path */
extern void *JourneyPathTransformParse(ArrayType *steps);
extern JourneyLabel *JourneyPathTransformApply(const void *parsed,
											   JourneyLabel *labels, int *n,
											   JourneyLabel *spare);

/*
 * funnel.c: window_funnel's modes, its level, and funnel_times' chain; the
 * state's parameters carry the window, the number of steps and the modes.
 */
#define JOURNEY_FUNNEL_STRICT_ORDER			0x01
#define JOURNEY_FUNNEL_STRICT_DEDUPLICATION	0x02
#define JOURNEY_FUNNEL_STRICT_INCREASE		0x04
#define JOURNEY_FUNNEL_STRICT_ONCE			0x08
#define JOURNEY_FUNNEL_ALLOW_REENTRY		0x10

extern uint32 JourneyFunnelModes(const char *str);
extern bool JourneyFunnelParamsValid(const JourneyParams *params);
extern int	JourneyFunnelLevel(JourneyEvents *state);
extern int	JourneyFunnelTimes(JourneyEvents *state, TimestampTz *times);
extern ArrayType *JourneyFunnelTimesArray(JourneyEvents *state);

/*
 * funnel_rules.c: the answers of a funnel with step rules (its rules text,
 * steps, exclusions and keys in the state), and a stored state's check.
 */
extern int	JourneyFunnelRulesLevel(JourneyEvents *state);
extern ArrayType *JourneyFunnelRulesTimes(JourneyEvents *state);
extern const char *JourneyFunnelRulesProblem(JourneyEvents *state);

/*
 * sequence.c: the pattern of a state's parameters (text and number of
 * conditions), parsed once and kept with them, and the two answers.
 */
extern void *JourneySequencePattern(JourneyParams *params);
extern bool JourneySequenceMatch(JourneyEvents *state);
extern int64 JourneySequenceCount(JourneyEvents *state);
extern int64 JourneySequenceCountMatch(JourneyEvents *state, bool *matched);

/* paths.c: the answers of path_agg and paths_to_conversion (NULL: none) */
extern ArrayType *JourneyPathAggArray(JourneyEvents *state);
extern ArrayType *JourneyPathsToConversionArray(FmgrInfo *flinfo,
												JourneyEvents *state);

/* retention.c: its bigint state (conditions seen, number of conditions) */
extern int	JourneyRetentionCount(int64 state);
extern int64 JourneyRetentionMerge(int64 a, int64 b);
extern ArrayType *JourneyRetentionArray(int64 state);

/* A path argument's elements (one dimension, no NULLs) as labels. */
extern JourneyLabel *JourneyPathLabels(ArrayType *path, int *n);

/* Check an interval argument: not negative; months count 30 days. */
extern int64 JourneyIntervalToUsec(const Interval *iv, const char *argname);


/*
 * The conditions of a row, passed from argument "first" on: either one
 * VARIADIC bool[] (then the call has exactly first + 1 arguments) or one
 * boolean argument each (the fixed-arity overloads declared for 2 to 8
 * conditions, which spare PostgreSQL building an array per row).
 * JourneyConditionArgsArray says which; the array form may be NULL, which
 * the caller reports.  JourneyConditionCount checks the count against
 * 1..JOURNEY_MAX_CONDITIONS (one dimension only for arrays);
 * JourneyConditionBits gives the bitmask of the conditions that hold (bit i
 * for condition i; NULL counts as false), checked to have exactly
 * "expected" conditions.
 */
static inline bool
JourneyConditionArgsArray(FunctionCallInfo fcinfo, int first)
{
	return PG_NARGS() == first + 1;
}
extern int	JourneyConditionCount(FunctionCallInfo fcinfo, int first,
								  const char *what);
extern uint32 JourneyConditionBits(FunctionCallInfo fcinfo, int first,
								   int expected, const char *what);
/* the same for conditions given as one array argument among others */
extern int	JourneyConditionArrayCount(ArrayType *conds, const char *what);
extern uint32 JourneyConditionArrayBits(ArrayType *conds, int expected,
										const char *what);

/*
 * spec.c: "name" or "name(arg, key=value, ...)".  Arguments are either
 * positional (key NULL) or key=value; surrounding white space is ignored.
 */
#define JOURNEY_SPEC_MAX_ARGS 16

typedef struct JourneySpec
{
	char	   *name;
	int			nargs;
	char	   *keys[JOURNEY_SPEC_MAX_ARGS];	/* NULL for positional */
	char	   *values[JOURNEY_SPEC_MAX_ARGS];
} JourneySpec;

/*
 * Parse one spec.  "what" names the kind of spec in error messages
 * ("transform", "model"), "hint" is attached to syntax errors.
 */
extern void JourneyParseSpec(const char *str, JourneySpec *spec,
							 const char *what, const char *hint);

/*
 * An argument parsed once per call site while it stays the same (see
 * JourneyParsedArg in spec.c).
 */
typedef void *(*JourneyArgParser) (const void *bytes, Size len);
extern void *JourneyParsedArg(FmgrInfo *flinfo, const char *name,
							  const void *bytes, Size len,
							  JourneyArgParser parse);

/* Split a comma-separated list at top level (outside parentheses). */
extern List *JourneySplitList(const char *str);
extern double JourneySpecDouble(const JourneySpec *spec, int i,
								const char *what);
extern int	JourneySpecInt(const JourneySpec *spec, int i, const char *what);

/*
 * sum.c: an exact sum of finite doubles, the same bits whatever the order
 * of its numbers and however they were split and combined.  Zero-fill to
 * start ({0.0, NULL}); the wide form is allocated in the context passed.
 */
typedef struct JourneySumWide JourneySumWide;

typedef struct JourneySum
{
	double		value;			/* the sum, while every addition was exact */
	JourneySumWide *wide;		/* else the exact sum, or NULL */
} JourneySum;

/* serialized forms of a JourneySum, and of the exact_sum state */
#define JOURNEY_SUM_DOUBLE			0
#define JOURNEY_SUM_WIDE			1
#define JOURNEY_SUM_STATE_VERSION	1

extern void JourneySumAdd(JourneySum *s, double x, MemoryContext cxt);
extern void JourneySumAddSum(JourneySum *dst, JourneySum *src,
							 MemoryContext cxt);
extern double JourneySumResult(JourneySum *s);
extern Datum JourneySumNumeric(JourneySum *s);
extern Datum JourneyExactNumeric(double x);
extern bool JourneySumIsNegative(JourneySum *s);
extern void JourneySumSerialize(StringInfo buf, JourneySum *s);
extern int	JourneySumDeserialize(const char *p, const char *end,
								  JourneySum *s, MemoryContext cxt);

/*
 * labels.c: normalise a label (NFKC, case fold, white space trimmed and
 * collapsed) given in the server encoding; palloc'd, NUL-terminated.
 */
extern char *JourneyNormalizeLabel(const char *s, int len, int *outlen);

/*
 * stats.c: helpers shared by the statistics (effects.c, survival.c): the
 * standard normal's quantile and upper-tail quantile, the range check of a
 * named statistical parameter (alpha, confidence, ...), a finite-float
 * argument check, and the composite result of a function with OUT
 * parameters.
 */
extern double JourneyNormalQuantile(double p);
extern double JourneyNormalUpperQuantile(double tail);
extern void JourneyCheckStatParam(const char *name, double v);
extern void JourneyCheckFinite(const char *name, double v);
extern Datum JourneyReturnRow(FunctionCallInfo fcinfo, Datum *values,
							  bool *nulls);

#endif							/* JOURNEY_H */
