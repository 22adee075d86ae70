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
#include "catalog/pg_operator.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplesort.h"

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
	int32		index;			/* in ReportAcc.groups */
	int64	   *counts;			/* nsteps + 1 */
	GapList    *gaps;			/* gaps[k]: step k to k + 1 (1 <= k < n) */
	float8	   *median_seconds; /* by step, once computed */
	Interval  **median;			/* by step, NULL: none */
} FunnelGroup;

struct ReportAcc
{
	const ReportSpec *spec;
	MemoryContext cxt;
	Size		limit;			/* work_mem: for the gaps, and for the counts */
	rbytes_hash *entries;		/* groups, paths or edges */
	MemoryContext keys_cxt;		/* the keys of paths and edges */
	Tuplesortstate *counts_sorted;	/* paths or edges past the limit */
	TupleTableSlot *counts_slot;	/* rows going in, and coming out */
	TupleTableSlot *counts_out;
	FunnelGroup **groups;		/* the funnel's groups by index */
	int32		ngroups;
	int32		groups_cap;
	FunnelGroup *all;			/* the funnel's one group without segments */
	Size		gap_bytes;		/* held in the groups' GapLists */
	Tuplesortstate *gaps_sorted;	/* (group, step, gap) past the limit */
	TupleTableSlot *gaps_slot;
	TupleTableSlot *gaps_out;
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

/*
 * A sort of rows of int8 columns by every column, or of (bytea, int8) by
 * the bytea; slots to put rows in and to read them out.
 */
static Tuplesortstate *
SortCreate(ReportAcc *acc, bool bytea_key, int ncolumns, TupleTableSlot **slot,
		   TupleTableSlot **out)
{
	MemoryContext old = MemoryContextSwitchTo(acc->cxt);
	TupleDesc	desc = CreateTemplateTupleDesc(ncolumns);
	AttrNumber	attnums[3];
	Oid			ops[3];
	Oid			collations[3] = {InvalidOid, InvalidOid, InvalidOid};
	bool		nulls_first[3] = {false, false, false};
	Tuplesortstate *sort;

	for (int i = 0; i < ncolumns; i++)
	{
		bool		is_bytea = bytea_key && i == 0;

		TupleDescInitEntry(desc, i + 1, NULL, is_bytea ? BYTEAOID : INT8OID, -1, 0);
		attnums[i] = i + 1;
		ops[i] = is_bytea ? ByteaLessOperator : Int8LessOperator;
	}
	*slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
	*out = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	sort = tuplesort_begin_heap(desc, bytea_key ? 1 : ncolumns, attnums, ops, collations,
								nulls_first, work_mem, NULL, TUPLESORT_NONE);
	MemoryContextSwitchTo(old);
	return sort;
}

/* Put one row of values into a sort through its slot. */
static void
SortPut(Tuplesortstate *sort, TupleTableSlot *slot, Datum a, Datum b, Datum c)
{
	ExecClearTuple(slot);
	slot->tts_values[0] = a;
	slot->tts_values[1] = b;
	if (slot->tts_tupleDescriptor->natts > 2)
		slot->tts_values[2] = c;
	memset(slot->tts_isnull, 0, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	ExecStoreVirtualTuple(slot);
	tuplesort_puttupleslot(sort, slot);
}

/* A key's bytes as a bytea, in the current memory context. */
static Datum
KeyDatum(const ReportBytes *key)
{
	bytea	   *b = palloc(VARHDRSZ + key->len);

	SET_VARSIZE(b, VARHDRSZ + key->len);
	memcpy(VARDATA(b), key->data, key->len);
	return PointerGetDatum(b);
}

/*
 * Paths or edges past the limit: every count held goes to a sort by key
 * (counts of one key added up as they are read back), and the hash starts
 * again empty.
 */
static void
CountsSpill(ReportAcc *acc)
{
	rbytes_iterator it;
	ReportBytesEntry *e;
	MemoryContext old;

	if (acc->counts_sorted == NULL)
	{
		elog(DEBUG1, "journey report results: counts past work_mem, sorted");
		acc->counts_sorted = SortCreate(acc, true, 2, &acc->counts_slot, &acc->counts_out);
	}
	old = MemoryContextSwitchTo(acc->keys_cxt);
	rbytes_start_iterate(acc->entries, &it);
	while ((e = rbytes_iterate(acc->entries, &it)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		SortPut(acc->counts_sorted, acc->counts_slot, KeyDatum(e->key),
				Int64GetDatum(e->count), 0);
	}
	MemoryContextSwitchTo(old);
	rbytes_reset(acc->entries);
	MemoryContextReset(acc->keys_cxt);
}

/*
 * The entry of key data[0 .. len), made (count 0) if new: a path or an
 * edge (their keys in keys_cxt, held within the limit), or a segment.
 */
static ReportBytesEntry *
EntryFor(ReportAcc *acc, const char *data, int32 len, bool *isnew)
{
	if (acc->spec->kind != REPORT_FUNNEL &&
		MemoryContextMemAllocated(acc->keys_cxt, true) +
		acc->entries->size * sizeof(ReportBytesEntry) > acc->limit &&
		acc->entries->members > 0)
		CountsSpill(acc);
	return ReportBytesFind(acc->entries,
						   acc->spec->kind == REPORT_FUNNEL ? acc->cxt : acc->keys_cxt,
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
	if (acc->ngroups == acc->groups_cap)
	{
		acc->groups_cap = Max(16, acc->groups_cap * 2);
		acc->groups = acc->groups == NULL ?
			MemoryContextAlloc(acc->cxt, sizeof(FunnelGroup *) * acc->groups_cap) :
			repalloc_huge(acc->groups, sizeof(FunnelGroup *) * acc->groups_cap);
	}
	g->index = acc->ngroups;
	acc->groups[acc->ngroups++] = g;
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

/*
 * Gaps past the limit: every gap held goes to a sort by (group, step,
 * gap), and so does every later one.
 */
static void
GapsSpill(ReportAcc *acc)
{
	elog(DEBUG1, "journey report results: gaps past work_mem, sorted");
	acc->gaps_sorted = SortCreate(acc, false, 3, &acc->gaps_slot, &acc->gaps_out);
	for (int32 i = 0; i < acc->ngroups; i++)
	{
		FunnelGroup *g = acc->groups[i];

		for (int k = 1; k < acc->spec->nsteps; k++)
		{
			GapList    *l = &g->gaps[k];

			CHECK_FOR_INTERRUPTS();
			for (int64 j = 0; j < l->n; j++)
				SortPut(acc->gaps_sorted, acc->gaps_slot, Int64GetDatum(i),
						Int64GetDatum(k), Int64GetDatum(l->v[j]));
			if (l->v)
				pfree(l->v);
			l->v = NULL;
			l->n = l->cap = 0;
		}
	}
	acc->gap_bytes = 0;
}

/* The gap of a customer of group g from step k to k + 1. */
static void
GapAdd(ReportAcc *acc, FunnelGroup *g, int k, int64 gap)
{
	GapList    *l = &g->gaps[k];

	if (acc->gaps_sorted != NULL)
	{
		SortPut(acc->gaps_sorted, acc->gaps_slot, Int64GetDatum(g->index),
				Int64GetDatum(k), Int64GetDatum(gap));
		return;
	}
	if (l->n == l->cap)
	{
		acc->gap_bytes += sizeof(int64) * (l->cap == 0 ? 64 : l->cap);
		if (acc->gap_bytes > acc->limit)
		{
			GapsSpill(acc);
			GapAdd(acc, g, k, gap);
			return;
		}
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->v = l->v == NULL ?
			MemoryContextAllocHuge(acc->cxt, sizeof(int64) * l->cap) :
			repalloc_huge(l->v, sizeof(int64) * l->cap);
	}
	l->v[l->n++] = gap;
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
	acc->limit = (Size) work_mem * 1024;
	acc->keys_cxt = AllocSetContextCreate(cxt, "journey report keys",
										  ALLOCSET_DEFAULT_SIZES);
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
			GapAdd(acc, g, k, StepGap(times[k - 1], times[k]));
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

	/* a path around a moment the customer never reached: not in the report */
	if (n == 0)
		return;
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

	if (n == 0)
		return;					/* as in PathCustomer */
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
				bool		matched;

				acc->matches += JourneySequenceCountMatch(events, &matched);
				if (matched)
					acc->customers++;
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

/* ---------- counts and gaps, held or sorted ---------- */

typedef void (*CountVisitor) (ReportAcc *acc, const ReportBytes *key, int64 count,
							  void *arg);

/*
 * Every path or edge with its count, in no particular order when they are
 * all held, in key order (counts of one key added up) once they spilled.
 */
static void
ForEachCount(ReportAcc *acc, CountVisitor visit, void *arg)
{
	StringInfoData current;
	ReportBytes *key;
	int64		count = 0;
	bool		have = false;
	int64		n = 0;

	if (acc->counts_sorted == NULL)
	{
		rbytes_iterator it;
		ReportBytesEntry *e;

		rbytes_start_iterate(acc->entries, &it);
		while ((e = rbytes_iterate(acc->entries, &it)) != NULL)
		{
			if ((++n & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
			visit(acc, e->key, e->count, arg);
		}
		return;
	}
	if (acc->entries->members > 0)
		CountsSpill(acc);
	tuplesort_performsort(acc->counts_sorted);
	initStringInfo(&current);
	enlargeStringInfo(&current, offsetof(ReportBytes, data));
	for (;;)
	{
		bool		more = tuplesort_gettupleslot(acc->counts_sorted, true, false,
												  acc->counts_out, NULL);
		bytea	   *b = NULL;
		bool		isnull;

		if ((++n & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		if (more)
			b = DatumGetByteaPP(slot_getattr(acc->counts_out, 1, &isnull));
		key = (ReportBytes *) current.data;
		if (have && (!more || VARSIZE_ANY_EXHDR(b) != key->len ||
					 memcmp(VARDATA_ANY(b), key->data, key->len) != 0))
		{
			visit(acc, key, count, arg);
			have = false;
		}
		if (!more)
			break;
		if (!have)
		{
			resetStringInfo(&current);
			enlargeStringInfo(&current, offsetof(ReportBytes, data) + VARSIZE_ANY_EXHDR(b));
			key = (ReportBytes *) current.data;
			key->len = VARSIZE_ANY_EXHDR(b);
			memcpy(key->data, VARDATA_ANY(b), key->len);
			count = 0;
			have = true;
		}
		count += DatumGetInt64(slot_getattr(acc->counts_out, 2, &isnull));
	}
	tuplesort_end(acc->counts_sorted);
	acc->counts_sorted = NULL;
}

typedef void (*GapVisitor) (ReportAcc *acc, FunnelGroup *g, int step, int64 gap,
							void *arg);

/*
 * Every gap: by group and step, in the order added while they are held, in
 * order of the gaps once they spilled.
 */
static void
ForEachGap(ReportAcc *acc, GapVisitor visit, void *arg)
{
	int64		n = 0;

	if (acc->gaps_sorted == NULL)
	{
		for (int32 i = 0; i < acc->ngroups; i++)
			for (int k = 1; k < acc->spec->nsteps; k++)
				for (int64 j = 0; j < acc->groups[i]->gaps[k].n; j++)
				{
					if ((++n & 1023) == 0)
						CHECK_FOR_INTERRUPTS();
					visit(acc, acc->groups[i], k, acc->groups[i]->gaps[k].v[j], arg);
				}
		return;
	}
	tuplesort_performsort(acc->gaps_sorted);
	while (tuplesort_gettupleslot(acc->gaps_sorted, true, false, acc->gaps_out, NULL))
	{
		bool		isnull;

		if ((++n & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		visit(acc,
			  acc->groups[DatumGetInt64(slot_getattr(acc->gaps_out, 1, &isnull))],
			  (int) DatumGetInt64(slot_getattr(acc->gaps_out, 2, &isnull)),
			  DatumGetInt64(slot_getattr(acc->gaps_out, 3, &isnull)), arg);
	}
	tuplesort_end(acc->gaps_sorted);
	acc->gaps_sorted = NULL;
}

/* ---------- parallel participants' accumulators ---------- */

/*
 * A participant's accumulator in a file:
 *	  int64 customers, int64 matches, [int64 step_total[0 .. max_step]]
 *	  entries: int32 key length (-1: the funnel's one group), key bytes, then
 *	  int64 count, or the group's int64 counts[0 .. nsteps]; ends with -2
 *	  gaps: int32 group (its place among the entries), int32 step, int64 gap;
 *	  ends with group -1
 */
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

static void
WriteInt32(BufFile *file, int32 v)
{
	BufFileWrite(file, &v, sizeof(int32));
}

static int32
ReadInt32(BufFile *file)
{
	int32		v;

	ReportFileRead(file, &v, sizeof(int32));
	return v;
}

static void
WriteCount(ReportAcc *acc, const ReportBytes *key, int64 count, void *arg)
{
	BufFile    *file = arg;

	WriteInt32(file, key->len);
	BufFileWrite(file, (void *) key->data, key->len);
	WriteInt64(file, count);
}

static void
WriteGap(ReportAcc *acc, FunnelGroup *g, int step, int64 gap, void *arg)
{
	BufFile    *file = arg;

	WriteInt32(file, g->index);
	WriteInt32(file, step);
	WriteInt64(file, gap);
}

/* Write everything acc holds to file, for ReportAccMerge. */
void
ReportAccWrite(ReportAcc *acc, BufFile *file)
{
	const ReportSpec *spec = acc->spec;

	WriteInt64(file, acc->customers);
	WriteInt64(file, acc->matches);
	if (acc->step_total)
		BufFileWrite(file, acc->step_total, sizeof(int64) * (spec->max_step + 1));
	if (spec->kind != REPORT_FUNNEL)
		ForEachCount(acc, WriteCount, file);
	else
	{
		/* the groups in the order of their indexes, which the gaps name */
		for (int32 i = 0; i < acc->ngroups; i++)
		{
			FunnelGroup *g = acc->groups[i];

			CHECK_FOR_INTERRUPTS();
			WriteInt32(file, g->key ? g->key->len : -1);
			if (g->key)
				BufFileWrite(file, (void *) g->key->data, g->key->len);
			BufFileWrite(file, g->counts, sizeof(int64) * (spec->nsteps + 1));
		}
	}
	WriteInt32(file, -2);
	if (spec->with_times)
		ForEachGap(acc, WriteGap, file);
	WriteInt32(file, -1);
}

/* Add what ReportAccWrite wrote to file into acc. */
void
ReportAccMerge(ReportAcc *acc, BufFile *file)
{
	const ReportSpec *spec = acc->spec;
	FunnelGroup **groups = NULL;
	int32		ngroups = 0;
	int32		len;
	int32		i;

	acc->customers += ReadInt64(file);
	acc->matches += ReadInt64(file);
	if (acc->step_total)
		for (int k = 0; k <= spec->max_step; k++)
			acc->step_total[k] += ReadInt64(file);
	while ((len = ReadInt32(file)) != -2)
	{
		FunnelGroup *g = acc->all;
		bool		isnew;

		CHECK_FOR_INTERRUPTS();
		if (len < -1)
			elog(ERROR, "journey report result file is damaged");
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
		/* the file's groups, by their place in it */
		groups = groups == NULL ? palloc(sizeof(FunnelGroup *) * 16) :
			(ngroups % 16 == 0 ? repalloc(groups, sizeof(FunnelGroup *) * (ngroups + 16)) : groups);
		groups[ngroups++] = g;
	}
	while ((i = ReadInt32(file)) != -1)
	{
		int32		step = ReadInt32(file);
		int64		gap = ReadInt64(file);

		CHECK_FOR_INTERRUPTS();
		if (i < 0 || i >= ngroups || step < 1 || step >= spec->nsteps || !spec->with_times)
			elog(ERROR, "journey report result file is damaged");
		GapAdd(acc, groups[i], step, gap);
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
 * The median as percentile_cont(0.5) finds it from the two middle values
 * lo <= hi of the sorted gaps (the same one for an odd count): lo, or the
 * two interpolated halfway, in seconds (the float8 form) and as an
 * interval (timestamptz subtraction's intervals, interpolated with
 * interval arithmetic).
 */
static void
MedianOf(FunnelGroup *g, int step, int64 lo, int64 hi)
{
	Interval	span;
	Datum		ilo;
	Datum		ihi;

	span.month = 0;
	span.day = 0;
	span.time = lo;
	ilo = DirectFunctionCall1(interval_justify_hours, IntervalPGetDatum(&span));
	if (lo == hi)
	{
		g->median_seconds[step] = (float8) lo / USECS_PER_SEC;
		g->median[step] = DatumGetIntervalP(ilo);
		return;
	}
	{
		float8		slo = (float8) lo / USECS_PER_SEC;
		float8		shi = (float8) hi / USECS_PER_SEC;

		g->median_seconds[step] = slo + (0.5 * (shi - slo));
	}
	span.time = hi;
	ihi = DirectFunctionCall1(interval_justify_hours, IntervalPGetDatum(&span));
	g->median[step] = DatumGetIntervalP(DirectFunctionCall2(interval_pl,
															DirectFunctionCall2(interval_mul,
																				DirectFunctionCall2(interval_mi, ihi, ilo),
																				Float8GetDatum(0.5)),
															ilo));
}

/* Customers of group g who reached step k or further. */
static int64
Reached(ReportAcc *acc, FunnelGroup *g, int k)
{
	int64		n = 0;

	for (int l = k; l <= acc->spec->nsteps; l++)
		n += g->counts[l];
	return n;
}

/* A run of sorted gaps of one group and step, read for its middle. */
typedef struct MedianRun
{
	FunnelGroup *g;
	int			k;
	int64		pos;
	int64		n;
	int64		lo;
} MedianRun;

static void
MedianVisit(ReportAcc *acc, FunnelGroup *g, int k, int64 gap, void *arg)
{
	MedianRun  *run = arg;
	int64		first;

	if (run->g != g || run->k != k)
	{
		/* one gap per customer who went on from step k */
		run->g = g;
		run->k = k;
		run->pos = 0;
		run->n = Reached(acc, g, k + 1);
	}
	first = (run->n - 1) / 2;
	if (run->pos == first)
	{
		run->lo = gap;
		if (run->n % 2 == 1)
			MedianOf(g, k + 1, gap, gap);
	}
	else if (run->pos == first + 1 && run->n % 2 == 0)
		MedianOf(g, k + 1, run->lo, gap);
	run->pos++;
}

/*
 * Every group's median gap into each step: by selection in the gaps held,
 * or by reading the sorted gaps once they spilled.
 */
static void
FunnelMedians(ReportAcc *acc)
{
	int			n = acc->spec->nsteps;
	MedianRun	run = {0};

	for (int32 i = 0; i < acc->ngroups; i++)
	{
		FunnelGroup *g = acc->groups[i];

		g->median_seconds = MemoryContextAllocZero(acc->cxt, sizeof(float8) * (n + 1));
		g->median = MemoryContextAllocZero(acc->cxt, sizeof(Interval *) * (n + 1));
		for (int k = 1; acc->gaps_sorted == NULL && k < n; k++)
		{
			GapList    *l = &g->gaps[k];
			int64		first = (l->n - 1) / 2;
			int64		hi;

			if (l->n == 0)
				continue;
			SelectKth(l->v, l->n, first);
			hi = l->v[first];
			if (l->n % 2 == 0)
			{
				hi = l->v[first + 1];
				for (int64 j = first + 2; j < l->n; j++)
					hi = Min(hi, l->v[j]);
			}
			MedianOf(g, k + 1, l->v[first], hi);
		}
	}
	if (acc->gaps_sorted != NULL)
		ForEachGap(acc, MedianVisit, &run);
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
		if (g->median != NULL && k >= 2 && g->median[k] != NULL)
		{
			values[3] = Float8GetDatum(g->median_seconds[k]);
			values[4] = IntervalPGetDatum(g->median[k]);
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

/* The top paths so far, each a copy of its key and count. */
typedef struct TopPaths
{
	binaryheap *heap;
	int			top;
	MemoryContext cxt;
} TopPaths;

static void
TopPathVisit(ReportAcc *acc, const ReportBytes *key, int64 count, void *arg)
{
	TopPaths   *tp = arg;
	ReportBytesEntry candidate = {.key = key,.count = count};
	ReportBytesEntry *kept;
	ReportBytes *copy;

	if (tp->top == 0)
		return;
	if (tp->heap->bh_size == tp->top)
	{
		ReportBytesEntry *worst = (ReportBytesEntry *) DatumGetPointer(binaryheap_first(tp->heap));

		if (EntryCmp(&candidate, worst) >= 0)
			return;
		(void) binaryheap_remove_first(tp->heap);
		pfree((void *) worst->key);
		pfree(worst);
	}
	kept = MemoryContextAlloc(tp->cxt, sizeof(ReportBytesEntry));
	copy = MemoryContextAlloc(tp->cxt, offsetof(ReportBytes, data) + key->len);
	copy->len = key->len;
	memcpy(copy->data, key->data, key->len);
	kept->key = copy;
	kept->count = count;
	binaryheap_add(tp->heap, PointerGetDatum(kept));
}

/* (path, customers, rank): the top paths, then (other). */
static void
PathRows(ReportAcc *acc, ReturnSetInfo *rsinfo)
{
	TopPaths	tp;
	ReportBytesEntry **best;
	int			nbest;
	int64		rest = acc->customers;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	JourneyLabel other = {"(other)", 7};

	tp.top = acc->spec->top;
	tp.heap = binaryheap_allocate(Max(tp.top, 1), EntryHeapCmp, NULL);
	tp.cxt = CurrentMemoryContext;
	ForEachCount(acc, TopPathVisit, &tp);
	nbest = tp.heap->bh_size;
	best = palloc(sizeof(ReportBytesEntry *) * Max(nbest, 1));
	for (int i = 0; i < nbest; i++)
		best[i] = (ReportBytesEntry *) DatumGetPointer(tp.heap->bh_nodes[i]);
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

/* The edges, each returned or added to its step's (other). */
typedef struct EdgeRows
{
	ReturnSetInfo *rsinfo;
	int64	   *folded;
} EdgeRows;

static void
EdgeVisit(ReportAcc *acc, const ReportBytes *key, int64 count, void *arg)
{
	EdgeRows   *er = arg;
	uint32		step;
	const char *from = key->data + sizeof(uint32);
	const char *to = from + strlen(from) + 1;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	memcpy(&step, key->data, sizeof(uint32));
	step = pg_ntoh32(step);
	if ((float8) count / (float8) acc->step_total[step] < acc->spec->min_share)
	{
		er->folded[step] += count;
		return;
	}
	values[0] = Int32GetDatum((int32) step);
	values[1] = PointerGetDatum(cstring_to_text(from));
	values[2] = PointerGetDatum(cstring_to_text(to));
	values[3] = Int64GetDatum(count);
	values[4] = BoolGetDatum(false);
	tuplestore_putvalues(er->rsinfo->setResult, er->rsinfo->setDesc, values, nulls);
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
	EdgeRows	er;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	er.rsinfo = rsinfo;
	er.folded = palloc0(sizeof(int64) * (spec->max_step + 1));
	ForEachCount(acc, EdgeVisit, &er);
	for (int k = 1; k <= spec->max_step; k++)
	{
		if (er.folded[k] == 0)
			continue;
		values[0] = Int32GetDatum(k);
		values[1] = PointerGetDatum(cstring_to_text("(other)"));
		values[2] = PointerGetDatum(cstring_to_text("(other)"));
		values[3] = Int64GetDatum(er.folded[k]);
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
			if (acc->spec->with_times)
				FunnelMedians(acc);
			for (int32 i = 0; i < acc->ngroups; i++)
				FunnelGroupRows(acc, acc->groups[i], rsinfo);
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
