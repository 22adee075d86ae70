/*-------------------------------------------------------------------------
 *
 * pack.h
 *	  The one writer and reader of journey's serialized states: integers,
 *	  floats, timestamps and bytes appended to a StringInfo that becomes a
 *	  bytea, and a reader that checks every length against what remains.
 *
 * Byte order: every number is written least significant byte first
 * (little-endian) whatever the host, so that a state stored in a table
 * or sent in binary means the same on every server.  On little-endian
 * hosts (every platform PostgreSQL is commonly built for) this is the
 * native order and costs nothing; JOURNEY_PACK_NATIVE_LE says so, for
 * writers that copy arrays of structs whole.
 *
 * Writing: JourneyPackBegin gives a StringInfo whose first VARHDRSZ bytes
 * are reserved for the varlena header; JourneyPack* append; JourneyPackEnd
 * turns the buffer into a bytea in place (no copy).  A writer that knows
 * the exact size passes it, so that the buffer is allocated once (and a
 * size past MaxAllocSize is refused before anything is written).
 *
 * Reading: a JourneyPackReader runs over bytes [p, end).  Every read
 * checks the length it needs against what remains, and reports a short
 * buffer with ereport(ERROR) naming what was being read: errmsg
 * "invalid <what>" with the reader's errcode (ERRCODE_DATA_CORRUPTED for
 * internal aggregate states, ERRCODE_INVALID_BINARY_REPRESENTATION for
 * values of a type), errdetail a sentence.  JourneyPackCount checks a
 * count of fixed-size items against what remains before anything is
 * allocated for them (an oversized count is an error, not an allocation);
 * JourneyPackFinish refuses trailing bytes.  Callers report their own
 * inconsistencies with JourneyPackCorrupt, so that every message about a
 * state comes out the same way.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JOURNEY_PACK_H
#define JOURNEY_PACK_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "port/pg_bswap.h"

#ifdef WORDS_BIGENDIAN
#define JOURNEY_PACK_NATIVE_LE 0
#define JOURNEY_PACK_LE16(x) pg_bswap16(x)
#define JOURNEY_PACK_LE32(x) pg_bswap32(x)
#define JOURNEY_PACK_LE64(x) pg_bswap64(x)
#else
#define JOURNEY_PACK_NATIVE_LE 1
#define JOURNEY_PACK_LE16(x) (x)
#define JOURNEY_PACK_LE32(x) (x)
#define JOURNEY_PACK_LE64(x) (x)
#endif

/* ---------- writer ---------- */

extern void JourneyPackBegin(StringInfo buf, Size expected_size,
							 const char *what);
extern bytea *JourneyPackEnd(StringInfo buf);

static inline void
JourneyPackBytes(StringInfo buf, const void *data, Size n)
{
	if (n > 0)
		appendBinaryStringInfoNT(buf, data, (int) n);
}

static inline void
JourneyPackUInt8(StringInfo buf, uint8 x)
{
	appendBinaryStringInfoNT(buf, (const char *) &x, 1);
}

static inline void
JourneyPackUInt16(StringInfo buf, uint16 x)
{
	x = JOURNEY_PACK_LE16(x);
	appendBinaryStringInfoNT(buf, (const char *) &x, sizeof(x));
}

static inline void
JourneyPackUInt32(StringInfo buf, uint32 x)
{
	x = JOURNEY_PACK_LE32(x);
	appendBinaryStringInfoNT(buf, (const char *) &x, sizeof(x));
}

static inline void
JourneyPackInt32(StringInfo buf, int32 x)
{
	JourneyPackUInt32(buf, (uint32) x);
}

static inline void
JourneyPackUInt64(StringInfo buf, uint64 x)
{
	x = JOURNEY_PACK_LE64(x);
	appendBinaryStringInfoNT(buf, (const char *) &x, sizeof(x));
}

static inline void
JourneyPackInt64(StringInfo buf, int64 x)
{
	JourneyPackUInt64(buf, (uint64) x);
}

static inline void
JourneyPackFloat8(StringInfo buf, float8 x)
{
	uint64		bits;

	memcpy(&bits, &x, sizeof(bits));
	JourneyPackUInt64(buf, bits);
}

static inline void
JourneyPackTimestamp(StringInfo buf, TimestampTz ts)
{
	JourneyPackInt64(buf, (int64) ts);
}

/* int32 length, then the bytes */
static inline void
JourneyPackText(StringInfo buf, const char *data, int32 len)
{
	JourneyPackInt32(buf, len);
	JourneyPackBytes(buf, data, len);
}

/* ---------- reader ---------- */

typedef struct JourneyPackReader
{
	const char *p;				/* next byte to read */
	const char *end;			/* one past the last */
	const char *what;			/* "journey aggregate state", for errmsg */
	int			errcode;		/* the errcode of every error it reports */
} JourneyPackReader;

extern void JourneyPackReaderInit(JourneyPackReader *r, const bytea *bytes,
								  const char *what, int errcode);
extern void JourneyPackCorrupt(const JourneyPackReader *r,
							   const char *detail) pg_attribute_noreturn();
extern void JourneyPackTruncated(const JourneyPackReader *r) pg_attribute_noreturn();

static inline Size
JourneyPackRemaining(const JourneyPackReader *r)
{
	return (Size) (r->end - r->p);
}

/* The next n bytes, in place; error if fewer remain. */
static inline const char *
JourneyPackGetBytes(JourneyPackReader *r, Size n)
{
	const char *at = r->p;

	if (JourneyPackRemaining(r) < n)
		JourneyPackTruncated(r);
	r->p += n;
	return at;
}

/* Copy the next n bytes to dst; error if fewer remain. */
static inline void
JourneyPackGetInto(JourneyPackReader *r, void *dst, Size n)
{
	if (n > 0)
		memcpy(dst, JourneyPackGetBytes(r, n), n);
}

static inline uint8
JourneyPackGetUInt8(JourneyPackReader *r)
{
	return *(const uint8 *) JourneyPackGetBytes(r, 1);
}

static inline uint16
JourneyPackGetUInt16(JourneyPackReader *r)
{
	uint16		x;

	memcpy(&x, JourneyPackGetBytes(r, sizeof(x)), sizeof(x));
	return JOURNEY_PACK_LE16(x);
}

static inline uint32
JourneyPackGetUInt32(JourneyPackReader *r)
{
	uint32		x;

	memcpy(&x, JourneyPackGetBytes(r, sizeof(x)), sizeof(x));
	return JOURNEY_PACK_LE32(x);
}

static inline int32
JourneyPackGetInt32(JourneyPackReader *r)
{
	return (int32) JourneyPackGetUInt32(r);
}

static inline uint64
JourneyPackGetUInt64(JourneyPackReader *r)
{
	uint64		x;

	memcpy(&x, JourneyPackGetBytes(r, sizeof(x)), sizeof(x));
	return JOURNEY_PACK_LE64(x);
}

static inline int64
JourneyPackGetInt64(JourneyPackReader *r)
{
	return (int64) JourneyPackGetUInt64(r);
}

/* Any float8 bits; callers that need finite numbers check (isfinite). */
static inline float8
JourneyPackGetFloat8(JourneyPackReader *r)
{
	uint64		bits = JourneyPackGetUInt64(r);
	float8		x;

	memcpy(&x, &bits, sizeof(x));
	return x;
}

static inline TimestampTz
JourneyPackGetTimestamp(JourneyPackReader *r)
{
	return (TimestampTz) JourneyPackGetInt64(r);
}

/*
 * An int32 length written by JourneyPackText, checked to lie in
 * [0, max_len] and within what remains, then its bytes in place.
 */
extern const char *JourneyPackGetText(JourneyPackReader *r, int32 max_len,
									  int32 *len);

/*
 * Check that count items of item_size bytes each (plus extra bytes) can
 * still be read: count not negative and not past what remains.  Call it
 * before allocating for them.  exact: they must fill what remains.
 */
extern void JourneyPackCount(const JourneyPackReader *r, int64 count,
							 Size item_size, Size extra, bool exact,
							 const char *detail);

/* Skip n bytes another reader consumed (e.g. JourneySumDeserialize). */
static inline void
JourneyPackSkip(JourneyPackReader *r, Size n)
{
	(void) JourneyPackGetBytes(r, n);
}

/* Every byte must have been read. */
static inline void
JourneyPackFinish(const JourneyPackReader *r)
{
	if (r->p != r->end)
		JourneyPackCorrupt(r, "The serialized state has trailing bytes.");
}

#endif							/* JOURNEY_PACK_H */
