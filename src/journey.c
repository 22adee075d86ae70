/*-------------------------------------------------------------------------
 *
 * journey.c
 *	  Module entry point of the journey extension: the module magic and the
 *	  extension's settings.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"
#include "attr_model.h"

#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("journey.max_events_per_group",
							"Largest number of events one aggregate group may hold.",
							"A group over the limit raises an error instead of exhausting memory.",
							&journey_max_events_per_group,
							JOURNEY_DEFAULT_MAX_EVENTS,
							1, JOURNEY_MAX_MAX_EVENTS,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("journey.max_pattern_steps",
							"Largest number of steps one sequence pattern match attempt may take.",
							"A pattern that backtracks past the limit raises an error instead of running away.",
							&journey_max_pattern_steps,
							JOURNEY_DEFAULT_MAX_PATTERN_STEPS,
							1, PG_INT32_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("journey.max_markov_work",
							"Largest elimination work one Markov attribution may do, in thousands of matrix entries visited.",
							"A chain that needs more raises an error instead of running for hours.",
							&journey_max_markov_work,
							JOURNEY_DEFAULT_MAX_MARKOV_WORK,
							1, PG_INT32_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("journey");
}
