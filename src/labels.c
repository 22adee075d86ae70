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
 * trimmed and every inner run of it becomes one ASCII space.  Strings that
 * are pure ASCII take a short path with the same result.  Results depend on
 * the Unicode version of the ICU library the server links.
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

/* A UTF-16 buffer of nunits code units (plus a terminator), bounded. */
static UChar *
IcuAlloc(int64 nunits)
{
	if (nunits < 0 || nunits >= (int64) (MaxAllocSize / sizeof(UChar)) - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("label is too long to normalize"),
				 errdetail("The normalized label would need %lld UTF-16 code units.",
						   (long long) nunits)));
	return (UChar *) palloc((nunits + 1) * sizeof(UChar));
}

/* NFKC of src into a new buffer. */
static UChar *
IcuNfkc(const UChar *src, int32 len, int32 *outlen)
{
	UErrorCode	status = U_ZERO_ERROR;

	/* owned by ICU: never closed */
	const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&status);
	int32		cap = len + len / 4 + 8;
	UChar	   *dst;
	int32		n;

	IcuCheck(status, "normalizer lookup");
	dst = IcuAlloc(cap);
	n = unorm2_normalize(nfkc, src, len, dst, cap, &status);
	if (status == U_BUFFER_OVERFLOW_ERROR)
	{
		pfree(dst);
		dst = IcuAlloc(n);
		status = U_ZERO_ERROR;
		n = unorm2_normalize(nfkc, src, len, dst, n + 1, &status);
	}
	IcuCheck(status, "NFKC normalization");
	*outlen = n;
	return dst;
}

/* Full default case folding of src into a new buffer. */
static UChar *
IcuFold(const UChar *src, int32 len, int32 *outlen)
{
	UErrorCode	status = U_ZERO_ERROR;
	int32		cap = len + len / 4 + 8;
	UChar	   *dst = IcuAlloc(cap);
	int32		n;

	n = u_strFoldCase(dst, cap, src, len, U_FOLD_CASE_DEFAULT, &status);
	if (status == U_BUFFER_OVERFLOW_ERROR)
	{
		pfree(dst);
		dst = IcuAlloc(n);
		status = U_ZERO_ERROR;
		n = u_strFoldCase(dst, n + 1, src, len, U_FOLD_CASE_DEFAULT, &status);
	}
	IcuCheck(status, "case folding");
	*outlen = n;
	return dst;
}

/*
 * Short path for pure ASCII (the same bytes in every server encoding):
 * NFKC is the identity, folding is tolower, and the White_Space characters
 * are TAB, LF, VT, FF, CR and SPACE.  Returns false if s is not ASCII.
 */
static bool
NormalizeAscii(const char *s, int len, char **out, int *outlen)
{
	char	   *dst;
	int			n = 0;
	bool		pending_space = false;

	for (int i = 0; i < len; i++)
		if (IS_HIGHBIT_SET(s[i]))
			return false;

	dst = palloc(len + 1);
	for (int i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == ' ' || (c >= '\t' && c <= '\r'))
		{
			pending_space = (n > 0);
			continue;
		}
		if (pending_space)
		{
			dst[n++] = ' ';
			pending_space = false;
		}
		dst[n++] = pg_ascii_tolower((unsigned char) c);
	}
	dst[n] = '\0';
	*out = dst;
	*outlen = n;
	return true;
}

/*
 * Normalize a label given in the server encoding; returns a palloc'd,
 * NUL-terminated string in the server encoding.
 */
char	   *
JourneyNormalizeLabel(const char *s, int len, int *outlen)
{
	char	   *result;
	const char *utf8;
	int			utf8len;
	UErrorCode	status = U_ZERO_ERROR;
	UChar	   *u;
	int32		ulen;
	UChar	   *ws;
	int32		wslen = 0;
	bool		pending_space = false;
	int32		n8;

	if (NormalizeAscii(s, len, &result, outlen))
		return result;

	/* to UTF-8 (validated by the conversion) */
	utf8 = pg_server_to_any(s, len, PG_UTF8);
	utf8len = (utf8 == s) ? len : (int) strlen(utf8);

	/* to UTF-16: never more code units than UTF-8 bytes */
	u = IcuAlloc(utf8len);
	u_strFromUTF8(u, utf8len + 1, &ulen, utf8, utf8len, &status);
	IcuCheck(status, "conversion from UTF-8");

	/* NFKC, then (case fold, NFKC) until nothing changes */
	u = IcuNfkc(u, ulen, &ulen);
	for (int round = 0;; round++)
	{
		int32		flen,
					nlen;
		UChar	   *folded = IcuFold(u, ulen, &flen);
		UChar	   *again = IcuNfkc(folded, flen, &nlen);
		bool		same = (nlen == ulen &&
							memcmp(again, u, ulen * sizeof(UChar)) == 0);

		pfree(folded);
		pfree(u);
		u = again;
		ulen = nlen;
		if (same)
			break;
		if (round >= LABEL_MAX_FOLD_ROUNDS)
			elog(ERROR, "case folding and NFKC did not reach a fixed point");
	}

	/* trim, collapse inner runs of white space to one ASCII space */
	ws = IcuAlloc(ulen);
	for (int32 i = 0; i < ulen;)
	{
		UChar32		c;
		int32		start = i;

		U16_NEXT(u, i, ulen, c);
		if (u_isUWhiteSpace(c))
		{
			pending_space = (wslen > 0);
			continue;
		}
		if (pending_space)
		{
			ws[wslen++] = 0x20;
			pending_space = false;
		}
		while (start < i)
			ws[wslen++] = u[start++];
	}
	pfree(u);

	/* back to UTF-8 */
	u_strToUTF8(NULL, 0, &n8, ws, wslen, &status);
	if (status == U_BUFFER_OVERFLOW_ERROR)
		status = U_ZERO_ERROR;
	IcuCheck(status, "conversion to UTF-8");
	if ((Size) n8 >= MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("label is too long to normalize")));
	result = palloc(n8 + 1);
	u_strToUTF8(result, n8 + 1, NULL, ws, wslen, &status);
	IcuCheck(status, "conversion to UTF-8");
	pfree(ws);

	/* to the server encoding */
	{
		char	   *server = pg_any_to_server(result, n8, PG_UTF8);

		if (server != result)
		{
			pfree(result);
			result = server;
			n8 = strlen(server);
		}
	}
	*outlen = n8;
	return result;
}

/*
 * journey.normalize_label(label text) -> text
 */
Datum
journey_normalize_label(PG_FUNCTION_ARGS)
{
	text	   *label = PG_GETARG_TEXT_PP(0);
	int			len;
	char	   *norm = JourneyNormalizeLabel(VARDATA_ANY(label),
											 VARSIZE_ANY_EXHDR(label), &len);

	PG_RETURN_TEXT_P(cstring_to_text_with_len(norm, len));
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
