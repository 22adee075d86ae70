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
extern void AttributionMarkovStored(int nstates, const int32 *state_ch,
									const double *start_w, const double *tot,
									const double *conv_end,
									const double *value_end,
									const double *stepsum, int nedges,
									const int32 *edge_from,
									const int32 *edge_to,
									const double *edge_w, int nchannels,
									double total_conv, double total_value,
									double *conv, double *value,
									double *removal);

#endif							/* JOURNEY_MARKOV_H */
