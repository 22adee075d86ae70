/*-------------------------------------------------------------------------
 *
 * retention.c
 *	  retention(VARIADIC conds bool[]): which conditions held on any row of
 *	  a group, reported as ClickHouse's retention does: r1 = condition 1
 *	  held; rk = condition 1 and condition k held (on any rows).
 *
 * No event buffer is needed: the state is a bigint holding the bitmask of
 * conditions seen (low 32 bits) and the number of conditions (bits 32 to
 * 39), so that parallel workers can merge states by OR after checking
 * that they agree on the number of conditions.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include "catalog/pg_type.h"
#include "utils/array.h"

PG_FUNCTION_INFO_V1(journey_retention_sfunc);
PG_FUNCTION_INFO_V1(journey_retention_combine);
PG_FUNCTION_INFO_V1(journey_retention_final);

#define RETENTION_MASK(s)	((uint32) ((uint64) (s) & 0xFFFFFFFF))
#define RETENTION_COUNT(s)	((int) (((uint64) (s) >> 32) & 0xFF))
#define RETENTION_STATE(n, m) ((int64) (((uint64) (n) << 32) | (uint64) (m)))

int
JourneyRetentionCount(int64 state)
{
	int			n = RETENTION_COUNT(state);

	if (n < 1 || n > JOURNEY_MAX_CONDITIONS ||
		((uint64) state >> 40) != 0 ||
		(n < 32 && (RETENTION_MASK(state) >> n) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid retention state"),
				 errdetail("The state value %lld does not encode a valid set of conditions.",
						   (long long) state)));
	return n;
}

Datum
journey_retention_sfunc(PG_FUNCTION_ARGS)
{
	int			n;

	if (JourneyConditionArgsArray(fcinfo, 1) && PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("conditions of retention must not be a NULL array"),
				 errhint("Pass one boolean condition per cohort day or period.")));
	if (PG_ARGISNULL(0))
		n = JourneyConditionCount(fcinfo, 1, "conditions");
	else
		n = JourneyRetentionCount(PG_GETARG_INT64(0));
	PG_RETURN_INT64(RETENTION_STATE(n, (PG_ARGISNULL(0) ? 0 :
										RETENTION_MASK(PG_GETARG_INT64(0))) |
									JourneyConditionBits(fcinfo, 1, n, "conditions")));
}

/* STRICT: PostgreSQL keeps the non-NULL side itself. */
Datum
journey_retention_combine(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(JourneyRetentionMerge(PG_GETARG_INT64(0), PG_GETARG_INT64(1)));
}

/* Two states of the same conditions together (stored states too). */
int64
JourneyRetentionMerge(int64 a, int64 b)
{
	if (JourneyRetentionCount(a) != JourneyRetentionCount(b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of conditions must be the same for every row of a group"),
				 errdetail("Partial states have %d and %d conditions.",
						   JourneyRetentionCount(a), JourneyRetentionCount(b))));
	return a | b;
}

Datum
journey_retention_final(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(JourneyRetentionArray(PG_GETARG_INT64(0)));
}

/* The answer of a state: r1 = condition 1 held; rk = 1 and k held. */
ArrayType  *
JourneyRetentionArray(int64 state)
{
	int			n = JourneyRetentionCount(state);
	uint32		mask = RETENTION_MASK(state);
	bool		first = (mask & 1) != 0;
	Datum		out[JOURNEY_MAX_CONDITIONS];

	out[0] = BoolGetDatum(first);
	for (int i = 1; i < n; i++)
		out[i] = BoolGetDatum(first && (mask & ((uint32) 1 << i)) != 0);
	return construct_array(out, n, BOOLOID, 1, true, TYPALIGN_CHAR);
}
