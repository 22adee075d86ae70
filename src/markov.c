/*-------------------------------------------------------------------------
 *
 * markov.c
 *	  The Markov-chain attribution model of order k, solved exactly.
 *
 * States are the k-touch windows of each path (a path shorter than k is
 * one state, the whole path); consecutive identical states are collapsed.
 * Each path row with c conversions and u nulls walks START -> s1 -> ... ->
 * sm, then to CONV with weight c and to NULL with weight u; every other
 * transition of the walk has weight c + u.  Transition probabilities are
 * the weights normalised per source state.
 *
 * P(conv) is the probability of absorption in CONV from START.  The
 * removal effect of channel c is 1 - P_c / P, where P_c is computed on the
 * same chain with every state whose window contains c leading to NULL.
 * Conversions are split in proportion to the removal effects.
 *
 * Value follows the same rule on expected conversion value: a path row's
 * value is collected on its CONV transition (rows without conversions
 * carry no value through the chain), V is the expected value collected
 * from START, and channel c's value removal effect is 1 - V_c / V.  When
 * no value reaches CONV the value is split like the conversions.
 *
 * Every absorption probability is computed by sparse Gaussian elimination
 * of (I - Q) x = b over the transient states, not by simulation or by
 * iterating to convergence.  (I - Q) is a nonsingular M-matrix (every
 * state reaches CONV or NULL), so no pivoting is needed, and states may be
 * eliminated in any order: each step takes the state whose elimination can
 * create the least fill-in (the Markowitz count), ties going to the state
 * closest to the end of the paths, START last.  On higher orders, whose
 * windows form many cycles, this keeps the matrix several times sparser
 * than a fixed order would.  The number of states, of matrix entries
 * (fill-in included) and of entries visited (journey.max_markov_work) are
 * bounded; beyond them the call fails rather than exhaust memory or run for
 * hours.
 *
 *-------------------------------------------------------------------------
 */
#include "markov.h"

#include <math.h>

#include "lib/binaryheap.h"
#include "miscadmin.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

typedef struct StateKey
{
	int32		ch[ATTR_MARKOV_MAX_ORDER];	/* window, padded with -1 */
} StateKey;

typedef struct StateEntry
{
	StateKey	key;
	int32		id;
} StateEntry;

typedef struct EdgeKey
{
	int32		from;
	int32		to;
} EdgeKey;

typedef struct EdgeEntry
{
	EdgeKey		key;
	double		w;
} EdgeEntry;

typedef struct Chain
{
	int			nstates;
	StateKey   *windows;		/* per state */
	double	   *tot;			/* outgoing weight per state */
	double	   *conv_end;		/* weight into CONV per state */
	double	   *value_end;		/* value collected into CONV per state */
	double	   *start_w;		/* weight START -> state */
	double		start_tot;
	int			nedges;
	EdgeEntry  *edges;
	int32	   *order;			/* the states, closest to the end first (the
								 * tie-break of the elimination order) */
} Chain;

/* States by their key (arg), then by number. */
static int
OrderCmp(const void *pa, const void *pb, void *arg)
{
	const double *key = arg;
	int32		a = *(const int32 *) pa;
	int32		b = *(const int32 *) pb;

	if (key[a] != key[b])
		return key[a] < key[b] ? -1 : 1;
	return (a > b) - (a < b);
}

static void
TooManyStates(int order)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("Markov chain of order %d has more than %d states", order,
					ATTR_MARKOV_MAX_STATES),
			 errdetail("The chain is solved exactly, by elimination over its states."),
			 errhint("Lower the order, merge rare channels, or shorten paths with path_transform().")));
}

/* States by their windows (channel ids, then the -1 padding). */
static int
WindowCmp(const void *pa, const void *pb, void *arg)
{
	const StateKey *w = arg;
	const StateKey *a = &w[*(const int32 *) pa];
	const StateKey *b = &w[*(const int32 *) pb];

	for (int j = 0; j < ATTR_MARKOV_MAX_ORDER; j++)
		if (a->ch[j] != b->ch[j])
			return a->ch[j] < b->ch[j] ? -1 : 1;
	return 0;
}

/*
 * Finish a chain whose states, weights and edges are in place: check that
 * the weights are finite, number the states canonically (in the order of
 * their windows, so that a chain built from paths and the same chain read
 * from stored sums are the same numbers in the same places, whatever order
 * the states were met in), and order them for the elimination by their
 * mean number of steps to the end (stepsum: per state the weight of its
 * walks times their steps left; consumed).
 */
static void
ChainFinish(Chain *chain, double *stepsum)
{
	int			n = chain->nstates;
	int32	   *perm = palloc(sizeof(int32) * Max(n, 1));
	int32	   *newid = palloc(sizeof(int32) * Max(n, 1));
	StateKey   *windows = palloc(sizeof(StateKey) * Max(n, 1));
	double	   *tmp[5] = {chain->tot, chain->conv_end, chain->value_end,
	chain->start_w, stepsum};

	/* weights are sums of path totals: they must stay finite */
	for (int st = 0; st < chain->nstates; st++)
		if (isinf(chain->tot[st]) || isinf(chain->value_end[st]))
			chain->start_tot = INFINITY;
	if (isinf(chain->start_tot))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("Markov transition weights are out of range"),
				 errdetail("The conversions and nulls of all paths sum beyond float8.")));

	/* canonical numbering */
	for (int s = 0; s < n; s++)
		perm[s] = s;
	qsort_interruptible(perm, n, sizeof(int32), WindowCmp, chain->windows);
	for (int s = 0; s < n; s++)
	{
		newid[perm[s]] = s;
		windows[s] = chain->windows[perm[s]];
	}
	memcpy(chain->windows, windows, sizeof(StateKey) * n);
	for (int a = 0; a < lengthof(tmp); a++)
	{
		double	   *copy = palloc(sizeof(double) * Max(n, 1));

		for (int s = 0; s < n; s++)
			copy[s] = tmp[a][perm[s]];
		memcpy(tmp[a], copy, sizeof(double) * n);
		pfree(copy);
	}
	for (int e = 0; e < chain->nedges; e++)
	{
		chain->edges[e].key.from = newid[chain->edges[e].key.from];
		chain->edges[e].key.to = newid[chain->edges[e].key.to];
	}
	pfree(perm);
	pfree(newid);
	pfree(windows);

	/* the states by mean number of steps to the end, closest first */
	chain->order = palloc(sizeof(int32) * Max(chain->nstates, 1));
	for (int s = 0; s < chain->nstates; s++)
	{
		chain->order[s] = s;
		/* tot: the weight of the walks through s */
		stepsum[s] = stepsum[s] / chain->tot[s];
	}
	qsort_interruptible(chain->order, chain->nstates, sizeof(int32), OrderCmp, stepsum);
}

static void
BuildChain(const AttrPath *paths, int npaths, int order, Chain *chain)
{
	HASHCTL		ctl;
	HTAB	   *states;
	HTAB	   *edges;
	int			cap = 64;
	int			maxn = 1;
	int32	   *walk;
	double	   *stepsum;
	JourneySum *value_sum;
	HASH_SEQ_STATUS seq;
	EdgeEntry  *ee;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(StateKey);
	ctl.entrysize = sizeof(StateEntry);
	ctl.hcxt = CurrentMemoryContext;
	states = hash_create("journey markov states", 256, &ctl,
						 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(EdgeKey);
	ctl.entrysize = sizeof(EdgeEntry);
	edges = hash_create("journey markov edges", 1024, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	memset(chain, 0, sizeof(*chain));
	chain->windows = palloc(sizeof(StateKey) * cap);
	chain->tot = palloc0(sizeof(double) * cap);
	chain->conv_end = palloc0(sizeof(double) * cap);
	chain->value_end = palloc0(sizeof(double) * cap);
	chain->start_w = palloc0(sizeof(double) * cap);
	stepsum = palloc0(sizeof(double) * cap);
	value_sum = palloc0(sizeof(JourneySum) * cap);

	for (int p = 0; p < npaths; p++)
		maxn = Max(maxn, paths[p].n);
	walk = palloc(sizeof(int32) * maxn);

	for (int p = 0; p < npaths; p++)
	{
		const AttrPath *path = &paths[p];
		double		w = path->conv + path->nulls;
		int			nwin = (path->n <= order) ? 1 : path->n - order + 1;
		int			len = 0;

		CHECK_FOR_INTERRUPTS();
		if (w <= 0)
			continue;
		for (int i = 0; i < nwin; i++)
		{
			StateKey	key;
			StateEntry *se;
			bool		found;
			int			wl = Min(order, path->n);

			CHECK_FOR_INTERRUPTS();
			for (int j = 0; j < ATTR_MARKOV_MAX_ORDER; j++)
				key.ch[j] = (j < wl) ? path->ch[i + j] : -1;
			se = hash_search(states, &key, HASH_ENTER, &found);
			if (!found)
			{
				int			id = chain->nstates;

				if (id >= ATTR_MARKOV_MAX_STATES)
					TooManyStates(order);
				if (id >= cap)
				{
					int			newcap = cap * 2;

					chain->windows = repalloc(chain->windows, sizeof(StateKey) * newcap);
					chain->tot = repalloc(chain->tot, sizeof(double) * newcap);
					chain->conv_end = repalloc(chain->conv_end, sizeof(double) * newcap);
					chain->value_end = repalloc(chain->value_end, sizeof(double) * newcap);
					chain->start_w = repalloc(chain->start_w, sizeof(double) * newcap);
					stepsum = repalloc(stepsum, sizeof(double) * newcap);
					value_sum = repalloc(value_sum, sizeof(JourneySum) * newcap);
					for (int z = cap; z < newcap; z++)
					{
						chain->tot[z] = chain->conv_end[z] = chain->value_end[z] =
							chain->start_w[z] = stepsum[z] = 0;
						memset(&value_sum[z], 0, sizeof(JourneySum));
					}
					cap = newcap;
				}
				se->id = id;
				chain->windows[id] = key;
				chain->nstates++;
			}
			/* collapse consecutive identical states */
			if (len == 0 || walk[len - 1] != se->id)
				walk[len++] = se->id;
		}

		chain->start_w[walk[0]] += w;
		chain->start_tot += w;
		for (int j = 0; j < len; j++)
		{
			stepsum[walk[j]] += w * (len - j);
			chain->tot[walk[j]] += w;
			if (j + 1 < len)
			{
				EdgeKey		ek = {walk[j], walk[j + 1]};
				bool		found;

				ee = hash_search(edges, &ek, HASH_ENTER, &found);
				if (!found)
					ee->w = 0;
				ee->w += w;
			}
		}
		chain->conv_end[walk[len - 1]] += path->conv;
		if (path->conv > 0)
			JourneySumAdd(&value_sum[walk[len - 1]], path->value,
						  CurrentMemoryContext);
	}
	for (int st = 0; st < chain->nstates; st++)
		chain->value_end[st] = JourneySumResult(&value_sum[st]);

	chain->nedges = (int) hash_get_num_entries(edges);
	chain->edges = palloc(sizeof(EdgeEntry) * Max(chain->nedges, 1));
	{
		int			k = 0;

		hash_seq_init(&seq, edges);
		while ((ee = hash_seq_search(&seq)) != NULL)
			chain->edges[k++] = *ee;
	}
	ChainFinish(chain, stepsum);

	hash_destroy(states);
	hash_destroy(edges);
	pfree(walk);
	pfree(stepsum);
	pfree(value_sum);
}

static bool
StateHasChannel(const Chain *chain, int s, int32 c)
{
	for (int j = 0; j < ATTR_MARKOV_MAX_ORDER; j++)
		if (chain->windows[s].ch[j] == c)
			return true;
	return false;
}

/*
 * The sparse matrix of one solve: rows of (column, value) entries, and per
 * column the rows that have an entry there (fill-in included).
 */
typedef struct SpEntry
{
	int32		col;
	double		val;
} SpEntry;

typedef struct SpVec
{
	int32		n;
	int32		cap;
	void	   *items;
} SpVec;

typedef struct Sparse
{
	int			m;
	SpVec	   *rows;			/* SpEntry items */
	SpVec	   *cols;			/* int32 items: rows with an entry */
	int32	   *colcount;		/* per column: entries in rows not yet
								 * eliminated */
	int32	   *pos;			/* scatter map, -1 when unused */
	int64		nnz;
} Sparse;

int			journey_max_markov_work = JOURNEY_DEFAULT_MAX_MARKOV_WORK;

static void
TooMuchWork(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("Markov chain too large to solve exactly"),
			 errdetail("The elimination needs to visit more than %d thousand matrix entries (journey.max_markov_work).",
					   journey_max_markov_work),
			 errhint("Lower the order, merge rare channels, shorten paths with path_transform(), or have a superuser raise journey.max_markov_work.")));
}

static void
TooManyNonzeros(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("Markov chain too large to solve exactly"),
			 errdetail("The elimination needs more than %d matrix entries.",
					   ATTR_MARKOV_MAX_NONZEROS),
			 errhint("Lower the order, merge rare channels, or shorten paths with path_transform().")));
}

static inline void *
VecPush(SpVec *v, Size itemsize)
{
	if (v->n == v->cap)
	{
		int			newcap = v->cap ? v->cap * 2 : 4;

		v->items = v->items ? repalloc(v->items, itemsize * newcap)
			: palloc(itemsize * newcap);
		v->cap = newcap;
	}
	return (char *) v->items + itemsize * v->n++;
}

static void
SpAdd(Sparse *A, int i, int j, double val)
{
	SpEntry    *e;

	if (++A->nnz > ATTR_MARKOV_MAX_NONZEROS)
		TooManyNonzeros();
	e = VecPush(&A->rows[i], sizeof(SpEntry));
	e->col = j;
	e->val = val;
	*(int32 *) VecPush(&A->cols[j], sizeof(int32)) = i;
	A->colcount[j]++;
}

/*
 * The order of elimination: each step takes the state whose elimination can
 * create the least fill-in (its Markowitz count: the other entries of its
 * row times those of its column, among the states left), ties going to the
 * state numbered first (closest to the end of the paths).  START, the last
 * state, is never taken: it is left alone at the end.
 *
 * The candidates wait in PostgreSQL's binary heap, each as one key: its
 * count above its state number, so that keys order by (count, state).  A
 * state whose count changes is pushed again with the new count; a key that
 * no longer holds its state's count, or whose state is gone, is dropped
 * when it comes up, and the heap is built anew when such keys pile up.
 */
#define PIVOT_STATE_BITS 17
StaticAssertDecl(ATTR_MARKOV_MAX_STATES < (1 << PIVOT_STATE_BITS),
				 "a state number must fit below the count in a pivot key");

static inline int64
MarkowitzCount(const Sparse *A, int i)
{
	return (int64) (A->rows[i].n - 1) * (A->colcount[i] - 1);
}

/* a min-heap of keys in PostgreSQL's max-heap */
static int
PivotKeyCmp(Datum a, Datum b, void *arg)
{
	int64		x = DatumGetInt64(a);
	int64		y = DatumGetInt64(b);

	return (x < y) - (x > y);
}

/* Queue state i (not START) with its count as it is now. */
static void
PivotPush(binaryheap *heap, const Sparse *A, int i)
{
	if (i < A->m - 1)
		binaryheap_add(heap, Int64GetDatum((MarkowitzCount(A, i) << PIVOT_STATE_BITS) | i));
}

/* The next state to eliminate (one is always left before START). */
static int
PivotPop(binaryheap *heap, const Sparse *A, const bool *done)
{
	for (;;)
	{
		int64		key;
		int			i;

		if (binaryheap_empty(heap))
			elog(ERROR, "Markov elimination ran out of pivots");
		key = DatumGetInt64(binaryheap_remove_first(heap));
		i = (int) (key & ((1 << PIVOT_STATE_BITS) - 1));
		if (!done[i] && (key >> PIVOT_STATE_BITS) == MarkowitzCount(A, i))
			return i;
	}
}

/*
 * Absorption in CONV from START, with every state containing channel
 * "removed" leading to NULL (removed = -1: the full chain).  Returns the
 * probability in *p and the expected collected value in *v.  idx is work
 * space for all states.  *work_left is what the call may still spend, in
 * matrix entries visited (journey.max_markov_work), shared by its solves:
 * each row updated by a pivot costs its entries and the pivot row's.
 */
static void
SolveChain(const Chain *chain, int32 removed, int32 *idx, int64 *work_left,
		   double *p, double *v)
{
	MemoryContext cxt;
	MemoryContext old;
	Sparse		A;
	double	   *b1,
			   *b2;
	int			m = 0;
	int			start;
	double		diag;
	bool	   *done;
	binaryheap *heap;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "journey markov solve",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);

	/* number the kept states closest to the end first; START last */
	for (int s = 0; s < chain->nstates; s++)
		idx[s] = -1;
	for (int k = 0; k < chain->nstates; k++)
	{
		int			s = chain->order[k];

		if (removed < 0 || !StateHasChannel(chain, s, removed))
			idx[s] = m++;
	}
	start = m++;

	A.m = m;
	A.nnz = 0;
	A.rows = palloc0(sizeof(SpVec) * m);
	A.cols = palloc0(sizeof(SpVec) * m);
	A.colcount = palloc0(sizeof(int32) * m);
	A.pos = palloc(sizeof(int32) * m);
	memset(A.pos, -1, sizeof(int32) * m);
	b1 = palloc0(sizeof(double) * m);
	b2 = palloc0(sizeof(double) * m);

	/* I - Q, with b the one-step probability (value) of reaching CONV */
	for (int s = 0; s < chain->nstates; s++)
	{
		int			i = idx[s];

		if (i < 0)
			continue;
		SpAdd(&A, i, i, 1.0);
		b1[i] = chain->conv_end[s] / chain->tot[s];
		b2[i] = chain->value_end[s] / chain->tot[s];
		if (chain->start_w[s] > 0)
			SpAdd(&A, start, i, -chain->start_w[s] / chain->start_tot);
	}
	SpAdd(&A, start, start, 1.0);
	for (int e = 0; e < chain->nedges; e++)
	{
		int			i = idx[chain->edges[e].key.from];
		int			j = idx[chain->edges[e].key.to];

		/* edges are distinct and never loops: no entry is added twice */
		if (i >= 0 && j >= 0)
			SpAdd(&A, i, j, -chain->edges[e].w / chain->tot[chain->edges[e].key.from]);
	}

	/*
	 * Forward elimination, one state at a time in the order PivotPop gives
	 * (any order is stable: I - Q is an M-matrix, and so is what is left of
	 * it after each step).  A row then holds only the columns of states not
	 * yet eliminated; START, eliminated last, is left with its diagonal, so
	 * its value is read off without back substitution.
	 */
	done = palloc0(sizeof(bool) * m);
	/* m - 1 keys, at most 2m more per step, rebuilt past 4m (below) */
	heap = binaryheap_allocate(6 * m + 1, PivotKeyCmp, NULL);
	for (int i = 0; i < m - 1; i++)
		PivotPush(heap, &A, i);
	for (int step = 0; step < m - 1; step++)
	{
		int			k = PivotPop(heap, &A, done);
		SpVec	   *rowk = &A.rows[k];
		SpEntry    *ek;
		double		piv = 0;
		SpVec	   *colk = &A.cols[k];

		CHECK_FOR_INTERRUPTS();
		ek = (SpEntry *) rowk->items;
		for (int t = 0; t < rowk->n; t++)
			if (ek[t].col == k)
				piv = ek[t].val;
		Assert(piv > 0);

		for (int c = 0; c < colk->n; c++)
		{
			int			i = ((int32 *) colk->items)[c];
			SpVec	   *rowi = &A.rows[i];
			SpEntry    *ei;
			double		f = 0;

			CHECK_FOR_INTERRUPTS();
			if (i == k || done[i])
				continue;
			*work_left -= rowi->n + rowk->n;
			if (*work_left < 0)
				TooMuchWork();
			/* take out entry (i, k) and scatter row i */
			ei = (SpEntry *) rowi->items;
			for (int t = 0; t < rowi->n; t++)
			{
				if (ei[t].col == k)
				{
					f = ei[t].val;
					ei[t] = ei[--rowi->n];
					t--;
					continue;
				}
				A.pos[ei[t].col] = t;
			}
			if (f != 0)
			{
				f /= piv;
				ek = (SpEntry *) rowk->items;
				for (int t = 0; t < rowk->n; t++)
				{
					int			j = ek[t].col;

					if (j == k)
						continue;
					if (A.pos[j] >= 0)
						((SpEntry *) rowi->items)[A.pos[j]].val -= f * ek[t].val;
					else
					{
						SpAdd(&A, i, j, -f * ek[t].val);
						A.pos[j] = rowi->n - 1;
						/* the row may have moved; ek is row k's, unchanged */
					}
				}
				b1[i] -= f * b1[k];
				b2[i] -= f * b2[k];
			}
			ei = (SpEntry *) rowi->items;
			for (int t = 0; t < rowi->n; t++)
				A.pos[ei[t].col] = -1;
		}
		/* row k leaves the matrix: its columns lose an entry each */
		done[k] = true;
		ek = (SpEntry *) rowk->items;
		for (int t = 0; t < rowk->n; t++)
			A.colcount[ek[t].col]--;

		/*
		 * the counts that changed: rows that had an entry in column k, and
		 * columns of row k (fill-in lands only there)
		 */
		for (int c = 0; c < colk->n; c++)
		{
			int			i = ((int32 *) colk->items)[c];

			if (!done[i])
				PivotPush(heap, &A, i);
		}
		for (int t = 0; t < rowk->n; t++)
			if (!done[ek[t].col])
				PivotPush(heap, &A, ek[t].col);
		/* outdated keys piling up: start again with one per state left */
		if (heap->bh_size > 4 * m)
		{
			binaryheap_reset(heap);
			for (int i = 0; i < m - 1; i++)
				if (!done[i])
					PivotPush(heap, &A, i);
		}
	}
	diag = 0;
	{
		SpEntry    *es = (SpEntry *) A.rows[start].items;

		for (int t = 0; t < A.rows[start].n; t++)
			if (es[t].col == start)
				diag = es[t].val;
	}
	Assert(diag > 0);
	*p = b1[start] / diag;
	*v = b2[start] / diag;

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/*
 * The paths to build the chain of: paths itself, or, when the chain's sums
 * could pass float8's range although every path's figures are finite, a
 * copy with conversions, nulls and value scaled down by one power of two.
 * Probabilities and the ratios of expected values do not change with the
 * scale, and scaling by a power of two is exact (short of values so small
 * next to the largest that they vanish in its sums anyway), so the removal
 * effects are those of the unscaled chain; the credits are split from the
 * unscaled totals.  The chain's largest sum is at most
 * 2 max(conv, nulls, value) * sum over paths of max(n, 1)^2 (a state's
 * mean steps to the end, BuildChain's stepsum); it is kept below 2^1000.
 */
static const AttrPath *
MarkovScaledPaths(const AttrPath *paths, int npaths)
{
	double		largest = 0;
	double		steps = 0;
	int			exponent;
	AttrPath   *scaled;

	for (int p = 0; p < npaths; p++)
	{
		double		n = Max(paths[p].n, 1);

		largest = Max(largest, Max(paths[p].conv, Max(paths[p].nulls, paths[p].value)));
		steps += n * n;
	}
	if (largest == 0)
		return paths;
	/* 2 * largest * steps < 2^exponent, without overflow */
	(void) frexp(largest, &exponent);
	exponent += 1 + (int) ceil(log2(steps)) + 1;
	if (exponent <= 1000)
		return paths;
	scaled = palloc(sizeof(AttrPath) * Max(npaths, 1));
	for (int p = 0; p < npaths; p++)
	{
		scaled[p] = paths[p];
		scaled[p].conv = ldexp(paths[p].conv, 1000 - exponent);
		scaled[p].nulls = ldexp(paths[p].nulls, 1000 - exponent);
		scaled[p].value = ldexp(paths[p].value, 1000 - exponent);
	}
	return scaled;
}

/*
 * Credits (conv, value) and removal effects of every channel from a
 * finished chain; total_conv and total_value are the paths' exact totals.
 */
static void
ChainCredit(const Chain *chain, int nchannels, double total_conv,
			double total_value, double *conv, double *value, double *removal)
{
	double		P,
				V;
	double	   *vre;
	double		vsum = 0;
	int32	   *idx;
	int64		work_left = (int64) journey_max_markov_work * 1000;

	idx = palloc(sizeof(int32) * (chain->nstates + 1));
	SolveChain(chain, -1, idx, &work_left, &P, &V);
	vre = palloc0(sizeof(double) * Max(nchannels, 1));
	for (int c = 0; c < nchannels; c++)
	{
		double		pc,
					vc;

		SolveChain(chain, c, idx, &work_left, &pc, &vc);
		/* removal only redirects to NULL: clamp rounding noise into [0, 1] */
		removal[c] = (P > 0) ? Min(1.0, Max(0.0, 1 - pc / P)) : 0;
		vre[c] = (V > 0) ? Min(1.0, Max(0.0, 1 - vc / V)) : 0;
		vsum += vre[c];
	}
	AttributionSplit(total_conv, removal, nchannels, conv);
	AttributionSplit(total_value, vsum > 0 ? vre : removal, nchannels, value);
	pfree(idx);
	pfree(vre);
}

void
AttributionMarkov(const AttrPath *paths, int npaths, int nchannels, int order,
				  double *conv, double *value, double *removal)
{
	Chain		chain;
	const AttrPath *chain_paths = MarkovScaledPaths(paths, npaths);

	BuildChain(chain_paths, npaths, order, &chain);
	if (chain_paths != paths)
		pfree((void *) chain_paths);
	ChainCredit(&chain, nchannels, AttributionExactTotal(paths, npaths, false),
				AttributionExactTotal(paths, npaths, true), conv, value,
				removal);
}

/*
 * The same credits from a chain of order 1 given as its sums (the stored
 * chain of a snapshot): per state (its channel id in state_ch, distinct)
 * the weight from START, the outgoing weight, the weight and value into
 * CONV and the weight times the steps left of the walks through it; per
 * edge its states (indexes into the state arrays) and weight.  A chain
 * built from paths has exactly these sums, so both give the same bits.
 */
void
AttributionMarkovStored(int nstates, const int32 *state_ch,
						const double *start_w, const double *tot,
						const double *conv_end, const double *value_end,
						const double *stepsum, int nedges,
						const int32 *edge_from, const int32 *edge_to,
						const double *edge_w, int nchannels,
						double total_conv, double total_value,
						double *conv, double *value, double *removal)
{
	Chain		chain;
	double	   *steps = palloc(sizeof(double) * Max(nstates, 1));

	if (nstates > ATTR_MARKOV_MAX_STATES)
		TooManyStates(1);
	memset(&chain, 0, sizeof(chain));
	chain.nstates = nstates;
	chain.windows = palloc(sizeof(StateKey) * Max(nstates, 1));
	chain.tot = palloc(sizeof(double) * Max(nstates, 1));
	chain.conv_end = palloc(sizeof(double) * Max(nstates, 1));
	chain.value_end = palloc(sizeof(double) * Max(nstates, 1));
	chain.start_w = palloc(sizeof(double) * Max(nstates, 1));
	for (int s = 0; s < nstates; s++)
	{
		CHECK_FOR_INTERRUPTS();
		chain.windows[s].ch[0] = state_ch[s];
		for (int j = 1; j < ATTR_MARKOV_MAX_ORDER; j++)
			chain.windows[s].ch[j] = -1;
		chain.tot[s] = tot[s];
		chain.conv_end[s] = conv_end[s];
		chain.value_end[s] = value_end[s];
		chain.start_w[s] = start_w[s];
		chain.start_tot += start_w[s];
		steps[s] = stepsum[s];
	}
	chain.nedges = nedges;
	chain.edges = palloc(sizeof(EdgeEntry) * Max(nedges, 1));
	for (int e = 0; e < nedges; e++)
	{
		chain.edges[e].key.from = edge_from[e];
		chain.edges[e].key.to = edge_to[e];
		chain.edges[e].w = edge_w[e];
	}
	ChainFinish(&chain, steps);
	ChainCredit(&chain, nchannels, total_conv, total_value, conv, value,
				removal);
	pfree(steps);
}
