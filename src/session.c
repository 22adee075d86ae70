/*-------------------------------------------------------------------------
 *
 * session.c
 *	  session_number(ts timestamptz, gap interval): a window function that
 *	  numbers sessions 1, 2, ... within a partition.  A new session starts
 *	  when the time since the previous row (in the window's ORDER BY) is
 *	  strictly greater than gap; a gap exactly equal keeps the session.
 *
 * The window is read once, row by row: the previous timestamp and the
 * current session number live in the partition's local memory, so a
 * partition of n rows costs O(n).  A row whose ts or gap is NULL gets NULL
 * and is invisible to its neighbours (it neither starts nor breaks a
 * session).
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include "common/int.h"
#include "windowapi.h"

PG_FUNCTION_INFO_V1(journey_session_number);

typedef struct SessionState
{
	int64		next_position;	/* the row we expect to be called for */
	TimestampTz previous_ts;
	int32		session;		/* 0 until a row with a timestamp is seen */
} SessionState;

Datum
journey_session_number(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	SessionState *state;
	int64		position = WinGetCurrentPosition(winobj);
	bool		new_session;
	bool		ts_null;
	bool		gap_null;
	Datum		ts_datum;
	Datum		gap_datum;
	TimestampTz ts;
	int64		gap;
	int64		elapsed;

	state = (SessionState *) WinGetPartitionLocalMemory(winobj, sizeof(SessionState));
	if (position != state->next_position)
		elog(ERROR, "journey.session_number called out of row order");
	state->next_position = position + 1;

	ts_datum = WinGetFuncArgCurrent(winobj, 0, &ts_null);
	gap_datum = WinGetFuncArgCurrent(winobj, 1, &gap_null);
	if (ts_null || gap_null)
		PG_RETURN_NULL();
	gap = JourneyIntervalToUsec(DatumGetIntervalP(gap_datum), "gap");
	ts = DatumGetTimestampTz(ts_datum);

	if (state->session == 0)
		new_session = true;
	else if (pg_sub_s64_overflow(ts, state->previous_ts, &elapsed))
	{
		/* only infinite or extreme timestamps get here */
		new_session = ts > state->previous_ts;
	}
	else
		new_session = elapsed > gap;
	if (new_session && pg_add_s32_overflow(state->session, 1, &state->session))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many sessions in one partition")));
	state->previous_ts = ts;
	PG_RETURN_INT32(state->session);
}
