/*-------------------------------------------------------------------------
 *
 * attr_model.c
 *	  The model layer of multi-touch attribution (attr_model.h): the
 *	  model-spec parser, the rule-based weights of one path, the channel
 *	  dictionary (labels numbered in byte order) and exact per-channel
 *	  credit sums.  Nothing here knows the models above it.
 *
 *-------------------------------------------------------------------------
 */
#include "attr_model.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

/*
 * The longest half-life of time_decay: any positive duration up to here is
 * computed exactly as given (weights of touches far older than it
 * underflow to 0, the newest never does).
 */
#define ATTR_MAX_HALF_LIFE_SECONDS 1e300

/* ------------------------------------------------------------------------
 * Model specs
 * ------------------------------------------------------------------------
 */
typedef struct ModelName
{
	const char *name;
	AttributionKind kind;
	const char *params;			/* hint: valid parameters */
} ModelName;

static const ModelName model_names[] = {
	{"first_touch", ATTR_FIRST_TOUCH, NULL},
	{"last_touch", ATTR_LAST_TOUCH, NULL},
	{"last_non_direct", ATTR_LAST_NON_DIRECT, "direct (a channel label, default Direct)"},
	{"linear", ATTR_LINEAR, NULL},
	{"position_based", ATTR_POSITION_BASED, "first and last (shares between 0 and 1, first + last <= 1, default 0.4 each)"},
	{"time_decay", ATTR_TIME_DECAY, "half_life (a positive duration such as 7 days or 12 hours, default 7 days)"},
	{"participation", ATTR_PARTICIPATION, NULL},
	{"markov", ATTR_MARKOV, "order (an integer from 1 to 4, default 1)"},
	{"shapley", ATTR_SHAPLEY, NULL},
	{"fractribution", ATTR_FRACTRIBUTION, NULL},
};

static void
UnknownParameter(const ModelName *mn, const char *key)
{
	if (key == NULL && mn->params != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameters of attribution model \"%s\" must be written key=value", mn->name),
				 errhint("Valid parameters of %s: %s.", mn->name, mn->params)));
	if (mn->params == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("attribution model \"%s\" takes no parameters", mn->name),
				 key ? errdetail("The spec passed \"%s\".", key) : errdetail("The spec passed a positional argument."),
				 errhint(ATTR_MODEL_HINT)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown parameter \"%s\" for attribution model \"%s\"",
					key, mn->name),
			 errhint("Valid parameters of %s: %s.  Write them as key=value.",
					 mn->name, mn->params)));
}

static void
ParamOutOfRange(const char *model, const char *param, const char *value,
				const char *valid)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("parameter \"%s\" of attribution model \"%s\" is out of range: %s",
					param, model, value),
			 errhint("%s", valid)));
}

/*
 * A duration "<number> <unit>", unit one of second(s), minute(s), hour(s),
 * day(s), week(s); a day is 24 hours.  Returns microseconds.
 */
static double
ParseDuration(const JourneySpec *spec, int i)
{
	const char *s = spec->values[i];
	char	   *end;
	double		num;
	double		unit;

	/*
	 * A number beyond double's range reads as infinity, one below it as the 0
	 * or subnormal it rounds to, NaN as NaN: the range check below rejects
	 * all of them as out of range.
	 */
	num = strtod(s, &end);
	if (end == s)
		goto bad;
	while (*end == ' ')
		end++;
	if (pg_strcasecmp(end, "second") == 0 || pg_strcasecmp(end, "seconds") == 0 || pg_strcasecmp(end, "s") == 0)
		unit = USECS_PER_SEC;
	else if (pg_strcasecmp(end, "minute") == 0 || pg_strcasecmp(end, "minutes") == 0)
		unit = USECS_PER_MINUTE;
	else if (pg_strcasecmp(end, "hour") == 0 || pg_strcasecmp(end, "hours") == 0)
		unit = USECS_PER_HOUR;
	else if (pg_strcasecmp(end, "day") == 0 || pg_strcasecmp(end, "days") == 0)
		unit = USECS_PER_DAY;
	else if (pg_strcasecmp(end, "week") == 0 || pg_strcasecmp(end, "weeks") == 0)
		unit = 7.0 * USECS_PER_DAY;
	else
		goto bad;
	if (!(num > 0) || !(num * unit <= ATTR_MAX_HALF_LIFE_SECONDS * USECS_PER_SEC))
		ParamOutOfRange(spec->name, "half_life", s,
						"The half-life must be a positive duration of at most 1e300 seconds, such as 7 days.");
	return num * unit;
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("parameter \"half_life\" of attribution model \"%s\" is not a duration: %s",
					spec->name, s),
			 errhint("Write a number and a unit: seconds, minutes, hours, days or weeks (e.g. half_life=7 days).")));
	return 0;					/* keep compiler quiet */
}

/* A model of the given kind with every parameter at its default. */
void
AttributionModelDefaults(AttributionKind kind, AttributionModel *model)
{
	memset(model, 0, sizeof(*model));
	model->kind = kind;
	model->first = 0.4;
	model->last = 0.4;
	model->half_life_usec = 7.0 * USECS_PER_DAY;
	model->direct = "Direct";
	model->order = 1;
}

/*
 * Parse and validate a model spec.  Every error is
 * ERRCODE_INVALID_PARAMETER_VALUE with a hint naming what is valid.
 */
void
AttributionParseModel(const char *text, AttributionModel *model)
{
	JourneySpec spec;
	const ModelName *mn = NULL;

	JourneyParseSpec(text, &spec, "attribution model", ATTR_MODEL_HINT);
	for (int i = 0; i < lengthof(model_names); i++)
		if (pg_strcasecmp(spec.name, model_names[i].name) == 0)
			mn = &model_names[i];
	if (mn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown attribution model \"%s\"", spec.name),
				 errhint(ATTR_MODEL_HINT)));

	AttributionModelDefaults(mn->kind, model);

	for (int i = 0; i < spec.nargs; i++)
	{
		const char *key = spec.keys[i];

		if (key == NULL)
			UnknownParameter(mn, NULL);
		for (int j = 0; j < i; j++)
			if (spec.keys[j] && pg_strcasecmp(spec.keys[j], key) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parameter \"%s\" of attribution model \"%s\" is given twice",
								key, mn->name)));
		if (mn->kind == ATTR_POSITION_BASED &&
			(pg_strcasecmp(key, "first") == 0 || pg_strcasecmp(key, "last") == 0))
		{
			double		v = JourneySpecDouble(&spec, i, "attribution model");

			if (v < 0 || v > 1)
				ParamOutOfRange(mn->name, key, spec.values[i],
								"Each of first and last is a share between 0 and 1.");
			if (pg_strcasecmp(key, "first") == 0)
				model->first = v;
			else
				model->last = v;
		}
		else if (mn->kind == ATTR_TIME_DECAY && pg_strcasecmp(key, "half_life") == 0)
			model->half_life_usec = ParseDuration(&spec, i);
		else if (mn->kind == ATTR_LAST_NON_DIRECT && pg_strcasecmp(key, "direct") == 0)
			model->direct = pstrdup(spec.values[i]);
		else if (mn->kind == ATTR_MARKOV && pg_strcasecmp(key, "order") == 0)
		{
			model->order = JourneySpecInt(&spec, i, "attribution model");
			if (model->order < ATTR_MARKOV_MIN_ORDER ||
				model->order > ATTR_MARKOV_MAX_ORDER)
				ParamOutOfRange(mn->name, key, spec.values[i],
								"The order of a Markov model is an integer from 1 to 4.");
		}
		else
			UnknownParameter(mn, key);
	}
	if (mn->kind == ATTR_POSITION_BASED && model->first + model->last > 1 + 1e-12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("shares of attribution model \"position_based\" add up to more than 1"),
				 errdetail("first = %g and last = %g.", model->first, model->last),
				 errhint("Choose first + last <= 1; the rest is split evenly over the middle touches.")));

	/*
	 * Shares written in decimal may add up to a hair above 1 (within the
	 * tolerance above): scaled to add up to exactly 1 at most, so that the
	 * middle touches never get a negative share.
	 */
	if (mn->kind == ATTR_POSITION_BASED && model->first + model->last > 1)
	{
		double		s = model->first + model->last;

		model->first /= s;
		model->last /= s;
	}
}

bool
AttributionIsRuleBased(AttributionKind kind)
{
	return kind != ATTR_MARKOV && kind != ATTR_FRACTRIBUTION;
}

const char *
AttributionKindName(AttributionKind kind)
{
	for (int i = 0; i < lengthof(model_names); i++)
		if (model_names[i].kind == kind)
			return model_names[i].name;
	return "?";
}

/* ------------------------------------------------------------------------
 * Rule-based weights of one path
 * ------------------------------------------------------------------------
 */

/*
 * Weights of the n touches of one path (n >= 1), summing to 1.  ch holds
 * channel ids (equal ids: equal labels); direct_id is the id of the direct
 * label or -1; times are used by time_decay only.  seen is
 * scratch with an entry per channel id, all false, and left so (so that
 * weighing many paths allocates nothing per path).
 */
void
AttributionRuleWeights(const AttributionModel *m, int n, const int32 *ch,
			int32 direct_id, const TimestampTz *times, bool *seen, double *w)
{
	Assert(n >= 1);
	for (int i = 0; i < n; i++)
		w[i] = 0;
	switch (m->kind)
	{
		case ATTR_FIRST_TOUCH:
			w[0] = 1;
			break;
		case ATTR_LAST_TOUCH:
			w[n - 1] = 1;
			break;
		case ATTR_LAST_NON_DIRECT:
			{
				int			i = n - 1;

				while (i >= 0 && ch[i] == direct_id)
					i--;
				w[i >= 0 ? i : n - 1] = 1;
				break;
			}
		case ATTR_LINEAR:
			for (int i = 0; i < n; i++)
				w[i] = 1.0 / n;
			break;
		case ATTR_POSITION_BASED:
			if (n == 1)
				w[0] = 1;
			else if (n == 2)
			{
				double		s = m->first + m->last;

				w[0] = (s > 0) ? m->first / s : 0.5;
				w[1] = (s > 0) ? m->last / s : 0.5;
			}
			else
			{
				double		mid = Max(0.0, 1 - m->first - m->last) / (n - 2);

				w[0] = m->first;
				w[n - 1] = m->last;
				for (int i = 1; i < n - 1; i++)
					w[i] = mid;
				/* first + last == 1 leaves the middle nothing; fine */
			}
			break;
		case ATTR_TIME_DECAY:
			{
				/*
				 * 2^(-age / half_life), each scaled by the same factor so
				 * that the newest touch weighs 1: ages are taken from the
				 * newest touch instead of the conversion (the shares are the
				 * same).  The differences are exact, as unsigned numbers (a
				 * touch in 4714 BC converting in 294276 AD is more
				 * microseconds old than int64 holds), and never negative, so
				 * no weight is NaN and the newest is never lost, whatever the
				 * half-life.
				 */
				TimestampTz newest = times[0];
				double		sum = 0;

				for (int i = 1; i < n; i++)
					newest = Max(newest, times[i]);
				for (int i = 0; i < n; i++)
				{
					double		age = (double) ((uint64) newest - (uint64) times[i]);

					w[i] = exp2(-(age / m->half_life_usec));
					sum += w[i];
				}
				Assert(sum >= 1.0 && isfinite(sum));
				for (int i = 0; i < n; i++)
					w[i] /= sum;
				break;
			}
		case ATTR_PARTICIPATION:
		case ATTR_SHAPLEY:
			{
				/*
				 * Each distinct channel an equal share, on its first touch.
				 *
				 * This is also the exact Shapley value of the coalition game
				 * of Zhao et al. (2018): the worth v(S) of a set of channels
				 * S is the conversions (or value) of the paths whose channel
				 * set is a subset of S.  v is the sum, over each distinct
				 * channel set T, of w(T) u_T, where w(T) is the conversions
				 * of the paths whose channel set is exactly T and u_T(S) = 1
				 * when T is a subset of S, else 0 (the unanimity game of T).
				 * The Shapley value is linear and gives each member of T
				 * 1/|T| of u_T (symmetry, null player, efficiency), so
				 * channel i gets the sum over the sets T holding i of
				 * w(T)/|T|: each path's conversions split equally over its
				 * distinct channels.  That is the sum over all 2^(n-1)
				 * coalitions of the definition, exactly, for any number of
				 * channels, without enumerating them (the paper's
				 * "simplified Shapley value"); test/suites/33_shapley.sh
				 * checks it against that enumeration on random games.
				 */
				int			distinct = 0;

				for (int i = 0; i < n; i++)
					if (!seen[ch[i]])
					{
						seen[ch[i]] = true;
						w[i] = 1;
						distinct++;
					}
				for (int i = 0; i < n; i++)
				{
					seen[ch[i]] = false;
					w[i] /= distinct;
				}
				break;
			}
		case ATTR_MARKOV:
		case ATTR_FRACTRIBUTION:
			elog(ERROR, "not a rule-based model");
	}
}

/* ------------------------------------------------------------------------
 * Channel dictionary: labels sorted bytewise, numbered from 0
 * ------------------------------------------------------------------------
 */
int
AttributionLabelCmp(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

static int
LabelRefCmp(const void *pa, const void *pb, void *arg)
{
	const LabelRef *a = pa;
	const LabelRef *b = pb;
	int			c = AttributionLabelCmp(a->data, a->len, b->data, b->len);

	if (c != 0)
		return c;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/*
 * Number the labels: ids[i] for refs (in input order), distinct labels in
 * sorted order returned in *uniq (count returned).
 */
int
AttributionNumberLabels(LabelRef *refs, int n, int32 *ids, LabelRef **uniq)
{
	LabelRef   *sorted = palloc(sizeof(LabelRef) * Max(n, 1));
	int			nuniq = 0;

	memcpy(sorted, refs, sizeof(LabelRef) * n);
	qsort_interruptible(sorted, n, sizeof(LabelRef), LabelRefCmp, NULL);
	for (int i = 0; i < n; i++)
	{
		if (i == 0 || AttributionLabelCmp(sorted[i - 1].data, sorted[i - 1].len,
							   sorted[i].data, sorted[i].len) != 0)
			sorted[nuniq++] = sorted[i];
		ids[sorted[i].pos] = nuniq - 1;
	}
	*uniq = sorted;
	return nuniq;
}

/* The labels of a path as LabelRefs (pointing into the array). */
int
AttributionPathLabels(ArrayType *arr, LabelRef **refs)
{
	int			n;
	JourneyLabel *labels = JourneyPathLabels(arr, &n);

	*refs = palloc(sizeof(LabelRef) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		(*refs)[i].data = labels[i].data;
		(*refs)[i].len = labels[i].len;
		(*refs)[i].pos = i;
	}
	pfree(labels);
	return n;
}

/* ------------------------------------------------------------------------
 * Exact credit sums
 * ------------------------------------------------------------------------
 */
void
AttrCreditsInit(AttrCredits *c, int nchannels)
{
	c->nchannels = nchannels;
	c->cxt = CurrentMemoryContext;
	c->conv = palloc0(sizeof(JourneySum) * Max(nchannels, 1));
	c->value = palloc0(sizeof(JourneySum) * Max(nchannels, 1));
}

void
AttrCreditsAdd(AttrCredits *c, int32 ch, double conv, double value)
{
	Assert(ch >= 0 && ch < c->nchannels);
	JourneySumAdd(&c->conv[ch], conv, c->cxt);
	JourneySumAdd(&c->value[ch], value, c->cxt);
}

void
AttrCreditsResult(AttrCredits *c, double *conv, double *value)
{
	for (int i = 0; i < c->nchannels; i++)
	{
		conv[i] = JourneySumResult(&c->conv[i]);
		value[i] = JourneySumResult(&c->value[i]);
	}
}

/* The exact sum of the paths' conversions (or values). */
double
AttributionExactTotal(const AttrPath *paths, int npaths, bool value)
{
	JourneySum	s = {0};

	for (int p = 0; p < npaths; p++)
		JourneySumAdd(&s, value ? paths[p].value : paths[p].conv,
					  CurrentMemoryContext);
	return JourneySumResult(&s);
}

/*
 * Split total over channels in proportion to weights (none negative); all
 * zero gives every channel 0.  The weights' sum is exact.
 */
void
AttributionSplit(double total, const double *weights, int n, double *out)
{
	JourneySum	s = {0};
	double		sum;

	for (int i = 0; i < n; i++)
		JourneySumAdd(&s, weights[i], CurrentMemoryContext);
	sum = JourneySumResult(&s);
	for (int i = 0; i < n; i++)
		out[i] = (sum > 0) ? total * (weights[i] / sum) : 0;
}
