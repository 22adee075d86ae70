/*-------------------------------------------------------------------------
 *
 * report.h
 *	  The report engine: funnel, path, transition and sequence reports
 *	  computed by reading a source's relation directly (report_scan.c),
 *	  customer by customer with the aggregates' own per-group code, into
 *	  small accumulators (report_acc.c), under the SQL functions of
 *	  report.c.
 *
 * A participant (the backend, or one of its parallel workers) reads rows,
 * keeps each customer's events in a hash of customers and, once every row
 * is in, hands each customer's events to the same code the aggregates'
 * final functions run (window_funnel, funnel_times, sequence_match,
 * sequence_count, path_agg with path_transform, transitions); what that
 * code returns is added to the report's accumulator.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JOURNEY_REPORT_H
#define JOURNEY_REPORT_H

#include "journey.h"

#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "storage/buffile.h"
#include "storage/sharedfileset.h"

typedef enum ReportKind
{
	REPORT_FUNNEL,
	REPORT_PATHS,
	REPORT_TRANSITIONS,
	REPORT_SEQUENCE
} ReportKind;

/* The columns a report reads, by role. */
typedef enum ReportColumn
{
	RC_CUSTOMER,
	RC_TIME,
	RC_EVENT,					/* funnel and sequence: matched against steps */
	RC_LABEL,					/* paths and transitions: the path's labels */
	RC_SEGMENT,					/* the customer's segment, or none */
	RC_NCOLUMNS
} ReportColumn;

/* How a column's values are read (the same for every partition). */
typedef enum ReportColumnType
{
	RCT_NONE,
	RCT_INT2,
	RCT_INT4,
	RCT_INT8,
	RCT_TEXT,					/* text, varchar: bytes of a varlena */
	RCT_NAME,
	RCT_UUID,
	RCT_TIMESTAMPTZ,
	RCT_TIMESTAMP,
	RCT_DATE,
	RCT_OUTPUT					/* segment only: a built-in type's text form */
} ReportColumnType;

#define REPORT_MAX_STEPS JOURNEY_MAX_CONDITIONS

/*
 * Everything a participant needs to run a report: fixed fields, then the
 * strings (event names, pattern, transforms, segment value) in one blob,
 * so that the whole spec is one flat copy for parallel workers.
 */
typedef struct ReportSpec
{
	Size		size;			/* of the whole spec, blob included */
	ReportKind	kind;
	Oid			relid;
	NameData	columns[RC_NCOLUMNS];	/* empty: not read */
	bool		has_since;
	bool		has_until;
	TimestampTz since;			/* rows from (inclusive) */
	TimestampTz until;			/* rows until (exclusive) */
	int32		nsteps;			/* funnel steps / sequence conditions */
	int64		window_usec;	/* funnel */
	uint32		modes;			/* funnel */
	bool		with_times;		/* funnel: compute funnel_times' gaps */
	bool		all_customers;	/* funnel: every customer with a row counts */
	bool		group_segments; /* group by the customer's segment */
	bool		has_segment_value;	/* keep only customers of one segment */
	int32		top;			/* paths */
	int32		max_step;		/* transitions */
	double		min_share;		/* transitions */
	int32		step_off[REPORT_MAX_STEPS]; /* event names, in blob */
	int32		step_len[REPORT_MAX_STEPS];
	int32		pattern_off;	/* sequence */
	int32		pattern_len;
	int32		transforms_off; /* paths, transitions: a text[] varlena, or -1 */
	int32		transforms_len;
	int32		segment_off;	/* the segment kept */
	int32		segment_len;
	int32		blob_len;
	char		blob[FLEXIBLE_ARRAY_MEMBER];
} ReportSpec;

/* Bytes and their length: a customer's value, a label, a key of counts. */
typedef struct ReportBytes
{
	int32		len;
	char		data[FLEXIBLE_ARRAY_MEMBER];
} ReportBytes;

/* An entry of a hash keyed by bytes: a count (or a number) and a pointer. */
typedef struct ReportBytesEntry
{
	const ReportBytes *key;
	int64		count;
	void	   *ptr;
	uint32		hash;
	char		status;
} ReportBytesEntry;

#define SH_PREFIX rbytes
#define SH_ELEMENT_TYPE ReportBytesEntry
#define SH_KEY_TYPE const ReportBytes *
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k)->data, (k)->len)
#define SH_EQUAL(tb, a, b) ((a)->len == (b)->len && memcmp((a)->data, (b)->data, (a)->len) == 0)
#define SH_SCOPE static inline
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* A reusable ReportBytes to look keys up with. */
typedef struct ReportProbe
{
	ReportBytes *bytes;
	int32		cap;
} ReportProbe;

static inline const ReportBytes *
ReportProbeSet(ReportProbe *probe, MemoryContext cxt, const char *data, int32 len)
{
	if (probe->bytes == NULL || len > probe->cap)
	{
		probe->cap = Max(Max(len, 2 * probe->cap), 64);
		probe->bytes = MemoryContextAlloc(cxt, offsetof(ReportBytes, data) + probe->cap);
	}
	probe->bytes->len = len;
	memcpy(probe->bytes->data, data, len);
	return probe->bytes;
}

/*
 * The entry of key (count 0 and pointer NULL if new, *isnew then set),
 * its key copied into cxt.
 */
static inline ReportBytesEntry *
ReportBytesFind(rbytes_hash *hash, MemoryContext cxt, const ReportBytes *key,
				bool *isnew)
{
	bool		found;
	ReportBytesEntry *e = rbytes_insert(hash, key, &found);

	if (!found)
	{
		ReportBytes *copy = MemoryContextAlloc(cxt, offsetof(ReportBytes, data) + key->len);

		copy->len = key->len;
		memcpy(copy->data, key->data, key->len);
		e->key = copy;
		e->count = 0;
		e->ptr = NULL;
	}
	*isnew = !found;
	return e;
}

/* Accumulator of one participant's answers (report_acc.c). */
typedef struct ReportAcc ReportAcc;

extern ReportAcc *ReportAccCreate(const ReportSpec *spec, MemoryContext cxt);
extern void ReportAccCustomer(ReportAcc *acc, JourneyEvents *events,
							  const char *segment, int segment_len,
							  bool segment_null);
extern void ReportAccWrite(ReportAcc *acc, BufFile *file);
extern void ReportAccMerge(ReportAcc *acc, BufFile *file);
extern void ReportAccResult(ReportAcc *acc, FunctionCallInfo fcinfo);

/* report_scan.c: run a report over spec's relation into acc. */
extern void ReportRun(const ReportSpec *spec, ReportAcc *acc);
extern const char *ReportCannotScan(Oid relid, const char *const *columns,
									bool *parallel_ok);

/* reading and writing spilled and exchanged bytes */
extern void ReportFileRead(BufFile *file, void *ptr, size_t size);

static inline const char *
ReportSpecString(const ReportSpec *spec, int32 off)
{
	return spec->blob + off;
}

#endif							/* JOURNEY_REPORT_H */
