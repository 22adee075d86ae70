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
