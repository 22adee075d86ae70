/*-------------------------------------------------------------------------
 *
 * attribution.h
 *	  Declarations shared by the multi-touch attribution sources: the
 *	  parsed model spec, the decoded path rows handed to each model, and
 *	  the entry points of the Markov (markov.c) and Shapley (shapley.c)
 *	  models.  attribution.c holds the spec parser, the rule-based models,
 *	  touch_weights() and the attribution() aggregate.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JOURNEY_ATTRIBUTION_H
#define JOURNEY_ATTRIBUTION_H

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
	ATTR_SHAPLEY
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
	double		conv;
	double		value;
	double		nulls;
} AttrPath;

/* attribution.c */
extern void AttributionParseModel(const char *text, AttributionModel *model);

/* markov.c: credits (arrays of nchannels) and raw removal effects */
extern void AttributionMarkov(const AttrPath *paths, int npaths,
							  int nchannels, int order,
							  double *conv, double *value, double *removal);

/* shapley.c */
extern void AttributionShapley(const AttrPath *paths, int npaths,
							   int nchannels, double *conv, double *value);

/* Split total over channels in proportion to weights (sum > 0). */
static inline void
AttributionSplit(double total, const double *weights, int n, double *out)
{
	double		sum = 0;

	for (int i = 0; i < n; i++)
		sum += weights[i];
	for (int i = 0; i < n; i++)
		out[i] = (sum > 0) ? total * (weights[i] / sum) : 0;
}

#endif							/* JOURNEY_ATTRIBUTION_H */
