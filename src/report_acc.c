/*-------------------------------------------------------------------------
 *
 * report_acc.c
 *	  The report engine's accumulators: what each customer's events come to
 *	  (through the aggregates' own final computations), added up per report,
 *	  merged across parallel participants, and turned into result rows.
 *
 * Funnel: per segment (one group without segments), the number of
 * customers per furthest level reached (window_funnel's answer, under its
 * modes), and without modes the gaps between consecutive steps of each
 * customer's best chain (funnel_times' answer), whose medians are exact
 * (the two middle values found by selection, interpolated as
 * percentile_cont(0.5) does, in seconds and as an interval).
 *
 * Paths and transitions: counts per distinct path (path_agg, then
 * path_transform) or per edge (transitions() of that path, its first K
 * steps), keyed by the labels' bytes, each label followed by a zero byte:
 * bytewise order of such keys is the order of text[] under the C
 * collation (a shorter label, or path, that is a prefix of another sorts
 * first), so the top paths are ordered by count, then path, as
 * ORDER BY customers DESC, path COLLATE "C" orders them.
 *
 * Sequence: customers matching (sequence_match) and matches
 * (sequence_count).
 *
 *-------------------------------------------------------------------------
 */
#include "report.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "lib/binaryheap.h"
#include "port/pg_bswap.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* The gaps between two consecutive steps, in microseconds. */
typedef struct GapList
{
	int64		n;
	int64		cap;
	int64	   *v;
} GapList;

/* One segment's funnel: counts[l] customers reached level l (0..n). */
typedef struct FunnelGroup
{
	const ReportBytes *key;		/* first byte 1: a segment, 0: NULL */
	int64	   *counts;			/* nsteps + 1 */
	GapList    *gaps;			/* gaps[k]: step k to k + 1 (1 <= k < n) */
} FunnelGroup;

struct ReportAcc
{
	const ReportSpec *spec;
	MemoryContext cxt;
	rbytes_hash *entries;		/* groups, paths or edges */
	FunnelGroup *all;			/* the funnel's one group without segments */
	const void *transforms;		/* parsed path transforms, or NULL */
	int64		customers;		/* paths: with a path; sequence: matching */
	int64		matches;		/* sequence */
	int64	   *step_total;		/* transitions: customers with an edge at step
								 * k (1..max_step) */
	StringInfoData key;			/* scratch: the key being built */
	ReportProbe probe;
	JourneyLabel *labels;		/* scratch: one customer's path */
	JourneyLabel *spare;
	int			labels_cap;
};

/* The entry of key data[0 .. len), made (count 0) if new. */
static ReportBytesEntry *
EntryFor(ReportAcc *acc, const char *data, int32 len, bool *isnew)
{
	return ReportBytesFind(acc->entries, acc->cxt,
						   ReportProbeSet(&acc->probe, acc->cxt, data, len), isnew);
}

static FunnelGroup *
GroupCreate(ReportAcc *acc, const ReportBytes *key)
{
	int			n = acc->spec->nsteps;
	FunnelGroup *g = MemoryContextAllocZero(acc->cxt, sizeof(FunnelGroup));

	g->key = key;
	g->counts = MemoryContextAllocZero(acc->cxt, sizeof(int64) * (n + 1));
	if (acc->spec->with_times)
		g->gaps = MemoryContextAllocZero(acc->cxt, sizeof(GapList) * n);
	return g;
}

/* The funnel group of a segment key (first byte: 1 a value, 0 NULL). */
static FunnelGroup *
GroupFor(ReportAcc *acc, const char *data, int32 len)
{
	bool		isnew;
	ReportBytesEntry *e = EntryFor(acc, data, len, &isnew);

	if (isnew)
		e->ptr = GroupCreate(acc, e->key);
	return e->ptr;
}

static void
GapAdd(ReportAcc *acc, GapList *g, int64 gap)
{
	if (g->n == g->cap)
	{
		g->cap = g->cap == 0 ? 64 : g->cap * 2;
		g->v = g->v == NULL ?
			MemoryContextAllocHuge(acc->cxt, sizeof(int64) * g->cap) :
			repalloc_huge(g->v, sizeof(int64) * g->cap);
	}
	g->v[g->n++] = gap;
}

ReportAcc  *
ReportAccCreate(const ReportSpec *spec, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "journey report results",
											  ALLOCSET_DEFAULT_SIZES);
	ReportAcc  *acc = MemoryContextAllocZero(cxt, sizeof(ReportAcc));
	MemoryContext old = MemoryContextSwitchTo(cxt);

	acc->spec = spec;
	acc->cxt = cxt;
	acc->entries = rbytes_create(cxt, 256, NULL);
	initStringInfo(&acc->key);
	if (spec->kind == REPORT_FUNNEL && !spec->group_segments)
		acc->all = GroupCreate(acc, NULL);
	if ((spec->kind == REPORT_PATHS || spec->kind == REPORT_TRANSITIONS) &&
		spec->transforms_off >= 0)
		acc->transforms = JourneyPathTransformParse((ArrayType *)
													ReportSpecString(spec, spec->transforms_off));
	if (spec->kind == REPORT_TRANSITIONS)
		acc->step_total = palloc0(sizeof(int64) * (spec->max_step + 1));
	MemoryContextSwitchTo(old);
	return acc;
}

/* ---------- one customer ---------- */

/*
 * The gap between two steps of a chain: t2 - t1 as timestamptz subtraction
 * gives it (and, as it does, an error for infinite timestamps).
 */
static int64
StepGap(TimestampTz t1, TimestampTz t2)
{
	if (TIMESTAMP_NOT_FINITE(t1) || TIMESTAMP_NOT_FINITE(t2))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("cannot subtract infinite timestamps")));
	return t2 - t1;
}

static void
FunnelCustomer(ReportAcc *acc, JourneyEvents *events, const char *segment,
			   int32 segment_len, bool segment_null)
{
	const ReportSpec *spec = acc->spec;
	FunnelGroup *g = acc->all;
	TimestampTz times[JOURNEY_MAX_CONDITIONS];
	int			level = 0;

	if (spec->group_segments)
	{
		resetStringInfo(&acc->key);
		appendStringInfoChar(&acc->key, segment_null ? 0 : 1);
		if (!segment_null)
			appendBinaryStringInfo(&acc->key, segment, segment_len);
		g = GroupFor(acc, acc->key.data, acc->key.len);
	}
	if (events != NULL && events->nevents > 0)
	{
		if (spec->with_times)
			level = JourneyFunnelTimes(events, times);
		else
			level = JourneyFunnelLevel(events);
	}
	g->counts[level]++;
	if (spec->with_times)
		for (int k = 1; k < level; k++)
			GapAdd(acc, &g->gaps[k], StepGap(times[k - 1], times[k]));
}

/* The labels of a customer's path after the transforms, in acc->labels. */
static JourneyLabel *
CustomerPath(ReportAcc *acc, JourneyEvents *events, int *n)
{
	JourneyLabel *labels;

	if (events->nevents > acc->labels_cap)
	{
		acc->labels_cap = Max(events->nevents, 2 * acc->labels_cap);
		if (acc->labels)
		{
			pfree(acc->labels);
			pfree(acc->spare);
		}
		acc->labels = MemoryContextAllocHuge(acc->cxt, sizeof(JourneyLabel) * acc->labels_cap);
		acc->spare = MemoryContextAllocHuge(acc->cxt, sizeof(JourneyLabel) * acc->labels_cap);
	}
	JourneyEventsSort(events);
	for (int i = 0; i < events->nevents; i++)
	{
		acc->labels[i].data = JourneyEventLabel(events, &events->events[i]);
		acc->labels[i].len = strlen(acc->labels[i].data);
	}
	*n = events->nevents;
	labels = acc->labels;
	if (acc->transforms)
		labels = JourneyPathTransformApply(acc->transforms, labels, n, acc->spare);
	return labels;
}

static inline void
KeyAddLabel(StringInfo key, const JourneyLabel *label)
{
	appendBinaryStringInfo(key, label->data, label->len);
	appendStringInfoChar(key, '\0');
}

static void
PathCustomer(ReportAcc *acc, JourneyEvents *events)
{
	int			n;
	JourneyLabel *labels = CustomerPath(acc, events, &n);
	bool		isnew;

	resetStringInfo(&acc->key);
	for (int i = 0; i < n; i++)
		KeyAddLabel(&acc->key, &labels[i]);
	EntryFor(acc, acc->key.data, acc->key.len, &isnew)->count++;
	acc->customers++;
}

static void
TransitionCustomer(ReportAcc *acc, JourneyEvents *events)
{
	int			n;
	JourneyLabel *labels = CustomerPath(acc, events, &n);

	for (int k = 1; k <= n + 1 && k <= acc->spec->max_step; k++)
	{
		JourneyLabel from;
		JourneyLabel to;
		uint32		step = pg_hton32((uint32) k);
		bool		isnew;

		JourneyTransition(labels, n, k, &from, &to);
		resetStringInfo(&acc->key);
		appendBinaryStringInfo(&acc->key, (char *) &step, sizeof(uint32));
		KeyAddLabel(&acc->key, &from);
		KeyAddLabel(&acc->key, &to);
		EntryFor(acc, acc->key.data, acc->key.len, &isnew)->count++;
		acc->step_total[k]++;
	}
}

/*
 * One customer's events (NULL: none kept) and segment: the aggregates'
 * answers for them, added to the report.
 */
void
ReportAccCustomer(ReportAcc *acc, JourneyEvents *events, const char *segment,
				  int32 segment_len, bool segment_null)
{
	const ReportSpec *spec = acc->spec;

	if (spec->has_segment_value &&
		(segment_null || segment_len != spec->segment_len ||
		 memcmp(segment, ReportSpecString(spec, spec->segment_off), segment_len) != 0))
		return;
	switch (spec->kind)
	{
		case REPORT_FUNNEL:
			FunnelCustomer(acc, events, segment, segment_len, segment_null);
			break;
		case REPORT_SEQUENCE:
			if (events != NULL && events->nevents > 0)
			{
				if (JourneySequenceMatch(events))
					acc->customers++;
				acc->matches += JourneySequenceCount(events);
			}
			break;
		case REPORT_PATHS:
			if (events != NULL && events->nevents > 0)
				PathCustomer(acc, events);
			break;
		case REPORT_TRANSITIONS:
			if (events != NULL && events->nevents > 0)
				TransitionCustomer(acc, events);
			break;
	}
}

/* ---------- parallel participants' accumulators ---------- */

static void
WriteInt64(BufFile *file, int64 v)
{
	BufFileWrite(file, &v, sizeof(int64));
}

static int64
ReadInt64(BufFile *file)
{
	int64		v;

	ReportFileRead(file, &v, sizeof(int64));
	return v;
}

/*
 * One entry: its key (length -1: the funnel's one group), then its count,
 * or the funnel group's counts and gaps.
 */
static void
WriteEntry(ReportAcc *acc, BufFile *file, const ReportBytes *key, int64 count,
		   const FunnelGroup *g)
{
	const ReportSpec *spec = acc->spec;
	int32		len = key ? key->len : -1;

	CHECK_FOR_INTERRUPTS();
	BufFileWrite(file, &len, sizeof(int32));
	if (key)
		BufFileWrite(file, (void *) key->data, key->len);
	if (spec->kind != REPORT_FUNNEL)
	{
		WriteInt64(file, count);
		return;
	}
	BufFileWrite(file, g->counts, sizeof(int64) * (spec->nsteps + 1));
	for (int k = 1; spec->with_times && k < spec->nsteps; k++)
	{
		WriteInt64(file, g->gaps[k].n);
		BufFileWrite(file, g->gaps[k].v, sizeof(int64) * g->gaps[k].n);
	}
}

/* Write everything acc holds to file, for ReportAccMerge. */
void
ReportAccWrite(ReportAcc *acc, BufFile *file)
{
	rbytes_iterator it;
	ReportBytesEntry *e;

	WriteInt64(file, acc->customers);
	WriteInt64(file, acc->matches);
	if (acc->step_total)
		BufFileWrite(file, acc->step_total, sizeof(int64) * (acc->spec->max_step + 1));
	WriteInt64(file, acc->entries->members + (acc->all ? 1 : 0));
	rbytes_start_iterate(acc->entries, &it);
	while ((e = rbytes_iterate(acc->entries, &it)) != NULL)
		WriteEntry(acc, file, e->key, e->count, e->ptr);
	if (acc->all)
		WriteEntry(acc, file, NULL, 0, acc->all);
}

/* Add what ReportAccWrite wrote to file into acc. */
void
ReportAccMerge(ReportAcc *acc, BufFile *file)
{
	const ReportSpec *spec = acc->spec;
	int64		n;

	acc->customers += ReadInt64(file);
	acc->matches += ReadInt64(file);
	if (acc->step_total)
		for (int k = 0; k <= spec->max_step; k++)
			acc->step_total[k] += ReadInt64(file);
	n = ReadInt64(file);
	for (int64 i = 0; i < n; i++)
	{
		int32		len;
		FunnelGroup *g = acc->all;
		bool		isnew;

		CHECK_FOR_INTERRUPTS();
		ReportFileRead(file, &len, sizeof(int32));
		if (len >= 0)
		{
			resetStringInfo(&acc->key);
			enlargeStringInfo(&acc->key, len);
			ReportFileRead(file, acc->key.data, len);
			acc->key.len = len;
			if (spec->kind != REPORT_FUNNEL)
			{
				EntryFor(acc, acc->key.data, len, &isnew)->count += ReadInt64(file);
				continue;
			}
			g = GroupFor(acc, acc->key.data, len);
		}
		if (g == NULL)
			elog(ERROR, "journey report result file is damaged");
		for (int k = 0; k <= spec->nsteps; k++)
			g->counts[k] += ReadInt64(file);
		for (int k = 1; spec->with_times && k < spec->nsteps; k++)
		{
			int64		ngaps = ReadInt64(file);

			for (int64 j = 0; j < ngaps; j++)
				GapAdd(acc, &g->gaps[k], ReadInt64(file));
		}
	}
}

/* ---------- results ---------- */

static int
Int64Cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/*
 * Rearrange v[0 .. n) so that v[k] is the value a sort would put there,
 * none before it larger and none after it smaller (quickselect, median of
 * three; a sort of what is left after too many rounds, so that no input
 * makes it quadratic).
 */
static void
SelectKth(int64 *v, int64 n, int64 k)
{
	int64		lo = 0;
	int64		hi = n - 1;
	int			rounds = 0;

	while (hi > lo)
	{
		int64		mid = lo + (hi - lo) / 2;
		int64		a = v[lo],
					b = v[mid],
					c = v[hi];
		int64		pivot = (a < b) ? ((b < c) ? b : (a < c ? c : a)) :
		((a < c) ? a : (b < c ? c : b));
		int64		i = lo;
		int64		j = hi;

		if (++rounds > 64)
		{
			qsort(v + lo, hi - lo + 1, sizeof(int64), Int64Cmp);
			return;
		}
		if ((rounds & 15) == 0)
			CHECK_FOR_INTERRUPTS();
		while (i <= j)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
			{
				int64		t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				j--;
			}
		}
		/* v[lo .. j] <= pivot <= v[i .. hi], and v[j + 1 .. i - 1] = pivot */
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/*
 * The median of the gaps as percentile_cont(0.5) finds it: the middle
 * value, or the two middle ones interpolated halfway, in seconds (the
 * float8 form) and as an interval (timestamptz subtraction's intervals,
 * interpolated with interval arithmetic).
 */
static void
GapMedian(GapList *g, float8 *seconds, Interval **interval)
{
	int64		first = (g->n - 1) / 2;
	int64		lo;
	int64		hi;
	Interval	span;
	Datum		ilo;
	Datum		ihi;

	SelectKth(g->v, g->n, first);
	lo = hi = g->v[first];
	if (g->n % 2 == 0)
	{
		hi = g->v[first + 1];
		for (int64 i = first + 2; i < g->n; i++)
			hi = Min(hi, g->v[i]);
	}
	span.month = 0;
	span.day = 0;
	span.time = lo;
	ilo = DirectFunctionCall1(interval_justify_hours, IntervalPGetDatum(&span));
	if (lo == hi)
	{
		*seconds = (float8) lo / USECS_PER_SEC;
		*interval = DatumGetIntervalP(ilo);
		return;
	}
	{
		float8		slo = (float8) lo / USECS_PER_SEC;
		float8		shi = (float8) hi / USECS_PER_SEC;

		*seconds = slo + (0.5 * (shi - slo));
	}
	span.time = hi;
	ihi = DirectFunctionCall1(interval_justify_hours, IntervalPGetDatum(&span));
	*interval = DatumGetIntervalP(DirectFunctionCall2(interval_pl,
													  DirectFunctionCall2(interval_mul,
																		  DirectFunctionCall2(interval_mi, ihi, ilo),
																		  Float8GetDatum(0.5)),
													  ilo));
}

/* (segment, step, customers, median_seconds, median) for every step. */
static void
FunnelGroupRows(ReportAcc *acc, FunnelGroup *g, ReturnSetInfo *rsinfo)
{
	const ReportSpec *spec = acc->spec;
	int64		reached = 0;
	int64		counts[REPORT_MAX_STEPS + 2];

	counts[spec->nsteps + 1] = 0;
	for (int k = spec->nsteps; k >= 0; k--)
	{
		reached += g->counts[k];
		counts[k] = reached;
	}
	for (int k = spec->all_customers ? 0 : 1; k <= spec->nsteps; k++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, true, true};

		CHECK_FOR_INTERRUPTS();
		if (g->key == NULL || g->key->data[0] == 0)
			nulls[0] = true;
		else
			values[0] = PointerGetDatum(cstring_to_text_with_len(g->key->data + 1,
																 g->key->len - 1));
		values[1] = Int32GetDatum(k);
		values[2] = Int64GetDatum(counts[k]);
		if (spec->with_times && k >= 2 && g->gaps[k - 1].n > 0)
		{
			float8		seconds;
			Interval   *median;

			GapMedian(&g->gaps[k - 1], &seconds, &median);
			values[3] = Float8GetDatum(seconds);
			values[4] = IntervalPGetDatum(median);
			nulls[3] = nulls[4] = false;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* The labels of a key of zero-terminated labels, as a text[]. */
static ArrayType *
KeyPath(const char *data, int len)
{
	int			n = 0;
	JourneyLabel *labels;
	const char *p = data;

	for (int i = 0; i < len; i++)
		if (data[i] == '\0')
			n++;
	labels = palloc(sizeof(JourneyLabel) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		labels[i].data = p;
		labels[i].len = strlen(p);
		p += labels[i].len + 1;
	}
	return JourneyBuildTextArray(labels, n);
}

/* The better of two paths: more customers, then the lower path. */
static int
EntryCmp(const ReportBytesEntry *a, const ReportBytesEntry *b)
{
	int			c;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	c = memcmp(a->key->data, b->key->data, Min(a->key->len, b->key->len));
	if (c != 0)
		return c;
	return (a->key->len > b->key->len) - (a->key->len < b->key->len);
}

static int
EntryPtrCmp(const void *a, const void *b)
{
	return EntryCmp(*(ReportBytesEntry *const *) a, *(ReportBytesEntry *const *) b);
}

/* binaryheap keeps the worst kept path at its root */
static int
EntryHeapCmp(Datum a, Datum b, void *arg)
{
	return EntryCmp((const ReportBytesEntry *) DatumGetPointer(a),
					(const ReportBytesEntry *) DatumGetPointer(b));
}

/* (path, customers, rank): the top paths, then (other). */
static void
PathRows(ReportAcc *acc, ReturnSetInfo *rsinfo)
{
	int			top = acc->spec->top;
	binaryheap *heap = binaryheap_allocate(Max(top, 1), EntryHeapCmp, NULL);
	rbytes_iterator it;
	ReportBytesEntry *e;
	ReportBytesEntry **best;
	int			nbest;
	int64		rest = acc->customers;
	int64		n = 0;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	JourneyLabel other = {"(other)", 7};

	rbytes_start_iterate(acc->entries, &it);
	while (top > 0 && (e = rbytes_iterate(acc->entries, &it)) != NULL)
	{
		if ((++n & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		if (heap->bh_size < top)
			binaryheap_add_unordered(heap, PointerGetDatum(e));
		else
		{
			if (heap->bh_size == top && !heap->bh_has_heap_property)
				binaryheap_build(heap);
			if (EntryCmp(e, (ReportBytesEntry *) DatumGetPointer(binaryheap_first(heap))) < 0)
				binaryheap_replace_first(heap, PointerGetDatum(e));
		}
	}
	nbest = heap->bh_size;
	best = palloc(sizeof(ReportBytesEntry *) * Max(nbest, 1));
	for (int i = 0; i < nbest; i++)
		best[i] = (ReportBytesEntry *) DatumGetPointer(heap->bh_nodes[i]);
	qsort(best, nbest, sizeof(ReportBytesEntry *), EntryPtrCmp);
	for (int i = 0; i < nbest; i++)
	{
		values[0] = PointerGetDatum(KeyPath(best[i]->key->data, best[i]->key->len));
		values[1] = Int64GetDatum(best[i]->count);
		values[2] = Int32GetDatum(i + 1);
		rest -= best[i]->count;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	values[0] = PointerGetDatum(JourneyBuildTextArray(&other, 1));
	values[1] = Int64GetDatum(rest);
	nulls[2] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * (step, from_label, to_label, customers, folded): every edge, but those
 * whose share of their step's customers is below min_share, which are
 * added up into one (other) row per step.
 */
static void
TransitionRows(ReportAcc *acc, ReturnSetInfo *rsinfo)
{
	const ReportSpec *spec = acc->spec;
	int64	   *folded = palloc0(sizeof(int64) * (spec->max_step + 1));
	rbytes_iterator it;
	ReportBytesEntry *e;
	int64		n = 0;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	rbytes_start_iterate(acc->entries, &it);
	while ((e = rbytes_iterate(acc->entries, &it)) != NULL)
	{
		uint32		step;
		const char *from = e->key->data + sizeof(uint32);
		const char *to = from + strlen(from) + 1;

		if ((++n & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		memcpy(&step, e->key->data, sizeof(uint32));
		step = pg_ntoh32(step);
		if ((float8) e->count / (float8) acc->step_total[step] < spec->min_share)
		{
			folded[step] += e->count;
			continue;
		}
		values[0] = Int32GetDatum((int32) step);
		values[1] = PointerGetDatum(cstring_to_text(from));
		values[2] = PointerGetDatum(cstring_to_text(to));
		values[3] = Int64GetDatum(e->count);
		values[4] = BoolGetDatum(false);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	for (int k = 1; k <= spec->max_step; k++)
	{
		if (folded[k] == 0)
			continue;
		values[0] = Int32GetDatum(k);
		values[1] = PointerGetDatum(cstring_to_text("(other)"));
		values[2] = PointerGetDatum(cstring_to_text("(other)"));
		values[3] = Int64GetDatum(folded[k]);
		values[4] = BoolGetDatum(true);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* The report's rows, into the set-returning function's tuplestore. */
void
ReportAccResult(ReportAcc *acc, FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	switch (acc->spec->kind)
	{
		case REPORT_FUNNEL:
			if (acc->all)
				FunnelGroupRows(acc, acc->all, rsinfo);
			else
			{
				rbytes_iterator it;
				ReportBytesEntry *e;

				rbytes_start_iterate(acc->entries, &it);
				while ((e = rbytes_iterate(acc->entries, &it)) != NULL)
					FunnelGroupRows(acc, e->ptr, rsinfo);
			}
			break;
		case REPORT_PATHS:
			PathRows(acc, rsinfo);
			break;
		case REPORT_TRANSITIONS:
			TransitionRows(acc, rsinfo);
			break;
		case REPORT_SEQUENCE:
			{
				Datum		values[2];
				bool		nulls[2] = {false, false};

				values[0] = Int64GetDatum(acc->customers);
				values[1] = Int64GetDatum(acc->matches);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
			break;
	}
}
