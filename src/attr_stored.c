/*-------------------------------------------------------------------------
 *
 * attr_stored.c
 *	  The pieces of attribution that a snapshot keeps as sums and solves
 *	  when it is read (src/sql/31_attribution_snapshot.sql): the
 *	  fractribution shares of one path from its probabilities, and Markov
 *	  credits from a chain given as its sums.  Both run the models' own
 *	  code (fractribution.c, markov.c), so what the snapshot stores gives
 *	  the same bits as the models over the paths.
 *
 *-------------------------------------------------------------------------
 */
#include "attr_credit.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fractribution.h"
#include "markov.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

PG_FUNCTION_INFO_V1(journey_fractribution_shares);
PG_FUNCTION_INFO_V1(journey_markov_stored_credit);

/*
 * A one-dimensional float8 array argument without NULLs, each finite and
 * not negative; its length in *n.
 */
static double *
Float8Arg(FunctionCallInfo fcinfo, int argno, const char *what, int *n)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	double	   *out;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what)));
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, n);
	out = palloc(sizeof(double) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what)));
		out[i] = DatumGetFloat8(elems[i]);
		if (!(out[i] >= 0) || isinf(out[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must hold finite numbers that are not negative", what),
					 errdetail("Element %d is %s.", i + 1, float8out_internal(out[i]))));
	}
	return out;
}

/* An int4 array argument of n indexes, each in [1, nstates]; 0-based. */
static int32 *
IndexArg(FunctionCallInfo fcinfo, int argno, const char *what, int n,
		 int nstates)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			m;
	int32	   *out;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what)));
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	deconstruct_array(arr, INT4OID, sizeof(int32), true, TYPALIGN_INT,
					  &elems, &nulls, &m);
	if (ARR_NDIM(arr) > 1 || m != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must have one element per edge", what)));
	out = palloc(sizeof(int32) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i] || DatumGetInt32(elems[i]) < 1 ||
			DatumGetInt32(elems[i]) > nstates)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must hold state numbers from 1 to %d", what,
							nstates)));
		out[i] = DatumGetInt32(elems[i]) - 1;
	}
	return out;
}

/*
 * fractribution_shares(p, p_without): the shares of a path's touches under
 * fractribution, from the path's conversion probability and, per touch,
 * the probability of the path without that touch (0 when it never
 * occurs; a one-touch path's is not used).
 */
Datum
journey_fractribution_shares(PG_FUNCTION_ARGS)
{
	double		pt;
	double	   *pc;
	double	   *share;
	Datum	   *out;
	int			n;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("p must not be NULL")));
	pt = PG_GETARG_FLOAT8(0);
	if (!(pt >= 0 && pt <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("p must be a probability between 0 and 1, not %s",
						float8out_internal(pt))));
	pc = Float8Arg(fcinfo, 1, "p_without", &n);
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("p_without must have one element per touch, and a path at least one touch")));
	share = palloc(sizeof(double) * n);
	out = palloc(sizeof(Datum) * n);
	FractributionShares(n, pt, pc, share);
	for (int i = 0; i < n; i++)
		out[i] = Float8GetDatum(share[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static int
EdgeCmp(const void *pa, const void *pb, void *arg)
{
	const int32 *a = pa;
	const int32 *b = pb;

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return (a[1] > b[1]) - (a[1] < b[1]);
}

/*
 * markov_stored_credit(states, start_w, tot, conv_end, value_end, stepsum,
 * edge_from, edge_to, edge_w, total_conv, total_value): the credits of
 * markov (order 1) from its chain's sums, as markov over the paths would
 * give them.  states are the channels (distinct), one per state; the edges
 * name states by their number in states (from 1).
 */
Datum
journey_markov_stored_credit(PG_FUNCTION_ARGS)
{
	LabelRef   *refs;
	int32	   *ids;
	int			nstates;
	int			n;
	double	   *arg[5];
	double	   *edge_w;
	int32	   *edge_from;
	int32	   *edge_to;
	int32	   *pairs;
	int			nedges;
	double		total_conv,
				total_value;
	AttrResult	res;
	static const char *const names[5] = {"start_w", "tot", "conv_end",
	"value_end", "stepsum"};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(9) || PG_ARGISNULL(10))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("states, total_conv and total_value must not be NULL")));
	nstates = AttributionPathLabels(PG_GETARG_ARRAYTYPE_P(0), &refs);
	for (int a = 0; a < 5; a++)
	{
		arg[a] = Float8Arg(fcinfo, a + 1, names[a], &n);
		if (n != nstates)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%s must have one element per state", names[a])));
	}
	for (int s = 0; s < nstates; s++)
		if (!(arg[1][s] > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("every state of a Markov chain must have a positive outgoing weight (tot)")));
	edge_w = Float8Arg(fcinfo, 8, "edge_w", &nedges);
	edge_from = IndexArg(fcinfo, 6, "edge_from", nedges, nstates);
	edge_to = IndexArg(fcinfo, 7, "edge_to", nedges, nstates);
	total_conv = PG_GETARG_FLOAT8(9);
	total_value = PG_GETARG_FLOAT8(10);
	if (!(total_conv >= 0) || isinf(total_conv) || !(total_value >= 0) ||
		isinf(total_value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("total_conv and total_value must be finite numbers that are not negative")));

	/* edges distinct and never loops, as a chain built from paths has */
	pairs = palloc(sizeof(int32) * 2 * Max(nedges, 1));
	for (int e = 0; e < nedges; e++)
	{
		if (edge_from[e] == edge_to[e])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an edge of a Markov chain must join two different states")));
		pairs[2 * e] = edge_from[e];
		pairs[2 * e + 1] = edge_to[e];
	}
	qsort_interruptible(pairs, nedges, 2 * sizeof(int32), EdgeCmp, NULL);
	for (int e = 1; e < nedges; e++)
		if (EdgeCmp(&pairs[2 * e - 2], &pairs[2 * e], NULL) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an edge of a Markov chain appears twice")));

	ids = palloc(sizeof(int32) * Max(nstates, 1));
	res.nchannels = AttributionNumberLabels(refs, nstates, ids, &res.uniq);
	if (res.nchannels != nstates)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the states of a Markov chain of order 1 must be distinct channels")));
	res.conv = palloc0(sizeof(double) * Max(nstates, 1));
	res.value = palloc0(sizeof(double) * Max(nstates, 1));
	res.removal = palloc0(sizeof(double) * Max(nstates, 1));
	res.conv_lo = res.conv_hi = res.value_lo = res.value_hi = NULL;
	AttributionMarkovStored(nstates, ids, arg[0], arg[1], arg[2], arg[3],
							arg[4], nedges, edge_from, edge_to, edge_w,
							res.nchannels, total_conv, total_value,
							res.conv, res.value, res.removal);
	PG_RETURN_DATUM(AttrResultArray(fcinfo, &res));
}
