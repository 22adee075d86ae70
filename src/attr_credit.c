/*-------------------------------------------------------------------------
 *
 * attr_credit.c
 *	  Credit per channel under any attribution model: the rule-based models
 *	  (and shapley, whose exact value splits each path equally over its
 *	  distinct channels) weigh each path's touches; markov and
 *	  fractribution weigh all paths together.  Every per-channel credit is
 *	  an exact sum, so the answer is the same bits whatever the order of
 *	  the paths.
 *
 *-------------------------------------------------------------------------
 */
#include "attr_credit.h"

#include "fractribution.h"
#include "markov.h"
#include "miscadmin.h"

static void
RuleCredit(const AttributionModel *m, const AttrPath *paths, int npaths,
		   int nchannels, int32 direct_id, double *conv, double *value)
{
	int			maxn = 1;
	double	   *w;
	bool	   *seen = palloc0(sizeof(bool) * Max(nchannels, 1));
	AttrCredits credits;

	AttrCreditsInit(&credits, nchannels);
	for (int p = 0; p < npaths; p++)
		maxn = Max(maxn, paths[p].n);
	w = palloc(sizeof(double) * maxn);
	for (int p = 0; p < npaths; p++)
	{
		const AttrPath *path = &paths[p];

		CHECK_FOR_INTERRUPTS();
		if (path->conv == 0 && path->value == 0)
			continue;
		if (path->w)
			memcpy(w, path->w, sizeof(double) * path->n);
		else
			AttributionRuleWeights(m, path->n, path->ch, direct_id, NULL, seen, w);
		for (int i = 0; i < path->n; i++)
			if (w[i] != 0)
				AttrCreditsAdd(&credits, path->ch[i], path->conv * w[i],
							   path->value * w[i]);
	}
	AttrCreditsResult(&credits, conv, value);
	pfree(w);
	pfree(seen);
}

/*
 * Credits of every channel (conv, value: arrays of nchannels, set here);
 * removal (also nchannels) receives the removal effects of markov and is
 * left alone by the other models.  direct_id: the id of last_non_direct's
 * direct label, or -1.
 */
void
AttributionCredit(const AttributionModel *m, const AttrPath *paths,
				  int npaths, int nchannels, int32 direct_id,
				  double *conv, double *value, double *removal)
{
	switch (m->kind)
	{
		case ATTR_MARKOV:
			AttributionMarkov(paths, npaths, nchannels, m->order, conv, value,
							  removal);
			break;
		case ATTR_FRACTRIBUTION:
			AttributionFractribution(paths, npaths, nchannels, conv, value);
			break;
		default:
			RuleCredit(m, paths, npaths, nchannels, direct_id, conv, value);
			break;
	}
}
