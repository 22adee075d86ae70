/*-------------------------------------------------------------------------
 *
 * labels.c
 *	  Labels that agree across tools: ICU normalisation of free-text labels
 *	  (journey.normalize_label) and the rule-driven default channel grouping
 *	  (journey.default_channel) over the editable table journey.channel_rule.
 *
 * Normalisation is NFKC, then full Unicode case folding (default folding,
 * not the Turkic one), then NFKC again, repeated until the string no longer
 * changes (case folding can produce text that is not in NFKC, and NFKC can
 * produce text that folds further; the repetition makes the function
 * idempotent).  Then white space (the Unicode White_Space property) is
 * trimmed and every inner run of it becomes one ASCII space.  Pieces of
 * pure ASCII take a short path with the same result.  Long labels are
 * normalized piece by piece (see "Pieces" below), each piece written to
 * the result as soon as it is done, so that they answer cancel at once and
 * need memory for their input and result only.  Results depend on the
 * Unicode version of the ICU library the server links.
 *
 * default_channel() reads the rules once per statement: the compiled
 * regular expressions are cached in the calling expression's fn_extra,
 * keyed on the active snapshot (local transaction, xmin, xmax, command id),
 * so that a rule added earlier in the same transaction or committed by
 * another session before the statement started is seen, while one
 * statement reads the table once.  A small memo of recent raw (source,
 * medium) pairs skips normalisation and matching for the repeated values
 * that event tables are made of; below it, memos of recent source values
 * and of recent medium values keep their normalised form and, lazily, which
 * rules' patterns they match, so a new pair only runs the regular
 * expressions of the side not seen before.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "catalog/pg_collation.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "regex/regex.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(journey_normalize_label);
PG_FUNCTION_INFO_V1(journey_default_channel);

/* Rounds of (case fold, NFKC) before giving up on reaching a fixed point. */
#define LABEL_MAX_FOLD_ROUNDS	4

/*
 * The size, in bytes of UTF-8, that a label's pieces aim at, and in UTF-16
 * code units the chunks of one step over a piece that found no end (see
 * "Pieces" below).
 */
#define LABEL_PIECE_SIZE		65536

/* The longest result: it must fit in one text value. */
#define LABEL_MAX_RESULT_BYTES	((Size) (MaxAllocSize - VARHDRSZ - 1))

/*
 * How a label is normalized: the size its pieces and chunks aim at (0: no
 * cut), the longest result, and the most UTF-16 code units one step over a
 * piece may produce.  normalize_label uses label_defaults; a test hook
 * passes others, to compare with one pass and to reach the limits' errors
 * with small labels.
 */
typedef struct LabelPlan
{
	int			piece_size;
	Size		max_bytes;
	int64		max_units;
} LabelPlan;

static const LabelPlan label_defaults = {
	/* a buffer of one step, and its terminator, in one allocation */
	LABEL_PIECE_SIZE, LABEL_MAX_RESULT_BYTES, MaxAllocSize / sizeof(UChar) - 1
};

/* Slots of the per-statement memo of (source, medium) -> channel. */
#define CHANNEL_MEMO_SLOTS		256

#define CHANNEL_UNASSIGNED		"Unassigned"

/* Report an ICU failure. */
static void
IcuCheck(UErrorCode status, const char *what)
{
	if (U_FAILURE(status))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("ICU %s failed: %s", what, u_errorName(status))));
}

/* ICU's NFKC normalizer: owned by ICU, never closed, the same for all */
static const UNormalizer2 *
IcuNfkcInstance(void)
{
	static const UNormalizer2 *nfkc = NULL;

	if (nfkc == NULL)
	{
		UErrorCode	status = U_ZERO_ERROR;
		const UNormalizer2 *n = unorm2_getNFKCInstance(&status);

		IcuCheck(status, "normalizer lookup");
		nfkc = n;
	}
	return nfkc;
}

/*
 * A growable UTF-16 buffer.  Pieces are small, but a piece without an end
 * (below) may be as long as the label, so the buffer may be large.
 */
typedef struct UBuf
{
	UChar	   *data;
	int32		len;
	int32		cap;
	int64		most;			/* code units it may hold */
} UBuf;

/*
 * Room for n more code units (and a terminator).  A guess (speculative) is
 * cut to what the buffer may hold; a need beyond it is an error.
 */
static void
UBufReserve(UBuf *b, int64 n, bool speculative)
{
	int64		units = (int64) b->len + n;
	int64		need;

	if (speculative)
		units = Min(units, b->most);
	if (units < b->cap)
		return;
	if (units > b->most)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("label is too long to normalize"),
				 errdetail("A step of its normalization would need more than %lld UTF-16 code units.",
						   (long long) b->most)));
	need = Min(Max(units + 1, (int64) b->cap + b->cap / 2), b->most + 1);
	b->data = b->data ? repalloc(b->data, need * sizeof(UChar)) :
		palloc(need * sizeof(UChar));
	b->cap = (int32) need;
}

/*
 * Where a step may cut src (of len units) after its chunk from "from":
 * the first position at least "size" units on that is a boundary for the
 * step (NFKC: before a character with a normalization boundary before it;
 * case folding, which maps each code point alone: any code point), else
 * len.  size 0: no cut.
 */
static int32
StepCut(const UNormalizer2 *nfkc, const UChar *src, int32 len, int32 from,
		int32 size)
{
	int32		i;

	if (size <= 0 || len - from <= size)
		return len;
	i = from + size;
	U16_SET_CP_START(src, from, i);
	if (i == from)
		U16_FWD_1(src, i, len);
	while (i < len)
	{
		UChar32		c;
		int32		next = i;

		if (nfkc == NULL)
			return i;
		U16_NEXT(src, next, len, c);
		if (unorm2_hasBoundaryBefore(nfkc, c))
			return i;
		i = next;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return len;
}

/*
 * One step over src, appended to dst: NFKC (nfkc given) or full default
 * case folding (nfkc NULL), in chunks of about chunk units cut where the
 * step allows (StepCut), so that its result is that of one call over src,
 * checking for interrupts between chunks.
 */
static void
IcuStep(const UNormalizer2 *nfkc, const UChar *src, int32 len, UBuf *dst,
		int32 chunk)
{
	int32		from = 0;

	while (from < len)
	{
		int32		to = StepCut(nfkc, src, len, from, chunk);
		int32		n = to - from;

		CHECK_FOR_INTERRUPTS();
		for (int attempt = 0;; attempt++)
		{
			UErrorCode	status = U_ZERO_ERROR;
			int32		room;
			int32		got;

			/* NFKC expands little in practice; folding at most threefold */
			if (attempt == 0)
				UBufReserve(dst, (int64) n + n / 4 + 8, true);
			/* the last unit is the terminator's: a result past most overflows */
			room = dst->cap - dst->len - 1;
			if (nfkc)
				got = unorm2_normalize(nfkc, src + from, n, dst->data + dst->len,
									   room, &status);
			else
				got = u_strFoldCase(dst->data + dst->len, room, src + from, n,
									U_FOLD_CASE_DEFAULT, &status);
			if (status == U_BUFFER_OVERFLOW_ERROR && attempt == 0)
			{
				UBufReserve(dst, got, false);
				continue;
			}
			IcuCheck(status, nfkc ? "NFKC normalization" : "case folding");
			dst->len += got;
			break;
		}
		from = to;
	}
}

/*
 * Pieces.  A label is normalized piece by piece, so that a long one
 * answers cancel at once and needs memory for its input and its result,
 * not for several UTF-16 copies of it.  A piece ends, once it has
 * LABEL_PIECE_SIZE bytes, before the first character across which no step
 * acts: one that NFKC leaves alone whatever surrounds it
 * (unorm2_isInert) and that case folding maps to itself (a space, a
 * digit, most punctuation and CJK), or an ASCII character followed by
 * another (NFKC has a boundary before every ASCII character, two ASCII
 * characters never combine, and folding keeps them ASCII).  Each step of
 * each round then acts on the pieces apart, so the result is exactly that
 * of one pass over the whole label.  A piece that finds no such character
 * (a long run of capitals outside ASCII, of combining marks) is as long as
 * it must be; each step goes over it in chunks instead (IcuStep).
 */
static bool
FoldsToItself(UChar32 c)
{
	UChar		in[2];
	UChar		out[8];
	int32		n = 0;
	int32		m;
	UErrorCode	status = U_ZERO_ERROR;
	bool		is_error = false;

	U16_APPEND(in, n, 2, c, is_error);
	if (is_error)
		return false;
	m = u_strFoldCase(out, lengthof(out), in, n, U_FOLD_CASE_DEFAULT, &status);
	return U_SUCCESS(status) && m == n && memcmp(in, out, n * sizeof(UChar)) == 0;
}

/* The end of the piece of s (UTF-8, len bytes) that begins at from. */
static int
PieceEnd(const char *s, int len, int from, int size)
{
	const uint8 *u = (const uint8 *) s;
	const UNormalizer2 *nfkc;
	int			i;

	if (size <= 0 || len - from <= size)
		return len;
	nfkc = IcuNfkcInstance();
	i = from + size;
	while (i < len && U8_IS_TRAIL(u[i]))
		i++;
	while (i < len)
	{
		UChar32		c;
		int			next = i;

		U8_NEXT(u, next, len, c);
		if (c < 0)
			return i;			/* not UTF-8: ICU reports it */
		if (c < 0x80 && (next == len || u[next] < 0x80))
			return i;
		if (unorm2_isInert(nfkc, c) && FoldsToItself(c))
			return i;
		i = next;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return len;
}

/*
 * A normalization under way.  Pieces write their UTF-8 to "utf8": the
 * result itself in a UTF-8 database, else a buffer converted to the server
 * encoding and appended to the result after each piece.
 */
typedef struct LabelWriter
{
	StringInfo	out;			/* the result, in the server encoding */
	int			start;			/* where the result begins in out */
	StringInfo	utf8;			/* where pieces write */
	StringInfoData buf;			/* that buffer, in other databases */
	bool		any;			/* something but white space written */
	bool		pending_space;	/* white space after it, not yet written */
	const LabelPlan *plan;
} LabelWriter;

static void
LabelTooLong(LabelWriter *w)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("label is too long to normalize"),
			 errdetail("The normalized label would be longer than %zu bytes, the most a text value holds.",
					   w->plan->max_bytes)));
}

/*
 * Room for up to n more bytes of UTF-8; returns how many of them the
 * result may still take (n or fewer).
 */
static Size
LabelRoom(LabelWriter *w, Size n)
{
	bool		direct = (w->utf8 == w->out);
	Size		used = w->utf8->len - (direct ? w->start : 0);

	/* a piece's own buffer is checked when converted (LabelFlushPiece) */
	Size		most = direct ? w->plan->max_bytes : LABEL_MAX_RESULT_BYTES;
	Size		left = most - Min(used, most);

	n = Min(n, left);
	enlargeStringInfo(w->utf8, n);
	return n;
}

/* Move what the piece wrote into the result (other databases). */
static void
LabelFlushPiece(LabelWriter *w)
{
	char	   *server;
	int			n;

	if (w->utf8 == w->out || w->buf.len == 0)
		return;
	server = pg_any_to_server(w->buf.data, w->buf.len, PG_UTF8);
	n = (server == w->buf.data) ? w->buf.len : (int) strlen(server);
	if ((Size) (w->out->len - w->start) + n > w->plan->max_bytes)
		LabelTooLong(w);
	appendBinaryStringInfo(w->out, server, n);
	if (server != w->buf.data)
		pfree(server);
	resetStringInfo(&w->buf);
}

/* A piece of pure ASCII: NFKC is the identity, folding is tolower. */
static void
NormalizeAsciiPiece(const char *s, int len, LabelWriter *w)
{
	StringInfo	dst = w->utf8;

	/* at most its own bytes and one pending space */
	int			end = dst->len + LabelRoom(w, (Size) len + 1);

	for (int i = 0; i < len; i++)
	{
		char		c = s[i];

		/* ASCII's White_Space: TAB, LF, VT, FF, CR and SPACE */
		if (c == ' ' || (c >= '\t' && c <= '\r'))
		{
			w->pending_space = w->any;
			continue;
		}
		if (dst->len + (w->pending_space ? 1 : 0) >= end)
			LabelTooLong(w);
		if (w->pending_space)
		{
			dst->data[dst->len++] = ' ';
			w->pending_space = false;
		}
		dst->data[dst->len++] = pg_ascii_tolower((unsigned char) c);
		w->any = true;
	}
	dst->data[dst->len] = '\0';
}

/* Are the UTF-16 strings a and b (len units each) equal?  In chunks. */
static bool
UBufEqual(const UChar *a, const UChar *b, int32 len, int32 chunk)
{
	for (int32 from = 0; from < len;)
	{
		int32		n = (chunk > 0) ? Min(chunk, len - from) : len - from;

		CHECK_FOR_INTERRUPTS();
		if (memcmp(a + from, b + from, n * sizeof(UChar)) != 0)
			return false;
		from += n;
	}
	return true;
}

/*
 * Write src (UTF-16, len units) to the result: white space trimmed and
 * inner runs collapsed to one ASCII space, in UTF-8, a chunk at a time.
 */
static void
LabelWriteWide(LabelWriter *w, const UChar *src, int32 len, int32 chunk)
{
	int32		most = (chunk > 0) ? Min(chunk, len) : len;

	/* a chunk's units, a pending space, and a code point's second unit */
	UChar	   *ws = palloc(sizeof(UChar) * (most + 2));

	for (int32 from = 0; from < len;)
	{
		int32		to = StepCut(NULL, src, len, from, chunk);
		int32		wslen = 0;
		int32		n8;
		UErrorCode	status = U_ZERO_ERROR;

		CHECK_FOR_INTERRUPTS();
		for (int32 i = from; i < to;)
		{
			UChar32		c;
			int32		begin = i;

			U16_NEXT(src, i, to, c);
			if (u_isUWhiteSpace(c))
			{
				w->pending_space = w->any;
				continue;
			}
			if (w->pending_space)
			{
				ws[wslen++] = 0x20;
				w->pending_space = false;
			}
			while (begin < i)
				ws[wslen++] = src[begin++];
			w->any = true;
		}
		u_strToUTF8(NULL, 0, &n8, ws, wslen, &status);
		if (status == U_BUFFER_OVERFLOW_ERROR ||
			status == U_STRING_NOT_TERMINATED_WARNING)
			status = U_ZERO_ERROR;
		IcuCheck(status, "conversion to UTF-8");
		if (LabelRoom(w, n8) < (Size) n8)
			LabelTooLong(w);
		u_strToUTF8(w->utf8->data + w->utf8->len, n8 + 1, NULL, ws, wslen,
					&status);
		IcuCheck(status, "conversion to UTF-8");
		w->utf8->len += n8;
		w->utf8->data[w->utf8->len] = '\0';
		from = to;
	}
	pfree(ws);
}

/*
 * A piece through ICU: to UTF-16, NFKC, then (case fold, NFKC) until
 * nothing changes, then written out.  Every pass over the piece goes in
 * chunks of about chunk units (0: one pass), checking for interrupts.
 */
static void
NormalizeIcuPiece(const char *s, int len, LabelWriter *w)
{
	const UNormalizer2 *nfkc = IcuNfkcInstance();
	const uint8 *s8 = (const uint8 *) s;
	int			chunk = w->plan->piece_size;
	UBuf		u = {.most = w->plan->max_units},
				a = {.most = w->plan->max_units},
				b = {.most = w->plan->max_units};

	/* to UTF-16 (never more code units than UTF-8 bytes), cut at characters */
	UBufReserve(&u, len, true);
	for (int from = 0; from < len;)
	{
		int			to = (chunk > 0 && len - from > chunk) ? from + chunk : len;
		int32		n;
		UErrorCode	status = U_ZERO_ERROR;

		while (to < len && U8_IS_TRAIL(s8[to]))
			to++;
		CHECK_FOR_INTERRUPTS();
		u_strFromUTF8(u.data + u.len, u.cap - u.len - 1, &n, s + from, to - from,
					  &status);
		if (status == U_BUFFER_OVERFLOW_ERROR)
			UBufReserve(&u, n, false);	/* past the limit: its error */
		IcuCheck(status, "conversion from UTF-8");
		u.len += n;
		from = to;
	}

	IcuStep(nfkc, u.data, u.len, &a, chunk);
	for (int round = 0;; round++)
	{
		bool		same;

		u.len = 0;
		IcuStep(NULL, a.data, a.len, &u, chunk);	/* fold */
		b.len = 0;
		IcuStep(nfkc, u.data, u.len, &b, chunk);
		same = (b.len == a.len && UBufEqual(a.data, b.data, a.len, chunk));
		{
			UBuf		t = a;

			a = b;
			b = t;
		}
		if (same)
			break;
		if (round >= LABEL_MAX_FOLD_ROUNDS)
			elog(ERROR, "case folding and NFKC did not reach a fixed point");
	}
	pfree(u.data);
	if (b.data)
		pfree(b.data);

	LabelWriteWide(w, a.data, a.len, chunk);
	if (a.data)
		pfree(a.data);
}

/*
 * Normalize the label s (len bytes in the server encoding) into out, a
 * StringInfo made here, whose result, in the server encoding, begins after
 * "header" bytes left for the caller, as plan says.
 */
static void
NormalizeLabelInto(const char *s, int len, const LabelPlan *plan, int header,
				   StringInfo out)
{
	int			piece_size = plan->piece_size;
	const char *utf8;
	int			utf8len;
	LabelWriter w;
	MemoryContext cxt;
	MemoryContext old;

	/* to UTF-8 (validated by the conversion) */
	utf8 = pg_server_to_any(s, len, PG_UTF8);
	utf8len = (utf8 == s) ? len : (int) strlen(utf8);

	/* room for a result as long as the label, the usual case */
	out->maxlen = (int) Min((Size) header + utf8len + 1, MaxAllocSize);
	out->data = palloc(out->maxlen);
	out->len = header;
	out->data[header] = '\0';
	out->cursor = 0;
	w.out = out;
	w.start = header;
	w.any = false;
	w.pending_space = false;
	w.plan = plan;
	if (GetDatabaseEncoding() == PG_UTF8)
		w.utf8 = out;
	else
	{
		initStringInfo(&w.buf);
		w.utf8 = &w.buf;
	}
	/* a label of several pieces frees each piece's memory when done */
	old = cxt = CurrentMemoryContext;
	if (piece_size > 0 && utf8len > piece_size)
		cxt = AllocSetContextCreate(cxt, "journey label piece",
									ALLOCSET_DEFAULT_SIZES);
	for (int from = 0; from < utf8len;)
	{
		int			to = PieceEnd(utf8, utf8len, from, piece_size);
		bool		ascii = true;

		CHECK_FOR_INTERRUPTS();
		for (int i = from; i < to && ascii; i++)
			ascii = !IS_HIGHBIT_SET(utf8[i]);
		if (ascii)
			NormalizeAsciiPiece(utf8 + from, to - from, &w);
		else
		{
			MemoryContextSwitchTo(cxt);
			NormalizeIcuPiece(utf8 + from, to - from, &w);
			MemoryContextSwitchTo(old);
			if (cxt != old)
				MemoryContextReset(cxt);
		}
		LabelFlushPiece(&w);
		from = to;
	}
	if (cxt != old)
		MemoryContextDelete(cxt);
	if (w.utf8 != out)
		pfree(w.buf.data);
	if (utf8 != s)
		pfree(unconstify(char *, utf8));
}

/*
 * Normalize a label given in the server encoding; returns a palloc'd,
 * NUL-terminated string in the server encoding.
 */
char	   *
JourneyNormalizeLabel(const char *s, int len, int *outlen)
{
	StringInfoData out;

	NormalizeLabelInto(s, len, &label_defaults, 0, &out);
	*outlen = out.len;
	return out.data;
}

/* The result of a normalization as text, built in place (no copy). */
static text *
NormalizeLabelText(text *label, const LabelPlan *plan)
{
	StringInfoData out;

	NormalizeLabelInto(VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label),
					   plan, VARHDRSZ, &out);
	SET_VARSIZE(out.data, out.len);
	return (text *) out.data;
}

/*
 * journey.normalize_label(label text) -> text
 */
Datum
journey_normalize_label(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(NormalizeLabelText(PG_GETARG_TEXT_PP(0), &label_defaults));
}

/*
 * Test hook, not part of the install script: normalize_label(label) with
 * pieces and chunks of the given size (0: the whole label in one piece and
 * one call per step), so that tests can check that cutting a label
 * anywhere gives the result of one pass over it; and, given two more
 * arguments, with a lower limit on the result's bytes and on one step's
 * UTF-16 code units, so that tests can show the limits' errors.
 */
PG_FUNCTION_INFO_V1(journey_normalize_label_pieces);

Datum
journey_normalize_label_pieces(PG_FUNCTION_ARGS)
{
	LabelPlan	plan = label_defaults;

	plan.piece_size = PG_GETARG_INT32(1);
	if (PG_NARGS() == 4)
	{
		if (PG_GETARG_INT64(2) <= 0 || PG_GETARG_INT64(3) <= 0)
			elog(ERROR, "limits must be positive");
		plan.max_bytes = (Size) Min(PG_GETARG_INT64(2), (int64) plan.max_bytes);
		plan.max_units = Min(PG_GETARG_INT64(3), plan.max_units);
	}
	if (plan.piece_size < 0)
		elog(ERROR, "piece size must not be negative");
	PG_RETURN_TEXT_P(NormalizeLabelText(PG_GETARG_TEXT_PP(0), &plan));
}

/* ------------------------------------------------------------------------
 * default_channel
 * ------------------------------------------------------------------------
 */

typedef struct ChannelRule
{
	int32		priority;
	text	   *channel;
	int			source_pat;		/* index into patterns, or -1: any */
	int			medium_pat;		/* index into patterns, or -1: any */
} ChannelRule;

/* A distinct pattern text, compiled once however many rules use it. */
typedef struct ChannelPattern
{
	char	   *text;
	regex_t		re;
} ChannelPattern;

/* A recent (source, medium) pair and the rule it fell under. */
typedef struct ChannelMemo
{
	bool		used;
	uint32		hash;
	int			srclen;
	int			medlen;
	char	   *key;			/* source bytes then medium bytes */
	int			rule;			/* index into rules, or -1: unassigned */
} ChannelMemo;

/*
 * A recent source (or medium) value: its normalised wide form and, per
 * rule, whether the rule's pattern for that side matches it, evaluated
 * lazily (0: not yet, 1: matches, 2: does not).  Lets a new pair reuse the
 * work done for its medium or source in earlier pairs.
 */
typedef struct ChannelSide
{
	bool		used;
	uint32		hash;
	int			len;
	char	   *key;			/* raw bytes */
	pg_wchar   *wide;			/* normalised */
	int			wlen;
	uint8	   *state;			/* npatterns entries */
} ChannelSide;

/* Everything read for one snapshot; lives in its own memory context. */
typedef struct ChannelRules
{
	int			nrules;
	ChannelRule *rules;
	int			npatterns;		/* compiled so far */
	ChannelPattern *patterns;
	ChannelMemo memo[CHANNEL_MEMO_SLOTS];
	ChannelSide sources[CHANNEL_MEMO_SLOTS];
	ChannelSide media[CHANNEL_MEMO_SLOTS];
} ChannelRules;

/* fn_extra of default_channel: the rules and the snapshot they were read in */
typedef struct ChannelCache
{
	MemoryContext cxt;			/* child of fn_mcxt, or NULL */
	ChannelRules *rules;
	bool		valid;
	LocalTransactionId lxid;
	TransactionId xmin;
	TransactionId xmax;
	CommandId	curcid;
	MemoryContextCallback free_regexes;
} ChannelCache;

/* The compiled regexes are malloc'd by the regex engine: free them when the
 * cache's context goes (statement end, error, or reload). */
static void
ChannelFreeRegexes(void *arg)
{
	ChannelRules *rules = (ChannelRules *) arg;

	for (int i = 0; i < rules->npatterns; i++)
		pg_regfree(&rules->patterns[i].re);
	rules->npatterns = 0;
}

/*
 * Index of the compiled pattern with this text, compiling it if it is new.
 * column and priority name the rule in the error message.
 */
static int
ChannelPatternIndex(ChannelRules *rules, MemoryContext cxt,
					const char *pattern, int32 priority, const char *column)
{
	int			plen = strlen(pattern);
	pg_wchar   *wpat;
	int			wlen;
	int			rc;
	ChannelPattern *pat;

	for (int i = 0; i < rules->npatterns; i++)
		if (strcmp(rules->patterns[i].text, pattern) == 0)
			return i;

	pat = &rules->patterns[rules->npatterns];
	wpat = palloc((plen + 1) * sizeof(pg_wchar));
	wlen = pg_mb2wchar_with_len(pattern, wpat, plen);
	rc = pg_regcomp(&pat->re, wpat, wlen, REG_ADVANCED | REG_ICASE | REG_NOSUB,
					DEFAULT_COLLATION_OID);
	pfree(wpat);
	if (rc != REG_OKAY)
	{
		char		msg[256];

		/* a cancel or timeout is reported as such, not as a bad pattern */
		CHECK_FOR_INTERRUPTS();

		pg_regerror(rc, &pat->re, msg, sizeof(msg));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
				 errmsg("invalid %s in channel rule %d: %s", column, priority, msg),
				 errhint("Fix or delete the rule in journey.channel_rule.")));
	}
	pat->text = MemoryContextStrdup(cxt, pattern);
	/* counted once compiled, so that the reset callback frees what exists */
	return rules->npatterns++;
}

/* Read and compile the rules into a fresh context under fn_mcxt. */
static void
ChannelLoad(ChannelCache *cache, MemoryContext parent)
{
	MemoryContext cxt;
	ChannelRules *rules;
	int			ret;

	if (cache->cxt)
	{
		MemoryContextDelete(cache->cxt);
		cache->cxt = NULL;
		cache->rules = NULL;
	}
	cxt = AllocSetContextCreate(parent, "journey channel rules",
								ALLOCSET_SMALL_SIZES);
	rules = MemoryContextAllocZero(cxt, sizeof(ChannelRules));
	cache->free_regexes.func = ChannelFreeRegexes;
	cache->free_regexes.arg = rules;
	MemoryContextRegisterResetCallback(cxt, &cache->free_regexes);
	cache->cxt = cxt;
	cache->rules = rules;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute("SELECT priority, channel, source_pattern, medium_pattern"
					  " FROM journey.channel_rule ORDER BY priority",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading journey.channel_rule failed: %s",
			 SPI_result_code_string(ret));

	rules->rules = MemoryContextAllocZero(cxt, sizeof(ChannelRule) *
										  Max(SPI_processed, 1));
	rules->patterns = MemoryContextAllocZero(cxt, sizeof(ChannelPattern) *
											 Max(2 * SPI_processed, 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ChannelRule *rule = &rules->rules[i];
		MemoryContext oldcxt;
		bool		isnull;
		char	   *channel,
				   *spat,
				   *mpat;

		rule->priority = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		channel = SPI_getvalue(tup, desc, 2);
		spat = SPI_getvalue(tup, desc, 3);
		mpat = SPI_getvalue(tup, desc, 4);
		oldcxt = MemoryContextSwitchTo(cxt);
		rule->channel = cstring_to_text(channel);
		MemoryContextSwitchTo(oldcxt);
		rule->source_pat = spat ? ChannelPatternIndex(rules, cxt, spat, rule->priority,
													  "source_pattern") : -1;
		rule->medium_pat = mpat ? ChannelPatternIndex(rules, cxt, mpat, rule->priority,
													  "medium_pattern") : -1;
		rules->nrules = i + 1;
	}
	SPI_finish();
}

static ChannelRules *
ChannelGetRules(FunctionCallInfo fcinfo)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	ChannelCache *cache = (ChannelCache *) flinfo->fn_extra;
	Snapshot	snap = ActiveSnapshotSet() ? GetActiveSnapshot() : NULL;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(ChannelCache));
		flinfo->fn_extra = cache;
	}
	if (cache->valid && snap != NULL &&
		cache->lxid == MyProc->lxid &&
		cache->xmin == snap->xmin &&
		cache->xmax == snap->xmax &&
		cache->curcid == snap->curcid)
		return cache->rules;

	cache->valid = false;
	ChannelLoad(cache, flinfo->fn_mcxt);
	if (snap != NULL)
	{
		cache->lxid = MyProc->lxid;
		cache->xmin = snap->xmin;
		cache->xmax = snap->xmax;
		cache->curcid = snap->curcid;
		cache->valid = true;
	}
	return cache->rules;
}

/* Does the compiled regex match the wide string? */
static bool
ChannelMatch(regex_t *re, pg_wchar *w, int wlen)
{
	int			rc = pg_regexec(re, w, wlen, 0, NULL, 0, NULL, 0);

	if (rc == REG_OKAY)
		return true;
	if (rc != REG_NOMATCH)
	{
		char		msg[256];

		/* REG_CANCEL: report the cancel or timeout itself */
		CHECK_FOR_INTERRUPTS();

		pg_regerror(rc, re, msg, sizeof(msg));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
				 errmsg("regular expression failed: %s", msg)));
	}
	return false;
}

/*
 * The memo entry of one side's raw value, normalised on first sight.
 * Temporary allocations go to the caller's (per-row) context; what is kept
 * goes to cxt.
 */
static ChannelSide *
ChannelSideGet(ChannelRules *rules, ChannelSide *table, MemoryContext cxt,
			   const char *s, int len, uint32 hash)
{
	ChannelSide *e = &table[hash % CHANNEL_MEMO_SLOTS];
	int			nlen;
	char	   *norm;

	if (e->used && e->hash == hash && e->len == len &&
		memcmp(e->key, s, len) == 0)
		return e;
	if (e->used)
	{
		pfree(e->key);
		pfree(e->wide);
		pfree(e->state);
		e->used = false;
	}
	norm = JourneyNormalizeLabel(s, len, &nlen);
	e->key = MemoryContextAlloc(cxt, len + 1);
	memcpy(e->key, s, len);
	e->wide = MemoryContextAlloc(cxt, (nlen + 1) * sizeof(pg_wchar));
	e->wlen = pg_mb2wchar_with_len(norm, e->wide, nlen);
	e->state = MemoryContextAllocZero(cxt, Max(rules->npatterns, 1));
	e->len = len;
	e->hash = hash;
	e->used = true;
	return e;
}

/* Does pattern p match the side's value?  (-1: any) */
static inline bool
ChannelSideMatches(ChannelRules *rules, ChannelSide *e, int p)
{
	if (p < 0)
		return true;
	if (e->state[p] == 0)
		e->state[p] = ChannelMatch(&rules->patterns[p].re, e->wide, e->wlen) ? 1 : 2;
	return e->state[p] == 1;
}

/* Index of the first matching rule, or -1. */
static int
ChannelClassify(ChannelRules *rules, ChannelSide *src, ChannelSide *med)
{
	for (int i = 0; i < rules->nrules; i++)
	{
		ChannelRule *rule = &rules->rules[i];

		if (ChannelSideMatches(rules, src, rule->source_pat) &&
			ChannelSideMatches(rules, med, rule->medium_pat))
			return i;
	}
	return -1;
}

/*
 * journey.default_channel(source text, medium text) -> text
 *
 * NULL arguments count as empty strings.
 */
Datum
journey_default_channel(PG_FUNCTION_ARGS)
{
	text	   *srct = PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0);
	text	   *medt = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
	const char *src = srct ? VARDATA_ANY(srct) : "";
	const char *med = medt ? VARDATA_ANY(medt) : "";
	int			srclen = srct ? VARSIZE_ANY_EXHDR(srct) : 0;
	int			medlen = medt ? VARSIZE_ANY_EXHDR(medt) : 0;
	ChannelRules *rules = ChannelGetRules(fcinfo);
	uint32		srchash,
				medhash,
				hash;
	ChannelMemo *memo;
	int			rule;

	srchash = hash_bytes((const unsigned char *) src, srclen);
	medhash = hash_bytes((const unsigned char *) med, medlen);
	hash = hash_combine(srchash, medhash);
	memo = &rules->memo[hash % CHANNEL_MEMO_SLOTS];
	if (memo->used && memo->hash == hash &&
		memo->srclen == srclen && memo->medlen == medlen &&
		memcmp(memo->key, src, srclen) == 0 &&
		memcmp(memo->key + srclen, med, medlen) == 0)
		rule = memo->rule;
	else
	{
		MemoryContext cxt = GetMemoryChunkContext(rules);
		ChannelSide *sside = ChannelSideGet(rules, rules->sources, cxt,
											src, srclen, srchash);
		ChannelSide *mside = ChannelSideGet(rules, rules->media, cxt,
											med, medlen, medhash);

		rule = ChannelClassify(rules, sside, mside);
		if (memo->used)
			pfree(memo->key);
		memo->key = MemoryContextAlloc(cxt, srclen + medlen + 1);
		memcpy(memo->key, src, srclen);
		memcpy(memo->key + srclen, med, medlen);
		memo->srclen = srclen;
		memo->medlen = medlen;
		memo->hash = hash;
		memo->rule = rule;
		memo->used = true;
	}

	if (rule < 0)
		PG_RETURN_TEXT_P(cstring_to_text(CHANNEL_UNASSIGNED));
	PG_RETURN_TEXT_P(DatumGetTextPCopy(PointerGetDatum(rules->rules[rule].channel)));
}
