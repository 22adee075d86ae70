/*-------------------------------------------------------------------------
 *
 * fractribution.c
 *	  The leave-one-out path model of Google's fractribution
 *	  ("fractribution"; not the Shapley value, whose path weights are in
 *	  attr_model.c).
 *
 * Each distinct path T (an exact sequence of touches) has a conversion
 * probability p(T) = conversions / (conversions + nulls).  The marginal
 * contribution of touch i of T is p(T) - p(T without touch i), where a
 * path that never occurs has probability 0, floored at 0.  A one-touch
 * path gives its touch everything.  The marginals are normalised to sum
 * to 1; when all are 0 the last touch gets everything.  A path's
 * conversions and value are then split by those shares and summed per
 * channel, exactly.
 *
 *-------------------------------------------------------------------------
 */
#include "fractribution.h"

#include "miscadmin.h"

typedef struct PathRef
{
	int			n;
	const int32 *ch;
	double		p;
} PathRef;

static int
PathRefCmp(const void *pa, const void *pb, void *arg)
{
	const PathRef *a = pa;
	const PathRef *b = pb;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (int i = 0; i < a->n; i++)
		if (a->ch[i] != b->ch[i])
			return a->ch[i] < b->ch[i] ? -1 : 1;
	return 0;
}

/*
 * The shares of the n touches of a path with conversion probability pt,
 * where pc[i] is the probability of the path without touch i (0 when no
 * such path occurs; unused for one touch): the floored marginals
 * normalised to 1, or everything to the last touch when none is positive.
 */
void
FractributionShares(int n, double pt, const double *pc, double *share)
{
	double		sum = 0;

	if (n == 1)
	{
		share[0] = 1;
		return;
	}
	for (int i = 0; i < n; i++)
	{
		share[i] = Max(0.0, pt - pc[i]);
		sum += share[i];
	}
	if (sum > 0)
		for (int i = 0; i < n; i++)
			share[i] /= sum;
	else
	{
		/* no touch made a difference: last touch */
		for (int i = 0; i < n; i++)
			share[i] = 0;
		share[n - 1] = 1;
	}
}

void
AttributionFractribution(const AttrPath *paths, int npaths, int nchannels,
				   double *conv, double *value)
{
	PathRef    *refs = palloc(sizeof(PathRef) * Max(npaths, 1));
	int			maxn = 1;
	int32	   *buf;
	double	   *share;
	double	   *pc;
	AttrCredits credits;

	for (int p = 0; p < npaths; p++)
	{
		double		tot = paths[p].conv + paths[p].nulls;

		refs[p].n = paths[p].n;
		refs[p].ch = paths[p].ch;
		refs[p].p = (tot > 0) ? paths[p].conv / tot : 0;
		maxn = Max(maxn, paths[p].n);
	}
	qsort_interruptible(refs, npaths, sizeof(PathRef), PathRefCmp, NULL);
	buf = palloc(sizeof(int32) * maxn);
	AttrCreditsInit(&credits, nchannels);
	share = palloc(sizeof(double) * maxn);
	pc = palloc(sizeof(double) * maxn);

	for (int p = 0; p < npaths; p++)
	{
		const AttrPath *path = &paths[p];
		double		tot = path->conv + path->nulls;
		double		pt = (tot > 0) ? path->conv / tot : 0;
		int			n = path->n;

		if (path->conv == 0 && path->value == 0)
			continue;
		for (int i = 0; n > 1 && i < n; i++)
		{
			PathRef		key;
			PathRef    *hit;

			CHECK_FOR_INTERRUPTS();
			memcpy(buf, path->ch, sizeof(int32) * i);
			memcpy(buf + i, path->ch + i + 1, sizeof(int32) * (n - i - 1));
			key.n = n - 1;
			key.ch = buf;
			hit = bsearch_arg(&key, refs, npaths, sizeof(PathRef), PathRefCmp,
							  NULL);
			pc[i] = hit ? hit->p : 0;
		}
		FractributionShares(n, pt, pc, share);
		for (int i = 0; i < n; i++)
			AttrCreditsAdd(&credits, path->ch[i], path->conv * share[i],
						   path->value * share[i]);
	}
	AttrCreditsResult(&credits, conv, value);
	pfree(refs);
	pfree(buf);
	pfree(share);
	pfree(pc);
}
