/*-------------------------------------------------------------------------
 *
 * journey_fuzz.c
 *	  Test-only fuzzing driver (test/suites/01_state_fuzz.sh,
 *	  05_parser_fuzz.sh, test/fuzz), never installed with the extension.
 *
 * fuzz_run(query, seed, first, count, valid, pieces) makes the inputs
 * first .. first + count - 1 of a seed, runs the query once per input with
 * the input as $1, each in a subtransaction that is always rolled back,
 * and returns one row per outcome: 'ok' or the SQLSTATE of the error, how
 * many inputs ended so, the first of them and its error message.  One call
 * tests thousands of inputs with no SQL round trip, no per-input write and
 * no growth of the transaction, so a long run reaches millions.
 *
 * Input i of a seed depends on (seed, i) alone: fuzz_text(seed, i, valid,
 * pieces) and fuzz_bytes(seed, i, seeds) give it again, for a replay.
 * While an input runs, the backend's activity (pg_stat_activity, and the
 * server log's "Failed process was running" should the server crash)
 * names the seed and the input's number and shows its beginning.
 *
 * Text inputs are, with probability 0.4, one to seven pieces strung
 * together, else a valid text with one or two edits, each inserting a
 * piece, deleting a character or swapping two neighbours.  Byte inputs
 * are a seed with one to four edits: a byte overwritten at random or with
 * 0x00, 0xff or 0x7f, the tail cut off, sixteen random bytes appended, or
 * four bytes copied from elsewhere over others.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(journey_fuzz_text);
PG_FUNCTION_INFO_V1(journey_fuzz_bytes);
PG_FUNCTION_INFO_V1(journey_fuzz_run);

#define FUZZ_MAX_OUTCOMES	64

/* ---------- the generator ---------- */

typedef struct Rng
{
	uint64		x;
} Rng;

static inline uint64
RngNext(Rng *r)
{
	uint64		z = (r->x += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* A uniform integer in [0, n), n > 0. */
static inline int
RngBelow(Rng *r, int n)
{
	return (int) (RngNext(r) % (uint64) n);
}

/* The generator of input i of a seed. */
static Rng
RngFor(int64 seed, int64 i)
{
	Rng			r;

	r.x = (uint64) seed * UINT64CONST(0xD1B54A32D192ED03) + (uint64) i;
	(void) RngNext(&r);
	return r;
}

/* The elements of a text[] or bytea[] (no NULLs) as varlena pointers. */
static int
ArrayElements(ArrayType *arr, Oid elemtype, Datum **elems)
{
	bool	   *nulls;
	int			n;

	if (ARR_ELEMTYPE(arr) != elemtype)
		elog(ERROR, "unexpected array element type");
	deconstruct_array(arr, elemtype, -1, false, TYPALIGN_INT, elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (nulls[i])
			elog(ERROR, "fuzz arrays must not hold NULLs");
	if (n == 0)
		elog(ERROR, "fuzz arrays must not be empty");
	return n;
}

/* The byte offsets of the characters of s (len bytes), and len, in *offs. */
static int
CharOffsets(const char *s, int len, int **offs)
{
	int			n = 0;

	*offs = palloc(sizeof(int) * (len + 1));
	for (int i = 0; i < len; i += pg_mblen(s + i))
		(*offs)[n++] = i;
	(*offs)[n] = len;
	return n;
}

static text *
FuzzText(Rng *r, Datum *valid, int nvalid, Datum *pieces, int npieces)
{
	StringInfoData s;

	initStringInfo(&s);
	if (RngBelow(r, 10) < 4)
	{
		int			k = 1 + RngBelow(r, 7);

		for (int j = 0; j < k; j++)
		{
			text	   *p = DatumGetTextPP(pieces[RngBelow(r, npieces)]);

			appendBinaryStringInfo(&s, VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p));
		}
		return cstring_to_text_with_len(s.data, s.len);
	}
	{
		text	   *v = DatumGetTextPP(valid[RngBelow(r, nvalid)]);

		appendBinaryStringInfo(&s, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	}
	for (int k = 1 + RngBelow(r, 2); k > 0; k--)
	{
		int		   *offs;
		int			nchars = CharOffsets(s.data, s.len, &offs);
		int			pos = RngBelow(r, nchars + 1);
		StringInfoData t;

		initStringInfo(&t);
		switch (RngBelow(r, 3))
		{
			case 0:				/* insert a piece */
				{
					text	   *p = DatumGetTextPP(pieces[RngBelow(r, npieces)]);

					appendBinaryStringInfo(&t, s.data, offs[pos]);
					appendBinaryStringInfo(&t, VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p));
					appendBinaryStringInfo(&t, s.data + offs[pos], s.len - offs[pos]);
					break;
				}
			case 1:				/* delete a character */
				appendBinaryStringInfo(&t, s.data, offs[pos]);
				if (pos < nchars)
					appendBinaryStringInfo(&t, s.data + offs[pos + 1],
										   s.len - offs[pos + 1]);
				break;
			default:			/* swap two neighbours */
				appendBinaryStringInfo(&t, s.data, offs[pos]);
				if (pos + 1 < nchars)
				{
					appendBinaryStringInfo(&t, s.data + offs[pos + 1],
										   offs[pos + 2] - offs[pos + 1]);
					appendBinaryStringInfo(&t, s.data + offs[pos],
										   offs[pos + 1] - offs[pos]);
					appendBinaryStringInfo(&t, s.data + offs[pos + 2],
										   s.len - offs[pos + 2]);
				}
				else
					appendBinaryStringInfo(&t, s.data + offs[pos], s.len - offs[pos]);
				break;
		}
		pfree(offs);
		pfree(s.data);
		s = t;
	}
	return cstring_to_text_with_len(s.data, s.len);
}

static bytea *
FuzzBytes(Rng *r, Datum *seeds, int nseeds)
{
	bytea	   *seed = DatumGetByteaPP(seeds[RngBelow(r, nseeds)]);
	int			n = VARSIZE_ANY_EXHDR(seed);
	/* room for the seed and four appends */
	char	   *b = palloc(n + 4 * 16);

	memcpy(b, VARDATA_ANY(seed), n);
	for (int k = 1 + RngBelow(r, 4); k > 0; k--)
	{
		int			pos = RngBelow(r, Max(n, 1));

		switch (RngBelow(r, 5))
		{
			case 0:				/* overwrite a byte */
				if (n > 0)
					b[pos] = (char) RngBelow(r, 256);
				break;
			case 1:				/* with 0x00, 0xff or 0x7f */
				if (n > 0)
					b[pos] = (char) ((const int[]) {0x00, 0xff, 0x7f})[RngBelow(r, 3)];
				break;
			case 2:				/* cut off */
				n = pos;
				break;
			case 3:				/* append random bytes */
				for (int j = 0; j < 16; j++)
					b[n++] = (char) RngBelow(r, 256);
				break;
			default:			/* copy four bytes over four others */
				if (n >= 8)
				{
					int			from = RngBelow(r, n - 4);

					memmove(b + Min(pos, n - 4), b + from, 4);
				}
				break;
		}
	}
	{
		bytea	   *out = palloc(VARHDRSZ + n);

		SET_VARSIZE(out, VARHDRSZ + n);
		memcpy(VARDATA(out), b, n);
		pfree(b);
		return out;
	}
}

/* An input generator: text (valid texts and pieces) or bytes (seeds). */
typedef struct Generator
{
	int64		seed;
	bool		bytes;
	Datum	   *valid;			/* or the seed states */
	int			nvalid;
	Datum	   *pieces;
	int			npieces;
} Generator;

static Datum
Generate(const Generator *g, int64 i)
{
	Rng			r = RngFor(g->seed, i);

	if (g->bytes)
		return PointerGetDatum(FuzzBytes(&r, g->valid, g->nvalid));
	return PointerGetDatum(FuzzText(&r, g->valid, g->nvalid, g->pieces, g->npieces));
}

static void
GeneratorInit(Generator *g, FunctionCallInfo fcinfo, int seedarg, int validarg)
{
	ArrayType  *valid = PG_GETARG_ARRAYTYPE_P(validarg);

	g->seed = PG_GETARG_INT64(seedarg);
	g->bytes = (ARR_ELEMTYPE(valid) == BYTEAOID);
	g->nvalid = ArrayElements(valid, g->bytes ? BYTEAOID : TEXTOID, &g->valid);
	g->pieces = NULL;
	g->npieces = 0;
	if (!g->bytes)
	{
		if (PG_NARGS() <= validarg + 1 || PG_ARGISNULL(validarg + 1))
			elog(ERROR, "text inputs need pieces");
		g->npieces = ArrayElements(PG_GETARG_ARRAYTYPE_P(validarg + 1), TEXTOID,
								   &g->pieces);
	}
}

/* fuzz_text(seed int8, i int8, valid text[], pieces text[]) -> text */
Datum
journey_fuzz_text(PG_FUNCTION_ARGS)
{
	Generator	g;

	GeneratorInit(&g, fcinfo, 0, 2);
	PG_RETURN_DATUM(Generate(&g, PG_GETARG_INT64(1)));
}

/* fuzz_bytes(seed int8, i int8, seeds bytea[]) -> bytea */
Datum
journey_fuzz_bytes(PG_FUNCTION_ARGS)
{
	Generator	g;

	GeneratorInit(&g, fcinfo, 0, 2);
	PG_RETURN_DATUM(Generate(&g, PG_GETARG_INT64(1)));
}

/* ---------- the runner ---------- */

typedef struct Outcome
{
	int			sqlerrcode;		/* 0: no error */
	int64		n;
	char	   *example;
	char	   *message;
} Outcome;

/* What an input looks like in text: itself, or its bytes in hex. */
static char *
InputText(const Generator *g, Datum input)
{
	if (g->bytes)
		return TextDatumGetCString(DirectFunctionCall2(binary_encode, input,
													   CStringGetTextDatum("hex")));
	return TextDatumGetCString(input);
}

/*
 * fuzz_run(query text, seed int8, first int8, count int4, valid text[],
 *			pieces text[]) or (query, seed, first, count, seeds bytea[])
 *	 -> TABLE (outcome text, inputs int8, example text, message text)
 */
Datum
journey_fuzz_run(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int64		first = PG_GETARG_INT64(2);
	int32		count = PG_GETARG_INT32(3);
	Generator	g;
	Outcome		outcomes[FUZZ_MAX_OUTCOMES];
	int			noutcomes = 0;
	MemoryContext callcxt = CurrentMemoryContext;
	MemoryContext inputcxt;
	ResourceOwner owner = CurrentResourceOwner;
	SPIPlanPtr	plan;
	Oid			argtype;

	InitMaterializedSRF(fcinfo, 0);
	GeneratorInit(&g, fcinfo, 1, 4);
	argtype = g.bytes ? BYTEAOID : TEXTOID;
	if (count < 0)
		elog(ERROR, "count must not be negative");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(query, 1, &argtype);
	if (plan == NULL)
		elog(ERROR, "fuzz query does not prepare: %s",
			 SPI_result_code_string(SPI_result));
	inputcxt = AllocSetContextCreate(callcxt, "fuzz input", ALLOCSET_DEFAULT_SIZES);

	for (int64 i = first; i < first + count; i++)
	{
		Datum		input;
		char	   *shown;
		volatile int code = 0;
		char	   *volatile message = NULL;
		int			k;

		CHECK_FOR_INTERRUPTS();
		MemoryContextSwitchTo(inputcxt);
		input = Generate(&g, i);
		shown = InputText(&g, input);
		/* what a crash report shows: the seed, the input's number, its text */
		pgstat_report_activity(STATE_RUNNING,
							   psprintf("journey fuzz seed " INT64_FORMAT " input " INT64_FORMAT ": %.200s",
										g.seed, i, shown));

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(inputcxt);
		PG_TRY();
		{
			int			ret = SPI_execute_plan(plan, &input, NULL, false, 0);

			if (ret < 0)
				elog(ERROR, "fuzz query failed: %s", SPI_result_code_string(ret));
			SPI_freetuptable(SPI_tuptable);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(inputcxt);
			edata = CopyErrorData();
			FlushErrorState();
			code = edata->sqlerrcode;
			message = edata->message;
		}
		PG_END_TRY();
		/* nothing an input does is kept */
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(inputcxt);
		CurrentResourceOwner = owner;

		for (k = 0; k < noutcomes; k++)
			if (outcomes[k].sqlerrcode == code)
				break;
		if (k == noutcomes)
		{
			if (noutcomes == FUZZ_MAX_OUTCOMES)
				elog(ERROR, "more than %d different outcomes", FUZZ_MAX_OUTCOMES);
			outcomes[k].sqlerrcode = code;
			outcomes[k].n = 0;
			outcomes[k].example = MemoryContextStrdup(callcxt, shown);
			outcomes[k].message = message ? MemoryContextStrdup(callcxt, message) : NULL;
			noutcomes++;
		}
		outcomes[k].n++;
		MemoryContextReset(inputcxt);
	}
	MemoryContextSwitchTo(callcxt);
	SPI_finish();
	pgstat_report_activity(STATE_RUNNING, debug_query_string);

	for (int k = 0; k < noutcomes; k++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(outcomes[k].sqlerrcode == 0 ? "ok" :
										unpack_sql_state(outcomes[k].sqlerrcode));
		values[1] = Int64GetDatum(outcomes[k].n);
		values[2] = CStringGetTextDatum(outcomes[k].example);
		if (outcomes[k].message)
			values[3] = CStringGetTextDatum(outcomes[k].message);
		else
			nulls[3] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
