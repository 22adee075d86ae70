/*-------------------------------------------------------------------------
 *
 * pack.c
 *	  The serialized-state writer and reader (see pack.h): the parts that
 *	  are not inline, that is the buffer's start and end and the errors.
 *
 *-------------------------------------------------------------------------
 */
#include "pack.h"

#include "utils/memutils.h"

/*
 * Start a buffer for a bytea.  expected_size is its size in all (header
 * included) when the writer knows it, so that it is allocated once; 0 for
 * a default, the buffer growing as needed.  A size past MaxAllocSize is
 * refused here, naming what (errmsg "<what> too large to serialize").
 */
void
JourneyPackBegin(StringInfo buf, Size expected_size, const char *what)
{
	Size		size = expected_size == 0 ? 1024 : expected_size + 1;

	if (expected_size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s too large to serialize", what),
				 errdetail("The state of one group needs %zu bytes.",
						   expected_size)));
	/* (StringInfo keeps room for a terminating zero byte: the + 1) */
	buf->data = palloc_extended(size, MCXT_ALLOC_HUGE);
	buf->maxlen = (int) Min(size, (Size) PG_INT32_MAX);
	buf->len = VARHDRSZ;
	buf->cursor = 0;
}

/* The buffer as a bytea, in place. */
bytea *
JourneyPackEnd(StringInfo buf)
{
	bytea	   *out = (bytea *) buf->data;

	SET_VARSIZE(out, buf->len);
	return out;
}

void
JourneyPackReaderInit(JourneyPackReader *r, const bytea *bytes,
					  const char *what, int errcode)
{
	r->p = VARDATA_ANY(bytes);
	r->end = r->p + VARSIZE_ANY_EXHDR(bytes);
	r->what = what;
	r->errcode = errcode;
}

void
JourneyPackCorrupt(const JourneyPackReader *r, const char *detail)
{
	ereport(ERROR,
			(errcode(r->errcode),
			 errmsg("invalid %s", r->what),
			 errdetail("%s", detail)));
}

void
JourneyPackTruncated(const JourneyPackReader *r)
{
	JourneyPackCorrupt(r, "The serialized state is truncated.");
}

const char *
JourneyPackGetText(JourneyPackReader *r, int32 max_len, int32 *len)
{
	int32		n = JourneyPackGetInt32(r);

	if (n < 0 || n > max_len)
		JourneyPackCorrupt(r, "A length is out of range.");
	*len = n;
	return JourneyPackGetBytes(r, n);
}

void
JourneyPackCount(const JourneyPackReader *r, int64 count, Size item_size,
				 Size extra, bool exact, const char *detail)
{
	Size		remaining = JourneyPackRemaining(r);
	Size		room;

	/* compared by division: count * item_size may not fit in 64 bits */
	if (count < 0 || extra > remaining)
		JourneyPackCorrupt(r, detail);
	room = remaining - extra;
	if (item_size == 0 ? (exact && room != 0) :
		((uint64) count > room / item_size ||
		 (exact && (Size) count * item_size != room)))
		JourneyPackCorrupt(r, detail);
}
