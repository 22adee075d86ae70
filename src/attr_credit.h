/*-------------------------------------------------------------------------
 *
 * attr_credit.h
 *	  Credit per channel under any attribution model (attr_credit.c), and
 *	  bootstrap intervals around it (bootstrap.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef JOURNEY_ATTR_CREDIT_H
#define JOURNEY_ATTR_CREDIT_H

#include "attr_model.h"

/* the most bootstrap replicates one call may draw */
#define ATTR_BOOTSTRAP_MAX_REPLICATES	10000

/* What the final functions compute, per channel in channel order. */
typedef struct AttrResult
{
	int			nchannels;
	LabelRef   *uniq;			/* the channels' labels */
	double	   *conv;
	double	   *value;
	double	   *removal;		/* markov only, else NULL */
	double	   *conv_lo;		/* bootstrap only, else NULL */
	double	   *conv_hi;
	double	   *value_lo;
	double	   *value_hi;
} AttrResult;

/* the result as an array of the calling function's channel_credit type */
extern Datum AttrResultArray(FunctionCallInfo fcinfo, const AttrResult *res);

extern void AttributionCredit(const AttributionModel *m, const AttrPath *paths,
							  int npaths, int nchannels, int32 direct_id,
							  double *conv, double *value, double *removal);

/* bootstrap.c */
typedef struct AttrBootstrap
{
	int32		replicates;
	int64		seed;
	double		confidence;
} AttrBootstrap;

extern void AttributionBootstrap(const AttributionModel *m,
								 const AttrBootstrap *boot,
								 const AttrPath *paths, int npaths,
								 int nchannels, int32 direct_id,
								 double *conv_lo, double *conv_hi,
								 double *value_lo, double *value_hi);
extern uint64 AttributionPrngNext(uint64 *state);
extern double AttributionPoisson(uint64 *state, double lambda);

#endif							/* JOURNEY_ATTR_CREDIT_H */
