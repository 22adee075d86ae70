/*-------------------------------------------------------------------------
 *
 * attribution.c
 *	  touch_weights(), and the aggregates attribution() (over path rows
 *	  (path, conversions, value, nulls) or over the conversion_path[] arrays
 *	  of paths_to_conversion()) and attribution_bootstrap().  The models
 *	  themselves are below this file: attr_model.c (specs, rule weights,
 *	  channel dictionary), markov.c, fractribution.c, attr_credit.c (credit
 *	  under any model), bootstrap.c (intervals).
 *
 * The aggregate keeps a hash of distinct paths, each with its summed
 * conversions, value and nulls, as exact sums (src/sum.c).  Combine merges
 * the hashes; the serialized form lists the distinct paths.  The final
 * function sorts the paths, numbers the channels in byte order, and hands
 * the decoded paths to the chosen model.  So the answer depends only on
 * the rows, never on their order or on how they were split among workers
 * or shards: each path's totals are the same bits whatever order their
 * rows were added in, and everything computed from them runs over the
 * paths in one order.
 *
 * Serialized layout (src/pack.h: numbers little-endian):
 *
 *	  uint8   version (ATTR_STATE_VERSION)
 *	  int32   model text length, then its bytes
 *	  int32   bootstrap replicates (0: attribution(), no bootstrap)
 *	  int64   bootstrap seed
 *	  float8  bootstrap confidence
 *	  int32   number of distinct paths
 *	  per path:
 *	    conversions, value, nulls: each a serialized JourneySum
 *	    int32   number of touches
 *	    int32   key length, then the key: per touch int32 length + bytes
 *	            (the same bytes as in memory on a little-endian host)
 *
 *-------------------------------------------------------------------------
 */
#include "attr_credit.h"
#include "pack.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#define ATTR_STATE_VERSION 3	/* 3: bootstrap options; 2: exact sums; 1
								 * had float8 totals */

PG_FUNCTION_INFO_V1(journey_touch_weights);
PG_FUNCTION_INFO_V1(journey_attribution_model_kind);
PG_FUNCTION_INFO_V1(journey_attribution_sfunc);
PG_FUNCTION_INFO_V1(journey_attribution_paths_sfunc);
PG_FUNCTION_INFO_V1(journey_attribution_combine);
PG_FUNCTION_INFO_V1(journey_attribution_serialize);
PG_FUNCTION_INFO_V1(journey_attribution_deserialize);
PG_FUNCTION_INFO_V1(journey_attribution_final);
PG_FUNCTION_INFO_V1(journey_attribution_bootstrap_sfunc);
PG_FUNCTION_INFO_V1(journey_attribution_bootstrap_paths_sfunc);
PG_FUNCTION_INFO_V1(journey_attribution_state_check);

/* ------------------------------------------------------------------------
 * touch_weights(path, model, touch_times, converted_at)
 * ------------------------------------------------------------------------
 */
/* JourneyArgParser of touch_weights' model: bytes is the spec's text. */
static void *
ParseModelArg(const void *bytes, Size len)
{
	AttributionModel *model = palloc(sizeof(AttributionModel));

	AttributionParseModel(pnstrdup(bytes, len), model);
	return model;
}

/*
 * The n touch times of a path for time_decay, checked: one finite time per
 * touch, none after converted_at (when given: it defaults to the last
 * touch; the shares depend only on the touches' ages relative to each
 * other, but converted_at must still be finite and not before any touch).
 */
static TimestampTz *
TouchTimes(ArrayType *ta, int n, bool no_converted_at, TimestampTz converted_at)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nt;
	TimestampTz *times;

	if (ta == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("attribution model \"time_decay\" needs touch_times"),
				 errhint("Pass the time of each touch, e.g. the touch_times of paths_to_conversion().")));
	if (ARR_NDIM(ta) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("touch_times must be a one-dimensional array")));
	deconstruct_array(ta, TIMESTAMPTZOID, sizeof(TimestampTz), true,
					  TYPALIGN_DOUBLE, &elems, &nulls, &nt);
	if (nt != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("touch_times must have one time per touch"),
				 errdetail("The path has %d touches and touch_times %d.", n, nt)));
	times = palloc(sizeof(TimestampTz) * n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("touch_times must not contain NULL"),
					 errdetail("The time of touch %d is NULL.", i + 1)));
		times[i] = DatumGetTimestampTz(elems[i]);
		if (TIMESTAMP_NOT_FINITE(times[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("touch_times must be finite")));
	}
	if (!no_converted_at)
	{
		if (TIMESTAMP_NOT_FINITE(converted_at))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("converted_at must be finite")));
		for (int i = 0; i < n; i++)
			if (times[i] > converted_at)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("touch %d happens after converted_at", i + 1),
						 errdetail("time_decay weighs touches by their age at the conversion.")));
	}
	pfree(elems);
	pfree(nulls);
	return times;
}

/*
 * attribution_model_kind(model): the model a spec names (checked as every
 * attribution function checks it, whatever the data), and whether its
 * parameters are the defaults, so that callers can tell a spec a stored
 * result answers ("Linear", "markov(order=1)", "time_decay(half_life=168
 * hours)") from one that must be computed.
 */
Datum
journey_attribution_model_kind(PG_FUNCTION_ARGS)
{
	char	   *spec = text_to_cstring(PG_GETARG_TEXT_PP(0));
	AttributionModel model;
	AttributionModel defaults;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	bool		is_default;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "attribution_model_kind must return a record");
	AttributionParseModel(spec, &model);
	AttributionModelDefaults(model.kind, &defaults);
	is_default = (model.first == defaults.first && model.last == defaults.last &&
				  model.half_life_usec == defaults.half_life_usec &&
				  strcmp(model.direct, defaults.direct) == 0 &&
				  model.order == defaults.order);
	values[0] = CStringGetTextDatum(AttributionKindName(model.kind));
	values[1] = BoolGetDatum(is_default);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

Datum
journey_touch_weights(PG_FUNCTION_ARGS)
{
	text	   *model_text;
	AttributionModel model;
	LabelRef   *refs;
	LabelRef   *uniq;
	int			n;
	int32	   *ids;
	int32		direct_id = -1;
	TimestampTz *times = NULL;
	double	   *w;
	Datum	   *out;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	model_text = PG_GETARG_TEXT_PP(1);
	model = *(AttributionModel *) JourneyParsedArg(fcinfo->flinfo,
												   "touch_weights model",
												   VARDATA_ANY(model_text),
												   VARSIZE_ANY_EXHDR(model_text),
												   ParseModelArg);
	if (!AttributionIsRuleBased(model.kind))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("touch_weights needs a rule-based model"),
				 errdetail("Model \"%s\" weighs touches from all paths together.",
						   AttributionKindName(model.kind)),
				 errhint("Use the aggregate attribution() for markov and fractribution.")));

	n = AttributionPathLabels(PG_GETARG_ARRAYTYPE_P(0), &refs);
	ids = palloc(sizeof(int32) * Max(n, 1));
	AttributionNumberLabels(refs, n, ids, &uniq);
	if (model.kind == ATTR_LAST_NON_DIRECT)
	{
		int			dlen = strlen(model.direct);

		for (int i = 0; i < n; i++)
			if (AttributionLabelCmp(refs[i].data, refs[i].len, model.direct, dlen) == 0)
				direct_id = ids[i];
	}
	if (model.kind == ATTR_TIME_DECAY && n > 0)
		times = TouchTimes(PG_ARGISNULL(2) ? NULL : PG_GETARG_ARRAYTYPE_P(2), n,
						   PG_ARGISNULL(3), PG_ARGISNULL(3) ? 0 : PG_GETARG_TIMESTAMPTZ(3));

	w = palloc(sizeof(double) * Max(n, 1));
	out = palloc(sizeof(Datum) * Max(n, 1));
	if (n > 0)
		AttributionRuleWeights(&model, n, ids, direct_id, times,
					palloc0(sizeof(bool) * n), w);
	for (int i = 0; i < n; i++)
		out[i] = Float8GetDatum(w[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* ------------------------------------------------------------------------
 * The aggregate state: distinct paths -> totals
 * ------------------------------------------------------------------------
 */
typedef struct PathKey
{
	const char *data;			/* per touch: int32 length + bytes */
	int32		len;
} PathKey;

typedef struct PathEntry
{
	PathKey		key;
	uint32		hash;
	char		status;
	int32		ntouches;
	JourneySum	conv;			/* exact sums of the path's rows */
	JourneySum	value;
	JourneySum	nulls;
} PathEntry;

#define SH_PREFIX pathtab
#define SH_ELEMENT_TYPE PathEntry
#define SH_KEY_TYPE PathKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k).data, (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).data, (b).data, (a).len) == 0)
#define SH_SCOPE static inline
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_DEFINE
#define SH_DECLARE
#include "lib/simplehash.h"

typedef struct AttrState
{
	MemoryContext cxt;
	pathtab_hash *paths;
	int64		ntouches;		/* touches over all distinct paths */
	int32		model_len;
	char	   *model_text;		/* NUL-terminated */
	AttributionModel model;
	AttrBootstrap boot;			/* replicates 0: no bootstrap */
	bool		weighted;		/* time_decay: keys end in the touches'
								 * weights */
	StringInfoData keybuf;		/* scratch: the key of the current row */
} AttrState;

static AttrState *
AttrStateCreate(MemoryContext cxt, const char *model_text, int model_len,
				const AttrBootstrap *boot)
{
	AttrState  *st = MemoryContextAllocZero(cxt, sizeof(AttrState));
	MemoryContext old = MemoryContextSwitchTo(cxt);

	st->cxt = cxt;
	st->paths = pathtab_create(cxt, 64, NULL);
	initStringInfo(&st->keybuf);
	st->model_len = model_len;
	st->model_text = palloc(model_len + 1);
	memcpy(st->model_text, model_text, model_len);
	st->model_text[model_len] = '\0';
	st->boot = *boot;
	/* validated once, when the state is created */
	AttributionParseModel(st->model_text, &st->model);
	st->weighted = (st->model.kind == ATTR_TIME_DECAY);
	MemoryContextSwitchTo(old);
	return st;
}

static void
TooManyTouches(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("too many distinct path touches in one attribution group"),
			 errdetail("The distinct paths of one group may hold at most %d touches (journey.max_events_per_group).",
					   journey_max_events_per_group),
			 errhint("Shorten the paths (e.g. path_transform(path, 'trim_long_path(20)')), group by a finer key, or have a superuser raise journey.max_events_per_group.")));
}

static void
ModelMismatch(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("attribution model must be the same for every row of a group")));
}

static void
BootstrapMismatch(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("bootstrap replicates, seed and confidence must be the same for every row of a group")));
}

static bool
BootstrapEqual(const AttrBootstrap *a, const AttrBootstrap *b)
{
	return a->replicates == b->replicates && a->seed == b->seed &&
		a->confidence == b->confidence;
}

/* The entry of one encoded path, created (with zero totals) if new. */
static PathEntry *
AttrStateEntry(AttrState *st, const char *key, int32 keylen, int32 ntouches)
{
	PathKey		k;
	PathEntry  *e;
	bool		found;

	k.data = key;
	k.len = keylen;
	e = pathtab_insert(st->paths, k, &found);
	if (!found)
	{
		char	   *copy;

		if (st->ntouches + ntouches > journey_max_events_per_group)
		{
			pathtab_delete_item(st->paths, e);
			TooManyTouches();
		}
		copy = MemoryContextAlloc(st->cxt, Max(keylen, 1));
		memcpy(copy, key, keylen);
		e->key.data = copy;
		e->ntouches = ntouches;
		memset(&e->conv, 0, sizeof(JourneySum));
		memset(&e->value, 0, sizeof(JourneySum));
		memset(&e->nulls, 0, sizeof(JourneySum));
		st->ntouches += ntouches;
	}
	Assert(e->ntouches == ntouches && e->key.len == keylen);
	Assert(st->ntouches <= journey_max_events_per_group);
	return e;
}

/* Add one row's totals (finite, not negative) to the entry of its path. */
static void
AttrStateAdd(AttrState *st, const char *key, int32 keylen, int32 ntouches,
			 double conv, double value, double nulls)
{
	PathEntry  *e = AttrStateEntry(st, key, keylen, ntouches);

	JourneySumAdd(&e->conv, conv, st->cxt);
	JourneySumAdd(&e->value, value, st->cxt);
	JourneySumAdd(&e->nulls, nulls, st->cxt);
}

static double
NonNegativeArg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	double		v;

	if (PG_ARGISNULL(argno))
		return 0;
	v = PG_GETARG_FLOAT8(argno);
	if (isnan(v) || isinf(v) || v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number that is not negative", what),
				 errdetail("The row passed %s.", float8out_internal(v))));
	return v;
}

/*
 * The group's state for this row's model: created (and the model parsed)
 * on the first row, checked for the same model text on the others.
 */
static AttrState *
AttrStateFor(FunctionCallInfo fcinfo, AttrState *st, int model_argno,
			 const AttrBootstrap *boot)
{
	text	   *model;

	if (PG_ARGISNULL(model_argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("attribution model must not be NULL"),
				 errhint(ATTR_MODEL_HINT)));
	model = PG_GETARG_TEXT_PP(model_argno);
	if (st == NULL)
		st = AttrStateCreate(JourneyAggContext(fcinfo, "journey.attribution"),
							 VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model), boot);
	else if (st->model_len != VARSIZE_ANY_EXHDR(model) ||
			 memcmp(st->model_text, VARDATA_ANY(model), st->model_len) != 0)
		ModelMismatch();
	else if (!BootstrapEqual(&st->boot, boot))
		BootstrapMismatch();
	return st;
}

/*
 * The touch times of a path for a weighted (time_decay) state: the array
 * and the conversion time (no_converted_at: none given).
 */
typedef struct PathTimes
{
	ArrayType  *touch_times;
	bool		no_converted_at;
	TimestampTz converted_at;
} PathTimes;

/*
 * Add one path row; an empty path has no touch to credit and is skipped.
 * A weighted state (time_decay) needs times: the key then ends in the
 * touches' time_decay weights, so that only paths with the same labels and
 * the same weights merge.
 */
static void
AttrStateAddPath(AttrState *st, ArrayType *arr, double conv, double value,
				 double nulls, const PathTimes *times)
{
	int			n;
	JourneyLabel *labels = JourneyPathLabels(arr, &n);
	char	   *out;

	if (n > 0)
	{
		Size		wbytes = st->weighted ? (Size) n * sizeof(double) : 0;

		/*
		 * The key: per touch its length and bytes, in a reused buffer.  The
		 * array's data size bounds the label bytes: one enlargement.
		 */
		resetStringInfo(&st->keybuf);
		enlargeStringInfo(&st->keybuf, (int) (ARR_SIZE(arr) + (Size) n * sizeof(int32) + wbytes));
		out = st->keybuf.data;
		for (int i = 0; i < n; i++)
		{
			int32		len = labels[i].len;

			memcpy(out, &len, sizeof(int32));
			memcpy(out + sizeof(int32), labels[i].data, len);
			out += sizeof(int32) + len;
		}
		if (st->weighted)
		{
			TimestampTz *t;
			double	   *w = palloc(wbytes);
			int32	   *ch = palloc0(sizeof(int32) * n);	/* unused by time_decay */

			Assert(times != NULL);
			t = TouchTimes(times->touch_times, n, times->no_converted_at,
						   times->converted_at);
			AttributionRuleWeights(&st->model, n, ch, -1, t, NULL, w);
			memcpy(out, w, wbytes);
			out += wbytes;
			pfree(t);
			pfree(w);
			pfree(ch);
		}
		st->keybuf.len = (int) (out - st->keybuf.data);
		AttrStateAdd(st, st->keybuf.data, st->keybuf.len, n, conv, value, nulls);
	}
	pfree(labels);
}

/*
 * One row (path, conversions, value, nulls, model at argument 5) into the
 * group's state, created with the bootstrap options boot on the first row.
 * A NULL path is skipped.
 */
static Datum
AttrRowTransition(FunctionCallInfo fcinfo, const AttrBootstrap *boot)
{
	AttrState  *st = PG_ARGISNULL(0) ? NULL : (AttrState *) PG_GETARG_POINTER(0);
	double		conv,
				value,
				nulls;

	if (PG_ARGISNULL(1))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	st = AttrStateFor(fcinfo, st, 5, boot);
	if (st->weighted)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("attribution model \"time_decay\" needs touch times, which path rows do not have"),
				 errhint("Pass the conversion_path[] of paths_to_conversion() (which have them) to attribution(paths, model), or weigh each conversion path with touch_weights(path, 'time_decay', touch_times, converted_at).")));
	conv = NonNegativeArg(fcinfo, 2, "conversions");
	value = NonNegativeArg(fcinfo, 3, "value");
	nulls = NonNegativeArg(fcinfo, 4, "nulls");
	AttrStateAddPath(st, PG_GETARG_ARRAYTYPE_P(1), conv, value, nulls, NULL);
	PG_RETURN_POINTER(st);
}

/*
 * attribution_sfunc(state, path text[], conversions, value, nulls, model)
 */
Datum
journey_attribution_sfunc(PG_FUNCTION_ARGS)
{
	static const AttrBootstrap no_bootstrap = {0, 0, 0};

	(void) JourneyAggContext(fcinfo, "journey.attribution");
	return AttrRowTransition(fcinfo, &no_bootstrap);
}

/*
 * The fields of conversion_path that the paths overload reads, found by
 * name once per call site: path text[], converted bool, value float8.
 */
typedef struct ConvPathFields
{
	Oid			rowtype;
	TupleDesc	tupdesc;
	int			path_att;
	int			converted_att;
	int			value_att;
	int			times_att;		/* touch_times */
	int			converted_at_att;
} ConvPathFields;

static ConvPathFields *
GetConvPathFields(FunctionCallInfo fcinfo, Oid rowtype)
{
	ConvPathFields *f = (ConvPathFields *) fcinfo->flinfo->fn_extra;

	if (f == NULL || f->rowtype != rowtype)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		TupleDesc	td = lookup_rowtype_tupdesc_copy(rowtype, -1);

		f = palloc0(sizeof(ConvPathFields));
		f->rowtype = rowtype;
		f->tupdesc = td;
		for (int i = 0; i < td->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(td, i);

			if (att->attisdropped)
				continue;
			if (strcmp(NameStr(att->attname), "path") == 0 && att->atttypid == TEXTARRAYOID)
				f->path_att = i + 1;
			else if (strcmp(NameStr(att->attname), "converted") == 0 && att->atttypid == BOOLOID)
				f->converted_att = i + 1;
			else if (strcmp(NameStr(att->attname), "value") == 0 && att->atttypid == FLOAT8OID)
				f->value_att = i + 1;
			else if (strcmp(NameStr(att->attname), "touch_times") == 0 &&
					 att->atttypid == TIMESTAMPTZARRAYOID)
				f->times_att = i + 1;
			else if (strcmp(NameStr(att->attname), "converted_at") == 0 &&
					 att->atttypid == TIMESTAMPTZOID)
				f->converted_at_att = i + 1;
		}
		if (!f->path_att || !f->converted_att || !f->value_att ||
			!f->times_att || !f->converted_at_att)
			elog(ERROR, "conversion_path lacks path, converted, value, touch_times or converted_at");
		fcinfo->flinfo->fn_extra = f;
		MemoryContextSwitchTo(old);
	}
	return f;
}

/*
 * attribution_paths_sfunc(state, paths conversion_path[], model): every
 * element is one path row, with 1 conversion and its value when converted,
 * 1 null otherwise.  Reads the array of paths_to_conversion() directly,
 * touch times included (time_decay weighs each path by them).
 */
static Datum
AttrPathsTransition(FunctionCallInfo fcinfo, const AttrBootstrap *boot)
{
	AttrState  *st = PG_ARGISNULL(0) ? NULL : (AttrState *) PG_GETARG_POINTER(0);
	ArrayType  *paths;
	ConvPathFields *f;
	int			n;
	const char *p;
	bits8	   *bitmap;

	if (PG_ARGISNULL(1))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	st = AttrStateFor(fcinfo, st, 2, boot);
	paths = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(paths) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("paths must be a one-dimensional array")));
	n = (ARR_NDIM(paths) == 0) ? 0 : ARR_DIMS(paths)[0];
	f = GetConvPathFields(fcinfo, ARR_ELEMTYPE(paths));
	bitmap = ARR_NULLBITMAP(paths);
	p = ARR_DATA_PTR(paths);
	for (int i = 0; i < n; i++)
	{
		HeapTupleHeader th;
		HeapTupleData tuple;
		Datum		path;
		Datum		d;
		bool		isnull;
		bool		converted;
		double		value = 0;

		/* a NULL element is skipped, like a NULL path */
		if (bitmap && !(bitmap[i / 8] & (1 << (i % 8))))
			continue;
		th = DatumGetHeapTupleHeader(PointerGetDatum(p));
		p = att_addlength_pointer(p, -1, p);
		p = (const char *) att_align_nominal(p, TYPALIGN_DOUBLE);

		tuple.t_len = HeapTupleHeaderGetDatumLength(th);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = th;
		path = heap_getattr(&tuple, f->path_att, f->tupdesc, &isnull);
		if (isnull)
			continue;
		converted = DatumGetBool(heap_getattr(&tuple, f->converted_att, f->tupdesc, &isnull));
		converted = converted && !isnull;
		if (converted)
		{
			d = heap_getattr(&tuple, f->value_att, f->tupdesc, &isnull);
			value = isnull ? 0 : DatumGetFloat8(d);
			if (isnan(value) || isinf(value) || value < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("value must be a finite number that is not negative"),
						 errdetail("A conversion path has value %s.", float8out_internal(value))));
		}
		if (st->weighted)
		{
			PathTimes	times;

			d = heap_getattr(&tuple, f->times_att, f->tupdesc, &isnull);
			times.touch_times = isnull ? NULL : DatumGetArrayTypeP(d);
			d = heap_getattr(&tuple, f->converted_at_att, f->tupdesc, &isnull);
			times.no_converted_at = isnull;
			times.converted_at = isnull ? 0 : DatumGetTimestampTz(d);
			AttrStateAddPath(st, DatumGetArrayTypeP(path), converted ? 1 : 0, value,
							 converted ? 0 : 1, &times);
		}
		else
			AttrStateAddPath(st, DatumGetArrayTypeP(path), converted ? 1 : 0, value,
							 converted ? 0 : 1, NULL);
	}
	PG_RETURN_POINTER(st);
}

Datum
journey_attribution_paths_sfunc(PG_FUNCTION_ARGS)
{
	static const AttrBootstrap paths_no_bootstrap = {0, 0, 0};

	(void) JourneyAggContext(fcinfo, "journey.attribution");
	return AttrPathsTransition(fcinfo, &paths_no_bootstrap);
}

Datum
journey_attribution_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = JourneyAggContext(fcinfo, "journey_internal.attribution_combine");
	AttrState  *left = PG_ARGISNULL(0) ? NULL : (AttrState *) PG_GETARG_POINTER(0);
	AttrState  *right = PG_ARGISNULL(1) ? NULL : (AttrState *) PG_GETARG_POINTER(1);
	pathtab_iterator it;
	PathEntry  *e;

	if (right == NULL)
	{
		if (left == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(left);
	}
	if (left == NULL)
		left = AttrStateCreate(aggcxt, right->model_text, right->model_len,
							   &right->boot);
	else if (left->model_len != right->model_len ||
			 memcmp(left->model_text, right->model_text, left->model_len) != 0)
		ModelMismatch();
	else if (!BootstrapEqual(&left->boot, &right->boot))
		BootstrapMismatch();

	pathtab_start_iterate(right->paths, &it);
	while ((e = pathtab_iterate(right->paths, &it)) != NULL)
	{
		PathEntry  *le;

		CHECK_FOR_INTERRUPTS();
		le = AttrStateEntry(left, e->key.data, e->key.len, e->ntouches);
		JourneySumAddSum(&le->conv, &e->conv, left->cxt);
		JourneySumAddSum(&le->value, &e->value, left->cxt);
		JourneySumAddSum(&le->nulls, &e->nulls, left->cxt);
	}
	PG_RETURN_POINTER(left);
}

#define ATTR_STATE_WHAT "attribution aggregate state"

/*
 * The serialized state (src/pack.h: every number little-endian).  A path's
 * key is written label by label (length, bytes), so that its lengths are
 * little-endian too; in memory they are native.
 */
Datum
journey_attribution_serialize(PG_FUNCTION_ARGS)
{
	AttrState  *st = (AttrState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	pathtab_iterator it;
	PathEntry  *e;

	JourneyPackBegin(&buf, 0, ATTR_STATE_WHAT);
	JourneyPackUInt8(&buf, ATTR_STATE_VERSION);
	JourneyPackText(&buf, st->model_text, st->model_len);
	JourneyPackInt32(&buf, st->boot.replicates);
	JourneyPackInt64(&buf, st->boot.seed);
	JourneyPackFloat8(&buf, st->boot.confidence);
	JourneyPackInt32(&buf, (int32) st->paths->members);
	pathtab_start_iterate(st->paths, &it);
	while ((e = pathtab_iterate(st->paths, &it)) != NULL)
	{
		const char *q = e->key.data;

		CHECK_FOR_INTERRUPTS();
		JourneySumSerialize(&buf, &e->conv);
		JourneySumSerialize(&buf, &e->value);
		JourneySumSerialize(&buf, &e->nulls);
		JourneyPackInt32(&buf, e->ntouches);
		JourneyPackInt32(&buf, e->key.len);
		for (int t = 0; t < e->ntouches; t++)
		{
			int32		len;

			memcpy(&len, q, sizeof(int32));
			JourneyPackText(&buf, q + sizeof(int32), len);
			q += sizeof(int32) + len;
		}
		for (int t = 0; st->weighted && t < e->ntouches; t++)
		{
			double		w;

			memcpy(&w, q + t * sizeof(double), sizeof(double));
			JourneyPackFloat8(&buf, w);
		}
	}
	PG_RETURN_BYTEA_P(JourneyPackEnd(&buf));
}

/*
 * Read one path's key of ntouches labels filling exactly keylen bytes into
 * key (native lengths, as in memory); weighted: the labels fill all but
 * the last ntouches doubles, which are the touches' weights, each in
 * [0, 1].
 */
static void
UnpackKey(JourneyPackReader *r, int32 ntouches, int32 keylen, bool weighted,
		  StringInfo key)
{
	int32		wbytes = weighted ? ntouches * (int32) sizeof(double) : 0;

	if (keylen < wbytes)
		JourneyPackCorrupt(r, "A path is shorter than its touch count.");
	keylen -= wbytes;
	resetStringInfo(key);
	enlargeStringInfo(key, keylen + wbytes);
	for (int t = 0; t < ntouches; t++)
	{
		int32		len;

		if (keylen - key->len < (int) sizeof(int32))
			JourneyPackCorrupt(r, "A path is shorter than its touch count.");
		len = JourneyPackGetInt32(r);
		if (len < 0 || len > keylen - key->len - (int) sizeof(int32))
			JourneyPackCorrupt(r, "A label lies outside its path.");
		appendBinaryStringInfoNT(key, (const char *) &len, sizeof(int32));
		appendBinaryStringInfoNT(key, JourneyPackGetBytes(r, len), len);
	}
	if (key->len != keylen)
		JourneyPackCorrupt(r, "A path is longer than its touch count.");
	for (int t = 0; t < ntouches && weighted; t++)
	{
		double		w = JourneyPackGetFloat8(r);

		if (!(w >= 0 && w <= 1))
			JourneyPackCorrupt(r, "A touch's weight is not between 0 and 1.");
		appendBinaryStringInfoNT(key, (const char *) &w, sizeof(double));
	}
}

static AttrState *
AttrStateDeserialize(MemoryContext cxt, bytea *bytes)
{
	JourneyPackReader r;
	int32		model_len;
	int32		npaths;
	const char *model_text;
	AttrState  *st;
	AttrBootstrap boot;

	JourneyPackReaderInit(&r, bytes, ATTR_STATE_WHAT, ERRCODE_DATA_CORRUPTED);
	if (JourneyPackGetUInt8(&r) != ATTR_STATE_VERSION)
		JourneyPackCorrupt(&r, "Unknown state version.");
	model_len = JourneyPackGetInt32(&r);
	if (model_len < 1 || model_len > JourneyPackRemaining(&r))
		JourneyPackCorrupt(&r, "The model text length is out of range.");
	model_text = JourneyPackGetBytes(&r, model_len);
	if (memchr(model_text, '\0', model_len) != NULL)
		JourneyPackCorrupt(&r, "The model text contains a zero byte.");
	boot.replicates = JourneyPackGetInt32(&r);
	boot.seed = JourneyPackGetInt64(&r);
	boot.confidence = JourneyPackGetFloat8(&r);
	if (boot.replicates < 0 || boot.replicates > ATTR_BOOTSTRAP_MAX_REPLICATES ||
		(boot.replicates > 0 && !(boot.confidence > 0 && boot.confidence < 1)) ||
		(boot.replicates == 0 && (boot.seed != 0 || boot.confidence != 0)))
		JourneyPackCorrupt(&r, "The bootstrap options are out of range.");
	npaths = JourneyPackGetInt32(&r);

	/*
	 * each path needs at least 3 sums (of 9 bytes) + 2 int32 + one touch
	 * header
	 */
	JourneyPackCount(&r, npaths, 3 * (1 + sizeof(double)) + 3 * sizeof(int32), 0,
					 false, "The path count does not match the state's size.");
	st = AttrStateCreate(cxt, model_text, model_len, &boot);
	for (int i = 0; i < npaths; i++)
	{
		JourneySum	totals[3];	/* conversions, value, nulls */
		int32		ntouches,
					keylen;
		PathEntry  *e;
		PathKey		k;

		CHECK_FOR_INTERRUPTS();
		for (int t = 0; t < 3; t++)
		{
			int			len = JourneySumDeserialize(r.p, r.end, &totals[t], st->cxt);

			if (len < 0)
				JourneyPackCorrupt(&r, "A path's totals are not sums in this version's form.");
			if (JourneySumIsNegative(&totals[t]))
				JourneyPackCorrupt(&r, "A path's totals are not finite non-negative numbers.");
			JourneyPackSkip(&r, len);
		}
		ntouches = JourneyPackGetInt32(&r);
		keylen = JourneyPackGetInt32(&r);
		if (ntouches < 1 || keylen < 0 || keylen > JourneyPackRemaining(&r) ||
			(int64) ntouches * sizeof(int32) > keylen)
			JourneyPackCorrupt(&r, "A path's length is out of range.");
		UnpackKey(&r, ntouches, keylen, st->weighted, &st->keybuf);
		k.data = st->keybuf.data;
		k.len = keylen;
		if (pathtab_lookup(st->paths, k) != NULL)
			JourneyPackCorrupt(&r, "A path appears twice.");
		e = AttrStateEntry(st, st->keybuf.data, keylen, ntouches);
		e->conv = totals[0];
		e->value = totals[1];
		e->nulls = totals[2];
	}
	JourneyPackFinish(&r);
	return st;
}

Datum
journey_attribution_deserialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(AttrStateDeserialize(CurrentMemoryContext,
										   PG_GETARG_BYTEA_PP(0)));
}

/* ------------------------------------------------------------------------
 * Final functions
 * ------------------------------------------------------------------------
 */
static int
PathEntryCmp(const void *pa, const void *pb, void *arg)
{
	const PathEntry *a = *(PathEntry *const *) pa;
	const PathEntry *b = *(PathEntry *const *) pb;

	return AttributionLabelCmp(a->key.data, a->key.len, b->key.data, b->key.len);
}

/*
 * Decode the state's paths in key order (so that the answer never depends
 * on input order), number the channels in byte order, and credit them
 * under the state's model; with the state's bootstrap options, the
 * intervals too.
 */
static void
AttrStateSolve(AttrState *st, AttrResult *res)
{
	int			npaths;
	PathEntry **entries;
	pathtab_iterator it;
	PathEntry  *e;
	LabelRef   *refs;
	int32	   *ids;
	int			nrefs = 0;
	int			nchannels;
	AttrPath   *paths;
	int32		direct_id = -1;
	double	   *weights;
	int			k;

	npaths = (int) st->paths->members;
	entries = palloc(sizeof(PathEntry *) * Max(npaths, 1));
	k = 0;
	pathtab_start_iterate(st->paths, &it);
	while ((e = pathtab_iterate(st->paths, &it)) != NULL)
		entries[k++] = e;
	qsort_interruptible(entries, npaths, sizeof(PathEntry *), PathEntryCmp, NULL);

	/* number the channels in byte order; a weighted key's weights, aligned */
	refs = palloc(sizeof(LabelRef) * Max(st->ntouches, 1));
	weights = st->weighted ? palloc(sizeof(double) * Max(st->ntouches, 1)) : NULL;
	for (int p = 0; p < npaths; p++)
	{
		const char *q = entries[p]->key.data;

		for (int i = 0; i < entries[p]->ntouches; i++)
		{
			CHECK_FOR_INTERRUPTS();
			memcpy(&refs[nrefs].len, q, sizeof(int32));
			refs[nrefs].data = q + sizeof(int32);
			refs[nrefs].pos = nrefs;
			q += sizeof(int32) + refs[nrefs].len;
			nrefs++;
		}
		if (weights)
			memcpy(weights + nrefs - entries[p]->ntouches, q,
				   sizeof(double) * entries[p]->ntouches);
	}
	ids = palloc(sizeof(int32) * Max(nrefs, 1));
	CHECK_FOR_INTERRUPTS();
	nchannels = AttributionNumberLabels(refs, nrefs, ids, &res->uniq);
	paths = palloc(sizeof(AttrPath) * Max(npaths, 1));
	k = 0;
	for (int p = 0; p < npaths; p++)
	{
		paths[p].n = entries[p]->ntouches;
		paths[p].ch = &ids[k];
		paths[p].w = weights ? &weights[k] : NULL;
		paths[p].conv = JourneySumResult(&entries[p]->conv);
		paths[p].value = JourneySumResult(&entries[p]->value);
		paths[p].nulls = JourneySumResult(&entries[p]->nulls);
		if (isinf(paths[p].conv) || isinf(paths[p].value) || isinf(paths[p].nulls))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("attribution totals of one path are out of range"),
					 errdetail("Summing the rows of one path overflowed float8.")));
		k += paths[p].n;
	}
	if (st->model.kind == ATTR_LAST_NON_DIRECT)
	{
		int			dlen = strlen(st->model.direct);

		for (int c = 0; c < nchannels; c++)
			if (AttributionLabelCmp(res->uniq[c].data, res->uniq[c].len,
									st->model.direct, dlen) == 0)
				direct_id = c;
	}

	res->nchannels = nchannels;
	res->conv = palloc0(sizeof(double) * Max(nchannels, 1));
	res->value = palloc0(sizeof(double) * Max(nchannels, 1));
	res->removal = palloc0(sizeof(double) * Max(nchannels, 1));
	AttributionCredit(&st->model, paths, npaths, nchannels, direct_id,
					  res->conv, res->value, res->removal);
	if (st->model.kind != ATTR_MARKOV)
		res->removal = NULL;

	for (int c = 0; c < nchannels; c++)
		if (isinf(res->conv[c]) || isinf(res->value[c]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("credit of channel \"%.*s\" is out of range",
							res->uniq[c].len, res->uniq[c].data),
					 errdetail("The conversions or value credited overflowed float8.")));

	res->conv_lo = res->conv_hi = res->value_lo = res->value_hi = NULL;
	if (st->boot.replicates > 0)
	{
		res->conv_lo = palloc(sizeof(double) * Max(nchannels, 1));
		res->conv_hi = palloc(sizeof(double) * Max(nchannels, 1));
		res->value_lo = palloc(sizeof(double) * Max(nchannels, 1));
		res->value_hi = palloc(sizeof(double) * Max(nchannels, 1));
		AttributionBootstrap(&st->model, &st->boot, paths, npaths, nchannels,
							 direct_id, res->conv_lo, res->conv_hi,
							 res->value_lo, res->value_hi);
	}
}

/*
 * The result as an array of the final function's element type: the
 * channel, conversions, value and removal effect (channel_credit), then,
 * when the type has them, the four interval bounds (channel_interval).
 */
Datum
AttrResultArray(FunctionCallInfo fcinfo, const AttrResult *res)
{
	Oid			elemtype;
	TupleDesc	tupdesc;
	Datum	   *elems;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	elemtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(elemtype))
		elog(ERROR, "attribution final function must return an array");
	tupdesc = lookup_rowtype_tupdesc_copy(elemtype, -1);
	tupdesc = BlessTupleDesc(tupdesc);
	if (tupdesc->natts != (res->conv_lo ? 8 : 4))
		elog(ERROR, "attribution result type has %d attributes", tupdesc->natts);
	elems = palloc(sizeof(Datum) * Max(res->nchannels, 1));
	for (int c = 0; c < res->nchannels; c++)
	{
		Datum		values[8];
		bool		isnull[8] = {0};

		values[0] = PointerGetDatum(cstring_to_text_with_len(res->uniq[c].data,
															 res->uniq[c].len));
		values[1] = Float8GetDatum(res->conv[c]);
		values[2] = Float8GetDatum(res->value[c]);
		if (res->removal)
			values[3] = Float8GetDatum(res->removal[c]);
		else
			isnull[3] = true;
		if (res->conv_lo)
		{
			values[4] = Float8GetDatum(res->conv_lo[c]);
			values[5] = Float8GetDatum(res->conv_hi[c]);
			values[6] = Float8GetDatum(res->value_lo[c]);
			values[7] = Float8GetDatum(res->value_hi[c]);
		}
		elems[c] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, isnull));
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_array(elems, res->nchannels, elemtype,
										   typlen, typbyval, typalign));
}

Datum
journey_attribution_final(PG_FUNCTION_ARGS)
{
	AttrState  *st = PG_ARGISNULL(0) ? NULL : (AttrState *) PG_GETARG_POINTER(0);
	AttrResult	res;

	if (st == NULL)
		PG_RETURN_NULL();
	AttrStateSolve(st, &res);
	PG_RETURN_DATUM(AttrResultArray(fcinfo, &res));
}

/*
 * attribution_bootstrap_sfunc(state, path, conversions, value, nulls,
 * model, replicates, seed, confidence): attribution_sfunc with the
 * bootstrap options, checked once when the state is created.  Its final
 * function is attribution_final's: the result type, channel_interval,
 * receives the intervals.
 */
/* The bootstrap options at arguments argno .. argno + 2, checked. */
static void
BootstrapArgs(FunctionCallInfo fcinfo, int argno, AttrBootstrap *boot)
{
	if (PG_ARGISNULL(argno) || PG_ARGISNULL(argno + 1) || PG_ARGISNULL(argno + 2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("bootstrap replicates, seed and confidence must not be NULL")));
	boot->replicates = PG_GETARG_INT32(argno);
	boot->seed = PG_GETARG_INT64(argno + 1);
	boot->confidence = PG_GETARG_FLOAT8(argno + 2);
	if (boot->replicates < 1 || boot->replicates > ATTR_BOOTSTRAP_MAX_REPLICATES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bootstrap replicates must be between 1 and %d, not %d",
						ATTR_BOOTSTRAP_MAX_REPLICATES, boot->replicates),
				 errhint("A thousand replicates give 95%% intervals to about two digits.")));
	if (!(boot->confidence > 0 && boot->confidence < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bootstrap confidence must be between 0 and 1 (exclusive), not %s",
						float8out_internal(boot->confidence)),
				 errhint("For a 95%% interval pass 0.95.")));
}

Datum
journey_attribution_bootstrap_sfunc(PG_FUNCTION_ARGS)
{
	AttrBootstrap boot;

	(void) JourneyAggContext(fcinfo, "journey.attribution_bootstrap");
	if (PG_ARGISNULL(1))
		return AttrRowTransition(fcinfo, NULL);
	BootstrapArgs(fcinfo, 6, &boot);
	return AttrRowTransition(fcinfo, &boot);
}

/*
 * attribution_bootstrap_paths_sfunc(state, paths conversion_path[], model,
 * replicates, seed, confidence)
 */
Datum
journey_attribution_bootstrap_paths_sfunc(PG_FUNCTION_ARGS)
{
	AttrBootstrap boot;

	(void) JourneyAggContext(fcinfo, "journey.attribution_bootstrap");
	if (PG_ARGISNULL(1))
		return AttrPathsTransition(fcinfo, NULL);
	BootstrapArgs(fcinfo, 3, &boot);
	return AttrPathsTransition(fcinfo, &boot);
}

/*
 * Test hook (not in the install script): deserialize a state and describe
 * it, so that regression tests can feed it corrupt bytes; with a second
 * argument true, also credit its channels as the final function does
 * (test/suites/01_attr_state_fuzz.sh runs damaged states through both).
 */
Datum
journey_attribution_state_check(PG_FUNCTION_ARGS)
{
	AttrState  *st = AttrStateDeserialize(CurrentMemoryContext,
										  PG_GETARG_BYTEA_PP(0));
	JourneySum	totals[3] = {{0}};
	pathtab_iterator it;
	PathEntry  *e;

	pathtab_start_iterate(st->paths, &it);
	while ((e = pathtab_iterate(st->paths, &it)) != NULL)
	{
		JourneySumAddSum(&totals[0], &e->conv, CurrentMemoryContext);
		JourneySumAddSum(&totals[1], &e->value, CurrentMemoryContext);
		JourneySumAddSum(&totals[2], &e->nulls, CurrentMemoryContext);
	}
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1) && PG_GETARG_BOOL(1))
	{
		AttrResult	res;

		AttrStateSolve(st, &res);
		PG_RETURN_TEXT_P(cstring_to_text(psprintf("model %s, %d channels",
												  st->model_text, res.nchannels)));
	}
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("model %s, %d paths, %lld touches, totals %s %s %s",
											  st->model_text,
											  (int) st->paths->members,
											  (long long) st->ntouches,
											  float8out_internal(JourneySumResult(&totals[0])),
											  float8out_internal(JourneySumResult(&totals[1])),
											  float8out_internal(JourneySumResult(&totals[2])))));
}
