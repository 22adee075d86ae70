/*-------------------------------------------------------------------------
 *
 * journey_bench_floor.c
 *	  Benchmark-only aggregates (test/bench), never installed with the
 *	  extension: the least any aggregate with an internal state can cost.
 *
 * floor_state_sfunc allocates one state of a fixed size per group on the
 * group's first row, as every event aggregate must, writes one word of it
 * per row and counts the rows; the final function reads the count.  Run
 * with the arguments of a journey aggregate in the same query, its time is
 * the floor under that aggregate: grouping, argument evaluation, one
 * allocation and one state access per row, and nothing else.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(floor_state128_sfunc);
PG_FUNCTION_INFO_V1(floor_state256_sfunc);
PG_FUNCTION_INFO_V1(floor_state_final);

typedef struct FloorState
{
	int64		rows;
	int64		words[FLEXIBLE_ARRAY_MEMBER];
} FloorState;

static Datum
FloorTransition(FunctionCallInfo fcinfo, Size size)
{
	MemoryContext aggcxt;
	FloorState *state;
	int			nwords = (size - sizeof(FloorState)) / sizeof(int64);

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "floor_state_sfunc called in non-aggregate context");
	if (PG_ARGISNULL(0))
		state = MemoryContextAllocZero(aggcxt, size);
	else
		state = (FloorState *) PG_GETARG_POINTER(0);
	state->words[state->rows % nwords] = state->rows;
	state->rows++;
	PG_RETURN_POINTER(state);
}

Datum
floor_state128_sfunc(PG_FUNCTION_ARGS)
{
	return FloorTransition(fcinfo, 128);
}

Datum
floor_state256_sfunc(PG_FUNCTION_ARGS)
{
	return FloorTransition(fcinfo, 256);
}

Datum
floor_state_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	PG_RETURN_INT32((int32) ((FloorState *) PG_GETARG_POINTER(0))->rows);
}
