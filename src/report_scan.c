/*-------------------------------------------------------------------------
 *
 * report_scan.c
 *	  The report engine's reading side: which relations it may read itself,
 *	  the table-AM scan in the caller's snapshot, the hash of customers with
 *	  the aggregates' event buffer per customer, spilling to temporary files
 *	  past the memory limit, and parallel workers.
 *
 * Rows.  A scan deforms only up to the highest column the report reads
 * (slot_getsomeattrs), converts the time to timestamptz as a cast would,
 * matches the event against the steps through a lookup built once (event
 * bytes -> bitmask of the steps it names; no text is allocated per row),
 * and hashes the customer.  A row that can change no answer (an event
 * meeting no step, a path row without a label) is dropped there, unless
 * every customer counts (segments, all_customers, strict_order).
 *
 * Customers.  A simplehash table keyed by the customer's value (integers
 * as int64, text and uuid as bytes) maps each customer to its place in a
 * dense array, in the order customers were first seen, of compact records
 * (while customers come in key order, as in customer-ordered storage, the
 * array is itself in key order and the hash is only made when one comes
 * out of order):
 * the events the aggregate's transition function would keep (time, steps
 * met, label interned as a number), the first few in place.  Consecutive
 * rows of one customer (customer-ordered storage) skip the hash lookup.  A
 * NULL customer is a group of its own, as in GROUP BY.  When every row is
 * in, the customers are read in array order (memory in order), each one's
 * events are put into the JourneyEvents buffer the aggregate would hold
 * (window_funnel's, sequence_match's, path_agg's), with the functions the
 * aggregates' transition functions use, and that buffer goes to the
 * report's accumulator (report_acc.c), which runs the aggregates' final
 * computation on it.
 *
 * Memory.  The table (its slots, the customers, their events, keys and
 * segments, and the labels interned) is kept under work_mem x
 * hash_mem_multiplier, as PostgreSQL's
 * hash aggregation keeps its hash table.  Past the limit the table takes
 * no new customer: rows of customers it does not hold are written, by
 * four bits of the customer's hash, to one of 16 temporary files (BufFile)
 * and customers already held go on as before; once the scan is done and
 * the table's customers are accounted for, each file is read back into a
 * fresh table, which may spill again by the next four bits, down to eight
 * levels (past that the table takes every customer: one customer's rows
 * cannot be split).  Every customer is so finished exactly once, with all
 * its rows.
 *
 * Parallelism.  With workers, a ParallelContext launches them as
 * PostgreSQL's parallel B-tree build does, and every participant (the
 * leader too) reads its share of the blocks through a parallel table scan
 * (partition after partition).  Customers are dealt to participants by
 * hash: a participant keeps the rows of its own customers and writes each
 * other row to a file for that row's owner (a SharedFileSet, as parallel
 * hash join shares its batches); once every participant has scanned, each
 * reads the rows written for it, so that it holds all rows of its
 * customers, finishes them, and writes its accumulator to a file the
 * leader merges.  Accumulators hold counts, gaps and path counts, never
 * per-customer state, so the leader's merge is small.
 *
 *-------------------------------------------------------------------------
 */
#include "report.h"

#include "access/parallel.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "common/hashfn.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/paths.h"
#include "storage/bufmgr.h"
#include "pgstat.h"
#include "storage/condition_variable.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/date.h"
#include "utils/uuid.h"

/* Rows taken together while their memory is fetched (TableAddBatch). */
#define REPORT_BATCH			16
#if defined(__GNUC__) || defined(__clang__)
#define ReportPrefetch(p)		__builtin_prefetch(p)
#else
#define ReportPrefetch(p)		((void) 0)
#endif

/* Spilling: 16 partitions a level, four hash bits each, eight levels. */
#define REPORT_SPILL_BITS		4
#define REPORT_SPILL_PARTITIONS (1 << REPORT_SPILL_BITS)
#define REPORT_SPILL_DEPTH		(32 / REPORT_SPILL_BITS)

/* ---------- customers ---------- */

/*
 * A customer's segment so far: the segment column's text at the customer's
 * first row (by the time column's own order, rows without a time last;
 * then by the text, bytewise, a NULL last), as
 * (array_agg(segment::text ORDER BY time, segment::text COLLATE "C"))[1].
 */
typedef struct ReportSegment
{
	bool		ts_null;
	bool		null;
	int64		order;
	int32		len;
	char		data[FLEXIBLE_ARRAY_MEMBER];
} ReportSegment;

/*
 * One event of a customer while rows come in: its time, the steps it meets
 * and its label (an index into the participant's labels, -1: none).
 */
typedef struct CompactEvent
{
	TimestampTz ts;
	uint32		mask;
	int32		label;
} CompactEvent;

/*
 * A customer: its first events in place (most customers have no more),
 * the rest in an array of their own.  Customers lie in a dense array in
 * the order they were first seen, so that finishing them reads memory in
 * order; the hash maps a customer's value to its place there.
 */
#define CUSTOMER_INLINE_EVENTS 3

typedef struct ReportCustomer
{
	int32		nevents;
	int32		more_cap;
	CompactEvent *more;			/* events from CUSTOMER_INLINE_EVENTS on */
	ReportSegment *segment;		/* NULL: not segmenting */
	CompactEvent first[CUSTOMER_INLINE_EVENTS];
} ReportCustomer;

#define CUSTOMER_CHUNK_BITS 10	/* 1024 customers a chunk of the array */

/* The hash's entry: a customer's value and its place in the array. */
typedef struct ReportSlot
{
	uint64		key;			/* the value, or a ReportBytes pointer */
	uint32		index;
	uint32		hash;
	char		status;
} ReportSlot;

/* One row as the engine reads it, from the relation or from a file. */
typedef struct ReportRow
{
	uint32		hash;
	bool		customer_null;
	bool		ts_null;
	bool		segment_null;
	TimestampTz ts;				/* the time as timestamptz */
	int64		order;			/* the time column's own value */
	uint32		mask;			/* steps / conditions the event meets */
	int64		ikey;			/* an integer customer */
	const char *kdata;			/* a customer held as bytes */
	int32		klen;
	const char *label;			/* NULL: none */
	int32		label_len;
	int32		label_id;		/* interned in the table already, or -1 */
	const char *segment;		/* segmenting: the segment's text */
	int32		segment_len;
} ReportRow;

/* The steps' event names: bytes -> bitmask, open addressing. */
#define LOOKUP_SLOTS 128

typedef struct EventLookup
{
	struct
	{
		const char *data;		/* NULL: empty slot */
		int32		len;
		uint32		mask;
	}			slot[LOOKUP_SLOTS];
} EventLookup;

struct ReportState;

#define SH_PREFIX rcust
#define SH_ELEMENT_TYPE ReportSlot
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) ((uint32) (k))	/* unused: hashes are passed */
#define SH_EQUAL(tb, a, b) CustomerKeyEqual((struct ReportState *) (tb)->private_data, a, b)
#define SH_SCOPE static inline
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_DECLARE
#define SH_DEFINE
static inline bool CustomerKeyEqual(struct ReportState *rs, uint64 a, uint64 b);
#include "lib/simplehash.h"

/* One relation read: the source, or one of its partitions or children. */
typedef struct ReportRel
{
	Oid			relid;
	AttrNumber	attnum[RC_NCOLUMNS];	/* 0: not read */
	AttrNumber	maxatt;
} ReportRel;

/* What one participant holds while it runs a report. */
typedef struct ReportState
{
	const ReportSpec *spec;
	ReportAcc  *acc;
	ReportColumnType types[RC_NCOLUMNS];
	FmgrInfo	segment_out;	/* RCT_OUTPUT segments */
	EventLookup lookup;
	JourneyParams *params;		/* shared by every customer's buffer */
	bool		byte_keys;
	bool		segmenting;
	bool		every_row;		/* every row makes its customer count */
	Size		mem_limit;
	MemoryContext cxt;			/* lives as long as the run */
	MemoryContext row_cxt;		/* detoasted values of one row */
	bool		row_cxt_used;
	ReportProbe probe;			/* the current row's byte key */
	StringInfoData record;		/* a row's bytes for a file */
	/* parallel: this participant's number, their count, files to others */
	int			participant;
	int			nparticipants;
	BufFile   **exchange;
	SharedFileSet *fileset;
	/* counters for the DEBUG1 summary */
	int64		rows_read;
	int64		rows_spilled;
	int64		rows_sent;
	int64		customers;
	int			max_depth;
	double		customers_expected; /* from the statistics, or 0 */
} ReportState;

/* One hash of customers: the first, or one per spilled partition. */
typedef struct ReportTable
{
	ReportState *rs;
	rcust_hash *hash;
	ReportCustomer **chunks;	/* the customers, in the order first seen */
	int32		nchunks;
	uint32		ncustomers;
	bool		in_order;		/* every customer came after the one before:
								 * the array is in key order, no hash yet */
	uint64	  **keys;			/* while in order: the customers' keys, by
								 * chunks as the array */
	double		expected;		/* customers expected, to size the hash */
	ReportCustomer null_customer;
	bool		has_null_customer;
	ReportCustomer *last;		/* the previous row's customer */
	uint64		last_key;
	uint32		last_hash;
	/* labels, interned: their bytes by number, and the previous row's */
	rbytes_hash *label_ids;
	const ReportBytes **labels;
	int32		nlabels;
	int32		labels_cap;
	int32		last_label;
	MemoryContext cxt;			/* customers, their events, keys, segments,
								 * labels */
	MemoryContext hash_cxt;		/* the slots */
	int			depth;
	bool		spilling;
	BufFile    *parts[REPORT_SPILL_PARTITIONS];
} ReportTable;

static inline ReportCustomer *
TableCustomer(ReportTable *t, uint32 index)
{
	return &t->chunks[index >> CUSTOMER_CHUNK_BITS][index & ((1 << CUSTOMER_CHUNK_BITS) - 1)];
}

static inline bool
CustomerKeyEqual(struct ReportState *rs, uint64 a, uint64 b)
{
	const ReportBytes *ka;
	const ReportBytes *kb;

	if (!rs->byte_keys)
		return a == b;
	ka = (const ReportBytes *) (uintptr_t) a;
	kb = (const ReportBytes *) (uintptr_t) b;
	return ka->len == kb->len && memcmp(ka->data, kb->data, ka->len) == 0;
}

/* The murmur3 finalizer on 64 bits, folded to 32. */
static inline uint32
HashInt64(uint64 k)
{
	k ^= k >> 33;
	k *= UINT64CONST(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64CONST(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return (uint32) k;
}

/* ---------- which relations the engine reads itself ---------- */

/* text and varchar, read as their bytes, and name */
static ReportColumnType
TextColumnType(Oid type)
{
	switch (type)
	{
		case TEXTOID:
		case VARCHAROID:
			return RCT_TEXT;
		case NAMEOID:
			return RCT_NAME;
	}
	return RCT_NONE;
}

static ReportColumnType
ColumnTypeFor(ReportColumn role, Oid type)
{
	type = getBaseType(type);
	switch (role)
	{
		case RC_CUSTOMER:
			switch (type)
			{
				case INT2OID:
					return RCT_INT2;
				case INT4OID:
					return RCT_INT4;
				case INT8OID:
					return RCT_INT8;
				case UUIDOID:
					return RCT_UUID;
			}
			return TextColumnType(type);
		case RC_TIME:
			switch (type)
			{
				case TIMESTAMPTZOID:
					return RCT_TIMESTAMPTZ;
				case TIMESTAMPOID:
					return RCT_TIMESTAMP;
				case DATEOID:
					return RCT_DATE;
			}
			break;
		case RC_EVENT:
		case RC_LABEL:
			return TextColumnType(type);
		case RC_SEGMENT:
			if (TextColumnType(type) != RCT_NONE)
				return TextColumnType(type);
			/* any other built-in type: its output function, as ::text does */
			if (type < FirstGenbkiObjectId && type != BPCHAROID)
				return RCT_OUTPUT;
			break;
		case RC_NCOLUMNS:
			break;
	}
	return RCT_NONE;
}

static const char *const column_roles[RC_NCOLUMNS] = {
	"customer", "time", "event", "label", "segment"
};

/*
 * Why the engine cannot read relation relid itself for a report over the
 * named columns (NULL entries: not read), or NULL when it can; then
 * *parallel_ok says whether workers may read it (not a temporary table).
 * Relations it cannot read go through the SQL form, which gives the same
 * answers: views, foreign tables (or partitions that are), relations under
 * row-level security for the current user, another session's temporary
 * table, an unpopulated materialized view, columns of types it does not
 * read or text under a nondeterministic collation.
 */
const char *
ReportCannotScan(Oid relid, const char *const *columns, bool *parallel_ok)
{
	List	   *rels;
	ListCell   *lc;
	const char *reason = NULL;

	*parallel_ok = true;
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		return "the relation does not exist";
	switch (get_rel_relkind(relid))
	{
		case RELKIND_RELATION:
		case RELKIND_PARTITIONED_TABLE:
		case RELKIND_MATVIEW:
			break;
		case RELKIND_VIEW:
			return "it is a view";
		case RELKIND_FOREIGN_TABLE:
			return "it is a foreign table";
		default:
			return "it is not a table";
	}
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		return "row-level security applies to it";

	rels = find_all_inheritors(relid, AccessShareLock, NULL);
	foreach(lc, rels)
	{
		Oid			child = lfirst_oid(lc);
		Relation	rel = table_open(child, AccessShareLock);
		char		kind = rel->rd_rel->relkind;

		if (RELATION_IS_OTHER_TEMP(rel))
			reason = "it is another session's temporary table";
		else if (RelationUsesLocalBuffers(rel))
			*parallel_ok = false;
		if (kind == RELKIND_FOREIGN_TABLE)
			reason = "a partition or child of it is a foreign table";
		else if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE &&
				 kind != RELKIND_MATVIEW)
			reason = "a child of it is not a table";
		else if (kind == RELKIND_MATVIEW && !RelationIsPopulated(rel))
			reason = "it is a materialized view that has not been populated";
		/* column types are the same in every partition; read the first */
		for (int c = 0; reason == NULL && child == relid && c < RC_NCOLUMNS; c++)
		{
			AttrNumber	att;
			Form_pg_attribute attr;

			if (columns[c] == NULL)
				continue;
			att = get_attnum(child, columns[c]);
			if (att <= 0)
				reason = psprintf("its %s column \"%s\" does not exist",
								  column_roles[c], columns[c]);
			else
			{
				attr = TupleDescAttr(RelationGetDescr(rel), att - 1);
				if (ColumnTypeFor((ReportColumn) c, attr->atttypid) == RCT_NONE)
					reason = psprintf("its %s column \"%s\" is of type %s",
									  column_roles[c], columns[c],
									  format_type_be(attr->atttypid));
				else if (OidIsValid(attr->attcollation) &&
						 !get_collation_isdeterministic(attr->attcollation))
					reason = psprintf("its %s column \"%s\" has a nondeterministic collation",
									  column_roles[c], columns[c]);
			}
		}
		table_close(rel, NoLock);
		if (reason != NULL)
			break;
	}
	return reason;
}

/* ---------- reading a row ---------- */

/* Where an event's bytes start probing: their length, first and last byte. */
static inline uint32
LookupHash(const char *data, int32 len)
{
	return (uint32) len * 131u +
		(len > 0 ? (unsigned char) data[0] * 31u + (unsigned char) data[len - 1] : 0u);
}

static void
LookupBuild(EventLookup *lookup, const ReportSpec *spec)
{
	memset(lookup, 0, sizeof(EventLookup));
	for (int k = 0; k < spec->nsteps; k++)
	{
		const char *data = ReportSpecString(spec, spec->step_off[k]);
		int32		len = spec->step_len[k];

		for (uint32 h = LookupHash(data, len);; h++)
		{
			int			i = h % LOOKUP_SLOTS;

			if (lookup->slot[i].data == NULL)
			{
				lookup->slot[i].data = data;
				lookup->slot[i].len = len;
				lookup->slot[i].mask = (uint32) 1 << k;
				break;
			}
			if (lookup->slot[i].len == len &&
				memcmp(lookup->slot[i].data, data, len) == 0)
			{
				/* the same event names several steps */
				lookup->slot[i].mask |= (uint32) 1 << k;
				break;
			}
		}
	}
}

/* The bitmask of the steps an event of these bytes meets. */
static inline uint32
LookupEvent(const EventLookup *lookup, const char *data, int32 len)
{
	for (uint32 h = LookupHash(data, len);; h++)
	{
		int			i = h % LOOKUP_SLOTS;

		if (lookup->slot[i].data == NULL)
			return 0;
		if (lookup->slot[i].len == len &&
			memcmp(lookup->slot[i].data, data, len) == 0)
			return lookup->slot[i].mask;
	}
}

/*
 * The bytes of a text-like value (as value::text would give them),
 * detoasted into the row context when needed.
 */
static inline const char *
TextBytes(ReportState *rs, ReportColumnType type, Datum value, int32 *len)
{
	if (type == RCT_NAME)
	{
		const char *s = NameStr(*DatumGetName(value));

		*len = strnlen(s, NAMEDATALEN);
		return s;
	}
	else
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(value);

		if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
		{
			MemoryContext old = MemoryContextSwitchTo(rs->row_cxt);

			v = pg_detoast_datum_packed(v);
			MemoryContextSwitchTo(old);
			rs->row_cxt_used = true;
		}
		*len = VARSIZE_ANY_EXHDR(v);
		return VARDATA_ANY(v);
	}
}

/*
 * Read one tuple into row.  Returns false for a row that can change no
 * answer of the report.
 */
static bool
ReadRow(ReportState *rs, const ReportRel *rel, TupleTableSlot *slot,
		ReportRow *row)
{
	const ReportSpec *spec = rs->spec;
	Datum	   *values = slot->tts_values;
	bool	   *isnull = slot->tts_isnull;
	int			a;
	bool		counts;

	/* the time, as time_column::timestamptz */
	a = rel->attnum[RC_TIME] - 1;
	row->ts_null = isnull[a];
	if (row->ts_null)
	{
		if (spec->has_since || spec->has_until)
			return false;
		row->ts = 0;
		row->order = 0;
	}
	else
	{
		switch (rs->types[RC_TIME])
		{
			case RCT_TIMESTAMPTZ:
				row->ts = DatumGetTimestampTz(values[a]);
				row->order = row->ts;
				break;
			case RCT_TIMESTAMP:
				row->ts = DatumGetTimestampTz(DirectFunctionCall1(timestamp_timestamptz,
																  values[a]));
				row->order = DatumGetTimestamp(values[a]);
				break;
			default:
				row->ts = DatumGetTimestampTz(DirectFunctionCall1(date_timestamptz,
																  values[a]));
				row->order = DatumGetDateADT(values[a]);
				break;
		}
		if ((spec->has_since && row->ts < spec->since) ||
			(spec->has_until && row->ts >= spec->until))
			return false;
	}

	/* what the row tells: the steps it meets, or its label */
	row->mask = 0;
	row->label = NULL;
	row->label_len = 0;
	row->label_id = -1;
	if (spec->kind == REPORT_FUNNEL || spec->kind == REPORT_SEQUENCE)
	{
		a = rel->attnum[RC_EVENT] - 1;
		if (!isnull[a] && !row->ts_null)
		{
			int32		len;
			const char *data = TextBytes(rs, rs->types[RC_EVENT], values[a], &len);

			row->mask = LookupEvent(&rs->lookup, data, len);
		}
		counts = row->mask != 0 ||
			(!row->ts_null && (spec->modes & JOURNEY_FUNNEL_STRICT_ORDER));
	}
	else
	{
		a = rel->attnum[RC_LABEL] - 1;
		if (!isnull[a] && !row->ts_null)
			row->label = TextBytes(rs, rs->types[RC_LABEL], values[a], &row->label_len);
		counts = row->label != NULL;
	}
	if (!counts && !rs->every_row)
		return false;

	/* the customer */
	a = rel->attnum[RC_CUSTOMER] - 1;
	row->customer_null = isnull[a];
	if (row->customer_null)
		row->hash = 0;
	else
	{
		switch (rs->types[RC_CUSTOMER])
		{
			case RCT_INT2:
				row->ikey = DatumGetInt16(values[a]);
				break;
			case RCT_INT4:
				row->ikey = DatumGetInt32(values[a]);
				break;
			case RCT_INT8:
				row->ikey = DatumGetInt64(values[a]);
				break;
			case RCT_UUID:
				row->kdata = (const char *) DatumGetUUIDP(values[a])->data;
				row->klen = UUID_LEN;
				break;
			default:
				row->kdata = TextBytes(rs, rs->types[RC_CUSTOMER], values[a], &row->klen);
				break;
		}
		row->hash = rs->byte_keys ?
			hash_bytes((const unsigned char *) row->kdata, row->klen) :
			HashInt64((uint64) row->ikey);
	}

	/* the segment, as segment_column::text */
	if (rs->segmenting)
	{
		a = rel->attnum[RC_SEGMENT] - 1;
		row->segment_null = isnull[a];
		if (row->segment_null)
		{
			row->segment = NULL;
			row->segment_len = 0;
		}
		else if (rs->types[RC_SEGMENT] == RCT_OUTPUT)
		{
			MemoryContext old = MemoryContextSwitchTo(rs->row_cxt);

			row->segment = OutputFunctionCall(&rs->segment_out, values[a]);
			row->segment_len = strlen(row->segment);
			MemoryContextSwitchTo(old);
			rs->row_cxt_used = true;
		}
		else
			row->segment = TextBytes(rs, rs->types[RC_SEGMENT], values[a],
									 &row->segment_len);
	}
	return true;
}

/* ---------- rows in files (spilled, or sent to another participant) ---------- */

#define ROW_CUSTOMER_NULL	0x01
#define ROW_TS_NULL			0x02
#define ROW_LABEL			0x04
#define ROW_SEGMENT_NULL	0x08

static inline void
PutBytes(StringInfo buf, const void *data, int len)
{
	appendBinaryStringInfoNT(buf, data, len);
}

/* Write a row as: int32 length, then its fields. */
static void
RowWrite(ReportState *rs, BufFile *file, const ReportRow *row)
{
	StringInfo	buf = &rs->record;
	uint8		flags = 0;
	int32		len;

	if (row->customer_null)
		flags |= ROW_CUSTOMER_NULL;
	if (row->ts_null)
		flags |= ROW_TS_NULL;
	if (row->label)
		flags |= ROW_LABEL;
	if (rs->segmenting && row->segment_null)
		flags |= ROW_SEGMENT_NULL;

	resetStringInfo(buf);
	PutBytes(buf, &row->hash, sizeof(uint32));
	PutBytes(buf, &flags, 1);
	PutBytes(buf, &row->mask, sizeof(uint32));
	if (!row->ts_null)
	{
		PutBytes(buf, &row->ts, sizeof(int64));
		if (rs->segmenting)
			PutBytes(buf, &row->order, sizeof(int64));
	}
	if (!row->customer_null)
	{
		if (rs->byte_keys)
		{
			PutBytes(buf, &row->klen, sizeof(int32));
			PutBytes(buf, row->kdata, row->klen);
		}
		else
			PutBytes(buf, &row->ikey, sizeof(int64));
	}
	if (row->label)
	{
		PutBytes(buf, &row->label_len, sizeof(int32));
		PutBytes(buf, row->label, row->label_len);
	}
	if (rs->segmenting && !row->segment_null)
	{
		PutBytes(buf, &row->segment_len, sizeof(int32));
		PutBytes(buf, row->segment, row->segment_len);
	}
	len = buf->len;
	BufFileWrite(file, &len, sizeof(int32));
	BufFileWrite(file, buf->data, len);
}

void
ReportFileRead(BufFile *file, void *ptr, size_t size)
{
	if (BufFileRead(file, ptr, size) != size)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read from a journey report's temporary file")));
}

static inline void
GetBytes(const char **p, const char *end, void *dst, int len)
{
	if (end - *p < len)
		elog(ERROR, "journey report temporary file is damaged");
	memcpy(dst, *p, len);
	*p += len;
}

static inline const char *
GetString(const char **p, const char *end, int32 *len)
{
	const char *s;

	GetBytes(p, end, len, sizeof(int32));
	if (*len < 0 || end - *p < *len)
		elog(ERROR, "journey report temporary file is damaged");
	s = *p;
	*p += *len;
	return s;
}

/* Read the next row of a file into row (pointing into rs->record); false at its end. */
static bool
RowRead(ReportState *rs, BufFile *file, ReportRow *row)
{
	StringInfo	buf = &rs->record;
	int32		len;
	size_t		got;
	const char *p;
	const char *end;
	uint8		flags;

	got = BufFileRead(file, &len, sizeof(int32));
	if (got == 0)
		return false;
	if (got != sizeof(int32) || len < 0)
		elog(ERROR, "journey report temporary file is damaged");
	resetStringInfo(buf);
	enlargeStringInfo(buf, len);
	ReportFileRead(file, buf->data, len);
	p = buf->data;
	end = p + len;
	GetBytes(&p, end, &row->hash, sizeof(uint32));
	GetBytes(&p, end, &flags, 1);
	GetBytes(&p, end, &row->mask, sizeof(uint32));
	row->customer_null = (flags & ROW_CUSTOMER_NULL) != 0;
	row->ts_null = (flags & ROW_TS_NULL) != 0;
	row->segment_null = (flags & ROW_SEGMENT_NULL) != 0;
	row->ts = 0;
	row->order = 0;
	if (!row->ts_null)
	{
		GetBytes(&p, end, &row->ts, sizeof(int64));
		if (rs->segmenting)
			GetBytes(&p, end, &row->order, sizeof(int64));
	}
	if (!row->customer_null)
	{
		if (rs->byte_keys)
			row->kdata = GetString(&p, end, &row->klen);
		else
			GetBytes(&p, end, &row->ikey, sizeof(int64));
	}
	row->label = NULL;
	row->label_len = 0;
	row->label_id = -1;
	if (flags & ROW_LABEL)
		row->label = GetString(&p, end, &row->label_len);
	row->segment = NULL;
	row->segment_len = 0;
	if (rs->segmenting && !row->segment_null)
		row->segment = GetString(&p, end, &row->segment_len);
	if (p != end)
		elog(ERROR, "journey report temporary file is damaged");
	return true;
}

/* ---------- the hash of customers ---------- */

static ReportTable *
TableCreate(ReportState *rs, int depth, double customers)
{
	ReportTable *t = MemoryContextAllocZero(rs->cxt, sizeof(ReportTable));

	t->rs = rs;
	t->depth = depth;
	t->cxt = AllocSetContextCreate(rs->cxt, "journey report customers",
								   ALLOCSET_DEFAULT_SIZES);
	t->hash_cxt = AllocSetContextCreate(rs->cxt, "journey report customer hash",
										ALLOCSET_DEFAULT_SIZES);
	/* the hash is made if customers come out of order (TableHashCustomers) */
	t->in_order = true;
	t->expected = customers;
	t->hash = rcust_create(t->hash_cxt, 256, rs);
	t->label_ids = rbytes_create(t->cxt, 64, NULL);
	t->labels_cap = 64;
	t->labels = MemoryContextAlloc(t->cxt, sizeof(ReportBytes *) * t->labels_cap);
	t->last_label = -1;
	rs->max_depth = Max(rs->max_depth, depth);
	return t;
}

static inline Size
TableMemory(ReportTable *t)
{
	return MemoryContextMemAllocated(t->cxt, true) +
		MemoryContextMemAllocated(t->hash_cxt, true);
}

/*
 * Whether one more customer fits, counting the hash's next growth (or the
 * hash the customers in order would need if one came out of order).
 */
static inline bool
TableTakesCustomer(ReportTable *t)
{
	Size		mem = TableMemory(t);

	if (t->in_order)
		mem += (Size) (t->ncustomers + 1) * 2 * sizeof(ReportSlot);
	else if (t->hash->members + 1 >= t->hash->grow_threshold)
		mem += (Size) t->hash->size * sizeof(ReportSlot);
	return mem <= t->rs->mem_limit || t->depth >= REPORT_SPILL_DEPTH ||
		t->ncustomers == 0;
}

static void
SegmentUpdate(ReportTable *t, ReportCustomer *c, const ReportRow *row)
{
	ReportSegment *s = c->segment;
	int			cmp;

	if (s != NULL)
	{
		/* (time NULLS LAST, text COLLATE "C" NULLS LAST) */
		if (s->ts_null != row->ts_null)
			cmp = row->ts_null ? 1 : -1;
		else if (!row->ts_null && s->order != row->order)
			cmp = row->order < s->order ? -1 : 1;
		else if (s->null != row->segment_null)
			cmp = row->segment_null ? 1 : -1;
		else if (row->segment_null)
			cmp = 0;
		else
		{
			cmp = memcmp(row->segment, s->data, Min(row->segment_len, s->len));
			if (cmp == 0)
				cmp = (row->segment_len > s->len) - (row->segment_len < s->len);
		}
		if (cmp >= 0)
			return;
	}
	s = MemoryContextAlloc(t->cxt, offsetof(ReportSegment, data) + row->segment_len);
	s->ts_null = row->ts_null;
	s->order = row->order;
	s->null = row->segment_null;
	s->len = row->segment_len;
	if (row->segment_len > 0)
		memcpy(s->data, row->segment, row->segment_len);
	if (c->segment != NULL)
		pfree(c->segment);
	c->segment = s;
}

/* The number of a label among the table's, interned on first sight. */
static int32
LabelId(ReportTable *t, const char *data, int32 len)
{
	const ReportBytes *last;
	ReportBytesEntry *e;
	bool		isnew;

	/* rows in a row often carry the same label */
	if (t->last_label >= 0)
	{
		last = t->labels[t->last_label];
		if (last->len == len && memcmp(last->data, data, len) == 0)
			return t->last_label;
	}
	e = ReportBytesFind(t->label_ids, t->cxt,
						ReportProbeSet(&t->rs->probe, t->rs->cxt, data, len), &isnew);
	if (isnew)
	{
		if (t->nlabels == t->labels_cap)
		{
			t->labels_cap *= 2;
			t->labels = repalloc_huge(t->labels, sizeof(ReportBytes *) * t->labels_cap);
		}
		e->count = t->nlabels;
		t->labels[t->nlabels++] = e->key;
	}
	t->last_label = (int32) e->count;
	return t->last_label;
}

/* Keep an event of a customer. */
static inline void
CustomerAddEvent(ReportTable *t, ReportCustomer *c, TimestampTz ts, uint32 mask,
				 int32 label)
{
	CompactEvent *ev;
	int32		n = c->nevents;

	if (n >= journey_max_events_per_group)
		JourneyEventsTooMany();
	if (n < CUSTOMER_INLINE_EVENTS)
		ev = &c->first[n];
	else
	{
		int32		i = n - CUSTOMER_INLINE_EVENTS;

		if (i == c->more_cap)
		{
			c->more_cap = c->more_cap == 0 ? 4 : c->more_cap * 2;
			c->more = c->more == NULL ?
				MemoryContextAllocHuge(t->cxt, sizeof(CompactEvent) * c->more_cap) :
				repalloc_huge(c->more, sizeof(CompactEvent) * c->more_cap);
		}
		ev = &c->more[i];
	}
	ev->ts = ts;
	ev->mask = mask;
	ev->label = label;
	c->nevents = n + 1;
}

/*
 * Add what a row tells to its customer: the event the aggregate's
 * transition function would keep (window_funnel keeps rows meeting no
 * step under strict_order; sequence_match only rows meeting a condition;
 * path_agg rows with a label), and the segment.
 */
static inline void
CustomerAddRow(ReportTable *t, ReportCustomer *c, const ReportRow *row)
{
	ReportState *rs = t->rs;

	if (rs->segmenting)
		SegmentUpdate(t, c, row);
	if (row->ts_null)
		return;
	switch (rs->spec->kind)
	{
		case REPORT_FUNNEL:
		case REPORT_SEQUENCE:
			if (row->mask != 0 ||
				(rs->spec->kind == REPORT_FUNNEL &&
				 (rs->spec->modes & JOURNEY_FUNNEL_STRICT_ORDER)))
				CustomerAddEvent(t, c, row->ts, row->mask, -1);
			break;
		case REPORT_PATHS:
		case REPORT_TRANSITIONS:
			if (row->label != NULL)
				CustomerAddEvent(t, c, row->ts, 0,
								 row->label_id >= 0 ? row->label_id :
								 LabelId(t, row->label, row->label_len));
			break;
	}
}

/* Write a row to its partition's file (made on first use) at this level. */
static void
TableSpill(ReportTable *t, const ReportRow *row)
{
	int			shift = 32 - REPORT_SPILL_BITS * (t->depth + 1);
	int			p = (row->hash >> shift) & (REPORT_SPILL_PARTITIONS - 1);

	if (t->parts[p] == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(t->rs->cxt);

		t->parts[p] = BufFileCreateTemp(false);
		MemoryContextSwitchTo(old);
	}
	RowWrite(t->rs, t->parts[p], row);
	t->rs->rows_spilled++;
}

/* A new customer at the end of the array (see TableAppend). */
static uint32
TableNewCustomer(ReportTable *t)
{
	uint32		index = t->ncustomers++;
	int32		chunk = index >> CUSTOMER_CHUNK_BITS;

	if (chunk == t->nchunks)
	{
		t->chunks = t->chunks == NULL ?
			MemoryContextAlloc(t->cxt, sizeof(ReportCustomer *) * 16) :
			(t->nchunks % 16 == 0 ?
			 repalloc(t->chunks, sizeof(ReportCustomer *) * (t->nchunks + 16)) : t->chunks);
		t->chunks[t->nchunks++] =
			MemoryContextAllocZero(t->cxt, sizeof(ReportCustomer) << CUSTOMER_CHUNK_BITS);
	}
	t->rs->customers++;
	return index;
}

/* Whether customer key a comes after b (integers by value, bytes bytewise). */
static inline bool
KeyAfter(ReportState *rs, uint64 a, uint64 b)
{
	const ReportBytes *ka;
	const ReportBytes *kb;
	int			c;

	if (!rs->byte_keys)
		return (int64) a > (int64) b;
	ka = (const ReportBytes *) (uintptr_t) a;
	kb = (const ReportBytes *) (uintptr_t) b;
	c = memcmp(ka->data, kb->data, Min(ka->len, kb->len));
	return c > 0 || (c == 0 && ka->len > kb->len);
}

/* A customer's own copy of its key (bytes are the probe's until copied). */
static inline uint64
KeyKeep(ReportTable *t, uint64 key)
{
	const ReportBytes *probe;
	ReportBytes *copy;

	if (!t->rs->byte_keys)
		return key;
	probe = (const ReportBytes *) (uintptr_t) key;
	copy = MemoryContextAlloc(t->cxt, offsetof(ReportBytes, data) + probe->len);
	copy->len = probe->len;
	memcpy(copy->data, probe->data, probe->len);
	return (uint64) (uintptr_t) copy;
}

/* The key of customer index, while the customers are in order. */
static inline uint64
TableKey(ReportTable *t, uint32 index)
{
	return t->keys[index >> CUSTOMER_CHUNK_BITS][index & ((1 << CUSTOMER_CHUNK_BITS) - 1)];
}

/*
 * A new customer at the end of the array; while in order, its key too
 * (else the hash's slot holds it).  Returns the key kept.
 */
static uint64
TableAppend(ReportTable *t, uint64 key, ReportCustomer **c)
{
	uint32		index = TableNewCustomer(t);

	key = KeyKeep(t, key);
	*c = TableCustomer(t, index);
	if (t->in_order)
	{
		int32		chunk = index >> CUSTOMER_CHUNK_BITS;

		if ((index & ((1 << CUSTOMER_CHUNK_BITS) - 1)) == 0)
		{
			/* as many chunk pointers as the array has (TableNewCustomer) */
			t->keys = chunk == 0 ?
				MemoryContextAlloc(t->cxt, sizeof(uint64 *) * 16) :
				(chunk % 16 == 0 ? repalloc(t->keys, sizeof(uint64 *) * (chunk + 16)) : t->keys);
			t->keys[chunk] = MemoryContextAlloc(t->cxt, sizeof(uint64) << CUSTOMER_CHUNK_BITS);
		}
		t->keys[chunk][index & ((1 << CUSTOMER_CHUNK_BITS) - 1)] = key;
	}
	return key;
}

/* The customer of key in the array while it is in key order, or -1. */
static int64
TableSearch(ReportTable *t, uint64 key)
{
	ReportState *rs = t->rs;
	int64		lo = 0;
	int64		hi = (int64) t->ncustomers - 1;

	while (lo <= hi)
	{
		int64		mid = lo + (hi - lo) / 2;
		uint64		k = TableKey(t, (uint32) mid);

		if (CustomerKeyEqual(rs, k, key))
			return mid;
		if (KeyAfter(rs, key, k))
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* A customer came out of order: from now on the hash finds customers. */
static void
TableHashCustomers(ReportTable *t)
{
	ReportState *rs = t->rs;
	double		size = Max(t->expected, 2.0 * t->ncustomers);

	size = Min(size, rs->mem_limit / (4 * sizeof(ReportSlot)));
	rcust_destroy(t->hash);
	t->hash = rcust_create(t->hash_cxt, (uint32) Max(size, 256), rs);
	for (uint32 i = 0; i < t->ncustomers; i++)
	{
		uint64		key = TableKey(t, i);
		const ReportBytes *k = (const ReportBytes *) (uintptr_t) key;
		uint32		hash = rs->byte_keys ?
		hash_bytes((const unsigned char *) k->data, k->len) : HashInt64(key);
		bool		found;
		ReportSlot *slot = rcust_insert_hash(t->hash, key, hash, &found);

		if ((i & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
		Assert(!found);
		slot->index = i;
	}
	for (int32 chunk = 0; t->ncustomers > 0 && chunk <= (int32) ((t->ncustomers - 1) >> CUSTOMER_CHUNK_BITS); chunk++)
		pfree(t->keys[chunk]);
	if (t->keys)
		pfree(t->keys);
	t->keys = NULL;
	t->in_order = false;
}

/*
 * The customer of a row, found or made; NULL when the table takes no new
 * customer and this one is not in it (its rows then spill).
 *
 * While customers come in key order (customer-ordered storage) the array
 * is in key order and needs no hash: a customer after the last one is new,
 * and the few rows that come back to an earlier customer find it by
 * binary search.  The first customer out of order makes the hash
 * (time-ordered storage makes it at once).
 */
static ReportCustomer *
TableFindCustomer(ReportTable *t, const ReportRow *row)
{
	ReportState *rs = t->rs;
	ReportSlot *slot;
	ReportCustomer *c;
	uint64		key;
	bool		found;

	if (row->customer_null)
	{
		/* one customer, never spilled */
		if (!t->has_null_customer)
		{
			memset(&t->null_customer, 0, sizeof(ReportCustomer));
			t->has_null_customer = true;
			rs->customers++;
		}
		return &t->null_customer;
	}
	if (rs->byte_keys)
		key = (uint64) (uintptr_t) ReportProbeSet(&rs->probe, rs->cxt, row->kdata, row->klen);
	else
		key = (uint64) row->ikey;

	/* consecutive rows of one customer skip the lookup */
	if (t->last != NULL && t->last_hash == row->hash &&
		CustomerKeyEqual(rs, t->last_key, key))
		return t->last;

	if (t->in_order)
	{
		int64		index;

		c = NULL;
		if (t->ncustomers == 0 || KeyAfter(rs, key, TableKey(t, t->ncustomers - 1)))
		{
			/* after every customer held: a new one */
			if (t->spilling || !TableTakesCustomer(t))
			{
				t->spilling = true;
				return NULL;
			}
			key = TableAppend(t, key, &c);
		}
		else if ((index = TableSearch(t, key)) >= 0)
		{
			c = TableCustomer(t, (uint32) index);
			key = TableKey(t, (uint32) index);
		}
		else if (t->spilling)
			return NULL;
		else
			TableHashCustomers(t);
		if (c != NULL)
		{
			t->last = c;
			t->last_key = key;
			t->last_hash = row->hash;
			return c;
		}
	}

	if (t->spilling || !TableTakesCustomer(t))
	{
		t->spilling = true;
		slot = rcust_lookup_hash(t->hash, key, row->hash);
		if (slot == NULL)
			return NULL;
		c = TableCustomer(t, slot->index);
	}
	else
	{
		slot = rcust_insert_hash(t->hash, key, row->hash, &found);
		if (found)
			c = TableCustomer(t, slot->index);
		else
		{
			slot->index = t->ncustomers;
			slot->key = TableAppend(t, key, &c);
		}
	}
	/* (slots move as the hash grows; customers and kept keys do not) */
	t->last = c;
	t->last_key = slot->key;
	t->last_hash = row->hash;
	return c;
}

/* Take a row of a customer this participant finishes. */
static inline void
TableAddRow(ReportTable *t, const ReportRow *row)
{
	ReportCustomer *c = TableFindCustomer(t, row);

	if (c == NULL)
		TableSpill(t, row);
	else
		CustomerAddRow(t, c, row);
}

/*
 * Take a batch of rows that point to nothing outside themselves or the
 * table (integer customers, labels interned, no segment), so that they may
 * wait while the hash slots and then the customers they need are fetched
 * from memory together rather than one miss after the other.  Rows of
 * different customers may be taken in any order; rows of one customer
 * stay in theirs.
 */
static void
TableAddBatch(ReportTable *t, const ReportRow *rows, int n)
{
	ReportCustomer *found[REPORT_BATCH];

	for (int i = 0; !t->in_order && i < n; i++)
		ReportPrefetch(&t->hash->data[rows[i].hash & t->hash->sizemask]);
	for (int i = 0; i < n; i++)
	{
		found[i] = TableFindCustomer(t, &rows[i]);
		if (found[i] != NULL)
			ReportPrefetch(found[i]);
	}
	for (int i = 0; i < n; i++)
	{
		if (found[i] == NULL)
			TableSpill(t, &rows[i]);
		else
			CustomerAddRow(t, found[i], &rows[i]);
	}
}

/*
 * Hand one customer to the accumulator: its events, as the aggregate
 * would have kept them, in a buffer of the aggregates' own (in the
 * current memory context, which the caller resets).
 */
static void
CustomerFinish(ReportTable *t, ReportCustomer *c)
{
	ReportState *rs = t->rs;
	ReportSegment *s = c->segment;
	JourneyEvents *events = NULL;

	if (c->nevents > 0)
	{
		bool		labels = rs->spec->kind == REPORT_PATHS ||
		rs->spec->kind == REPORT_TRANSITIONS;

		events = JourneyEventsCreate(CurrentMemoryContext, rs->params, labels);
		for (int32 i = 0; i < c->nevents; i++)
		{
			const CompactEvent *ev = i < CUSTOMER_INLINE_EVENTS ?
			&c->first[i] : &c->more[i - CUSTOMER_INLINE_EVENTS];

			if (labels)
			{
				const ReportBytes *label = t->labels[ev->label];

				JourneyEventsAdd(events, ev->ts, label->data, label->len, 0, 0.0);
			}
			else
				JourneyEventsAddFlags(events, ev->ts, ev->mask);
		}
	}
	if (s != NULL)
		ReportAccCustomer(rs->acc, events, s->data, s->len, s->null);
	else
		ReportAccCustomer(rs->acc, events, NULL, 0, true);
}

static void TableFinish(ReportTable *t);

/* Every row of a file (spilled, or sent by another participant) into t. */
static void
TableAddFile(ReportTable *t, BufFile *file)
{
	ReportRow	row;
	int64		n = 0;

	while (RowRead(t->rs, file, &row))
	{
		if ((++n & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		TableAddRow(t, &row);
	}
	BufFileClose(file);
}

/* Read a spilled partition's rows into a table one level down. */
static void
PartitionFinish(ReportState *rs, BufFile *file, int depth)
{
	ReportTable *t = TableCreate(rs, depth, 0);

	if (BufFileSeek(file, 0, 0, SEEK_SET) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not rewind a journey report's temporary file")));
	TableAddFile(t, file);
	TableFinish(t);
}

/*
 * Every customer of the table to the accumulator, then each spilled
 * partition; the table's memory is freed before the partitions are read.
 */
static void
TableFinish(ReportTable *t)
{
	ReportState *rs = t->rs;
	MemoryContext fin = AllocSetContextCreate(rs->cxt, "journey report customer",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(fin);
	BufFile    *parts[REPORT_SPILL_PARTITIONS];

	if (t->has_null_customer)
		CustomerFinish(t, &t->null_customer);
	for (uint32 i = 0; i < t->ncustomers; i++)
	{
		CustomerFinish(t, TableCustomer(t, i));
		/* the buffers and the final computations' scratch, freed as they go */
		if ((i & 255) == 255)
		{
			CHECK_FOR_INTERRUPTS();
			MemoryContextReset(fin);
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(fin);

	memcpy(parts, t->parts, sizeof(parts));
	MemoryContextDelete(t->cxt);
	MemoryContextDelete(t->hash_cxt);
	for (int p = 0; p < REPORT_SPILL_PARTITIONS; p++)
		if (parts[p] != NULL)
			PartitionFinish(rs, parts[p], t->depth + 1);
	pfree(t);
}

/* ---------- running a report ---------- */

/* Every relation to read: the source, and its partitions or children. */
static List *
ReportRelations(ReportState *rs)
{
	const ReportSpec *spec = rs->spec;
	List	   *oids = find_all_inheritors(spec->relid, AccessShareLock, NULL);
	List	   *rels = NIL;
	ListCell   *lc;

	foreach(lc, oids)
	{
		Oid			relid = lfirst_oid(lc);
		ReportRel  *r;

		if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
			continue;			/* holds no rows itself */
		r = palloc0(sizeof(ReportRel));
		r->relid = relid;
		for (int c = 0; c < RC_NCOLUMNS; c++)
		{
			const char *name = NameStr(spec->columns[c]);

			if (name[0] == '\0')
				continue;
			/* partitions may number their columns differently */
			r->attnum[c] = get_attnum(relid, name);
			if (r->attnum[c] <= 0)
				elog(ERROR, "column \"%s\" of relation %u vanished", name, relid);
			r->maxatt = Max(r->maxatt, r->attnum[c]);
		}
		rels = lappend(rels, r);
	}
	return rels;
}

/* Check the caller may read the source's columns (what SELECT checks). */
static void
CheckPrivileges(const ReportSpec *spec)
{
	Oid			user = GetUserId();
	AclResult	acl = pg_class_aclcheck(spec->relid, user, ACL_SELECT);

	if (acl == ACLCHECK_OK)
		return;
	for (int c = 0; c < RC_NCOLUMNS; c++)
	{
		const char *name = NameStr(spec->columns[c]);

		if (name[0] == '\0')
			continue;
		acl = pg_attribute_aclcheck(spec->relid, get_attnum(spec->relid, name),
									user, ACL_SELECT);
		if (acl != ACLCHECK_OK)
			aclcheck_error(acl, get_relkind_objtype(get_rel_relkind(spec->relid)),
						   get_rel_name(spec->relid));
	}
}

/*
 * How many customers the relations hold, from the customer column's
 * statistics (ANALYZE) and the relations' row counts; 0 when unknown.
 * Sizing the hash for them up front spares it growing step by step.
 */
static double
EstimateCustomers(const ReportSpec *spec, List *rels)
{
	AttrNumber	att = get_attnum(spec->relid, NameStr(spec->columns[RC_CUSTOMER]));
	bool		inherited = list_length(rels) != 1 ||
	((ReportRel *) linitial(rels))->relid != spec->relid;
	HeapTuple	tuple;
	float4		distinct;
	double		rows = 0;
	ListCell   *lc;

	tuple = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(spec->relid),
							Int16GetDatum(att), BoolGetDatum(inherited));
	if (!HeapTupleIsValid(tuple))
		return 0;
	distinct = ((Form_pg_statistic) GETSTRUCT(tuple))->stadistinct;
	ReleaseSysCache(tuple);
	if (distinct >= 0)
		return distinct;
	foreach(lc, rels)
	{
		HeapTuple	rt = SearchSysCache1(RELOID,
										 ObjectIdGetDatum(((ReportRel *) lfirst(lc))->relid));

		if (HeapTupleIsValid(rt))
		{
			rows += Max(((Form_pg_class) GETSTRUCT(rt))->reltuples, 0);
			ReleaseSysCache(rt);
		}
	}
	return -distinct * rows;
}

/* The state of one participant. */
static ReportState *
StateCreate(const ReportSpec *spec, ReportAcc *acc)
{
	ReportState *rs = palloc0(sizeof(ReportState));
	Relation	rel;
	TupleDesc	desc;

	rs->spec = spec;
	rs->acc = acc;
	rs->cxt = AllocSetContextCreate(CurrentMemoryContext, "journey report",
									ALLOCSET_DEFAULT_SIZES);
	rs->row_cxt = AllocSetContextCreate(rs->cxt, "journey report row",
										ALLOCSET_DEFAULT_SIZES);
	rs->segmenting = spec->group_segments || spec->has_segment_value;
	rs->every_row = spec->all_customers || rs->segmenting;
	rs->mem_limit = (Size) get_hash_memory_limit();
	rs->participant = 0;
	rs->nparticipants = 1;
	initStringInfo(&rs->record);

	/* the column types, from the source itself */
	rel = table_open(spec->relid, AccessShareLock);
	desc = RelationGetDescr(rel);
	for (int c = 0; c < RC_NCOLUMNS; c++)
	{
		const char *name = NameStr(spec->columns[c]);
		AttrNumber	att;
		Form_pg_attribute attr;

		rs->types[c] = RCT_NONE;
		if (name[0] == '\0')
			continue;
		att = get_attnum(spec->relid, name);
		if (att <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" (the %s column) does not exist in relation %s",
							name, column_roles[c], RelationGetRelationName(rel))));
		attr = TupleDescAttr(desc, att - 1);
		rs->types[c] = ColumnTypeFor((ReportColumn) c, attr->atttypid);
		if (rs->types[c] == RCT_NONE)
			elog(ERROR, "the report engine cannot read column \"%s\" of type %s",
				 name, format_type_be(attr->atttypid));
		if (rs->types[c] == RCT_OUTPUT)
		{
			Oid			out;
			bool		varlena;

			getTypeOutputInfo(attr->atttypid, &out, &varlena);
			fmgr_info_cxt(out, &rs->segment_out, rs->cxt);
		}
	}
	table_close(rel, NoLock);
	rs->byte_keys = rs->types[RC_CUSTOMER] == RCT_TEXT ||
		rs->types[RC_CUSTOMER] == RCT_NAME || rs->types[RC_CUSTOMER] == RCT_UUID;

	LookupBuild(&rs->lookup, spec);
	if (spec->kind == REPORT_FUNNEL || spec->kind == REPORT_SEQUENCE)
	{
		JourneyParams *params = MemoryContextAllocZero(rs->cxt, sizeof(JourneyParams));

		params->nconds = spec->nsteps;
		if (spec->kind == REPORT_FUNNEL)
		{
			params->interval_usec = spec->window_usec;
			params->modes = spec->modes;
		}
		else
		{
			params->text_len = spec->pattern_len;
			params->text = MemoryContextAlloc(rs->cxt, Max(spec->pattern_len, 1));
			memcpy(params->text, ReportSpecString(spec, spec->pattern_off),
				   spec->pattern_len);
			(void) JourneySequencePattern(params);
		}
		rs->params = params;
	}
	return rs;
}

/*
 * Scan one relation (or this participant's share of it), keeping the rows
 * of this participant's customers and sending the others to their owners.
 */
static void
ScanRelation(ReportState *rs, ReportTable *t, const ReportRel *r,
			 ParallelTableScanDesc pscan)
{
	Relation	rel = table_open(r->relid, AccessShareLock);
	TableScanDesc scan;
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	ReportRow	row;
	ReportRow	batch[REPORT_BATCH];
	int			nbatch = 0;
	bool		batching = !rs->byte_keys && !rs->segmenting;

	if (pscan != NULL)
		scan = table_beginscan_parallel(rel, pscan);
	else
		scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		if ((++rs->rows_read & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		slot_getsomeattrs(slot, r->maxatt);
		if (ReadRow(rs, r, slot, &row))
		{
			int			owner = rs->nparticipants == 1 ? 0 :
			(int) (row.hash % (uint32) rs->nparticipants);

			if (owner != rs->participant)
			{
				RowWrite(rs, rs->exchange[owner], &row);
				rs->rows_sent++;
			}
			else if (!batching)
				TableAddRow(t, &row);
			else
			{
				/* the label's bytes from the table's copy: the tuple's go */
				if (row.label != NULL)
				{
					row.label_id = LabelId(t, row.label, row.label_len);
					row.label = t->labels[row.label_id]->data;
				}
				batch[nbatch++] = row;
				if (nbatch == REPORT_BATCH)
				{
					TableAddBatch(t, batch, nbatch);
					nbatch = 0;
				}
			}
		}
		if (rs->row_cxt_used)
		{
			MemoryContextReset(rs->row_cxt);
			rs->row_cxt_used = false;
		}
	}
	if (nbatch > 0)
		TableAddBatch(t, batch, nbatch);
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, NoLock);
}

static void
DebugSummary(ReportState *rs, const char *who)
{
	ereport(DEBUG1,
			(errmsg_internal("journey report %s %d of %d: " INT64_FORMAT " rows read, "
							 INT64_FORMAT " sent to other participants, "
							 INT64_FORMAT " spilled, " INT64_FORMAT " customers, "
							 "%d spill levels",
							 who, rs->participant, rs->nparticipants, rs->rows_read,
							 rs->rows_sent, rs->rows_spilled, rs->customers,
							 rs->max_depth)));
}

/* ---------- parallel ---------- */

#define PARALLEL_KEY_REPORT_SHARED	UINT64CONST(0xB10C4E5000000001)
#define PARALLEL_KEY_REPORT_SPEC	UINT64CONST(0xB10C4E5000000002)
#define PARALLEL_KEY_QUERY_TEXT		UINT64CONST(0xB10C4E5000000003)

typedef struct ReportShared
{
	SharedFileSet fileset;
	slock_t		mutex;
	ConditionVariable cv;
	int			nparticipants;	/* 0 until the leader knows */
	int			nscanned;		/* participants done scanning */
	int			nrels;
	Size		pscan_off[FLEXIBLE_ARRAY_MEMBER];	/* each relation's
													 * ParallelTableScanDesc,
													 * from the struct's start */
} ReportShared;

static inline ParallelTableScanDesc
SharedScan(ReportShared *shared, int i)
{
	return (ParallelTableScanDesc) ((char *) shared + shared->pscan_off[i]);
}

static void
ExchangeName(char *name, int from, int to)
{
	snprintf(name, MAXPGPATH, "journey.rows.%d.%d", from, to);
}

static void
ResultName(char *name, int participant)
{
	snprintf(name, MAXPGPATH, "journey.result.%d", participant);
}

/* Wait until cond holds of the shared state (checked under its mutex). */
static void
SharedWait(ReportShared *shared, bool (*cond) (ReportShared *))
{
	for (;;)
	{
		bool		done;

		SpinLockAcquire(&shared->mutex);
		done = cond(shared);
		SpinLockRelease(&shared->mutex);
		if (done)
			break;
		ConditionVariableSleep(&shared->cv, PG_WAIT_EXTENSION);
	}
	ConditionVariableCancelSleep();
}

static bool
ParticipantsKnown(ReportShared *shared)
{
	return shared->nparticipants > 0;
}

static bool
AllScanned(ReportShared *shared)
{
	return shared->nscanned == shared->nparticipants;
}

/*
 * One participant's part: scan its share of every relation, exchange rows,
 * and finish its customers into rs->acc.
 */
static void
Participate(ReportState *rs, List *rels, ReportShared *shared)
{
	ReportTable *t = TableCreate(rs, 0, rs->customers_expected / rs->nparticipants);
	ListCell   *lc;
	int			i = 0;
	char		name[MAXPGPATH];
	MemoryContext old;

	if (shared != NULL)
	{
		/* a file of rows for every other participant */
		old = MemoryContextSwitchTo(rs->cxt);
		rs->exchange = palloc0(sizeof(BufFile *) * rs->nparticipants);
		for (int p = 0; p < rs->nparticipants; p++)
		{
			if (p == rs->participant)
				continue;
			ExchangeName(name, rs->participant, p);
			rs->exchange[p] = BufFileCreateFileSet(&shared->fileset.fs, name);
		}
		MemoryContextSwitchTo(old);
	}

	foreach(lc, rels)
	{
		ScanRelation(rs, t, lfirst(lc), shared ? SharedScan(shared, i) : NULL);
		i++;
	}

	if (shared != NULL)
	{
		for (int p = 0; p < rs->nparticipants; p++)
			if (rs->exchange[p] != NULL)
				BufFileClose(rs->exchange[p]);
		SpinLockAcquire(&shared->mutex);
		shared->nscanned++;
		SpinLockRelease(&shared->mutex);
		ConditionVariableBroadcast(&shared->cv);
		SharedWait(shared, AllScanned);

		/* the rows the others read for this participant's customers */
		for (int p = 0; p < rs->nparticipants; p++)
		{
			if (p == rs->participant)
				continue;
			ExchangeName(name, p, rs->participant);
			TableAddFile(t, BufFileOpenFileSet(&shared->fileset.fs, name, O_RDONLY, false));
		}
	}
	TableFinish(t);
}

/*
 * How many workers to ask for: as the planner sizes a parallel sequential
 * scan (one worker from min_parallel_table_scan_size on, one more each
 * time the relation triples, the relation's parallel_workers option if
 * set), at most max_parallel_workers_per_gather; none inside a parallel
 * operation, for temporary relations, or for small ones.
 */
static int
PlanWorkers(const ReportSpec *spec, List *rels, bool parallel_ok)
{
	BlockNumber pages = 0;
	ListCell   *lc;
	int			workers;
	int			threshold;
	Relation	rel;
	int			reloption;

	if (!parallel_ok || !IsUnderPostmaster || IsInParallelMode() ||
		max_parallel_workers_per_gather <= 0 || rels == NIL)
		return 0;
	foreach(lc, rels)
	{
		Relation	r = table_open(((ReportRel *) lfirst(lc))->relid, AccessShareLock);

		pages += RelationGetNumberOfBlocks(r);
		table_close(r, NoLock);
	}
	rel = table_open(spec->relid, AccessShareLock);
	reloption = RelationGetParallelWorkers(rel, -1);
	table_close(rel, NoLock);
	if (reloption >= 0)
		return Min(reloption, max_parallel_workers_per_gather);
	threshold = Max(min_parallel_table_scan_size, 1);
	if (pages < (BlockNumber) min_parallel_table_scan_size || pages == 0)
		return 0;
	workers = 1;
	while (pages >= (BlockNumber) threshold * 3 && workers < max_parallel_workers_per_gather)
	{
		workers++;
		threshold *= 3;
		if (threshold > INT_MAX / 3)
			break;
	}
	return Min(workers, max_parallel_workers_per_gather);
}

/*
 * Run with workers.  Returns false (having done nothing) when none could
 * be started; the caller then runs alone.
 */
static bool
RunParallel(const ReportSpec *spec, ReportAcc *acc, List *rels, int nworkers)
{
	ParallelContext *pcxt;
	Snapshot	snapshot = GetActiveSnapshot();
	Size		shared_size;
	Size		off;
	ReportShared *shared;
	ReportSpec *shared_spec;
	int			nrels = list_length(rels);
	ListCell   *lc;
	int			i;
	ReportState *rs;
	Size		querylen = debug_query_string ? strlen(debug_query_string) : 0;
	char		name[MAXPGPATH];

	EnterParallelMode();
	pcxt = CreateParallelContext("journey", "journey_report_worker_main", nworkers);

	shared_size = MAXALIGN(offsetof(ReportShared, pscan_off) + sizeof(Size) * nrels);
	off = shared_size;
	foreach(lc, rels)
	{
		Relation	r = table_open(((ReportRel *) lfirst(lc))->relid, AccessShareLock);

		shared_size = add_size(shared_size,
							   MAXALIGN(table_parallelscan_estimate(r, snapshot)));
		table_close(r, NoLock);
	}
	shm_toc_estimate_chunk(&pcxt->estimator, shared_size);
	shm_toc_estimate_chunk(&pcxt->estimator, spec->size);
	shm_toc_estimate_keys(&pcxt->estimator, 2);
	if (debug_query_string)
	{
		shm_toc_estimate_chunk(&pcxt->estimator, querylen + 1);
		shm_toc_estimate_keys(&pcxt->estimator, 1);
	}
	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)
	{
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		return false;
	}

	shared = shm_toc_allocate(pcxt->toc, shared_size);
	memset(shared, 0, offsetof(ReportShared, pscan_off));
	SpinLockInit(&shared->mutex);
	ConditionVariableInit(&shared->cv);
	SharedFileSetInit(&shared->fileset, pcxt->seg);
	shared->nrels = nrels;
	i = 0;
	foreach(lc, rels)
	{
		Relation	r = table_open(((ReportRel *) lfirst(lc))->relid, AccessShareLock);

		shared->pscan_off[i] = off;
		table_parallelscan_initialize(r, SharedScan(shared, i), snapshot);
		off += MAXALIGN(table_parallelscan_estimate(r, snapshot));
		table_close(r, NoLock);
		i++;
	}
	shm_toc_insert(pcxt->toc, PARALLEL_KEY_REPORT_SHARED, shared);
	shared_spec = shm_toc_allocate(pcxt->toc, spec->size);
	memcpy(shared_spec, spec, spec->size);
	shm_toc_insert(pcxt->toc, PARALLEL_KEY_REPORT_SPEC, shared_spec);
	if (debug_query_string)
	{
		char	   *q = shm_toc_allocate(pcxt->toc, querylen + 1);

		memcpy(q, debug_query_string, querylen + 1);
		shm_toc_insert(pcxt->toc, PARALLEL_KEY_QUERY_TEXT, q);
	}

	LaunchParallelWorkers(pcxt);
	if (pcxt->nworkers_launched == 0)
	{
		/* nobody waits for the participants' count: back out */
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		return false;
	}
	SpinLockAcquire(&shared->mutex);
	shared->nparticipants = pcxt->nworkers_launched + 1;
	SpinLockRelease(&shared->mutex);
	ConditionVariableBroadcast(&shared->cv);

	/* the leader is participant 0 */
	rs = StateCreate(spec, acc);
	rs->customers_expected = EstimateCustomers(spec, rels);
	rs->nparticipants = pcxt->nworkers_launched + 1;
	rs->fileset = &shared->fileset;
	/* a worker that could not start would never scan: find out first */
	WaitForParallelWorkersToAttach(pcxt);
	Participate(rs, rels, shared);
	DebugSummary(rs, "leader");

	WaitForParallelWorkersToFinish(pcxt);
	for (int p = 1; p < rs->nparticipants; p++)
	{
		BufFile    *file;

		ResultName(name, p);
		file = BufFileOpenFileSet(&shared->fileset.fs, name, O_RDONLY, false);
		ReportAccMerge(acc, file);
		BufFileClose(file);
	}
	MemoryContextDelete(rs->cxt);
	DestroyParallelContext(pcxt);
	ExitParallelMode();
	return true;
}

PGDLLEXPORT void journey_report_worker_main(dsm_segment *seg, shm_toc *toc);

/* A parallel worker's part (see RunParallel). */
void
journey_report_worker_main(dsm_segment *seg, shm_toc *toc)
{
	ReportShared *shared;
	ReportSpec *shared_spec;
	ReportSpec *spec;
	ReportState *rs;
	ReportAcc  *acc;
	List	   *rels;
	char	   *q;
	char		name[MAXPGPATH];
	BufFile    *file;

	q = shm_toc_lookup(toc, PARALLEL_KEY_QUERY_TEXT, true);
	debug_query_string = q;
	pgstat_report_activity(STATE_RUNNING, debug_query_string);
	shared = shm_toc_lookup(toc, PARALLEL_KEY_REPORT_SHARED, false);
	shared_spec = shm_toc_lookup(toc, PARALLEL_KEY_REPORT_SPEC, false);
	spec = palloc(shared_spec->size);
	memcpy(spec, shared_spec, shared_spec->size);
	SharedFileSetAttach(&shared->fileset, seg);

	SharedWait(shared, ParticipantsKnown);
	acc = ReportAccCreate(spec, CurrentMemoryContext);
	rs = StateCreate(spec, acc);
	rs->participant = ParallelWorkerNumber + 1;
	rs->nparticipants = shared->nparticipants;
	rs->fileset = &shared->fileset;
	rels = ReportRelations(rs);
	rs->customers_expected = EstimateCustomers(spec, rels);
	Participate(rs, rels, shared);
	DebugSummary(rs, "worker");

	ResultName(name, rs->participant);
	file = BufFileCreateFileSet(&shared->fileset.fs, name);
	ReportAccWrite(acc, file);
	BufFileClose(file);
}

/*
 * Run the report of spec into acc: check the caller's privileges, read the
 * source (with workers when it pays), and leave every customer's answer in
 * acc.  The caller has checked with ReportCannotScan that it may.
 */
void
ReportRun(const ReportSpec *spec, ReportAcc *acc)
{
	const char *columns[RC_NCOLUMNS];
	const char *reason;
	bool		parallel_ok;
	ReportState *rs;
	List	   *rels;
	int			nworkers;

	for (int c = 0; c < RC_NCOLUMNS; c++)
		columns[c] = NameStr(spec->columns[c])[0] ? NameStr(spec->columns[c]) : NULL;
	CheckPrivileges(spec);
	reason = ReportCannotScan(spec->relid, columns, &parallel_ok);
	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the report engine cannot read relation %s itself",
						get_rel_name(spec->relid)),
				 errdetail("The engine does not read it because %s.", reason),
				 errhint("Call the report function, which reads such sources through SQL.")));

	rs = StateCreate(spec, acc);
	rels = ReportRelations(rs);
	rs->customers_expected = EstimateCustomers(spec, rels);
	nworkers = PlanWorkers(spec, rels, parallel_ok);
	if (nworkers > 0)
	{
		MemoryContextDelete(rs->cxt);
		if (RunParallel(spec, acc, rels, nworkers))
			return;
		rs = StateCreate(spec, acc);
		rs->customers_expected = EstimateCustomers(spec, rels);
	}
	Participate(rs, rels, NULL);
	DebugSummary(rs, "backend");
	MemoryContextDelete(rs->cxt);
}
