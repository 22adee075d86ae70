/*-------------------------------------------------------------------------
 *
 * markov.h
 *	  The Markov-chain attribution model of order k (markov.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef JOURNEY_MARKOV_H
#define JOURNEY_MARKOV_H

#include "attr_model.h"

/* credits (arrays of nchannels) and raw removal effects */
extern void AttributionMarkov(const AttrPath *paths, int npaths,
							  int nchannels, int order,
							  double *conv, double *value, double *removal);

#endif							/* JOURNEY_MARKOV_H */
