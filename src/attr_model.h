/*-------------------------------------------------------------------------
 *
 * attr_model.h
 *	  The model layer of multi-touch attribution: the parsed model spec,
 *	  the path representation every model works on (distinct paths of
 *	  channel ids with their totals), the channel dictionary, the
 *	  rule-based weights of one path, exact per-channel credit sums and the
 *	  limits.  The models (markov.c, shapley.c, fractribution.c), the
 *	  dispatcher over them (attr_credit.c) and the aggregate
 *	  (attribution.c) depend on this layer; it depends on nothing above it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JOURNEY_ATTR_MODEL_H
#define JOURNEY_ATTR_MODEL_H

#include "journey.h"

typedef enum AttributionKind
{
	ATTR_FIRST_TOUCH,
	ATTR_LAST_TOUCH,
	ATTR_LAST_NON_DIRECT,
	ATTR_LINEAR,
	ATTR_POSITION_BASED,
	ATTR_TIME_DECAY,
	ATTR_PARTICIPATION,
	ATTR_MARKOV,
	ATTR_SHAPLEY,
	ATTR_FRACTRIBUTION
} AttributionKind;

/* Markov order bounds and the largest chain solved exactly. */
#define ATTR_MARKOV_MIN_ORDER	1
#define ATTR_MARKOV_MAX_ORDER	4
#define ATTR_MARKOV_MAX_STATES	100000
#define ATTR_MARKOV_MAX_NONZEROS	20000000

/*
 * The most elimination work one Markov attribution may do, in thousands of
 * matrix entries visited (journey.max_markov_work): some tens of seconds.
 */
#define JOURNEY_DEFAULT_MAX_MARKOV_WORK	10000000
extern int	journey_max_markov_work;

#define ATTR_MODEL_HINT \
	"Valid models: first_touch, last_touch, last_non_direct(direct=Direct), " \
	"linear, position_based(first=0.4, last=0.4), time_decay(half_life=7 days), " \
	"participation, markov(order=1..4), shapley, fractribution."

typedef struct AttributionModel
{
	AttributionKind kind;
	double		first;			/* position_based */
	double		last;
	double		half_life_usec; /* time_decay */
	char	   *direct;			/* last_non_direct: the direct label */
	int			order;			/* markov */
} AttributionModel;

/*
 * One distinct path with its totals; touches are channel ids (indexes into
 * the sorted channel list, so id order is channel order).
 */
typedef struct AttrPath
{
	int			n;
	int32	   *ch;
	const double *w;			/* time_decay: the touches' weights, else
								 * NULL */
	double		conv;
	double		value;
	double		nulls;
} AttrPath;

/*
 * Credits per channel, each an exact sum (src/sum.c) of the shares added
 * to it: the same shares in any order give the same bits.
 */
typedef struct AttrCredits
{
	int			nchannels;
	JourneySum *conv;
	JourneySum *value;
	MemoryContext cxt;
} AttrCredits;

/* A label of the channel dictionary; pos is its position in the input. */
typedef struct LabelRef
{
	const char *data;
	int32		len;
	int32		pos;
} LabelRef;

extern void AttributionModelDefaults(AttributionKind kind, AttributionModel *model);
extern void AttributionParseModel(const char *text, AttributionModel *model);
extern bool AttributionIsRuleBased(AttributionKind kind);
extern const char *AttributionKindName(AttributionKind kind);
extern void AttributionRuleWeights(const AttributionModel *m, int n,
								   const int32 *ch, int32 direct_id,
								   const TimestampTz *times, bool *seen,
								   double *w);

extern int	AttributionLabelCmp(const char *a, int alen, const char *b, int blen);
extern int	AttributionNumberLabels(LabelRef *refs, int n, int32 *ids,
									LabelRef **uniq);
extern int	AttributionPathLabels(ArrayType *arr, LabelRef **refs);

extern void AttrCreditsInit(AttrCredits *c, int nchannels);
extern void AttrCreditsAdd(AttrCredits *c, int32 ch, double conv, double value);
extern void AttrCreditsResult(AttrCredits *c, double *conv, double *value);
extern double AttributionExactTotal(const AttrPath *paths, int npaths,
									bool value);
extern void AttributionSplit(double total, const double *weights, int n,
							 double *out);

#endif							/* JOURNEY_ATTR_MODEL_H */
