/*-------------------------------------------------------------------------
 *
 * transform.c
 *	  path_transform(path text[], VARIADIC steps text[]): a chain of path
 *	  transforms applied left to right, with the names and results of
 *	  Google's fractribution (and Snowplow's fractribution package for the
 *	  two removal transforms):
 *
 *	  exposure                       collapse consecutive repeats
 *	  first                          first occurrence of each label only
 *	  unique                         identity
 *	  frequency                      first occurrences, suffixed "(count)"
 *	  trim_long_path(n)              keep the last n touches (n >= 1)
 *	  remove_if_not_all(x)           remove every x, unless the path is all x
 *	  remove_if_last_and_not_all(x)  remove the trailing run of x, unless
 *	                                 the path is all x
 *
 * and paths around a moment, as PostHog's paths "starting at", "ending at"
 * and "between" (a path without the moment becomes empty):
 *
 *	  starting_at(x[, n])            from the first x on; past n steps the
 *	                                 rest is one "…" step
 *	  ending_at(x[, n])              up to the first x; past n steps what
 *	                                 comes before is one "…" step
 *	  between(x, y[, n])             from the first x to the first y after
 *	                                 it; past n steps the first n - 1 steps,
 *	                                 "…" and y
 *
 * Each step is parsed by the shared spec parser; the parsed chain is cached
 * for as long as the steps argument stays the same.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(journey_path_transform);

typedef enum TransformKind
{
	TRANSFORM_EXPOSURE,
	TRANSFORM_FIRST,
	TRANSFORM_UNIQUE,
	TRANSFORM_FREQUENCY,
	TRANSFORM_TRIM_LONG_PATH,
	TRANSFORM_REMOVE_IF_NOT_ALL,
	TRANSFORM_REMOVE_IF_LAST_AND_NOT_ALL,
	TRANSFORM_STARTING_AT,
	TRANSFORM_ENDING_AT,
	TRANSFORM_BETWEEN
} TransformKind;

typedef struct TransformDef
{
	const char *name;
	TransformKind kind;
	const char *argname;		/* the one argument's name, or NULL: none */
} TransformDef;

static const TransformDef transform_defs[] = {
	{"exposure", TRANSFORM_EXPOSURE, NULL},
	{"first", TRANSFORM_FIRST, NULL},
	{"unique", TRANSFORM_UNIQUE, NULL},
	{"frequency", TRANSFORM_FREQUENCY, NULL},
	{"trim_long_path", TRANSFORM_TRIM_LONG_PATH, "n"},
	{"remove_if_not_all", TRANSFORM_REMOVE_IF_NOT_ALL, "channel"},
	{"remove_if_last_and_not_all", TRANSFORM_REMOVE_IF_LAST_AND_NOT_ALL, "channel"},
	{"starting_at", TRANSFORM_STARTING_AT, "label"},
	{"ending_at", TRANSFORM_ENDING_AT, "label"},
	{"between", TRANSFORM_BETWEEN, "label"},
};

#define TRANSFORM_HINT \
	"Valid transforms are exposure, first, unique, frequency, trim_long_path(n), " \
	"remove_if_not_all(channel), remove_if_last_and_not_all(channel), " \
	"starting_at(label[, n]), ending_at(label[, n]) and between(label, label[, n])."

typedef struct TransformStep
{
	TransformKind kind;
	int			n;				/* trim_long_path; steps kept around a moment
								 * (0: all) */
	JourneyLabel target;		/* remove_if_*; the moment */
	JourneyLabel until;			/* between: the second moment */
} TransformStep;

/* The parsed chain of steps (kept per call site by JourneyParsedArg). */
typedef struct TransformChain
{
	int			nsteps;
	TransformStep *steps;
} TransformChain;

/*
 * starting_at(label[, n]), ending_at(label[, n]), between(label, label[, n]),
 * positional (a label holding "=" must be written label=...).
 */
static void
ParseMomentStep(const JourneySpec *spec, const TransformDef *def,
				TransformStep *step)
{
	int			nlabels = def->kind == TRANSFORM_BETWEEN ? 2 : 1;
	int			min_n = nlabels;

	if (spec->nargs < nlabels || spec->nargs > nlabels + 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("path transform \"%s\" expects %s", def->name,
						nlabels == 2 ? "two labels and an optional number of steps" :
						"a label and an optional number of steps"),
				 errdetail("It was given %d arguments.", spec->nargs),
				 errhint(nlabels == 2 ? "Write between(label, label) or between(label, label, n)." :
						 "Write %s(label) or %s(label, n).", def->name, def->name)));
	for (int i = 0; i < spec->nargs; i++)
		if (spec->keys[i] != NULL &&
			pg_strcasecmp(spec->keys[i], i < nlabels ? "label" : "n") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("path transform \"%s\" has no argument \"%s\"",
							def->name, spec->keys[i]),
					 errhint("Its arguments are label%s and n.", nlabels == 2 ? ", label" : "")));
	step->target.data = spec->values[0];
	step->target.len = strlen(spec->values[0]);
	if (nlabels == 2)
	{
		step->until.data = spec->values[1];
		step->until.len = strlen(spec->values[1]);
	}
	step->n = 0;
	if (spec->nargs > nlabels)
	{
		step->n = JourneySpecInt(spec, nlabels, "path transform");
		if (step->n < min_n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("path transform \"%s\" needs n of at least %d", def->name, min_n),
					 errdetail("It was given %d.", step->n)));
	}
}

static void
ParseStep(const char *str, TransformStep *step)
{
	JourneySpec spec;
	const TransformDef *def = NULL;

	JourneyParseSpec(str, &spec, "path transform", TRANSFORM_HINT);
	for (int i = 0; i < lengthof(transform_defs); i++)
		if (pg_strcasecmp(spec.name, transform_defs[i].name) == 0)
			def = &transform_defs[i];
	if (def == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown path transform \"%s\"", spec.name),
				 errhint(TRANSFORM_HINT)));
	step->kind = def->kind;
	if (def->argname == NULL)
	{
		if (spec.nargs > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("path transform \"%s\" takes no arguments", def->name),
					 errdetail("It was given %d.", spec.nargs)));
		return;
	}
	if (def->kind == TRANSFORM_STARTING_AT || def->kind == TRANSFORM_ENDING_AT ||
		def->kind == TRANSFORM_BETWEEN)
	{
		ParseMomentStep(&spec, def, step);
		return;
	}
	if (spec.nargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("path transform \"%s\" expects exactly one argument", def->name),
				 errdetail("It was given %d.", spec.nargs),
				 errhint("Write %s(%s).", def->name, def->argname)));
	if (spec.keys[0] != NULL && pg_strcasecmp(spec.keys[0], def->argname) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("path transform \"%s\" has no argument \"%s\"",
						def->name, spec.keys[0]),
				 errhint("Its argument is %s.", def->argname)));
	if (def->kind == TRANSFORM_TRIM_LONG_PATH)
	{
		step->n = JourneySpecInt(&spec, 0, "path transform");
		if (step->n < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("path transform \"trim_long_path\" needs n of at least 1"),
					 errdetail("It was given %d.", step->n)));
	}
	else
	{
		step->target.data = spec.values[0];
		step->target.len = strlen(spec.values[0]);
	}
}

/* JourneyArgParser of the steps array: bytes is the array itself. */
static void *
ParseSteps(const void *bytes, Size len)
{
	return JourneyPathTransformParse((ArrayType *) bytes);
}

/*
 * Parse a chain of transform steps (path_transform's steps argument); the
 * result, in the current memory context, is what JourneyPathTransformApply
 * takes.
 */
void	   *
JourneyPathTransformParse(ArrayType *steps)
{
	TransformChain *chain;
	Datum	   *elems;
	bool	   *nulls;
	int			count;

	if (ARR_NDIM(steps) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("path transform steps must be a one-dimensional array")));
	deconstruct_array(steps, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &count);
	chain = palloc(sizeof(TransformChain));
	chain->nsteps = count;
	chain->steps = palloc(sizeof(TransformStep) * Max(count, 1));
	for (int i = 0; i < count; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("path transform steps must not be NULL"),
					 errdetail("Step %d is NULL.", i + 1)));
		ParseStep(TextDatumGetCString(elems[i]), &chain->steps[i]);
	}
	return chain;
}

static inline bool
LabelEq(const JourneyLabel *a, const JourneyLabel *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static int
LabelIndexCmp(const void *pa, const void *pb, void *arg)
{
	const JourneyLabel *labels = arg;
	int			a = *(const int *) pa;
	int			b = *(const int *) pb;
	int			c = memcmp(labels[a].data, labels[b].data,
						   Min(labels[a].len, labels[b].len));

	if (c != 0)
		return c;
	if (labels[a].len != labels[b].len)
		return labels[a].len < labels[b].len ? -1 : 1;
	return (a > b) - (a < b);
}

/*
 * counts[i] = number of occurrences of labels[i]'s label if i is its first
 * occurrence, else 0.  Short paths compare pairwise; long ones sort.
 */
static void
FirstOccurrences(const JourneyLabel *labels, int n, int *counts)
{
	if (n <= 32)
	{
		for (int i = 0; i < n; i++)
		{
			counts[i] = 1;
			for (int j = 0; j < i; j++)
				if (counts[j] > 0 && LabelEq(&labels[i], &labels[j]))
				{
					counts[j]++;
					counts[i] = 0;
					break;
				}
		}
	}
	else
	{
		int		   *idx = palloc(sizeof(int) * n);

		for (int i = 0; i < n; i++)
			idx[i] = i;
		qsort_interruptible(idx, n, sizeof(int), LabelIndexCmp, (void *) labels);
		for (int g = 0; g < n;)
		{
			int			e = g + 1;

			CHECK_FOR_INTERRUPTS();
			while (e < n && LabelEq(&labels[idx[g]], &labels[idx[e]]))
				counts[idx[e++]] = 0;
			counts[idx[g]] = e - g;
			g = e;
		}
		pfree(idx);
	}
}

/* The step that stands for the steps left out around a moment. */
static JourneyLabel
Ellipsis(void)
{
	JourneyLabel e;

	/* U+2026 where the database can hold it */
	e.data = GetDatabaseEncoding() == PG_UTF8 ? "\xE2\x80\xA6" : "...";
	e.len = strlen(e.data);
	return e;
}

/* The first index from "from" on holding label, or -1. */
static int
FindLabel(const JourneyLabel *in, int from, int count, const JourneyLabel *label)
{
	for (int i = from; i < count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (LabelEq(&in[i], label))
			return i;
	}
	return -1;
}

/* Apply one step to labels[0 .. *n), writing into out; returns the result. */
static JourneyLabel *
ApplyStep(const TransformStep *step, JourneyLabel *in, int *n, JourneyLabel *out)
{
	int			count = *n;
	int			k = 0;

	switch (step->kind)
	{
		case TRANSFORM_UNIQUE:
			return in;
		case TRANSFORM_EXPOSURE:
			for (int i = 0; i < count; i++)
			{
				CHECK_FOR_INTERRUPTS();
				if (i == 0 || !LabelEq(&in[i], &in[i - 1]))
					out[k++] = in[i];
			}
			break;
		case TRANSFORM_FIRST:
		case TRANSFORM_FREQUENCY:
			{
				int		   *counts = palloc(sizeof(int) * Max(count, 1));

				FirstOccurrences(in, count, counts);
				for (int i = 0; i < count; i++)
				{
					char	   *buf;

					CHECK_FOR_INTERRUPTS();
					if (counts[i] == 0)
						continue;
					if (step->kind == TRANSFORM_FIRST)
					{
						out[k++] = in[i];
						continue;
					}
					buf = palloc(in[i].len + 16);
					memcpy(buf, in[i].data, in[i].len);
					out[k].len = in[i].len +
						sprintf(buf + in[i].len, "(%d)", counts[i]);
					out[k++].data = buf;
				}
				pfree(counts);
			}
			break;
		case TRANSFORM_TRIM_LONG_PATH:
			if (count > step->n)
			{
				*n = step->n;
				return in + (count - step->n);
			}
			return in;
		case TRANSFORM_REMOVE_IF_NOT_ALL:
			for (int i = 0; i < count; i++)
			{
				CHECK_FOR_INTERRUPTS();
				if (!LabelEq(&in[i], &step->target))
					out[k++] = in[i];
			}
			if (k == 0)
				return in;
			break;
		case TRANSFORM_REMOVE_IF_LAST_AND_NOT_ALL:
			k = count;
			while (k > 0 && LabelEq(&in[k - 1], &step->target))
			{
				CHECK_FOR_INTERRUPTS();
				k--;
			}
			if (k == 0)
				k = count;
			*n = k;
			return in;
		case TRANSFORM_STARTING_AT:
			{
				int			at = FindLabel(in, 0, count, &step->target);
				int			len = at < 0 ? 0 : count - at;

				for (int i = 0; i < len && (step->n == 0 || i < step->n); i++)
					out[k++] = in[at + i];
				if (step->n > 0 && len > step->n)
					out[k++] = Ellipsis();
			}
			break;
		case TRANSFORM_ENDING_AT:
			{
				int			at = FindLabel(in, 0, count, &step->target);
				int			first = 0;

				if (at < 0)
					break;
				if (step->n > 0 && at + 1 > step->n)
				{
					out[k++] = Ellipsis();
					first = at + 1 - step->n;
				}
				for (int i = first; i <= at; i++)
					out[k++] = in[i];
			}
			break;
		case TRANSFORM_BETWEEN:
			{
				int			from = FindLabel(in, 0, count, &step->target);
				int			to = from < 0 ? -1 : FindLabel(in, from + 1, count, &step->until);
				int			len = to < 0 ? 0 : to - from + 1;

				if (to < 0)
					break;
				if (step->n > 0 && len > step->n)
				{
					for (int i = 0; i < step->n - 1; i++)
						out[k++] = in[from + i];
					out[k++] = Ellipsis();
					out[k++] = in[to];
				}
				else
					for (int i = from; i <= to; i++)
						out[k++] = in[i];
			}
			break;
	}
	*n = k;
	return out;
}

/*
 * Apply a parsed chain to the path labels[0 .. *n), using spare (room for
 * *n labels) as scratch; both arrays may be overwritten.  Returns the
 * transformed path (one of the two) and sets *n to its length.  Labels the
 * frequency transform makes are palloc'd in the current memory context.
 */
JourneyLabel *
JourneyPathTransformApply(const void *parsed, JourneyLabel *labels, int *n,
						  JourneyLabel *spare)
{
	const TransformChain *chain = parsed;
	JourneyLabel *cur = labels;

	for (int s = 0; s < chain->nsteps; s++)
	{
		JourneyLabel *next = ApplyStep(&chain->steps[s], cur, n, spare);

		/* the buffer not holding the result becomes the next scratch */
		if (next == spare)
			spare = cur;
		cur = next;
	}
	return cur;
}

Datum
journey_path_transform(PG_FUNCTION_ARGS)
{
	ArrayType  *path = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *steps = PG_GETARG_ARRAYTYPE_P(1);
	const void *chain = JourneyParsedArg(fcinfo->flinfo,
										 "path_transform steps",
										 steps, VARSIZE(steps),
										 ParseSteps);
	JourneyLabel *cur;
	int			n;

	cur = JourneyPathLabels(path, &n);
	cur = JourneyPathTransformApply(chain, cur, &n,
									palloc(sizeof(JourneyLabel) * Max(n, 1)));
	PG_RETURN_ARRAYTYPE_P(JourneyBuildTextArray(cur, n));
}
