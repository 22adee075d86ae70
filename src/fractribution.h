/*-------------------------------------------------------------------------
 *
 * fractribution.h
 *	  Fractribution's leave-one-out path model (fractribution.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef JOURNEY_FRACTRIBUTION_H
#define JOURNEY_FRACTRIBUTION_H

#include "attr_model.h"

extern void AttributionFractribution(const AttrPath *paths, int npaths,
									 int nchannels, double *conv,
									 double *value);
extern void FractributionShares(int n, double pt, const double *pc,
								double *share);

#endif							/* JOURNEY_FRACTRIBUTION_H */
