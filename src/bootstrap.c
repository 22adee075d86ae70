/*-------------------------------------------------------------------------
 *
 * bootstrap.c
 *	  Bootstrap intervals around attribution credits.
 *
 * Each replicate resamples the customers' paths with Poisson(1) weights:
 * a path row of c conversions and u nulls (c + u customer paths) gets
 * Poisson(c) conversions and Poisson(u) nulls, the sum of a Poisson(1)
 * weight per customer path (for fractional totals, the same law with its
 * fractional mean).  Its value follows its conversions (value times the
 * drawn conversions over c: each conversion keeps the path's mean value);
 * a row with value and no conversion has its value weighted by one
 * Poisson(1) draw.  The model then runs on the replicate's paths, and
 * each channel's interval is the percentile interval of its B credits:
 * the (1 - confidence)/2 and (1 + confidence)/2 quantiles, interpolated
 * linearly between order statistics (R's and numpy's default, type 7).
 *
 * The draws come from our own generator (SplitMix64, Steele, Lea and
 * Flood 2014), seeded by the caller, and are taken over the paths in key
 * order, so one seed gives the same intervals whatever the order of the
 * rows, on every platform.  Poisson draws: inversion of the distribution
 * function for means below 10; above, Hoermann's transformed rejection
 * with squeeze (PTRS, 1993).
 *
 *-------------------------------------------------------------------------
 */
#include "attr_credit.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

uint64
AttributionPrngNext(uint64 *state)
{
	uint64		z = (*state += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* uniform on [0, 1) with 53 random bits */
static double
Uniform(uint64 *state)
{
	return (double) (AttributionPrngNext(state) >> 11) * (1.0 / 9007199254740992.0);
}

double
AttributionPoisson(uint64 *state, double lambda)
{
	if (lambda <= 0)
		return 0;
	if (lambda < 10)
	{
		/* inversion: the smallest k whose distribution function passes u */
		double		u = Uniform(state);
		double		p = exp(-lambda);
		double		cdf = p;
		int			k = 0;

		while (u > cdf && k < 1000)
		{
			k++;
			p *= lambda / k;
			cdf += p;
		}
		return k;
	}
	else
	{
		double		slam = sqrt(lambda);
		double		loglam = log(lambda);
		double		b = 0.931 + 2.53 * slam;
		double		a = -0.059 + 0.02483 * b;
		double		inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
		double		v_r = 0.9277 - 3.6224 / (b - 2);

		for (;;)
		{
			double		u = Uniform(state) - 0.5;
			double		v = Uniform(state);
			double		us = 0.5 - fabs(u);
			double		k = floor((2 * a / us + b) * u + lambda + 0.43);

			if (us >= 0.07 && v <= v_r)
				return k;
			if (k < 0 || (us < 0.013 && v > us))
				continue;
			if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <=
				-lambda + k * loglam - lgamma(k + 1))
				return k;
		}
	}
}

static int
DoubleCmp(const void *pa, const void *pb)
{
	double		a = *(const double *) pa;
	double		b = *(const double *) pb;

	return (a > b) - (a < b);
}

/* Quantile q of the sorted x[0..n-1], linear between order statistics. */
static double
Quantile(const double *x, int n, double q)
{
	double		h = (n - 1) * q;
	int			lo = (int) floor(h);

	if (lo >= n - 1)
		return x[n - 1];
	return x[lo] + (h - lo) * (x[lo + 1] - x[lo]);
}

/*
 * A replicate's drawn totals (a path's value times its drawn conversions
 * over its conversions) or credits can pass float8's range when the
 * point estimates do not.
 */
static void
ReplicateOutOfRange(bool credit)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("bootstrap replicate of attribution credits is out of range"),
			 credit ? errdetail("A channel's credit in a replicate overflowed float8.") :
			 errdetail("A resampled path's totals overflowed float8."),
			 errhint("Scale the values down (e.g. to thousands) before computing intervals.")));
}

void
AttributionBootstrap(const AttributionModel *m, const AttrBootstrap *boot,
					 const AttrPath *paths, int npaths, int nchannels,
					 int32 direct_id, double *conv_lo, double *conv_hi,
					 double *value_lo, double *value_hi)
{
	int			B = boot->replicates;
	uint64		state = (uint64) boot->seed;
	AttrPath   *rep = palloc(sizeof(AttrPath) * Max(npaths, 1));
	double	   *conv_b;
	double	   *value_b;
	double	   *conv = palloc(sizeof(double) * Max(nchannels, 1));
	double	   *value = palloc(sizeof(double) * Max(nchannels, 1));
	double	   *removal = palloc(sizeof(double) * Max(nchannels, 1));
	double		qlo = (1 - boot->confidence) / 2;
	double		qhi = (1 + boot->confidence) / 2;
	MemoryContext cxt;
	MemoryContext old;

	Assert(B >= 1 && B <= ATTR_BOOTSTRAP_MAX_REPLICATES);
	/* the replicates' credits: two arrays of channels times replicates */
	if ((Size) nchannels * B > MaxAllocSize / sizeof(double))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("bootstrap of %d channels with %d replicates is too large", nchannels, B),
				 errdetail("Channels times replicates may be at most %d.",
						   (int) (MaxAllocSize / sizeof(double))),
				 errhint("Draw fewer replicates or merge rare channels.")));
	conv_b = palloc_extended(sizeof(double) * Max((Size) nchannels * B, 1),
							 MCXT_ALLOC_HUGE);
	value_b = palloc_extended(sizeof(double) * Max((Size) nchannels * B, 1),
							  MCXT_ALLOC_HUGE);
	memcpy(rep, paths, sizeof(AttrPath) * npaths);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "journey bootstrap replicate",
								ALLOCSET_DEFAULT_SIZES);
	for (int b = 0; b < B; b++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int p = 0; p < npaths; p++)
		{
			rep[p].conv = AttributionPoisson(&state, paths[p].conv);
			rep[p].nulls = AttributionPoisson(&state, paths[p].nulls);
			if (paths[p].conv > 0)
				rep[p].value = paths[p].value * (rep[p].conv / paths[p].conv);
			else if (paths[p].value > 0)
				rep[p].value = paths[p].value * AttributionPoisson(&state, 1);
			else
				rep[p].value = 0;
			if (!isfinite(rep[p].conv) || !isfinite(rep[p].nulls) ||
				!isfinite(rep[p].value))
				ReplicateOutOfRange(false);
		}
		old = MemoryContextSwitchTo(cxt);
		AttributionCredit(m, rep, npaths, nchannels, direct_id, conv, value,
						  removal);
		MemoryContextSwitchTo(old);
		MemoryContextReset(cxt);
		for (int c = 0; c < nchannels; c++)
		{
			if (!isfinite(conv[c]) || !isfinite(value[c]))
				ReplicateOutOfRange(true);
			conv_b[(Size) c * B + b] = conv[c];
			value_b[(Size) c * B + b] = value[c];
		}
	}
	MemoryContextDelete(cxt);
	for (int c = 0; c < nchannels; c++)
	{
		double	   *xc = conv_b + (Size) c * B;
		double	   *xv = value_b + (Size) c * B;

		CHECK_FOR_INTERRUPTS();
		qsort(xc, B, sizeof(double), DoubleCmp);
		qsort(xv, B, sizeof(double), DoubleCmp);
		conv_lo[c] = Quantile(xc, B, qlo);
		conv_hi[c] = Quantile(xc, B, qhi);
		value_lo[c] = Quantile(xv, B, qlo);
		value_hi[c] = Quantile(xv, B, qhi);
	}
	pfree(conv_b);
	pfree(value_b);
	pfree(rep);
}
