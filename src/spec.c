/*-------------------------------------------------------------------------
 *
 * spec.c
 *	  The one parser for "name(arg, key=value, ...)" specs, used by path
 *	  transforms, attribution models and funnel modes.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <ctype.h>
#include <float.h>
#include <math.h>

#include "nodes/pg_list.h"
#include "utils/memutils.h"

static char *
TrimCopy(const char *start, const char *end)
{
	while (start < end && isspace((unsigned char) *start))
		start++;
	while (end > start && isspace((unsigned char) end[-1]))
		end--;
	return pnstrdup(start, end - start);
}

static void
SpecSyntaxError(const char *str, const char *what, const char *problem,
				const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s \"%s\"", what, str),
			 errdetail("%s", problem),
			 hint ? errhint("%s", hint) : 0));
}

/*
 * Split at commas outside parentheses; each piece trimmed.  An empty
 * string gives an empty list; empty pieces are kept (callers reject them).
 */
List	   *
JourneySplitList(const char *str)
{
	List	   *out = NIL;
	const char *start = str;
	int			depth = 0;
	const char *p;

	if (*TrimCopy(str, str + strlen(str)) == '\0')
		return NIL;
	for (p = str;; p++)
	{
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if ((*p == ',' && depth == 0) || *p == '\0')
		{
			out = lappend(out, TrimCopy(start, p));
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	return out;
}

void
JourneyParseSpec(const char *str, JourneySpec *spec, const char *what,
				 const char *hint)
{
	const char *open = strchr(str, '(');
	const char *end = str + strlen(str);
	ListCell   *lc;
	List	   *args;
	char	   *inner;

	memset(spec, 0, sizeof(*spec));
	if (open == NULL)
	{
		if (strchr(str, ')'))
			SpecSyntaxError(str, what, "A closing parenthesis has no opening one.", hint);
		spec->name = TrimCopy(str, end);
	}
	else
	{
		const char *close;

		spec->name = TrimCopy(str, open);
		/* the closing parenthesis must be the last non-blank character */
		close = end;
		while (close > open && isspace((unsigned char) close[-1]))
			close--;
		if (close == open + 0 || close[-1] != ')')
			SpecSyntaxError(str, what, "The argument list is not closed with \")\".", hint);
		close--;
		if (memchr(open + 1, '(', close - open - 1) ||
			memchr(open + 1, ')', close - open - 1))
			SpecSyntaxError(str, what, "Arguments may not contain parentheses.", hint);
		inner = pnstrdup(open + 1, close - open - 1);
		args = JourneySplitList(inner);
		if (list_length(args) > JOURNEY_SPEC_MAX_ARGS)
			SpecSyntaxError(str, what, "Too many arguments.", hint);
		foreach(lc, args)
		{
			char	   *arg = lfirst(lc);
			char	   *eq = strchr(arg, '=');

			if (*arg == '\0')
				SpecSyntaxError(str, what, "An argument is empty.", hint);
			if (eq)
			{
				spec->keys[spec->nargs] = TrimCopy(arg, eq);
				spec->values[spec->nargs] = TrimCopy(eq + 1, arg + strlen(arg));
				if (*spec->keys[spec->nargs] == '\0' ||
					*spec->values[spec->nargs] == '\0')
					SpecSyntaxError(str, what, "A key=value argument lacks its key or its value.", hint);
			}
			else
			{
				spec->keys[spec->nargs] = NULL;
				spec->values[spec->nargs] = arg;
			}
			spec->nargs++;
		}
	}
	if (spec->name[0] == '\0')
		SpecSyntaxError(str, what, "The name is empty.", hint);
	for (const char *c = spec->name; *c; c++)
		if (!(isalnum((unsigned char) *c) || *c == '_'))
			SpecSyntaxError(str, what, "A name may contain only letters, digits and underscores.", hint);
}

/* Argument i as a finite number; the error names the spec's argument. */
double
JourneySpecDouble(const JourneySpec *spec, int i, const char *what)
{
	char	   *endp;
	double		v;

	errno = 0;
	v = strtod(spec->values[i], &endp);
	/* a number too small for double is the 0 or subnormal it rounds to */
	if (errno == ERANGE && fabs(v) <= DBL_MIN)
		errno = 0;
	if (endp == spec->values[i] || *endp != '\0' || errno != 0 || !isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" expects a number, not \"%s\"",
						what, spec->name, spec->values[i]),
				 errdetail("Numbers are finite and written in decimal, e.g. 0.4 or 1e-3.")));
	return v;
}

int
JourneySpecInt(const JourneySpec *spec, int i, const char *what)
{
	char	   *endp;
	long		v;

	errno = 0;
	v = strtol(spec->values[i], &endp, 10);
	if (endp == spec->values[i] || *endp != '\0' || errno != 0 ||
		v < PG_INT32_MIN || v > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" expects an integer, not \"%s\"",
						what, spec->name, spec->values[i])));
	return (int) v;
}

/*
 * A parsed argument kept in fn_extra: the argument's bytes, and what parse
 * made of them, all in a memory context of its own.
 */
typedef struct ParsedArgCache
{
	MemoryContext cxt;
	Size		len;
	char	   *bytes;
	void	   *parsed;
} ParsedArgCache;

/*
 * What parse(bytes, len) gives, for an argument of the function of flinfo
 * that is usually the same on every row (a model, a list of steps): it is
 * parsed once, and again only when its bytes change, when the previous
 * parse and everything parsing left behind are freed at once.  parse runs
 * in the cache's own context ("name" identifying it), so everything it
 * allocates stays as long as its result; it may raise an error, and then
 * that context goes with the caller's.  Once parsed, the context becomes a
 * child of fn_mcxt.  The caller must not use fn_extra for anything else.
 */
void	   *
JourneyParsedArg(FmgrInfo *flinfo, const char *name, const void *bytes,
				 Size len, JourneyArgParser parse)
{
	ParsedArgCache *cache = flinfo->fn_extra;
	MemoryContext cxt;
	MemoryContext old;

	if (cache != NULL && cache->len == len &&
		memcmp(cache->bytes, bytes, len) == 0)
		return cache->parsed;
	if (cache != NULL)
	{
		flinfo->fn_extra = NULL;
		MemoryContextDelete(cache->cxt);
	}
	/* under the caller's context until the parse succeeds, then fn_mcxt's */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "journey parsed argument",
								ALLOCSET_SMALL_SIZES);
	MemoryContextSetIdentifier(cxt, name);
	old = MemoryContextSwitchTo(cxt);
	cache = palloc(sizeof(ParsedArgCache));
	cache->cxt = cxt;
	cache->parsed = parse(bytes, len);
	cache->len = len;
	cache->bytes = palloc(Max(len, 1));
	memcpy(cache->bytes, bytes, len);
	MemoryContextSwitchTo(old);
	MemoryContextSetParent(cxt, flinfo->fn_mcxt);
	flinfo->fn_extra = cache;
	return cache->parsed;
}
