/*-------------------------------------------------------------------------
 *
 * sum.c
 *	  Exact sums of doubles: the same numbers added in any order, split in
 *	  any way and combined again, give the same bits.
 *
 * A JourneySum holds its sum as a double for as long as every addition
 * was exact (checked with Knuth's two-sum: the rounding error of each
 * addition is computed, and must be 0), which covers counts and other
 * integers below 2^53.  The first inexact addition moves it to a wide
 * fixed-point accumulator covering the whole range of doubles: chunks of
 * 32 bits, chunk c holding the bits of weight 2^(32c - 1074) to
 * 2^(32c - 1043), each kept in an int64 so that 2^30 additions can go in
 * before carries must be propagated.  Only the chunks between the lowest
 * and the highest bits seen so far are allocated (a few for values of
 * similar size).  The result is the exact sum rounded once, to nearest
 * with ties to even, which is what the double sum is when it stayed
 * exact: either way the answer is the correctly rounded sum of the
 * numbers, whatever their order.
 *
 * Serialized form (every number little-endian whatever the host, as
 * src/pack.h writes them):
 *	  uint8  JOURNEY_SUM_DOUBLE, then float8 (finite)
 *	or
 *	  uint8  JOURNEY_SUM_WIDE, int16 index of the lowest chunk, int16 number
 *	  of chunks n, then n int64 chunks in canonical form: every chunk but the
 *	  highest in [0, 2^32), the highest in [-2^31, 2^31), the lowest not 0,
 *	  and the highest not one that could go (0 over a chunk below 2^31, -1
 *	  over one of 2^31 or more).
 *
 * The aggregate exact_sum(float8) exposes it to SQL.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <float.h>
#include <math.h>

#include "lib/stringinfo.h"
#include "pack.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(journey_exact_sum_sfunc);
PG_FUNCTION_INFO_V1(journey_exact_sum_combine);
PG_FUNCTION_INFO_V1(journey_exact_sum_serialize);
PG_FUNCTION_INFO_V1(journey_exact_sum_deserialize);
PG_FUNCTION_INFO_V1(journey_exact_sum_final);
PG_FUNCTION_INFO_V1(journey_exact_sum_numeric_final);
PG_FUNCTION_INFO_V1(journey_exact_sum_state_check);

#define SUM_DIGIT_BITS	32
#define SUM_DIGIT		((int64) 1 << SUM_DIGIT_BITS)
#define SUM_HALF_DIGIT	((int64) 1 << (SUM_DIGIT_BITS - 1))
#define SUM_LOW_MASK	(SUM_DIGIT - 1)
/* bit 0 of chunk 0 weighs 2^SUM_LOWEST_EXP, the smallest subnormal */
#define SUM_LOWEST_EXP	(-1074)
/*
 * Chunks 0 .. 65 hold every double; the carries of 2^62 additions of the
 * largest double reach chunk 67.
 */
#define SUM_NCHUNKS		70
/* additions a chunk takes before its carries must be propagated */
#define SUM_MAX_ADDS	((int32) 1 << 30)

struct JourneySumWide
{
	int16		lo;				/* index of chunk[0] */
	int16		n;				/* chunks in use */
	int16		cap;			/* chunks allocated */
	int32		adds;			/* additions since the carries were propagated */
	int64		chunk[FLEXIBLE_ARRAY_MEMBER];
};

#define SUM_WIDE_SIZE(cap) (offsetof(JourneySumWide, chunk) + sizeof(int64) * (cap))

static JourneySumWide *
SumWideCreate(MemoryContext cxt, int lo, int n)
{
	JourneySumWide *w = MemoryContextAllocZero(cxt, SUM_WIDE_SIZE(n + 2));

	w->lo = lo;
	w->n = n;
	w->cap = n + 2;
	return w;
}

/* Make the chunks [lo, hi) part of the window, keeping the others. */
static JourneySumWide *
SumWideCover(JourneySumWide *w, int lo, int hi)
{
	int			newlo = Min(lo, w->lo);
	int			newhi = Max(hi, w->lo + w->n);
	int			shift = w->lo - newlo;

	Assert(newlo >= 0 && newhi <= SUM_NCHUNKS);
	if (newhi - newlo > w->cap)
	{
		int			cap = Min(SUM_NCHUNKS, newhi - newlo + 4);

		w = repalloc(w, SUM_WIDE_SIZE(cap));
		w->cap = cap;
	}
	if (shift > 0)
	{
		memmove(&w->chunk[shift], &w->chunk[0], sizeof(int64) * w->n);
		memset(&w->chunk[0], 0, sizeof(int64) * shift);
	}
	memset(&w->chunk[shift + w->n], 0,
		   sizeof(int64) * (newhi - newlo - shift - w->n));
	w->lo = newlo;
	w->n = newhi - newlo;
	return w;
}

/* n > 0 chunks in the canonical form of the file header */
static bool
SumChunksCanonical(const int64 *chunk, int n)
{
	int64		top = chunk[n - 1];
	int64		below = (n > 1) ? chunk[n - 2] : 0;

	for (int i = 0; i < n - 1; i++)
		if (chunk[i] < 0 || chunk[i] >= SUM_DIGIT)
			return false;
	if (top < -SUM_HALF_DIGIT || top >= SUM_HALF_DIGIT || chunk[0] == 0)
		return false;

	/*
	 * a highest chunk that could go: 0 over a digit below 2^31, or -1 over
	 * one above
	 */
	if (n > 1 && ((top == 0 && below < SUM_HALF_DIGIT) ||
				  (top == -1 && below >= SUM_HALF_DIGIT)))
		return false;
	return true;
}

/* Assertion builds: the chunks are in the canonical form of the header. */
static void
SumWideCheck(const JourneySumWide *w)
{
#ifdef USE_ASSERT_CHECKING
	Assert(w->n >= 0 && w->lo >= 0 && w->lo + w->n <= SUM_NCHUNKS && w->n <= w->cap);
	if (w->n == 0)
		return;
	Assert(SumChunksCanonical(w->chunk, w->n));
#endif
}

/*
 * Propagate the carries and trim the window to the canonical form the
 * serialized state shows (see the file header); n = 0 is the sum 0.
 */
static JourneySumWide *
SumWideNormalize(JourneySumWide *w)
{
	int			i;

	for (i = 0; i < w->n; i++)
	{
		int64		carry;

		if (i == w->n - 1)
		{
			/* the highest chunk stays if it is a signed digit */
			if (w->chunk[i] >= -SUM_HALF_DIGIT && w->chunk[i] < SUM_HALF_DIGIT)
				break;
			w = SumWideCover(w, w->lo, w->lo + w->n + 1);
		}
		carry = w->chunk[i] >> SUM_DIGIT_BITS;	/* floor */
		w->chunk[i] -= carry * SUM_DIGIT;
		w->chunk[i + 1] += carry;
	}
	/* remove what adds nothing at the top, then at the bottom */
	while (w->n > 0)
	{
		int64		top = w->chunk[w->n - 1];
		int64		below = (w->n > 1) ? w->chunk[w->n - 2] : 0;

		if (w->n > 1 && ((top == 0 && below < SUM_HALF_DIGIT) ||
						 (top == -1 && below >= SUM_HALF_DIGIT)))
		{
			w->chunk[w->n - 2] = below + top * SUM_DIGIT;
			w->n--;
		}
		else if (w->n == 1 && top == 0)
			w->n = 0;
		else
			break;
	}
	for (i = 0; i < w->n && w->chunk[i] == 0; i++)
		;
	if (i > 0)
	{
		memmove(&w->chunk[0], &w->chunk[i], sizeof(int64) * (w->n - i));
		w->lo += i;
		w->n -= i;
	}
	w->adds = 0;
	SumWideCheck(w);
	return w;
}

/* Add a finite double to the chunks. */
static JourneySumWide *
SumWideAdd(JourneySumWide *w, double x)
{
	uint64		bits;
	int			biased;
	uint64		m;
	int			b,
				ci,
				sh;
	uint64		piece[3];
	int			npieces;

	Assert(isfinite(x));
	if (x == 0.0)
		return w;

	/*
	 * x = m 2^(b - 1074) with m < 2^53, read off its IEEE 754 fields: a
	 * normal number has the implicit leading bit and exponent field e >= 1 (b
	 * = e - 1), a subnormal one neither (b = 0).
	 */
	memcpy(&bits, &x, sizeof(bits));
	biased = (int) ((bits >> 52) & 0x7FF);
	m = bits & (((uint64) 1 << 52) - 1);
	if (biased > 0)
		m |= (uint64) 1 << 52;
	b = (biased > 0) ? biased - 1 : 0;
	ci = b / SUM_DIGIT_BITS;
	sh = b % SUM_DIGIT_BITS;
	piece[0] = (m << sh) & SUM_LOW_MASK;
	piece[1] = (m >> (SUM_DIGIT_BITS - sh)) & SUM_LOW_MASK;
	piece[2] = (m >> (SUM_DIGIT_BITS - sh)) >> SUM_DIGIT_BITS;
	npieces = piece[2] ? 3 : piece[1] ? 2 : 1;

	if (w->adds >= SUM_MAX_ADDS)
		w = SumWideNormalize(w);
	if (w->n == 0)
	{
		w->lo = ci;
		w->n = 0;
	}
	if (ci < w->lo || ci + npieces > w->lo + w->n)
		w = SumWideCover(w, ci, ci + npieces);
	if (bits >> 63)
		for (int k = 0; k < npieces; k++)
			w->chunk[ci - w->lo + k] -= (int64) piece[k];
	else
		for (int k = 0; k < npieces; k++)
			w->chunk[ci - w->lo + k] += (int64) piece[k];
	w->adds++;
	return w;
}

/* The wide sum of s, made from its double value on the first call. */
static JourneySumWide *
SumWiden(JourneySum *s, MemoryContext cxt)
{
	if (s->wide == NULL)
	{
		s->wide = SumWideCreate(cxt, 0, 0);
		s->wide = SumWideAdd(s->wide, s->value);
		s->value = 0.0;
	}
	return s->wide;
}

void
JourneySumAdd(JourneySum *s, double x, MemoryContext cxt)
{
	Assert(isfinite(x));
	if (s->wide == NULL)
	{
		double		t = s->value + x;

		/* two-sum: the rounding error of value + x is 0 */
		if (isfinite(t))
		{
			double		bv = t - s->value;
			double		av = t - bv;

			if ((s->value - av) + (x - bv) == 0.0)
			{
				/* (-0 + -0 gives -0: keep every zero +0) */
				s->value = (t == 0.0) ? 0.0 : t;
				return;
			}
		}
	}
	SumWiden(s, cxt);
	s->wide = SumWideAdd(s->wide, x);
}

void
JourneySumAddSum(JourneySum *dst, JourneySum *src, MemoryContext cxt)
{
	JourneySumWide *w;

	if (src->wide == NULL)
	{
		JourneySumAdd(dst, src->value, cxt);
		return;
	}
	src->wide = SumWideNormalize(src->wide);
	if (src->wide->n == 0)
		return;
	w = SumWiden(dst, cxt);
	if (w->adds >= SUM_MAX_ADDS)
		w = SumWideNormalize(w);
	if (w->n == 0)
	{
		w->lo = src->wide->lo;
		w->n = 0;
	}
	w = SumWideCover(w, src->wide->lo, src->wide->lo + src->wide->n);
	for (int k = 0; k < src->wide->n; k++)
		w->chunk[src->wide->lo - w->lo + k] += src->wide->chunk[k];
	w->adds++;
	dst->wide = w;
}

/* Bit q (of weight 2^(q + SUM_LOWEST_EXP)) of non-negative digits d. */
static inline int
DigitBit(const int64 *d, int lo, int n, int q)
{
	int			c = q / SUM_DIGIT_BITS - lo;

	if (c < 0 || c >= n)
		return 0;
	return (int) ((d[c] >> (q % SUM_DIGIT_BITS)) & 1);
}

double
JourneySumResult(JourneySum *s)
{
	JourneySumWide *w;
	int64		d[SUM_NCHUNKS + 1];
	int			n,
				lo,
				top,
				low;
	bool		negative;
	uint64		mant = 0;
	bool		half,
				sticky = false;
	double		r;

	if (s->wide == NULL)
		return s->value;
	w = s->wide = SumWideNormalize(s->wide);
	if (w->n == 0)
		return 0.0;

	/* the magnitude, as digits in [0, 2^32) */
	n = w->n;
	lo = w->lo;
	negative = w->chunk[n - 1] < 0;
	memcpy(d, w->chunk, sizeof(int64) * n);
	if (negative)
	{
		int64		carry = 0;

		for (int i = 0; i < n; i++)
		{
			int64		v = -d[i] + carry;

			carry = v >> SUM_DIGIT_BITS;
			d[i] = v - carry * SUM_DIGIT;
		}
		Assert(carry == 0);
	}
	/* (a positive sum may have a 0 on top of a digit of 2^31 or more) */
	while (n > 0 && d[n - 1] == 0)
		n--;
	Assert(n > 0 && d[n - 1] > 0 && d[n - 1] < SUM_DIGIT);

	/* bits top .. low (at most 53) are kept, the rest rounds */
	top = (lo + n - 1) * SUM_DIGIT_BITS + pg_leftmost_one_pos64((uint64) d[n - 1]);
	if (top + SUM_LOWEST_EXP > DBL_MAX_EXP - 1)
		return negative ? -INFINITY : INFINITY;
	low = Max(top - (DBL_MANT_DIG - 1), 0);
	for (int q = top; q >= low; q--)
		mant = (mant << 1) | DigitBit(d, lo, n, q);
	half = low > 0 && DigitBit(d, lo, n, low - 1);
	for (int q = low - 2; q >= 0 && !sticky; q--)
	{
		/* whole zero digits are skipped */
		if (q % SUM_DIGIT_BITS == SUM_DIGIT_BITS - 1 &&
			(q / SUM_DIGIT_BITS - lo < 0 ||
			 d[q / SUM_DIGIT_BITS - lo] == 0))
		{
			q -= SUM_DIGIT_BITS - 1;
			continue;
		}
		sticky = DigitBit(d, lo, n, q);
	}
	if (half && (sticky || (mant & 1)))
		mant++;
	r = ldexp((double) mant, low + SUM_LOWEST_EXP);
	return negative ? -r : r;
}

/* ------------------------------------------------------------------------
 * Serialized form
 * ------------------------------------------------------------------------
 */
void
JourneySumSerialize(StringInfo buf, JourneySum *s)
{
	if (s->wide == NULL)
	{
		JourneyPackUInt8(buf, JOURNEY_SUM_DOUBLE);
		JourneyPackFloat8(buf, s->value);
	}
	else
	{
		s->wide = SumWideNormalize(s->wide);
		JourneyPackUInt8(buf, JOURNEY_SUM_WIDE);
		JourneyPackUInt16(buf, (uint16) s->wide->lo);
		JourneyPackUInt16(buf, (uint16) s->wide->n);
		if (JOURNEY_PACK_NATIVE_LE)
			JourneyPackBytes(buf, s->wide->chunk, sizeof(int64) * s->wide->n);
		else
			for (int i = 0; i < s->wide->n; i++)
				JourneyPackInt64(buf, s->wide->chunk[i]);
	}
}

/*
 * Read one sum from bytes [p, end): the number of bytes it took, or -1
 * when they are not a sum in the form JourneySumSerialize writes.
 */
int
JourneySumDeserialize(const char *p, const char *end, JourneySum *s,
					  MemoryContext cxt)
{
	uint8		kind;
	uint16		bits16;
	int16		lo,
				n;
	int64	   *chunk;
	int			len = 1 + 2 * sizeof(int16);

	s->value = 0.0;
	s->wide = NULL;
	if (end - p < 1)
		return -1;
	memcpy(&kind, p, 1);
	if (kind == JOURNEY_SUM_DOUBLE)
	{
		uint64		bits;

		if (end - p < 1 + (int) sizeof(double))
			return -1;
		memcpy(&bits, p + 1, sizeof(bits));
		bits = JOURNEY_PACK_LE64(bits);
		memcpy(&s->value, &bits, sizeof(double));
		return isfinite(s->value) ? 1 + (int) sizeof(double) : -1;
	}
	if (kind != JOURNEY_SUM_WIDE || end - p < len)
		return -1;
	memcpy(&bits16, p + 1, sizeof(bits16));
	lo = (int16) JOURNEY_PACK_LE16(bits16);
	memcpy(&bits16, p + 1 + sizeof(bits16), sizeof(bits16));
	n = (int16) JOURNEY_PACK_LE16(bits16);
	if (n < 1 || lo < 0 || lo + n > SUM_NCHUNKS ||
		end - p - len < (int) sizeof(int64) * n)
		return -1;
	s->wide = SumWideCreate(cxt, lo, n);
	chunk = s->wide->chunk;
	memcpy(chunk, p + len, sizeof(int64) * n);
	if (!JOURNEY_PACK_NATIVE_LE)
		for (int i = 0; i < n; i++)
			chunk[i] = (int64) JOURNEY_PACK_LE64((uint64) chunk[i]);
	len += sizeof(int64) * n;
	return SumChunksCanonical(chunk, n) ? len : -1;
}

/*
 * The exact sum as numeric, every binary digit of it: each chunk times its
 * weight is a double exactly (32 bits, scaled by a power of two), so the
 * numeric sum of their exact values is the exact sum.  A sum beyond the
 * range of doubles has no such chunks and is an error.
 */
Datum
JourneySumNumeric(JourneySum *s)
{
	Datum		r;

	if (s->wide == NULL)
		return JourneyExactNumeric(s->value);
	s->wide = SumWideNormalize(s->wide);
	r = JourneyExactNumeric(0.0);
	for (int i = 0; i < s->wide->n; i++)
	{
		double		term;

		if (s->wide->chunk[i] == 0)
			continue;
		term = ldexp((double) s->wide->chunk[i],
					 SUM_DIGIT_BITS * (s->wide->lo + i) + SUM_LOWEST_EXP);
		if (!isfinite(term))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("exact sum is out of range for type double precision"),
					 errdetail("The exact sum of the rows is beyond float8.")));
		r = DirectFunctionCall2(numeric_add, r, JourneyExactNumeric(term));
	}
	return r;
}

/* Whether the sum is below 0 (the state checks of its users). */
bool
JourneySumIsNegative(JourneySum *s)
{
	if (s->wide == NULL)
		return s->value < 0.0;
	s->wide = SumWideNormalize(s->wide);
	return s->wide->n > 0 && s->wide->chunk[s->wide->n - 1] < 0;
}

/* ------------------------------------------------------------------------
 * exact_sum(float8) aggregate
 * ------------------------------------------------------------------------
 */
static JourneySum *
SumState(MemoryContext cxt)
{
	return MemoryContextAllocZero(cxt, sizeof(JourneySum));
}

Datum
journey_exact_sum_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, "journey.exact_sum");
	JourneySum *s = PG_ARGISNULL(0) ? NULL : (JourneySum *) PG_GETARG_POINTER(0);
	double		x;

	if (PG_ARGISNULL(1))
	{
		if (s == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s);
	}
	x = PG_GETARG_FLOAT8(1);
	if (!isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("exact_sum takes finite numbers only"),
				 errdetail("A row passed %s.", float8out_internal(x)),
				 errhint("Leave out NaN and infinite values (e.g. with FILTER (WHERE x <> 'NaN')), or use sum().")));
	if (s == NULL)
		s = SumState(aggcxt);
	JourneySumAdd(s, x, aggcxt);
	PG_RETURN_POINTER(s);
}

Datum
journey_exact_sum_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, "journey.exact_sum");
	JourneySum *left = PG_ARGISNULL(0) ? NULL : (JourneySum *) PG_GETARG_POINTER(0);
	JourneySum *right = PG_ARGISNULL(1) ? NULL : (JourneySum *) PG_GETARG_POINTER(1);

	if (right == NULL)
	{
		if (left == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(left);
	}
	if (left == NULL)
		left = SumState(aggcxt);
	JourneySumAddSum(left, right, aggcxt);
	PG_RETURN_POINTER(left);
}

Datum
journey_exact_sum_serialize(PG_FUNCTION_ARGS)
{
	JourneySum *s = (JourneySum *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	uint8		version = JOURNEY_SUM_STATE_VERSION;
	bytea	   *out;

	initStringInfo(&buf);
	JourneyPackUInt8(&buf, version);
	JourneySumSerialize(&buf, s);
	out = palloc(VARHDRSZ + buf.len);
	SET_VARSIZE(out, VARHDRSZ + buf.len);
	memcpy(VARDATA(out), buf.data, buf.len);
	pfree(buf.data);
	PG_RETURN_BYTEA_P(out);
}

static JourneySum *
SumStateDeserialize(bytea *bytes)
{
	const char *p = VARDATA_ANY(bytes);
	const char *end = p + VARSIZE_ANY_EXHDR(bytes);
	JourneySum *s = SumState(CurrentMemoryContext);
	int			len;

	if (end - p < 1 || *(const uint8 *) p != JOURNEY_SUM_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid exact_sum state"),
				 errdetail("Unknown state version.")));
	len = JourneySumDeserialize(p + 1, end, s, CurrentMemoryContext);
	if (len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid exact_sum state"),
				 errdetail("The bytes are not a sum in this version's form.")));
	if (p + 1 + len != end)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid exact_sum state"),
				 errdetail("The serialized state has trailing bytes.")));
	return s;
}

Datum
journey_exact_sum_deserialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(SumStateDeserialize(PG_GETARG_BYTEA_PP(0)));
}

Datum
journey_exact_sum_final(PG_FUNCTION_ARGS)
{
	JourneySum *s = PG_ARGISNULL(0) ? NULL : (JourneySum *) PG_GETARG_POINTER(0);
	double		r;

	if (s == NULL)
		PG_RETURN_NULL();
	r = JourneySumResult(s);
	if (isinf(r))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("exact_sum is out of range for type double precision"),
				 errdetail("The exact sum of the rows is beyond float8.")));
	PG_RETURN_FLOAT8(r);
}

/*
 * exact_sum_numeric's final function: the exact sum as numeric (every
 * binary digit), so that it can be stored, added to and subtracted from
 * exactly; NULL for no rows.
 */
Datum
journey_exact_sum_numeric_final(PG_FUNCTION_ARGS)
{
	JourneySum *s = PG_ARGISNULL(0) ? NULL : (JourneySum *) PG_GETARG_POINTER(0);

	if (s == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(JourneySumNumeric(s));
}

/*
 * Test hook (not in the install script): the sum a serialized state holds,
 * so that regression tests can feed the deserializer any bytes.
 */
Datum
journey_exact_sum_state_check(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(JourneySumResult(SumStateDeserialize(PG_GETARG_BYTEA_PP(0))));
}
