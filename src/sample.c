/*-------------------------------------------------------------------------
 *
 * sample.c
 *	  journey.sample_events(customers, seed): a deterministic generator of
 *	  realistic customer journeys for demos, tests and benchmarks.
 *
 * Each customer walks the moments first_contact, site_visit, content_view,
 * signup, setup_complete, checkout, purchase and, after a purchase,
 * return_visit (and sometimes a repeat checkout and purchase).  At every
 * moment the customer may drop off.  Every event arrives through a
 * channel; the channel of the touch before a moment changes the chance of
 * moving forward (Email and Referral lift it, Display and Paid Social
 * touch often but lift little, Direct is often the last touch before a
 * purchase without causing it), so rule-based and data-driven attribution
 * models disagree.  Source and medium look like the UTM values real tools
 * send, including the inconsistent spellings that label normalisation has
 * to reconcile.
 *
 * Events after the end of 2026 are cut, as in any extract of a live
 * system.  The generator is a SplitMix64 stream seeded per customer from (seed,
 * customer number), so the same arguments always give the same rows,
 * whatever the plan.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include <math.h>

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(journey_sample_events);

#define SAMPLE_MAX_CUSTOMERS 100000000

typedef enum SampleChannelId
{
	CH_PAID_SEARCH,
	CH_ORGANIC_SEARCH,
	CH_EMAIL,
	CH_PAID_SOCIAL,
	CH_ORGANIC_SOCIAL,
	CH_DISPLAY,
	CH_REFERRAL,
	CH_DIRECT,
	CH_AFFILIATES,
	CH_COUNT
} SampleChannelId;

typedef struct SampleChannel
{
	const char *name;
	double		lift;			/* multiplies the chance of moving forward */
	int			nutm;
	const char *utm[4][2];		/* (source, medium) spellings */
} SampleChannel;

static const SampleChannel channels[CH_COUNT] = {
	[CH_PAID_SEARCH] = {"Paid Search", 1.10, 4,
	{{"google", "cpc"}, {"bing", "cpc"}, {"Google", "CPC"}, {"google", "ppc"}}},
	[CH_ORGANIC_SEARCH] = {"Organic Search", 1.08, 4,
	{{"google", "organic"}, {"bing", "organic"}, {"duckduckgo", "organic"}, {"ecosia.org", "organic"}}},
	[CH_EMAIL] = {"Email", 1.45, 4,
	{{"newsletter", "email"}, {"crm", "Email "}, {"newsletter", "e-mail"}, {"onboarding", "ＥＭＡＩＬ"}}},
	[CH_PAID_SOCIAL] = {"Paid Social", 0.80, 3,
	{{"facebook", "paid_social"}, {"instagram", "cpc"}, {"linkedin", "paid-social"}}},
	[CH_ORGANIC_SOCIAL] = {"Organic Social", 0.92, 4,
	{{"facebook", "social"}, {"t.co", "referral"}, {"linkedin", "social"}, {"reddit", "referral"}}},
	[CH_DISPLAY] = {"Display", 0.75, 3,
	{{"google", "display"}, {"criteo", "banner"}, {"dv360", "cpm"}}},
	[CH_REFERRAL] = {"Referral", 1.30, 3,
	{{"partnerblog.example", "referral"}, {"news.example.org", "referral"}, {"reviews.example.com", "referral"}}},
	[CH_DIRECT] = {"Direct", 1.00, 1,
	{{"(direct)", "(none)"}}},
	[CH_AFFILIATES] = {"Affiliates", 1.15, 2,
	{{"awin", "affiliate"}, {"impact", "Affiliate"}}},
};

/* Channel mix of first contacts, of touches before signup, and after. */
static const double first_mix[CH_COUNT] = {
	[CH_PAID_SEARCH] = 24,[CH_ORGANIC_SEARCH] = 26,[CH_EMAIL] = 2,
	[CH_PAID_SOCIAL] = 16,[CH_ORGANIC_SOCIAL] = 8,[CH_DISPLAY] = 10,
[CH_REFERRAL] = 6,[CH_DIRECT] = 3,[CH_AFFILIATES] = 5};
static const double early_mix[CH_COUNT] = {
	[CH_PAID_SEARCH] = 18,[CH_ORGANIC_SEARCH] = 16,[CH_EMAIL] = 4,
	[CH_PAID_SOCIAL] = 14,[CH_ORGANIC_SOCIAL] = 8,[CH_DISPLAY] = 18,
[CH_REFERRAL] = 6,[CH_DIRECT] = 12,[CH_AFFILIATES] = 4};
static const double late_mix[CH_COUNT] = {
	[CH_PAID_SEARCH] = 14,[CH_ORGANIC_SEARCH] = 8,[CH_EMAIL] = 26,
	[CH_PAID_SOCIAL] = 6,[CH_ORGANIC_SOCIAL] = 3,[CH_DISPLAY] = 16,
[CH_REFERRAL] = 3,[CH_DIRECT] = 20,[CH_AFFILIATES] = 4};

typedef enum SampleMoment
{
	M_FIRST_CONTACT,
	M_SITE_VISIT,
	M_CONTENT_VIEW,
	M_SIGNUP,
	M_SETUP_COMPLETE,
	M_CHECKOUT,
	M_PURCHASE,
	M_RETURN_VISIT,
	M_COUNT
} SampleMoment;

static const char *const moment_names[M_COUNT] = {
	"first_contact", "site_visit", "content_view", "signup",
	"setup_complete", "checkout", "purchase", "return_visit"
};

/* Chance of reaching each moment from the previous one, before lifts. */
static const double base_forward[M_COUNT] = {
	[M_SITE_VISIT] = 0.82,[M_CONTENT_VIEW] = 0.70,[M_SIGNUP] = 0.42,
	[M_SETUP_COMPLETE] = 0.68,[M_CHECKOUT] = 0.50,[M_PURCHASE] = 0.66,
	[M_RETURN_VISIT] = 0.45
};

/* Mean wait before each moment, in seconds. */
static const double mean_wait[M_COUNT] = {
	[M_SITE_VISIT] = 600,[M_CONTENT_VIEW] = 240,[M_SIGNUP] = 86400,
	[M_SETUP_COMPLETE] = 21600,[M_CHECKOUT] = 3 * 86400,
	[M_PURCHASE] = 900,[M_RETURN_VISIT] = 18 * 86400
};

typedef struct SampleRng
{
	uint64		s;
} SampleRng;

static inline uint64
RngNext(SampleRng *r)
{
	uint64		z = (r->s += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double
RngUniform(SampleRng *r)
{
	return (RngNext(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline double
RngExp(SampleRng *r, double mean)
{
	return -mean * log(1.0 - RngUniform(r));
}

static int
RngPick(SampleRng *r, const double *weights, int n)
{
	double		total = 0,
				x;

	for (int i = 0; i < n; i++)
		total += weights[i];
	x = RngUniform(r) * total;
	for (int i = 0; i < n; i++)
	{
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

typedef struct SampleOut
{
	Tuplestorestate *store;
	TimestampTz end;			/* data ends here: later events are cut */
	TupleDesc	desc;
	int64		customer;
	SampleRng  *rng;
} SampleOut;

static void
EmitEvent(SampleOut *out, TimestampTz ts, SampleMoment moment,
		  SampleChannelId ch, double revenue)
{
	Datum		values[7];
	bool		nulls[7] = {false};
	const SampleChannel *c = &channels[ch];

	/* one spelling per customer and channel, as one tool sends it */
	int			v = (int) ((((uint64) out->customer * 2654435761u + ch * 40503u) % 65521) % c->nutm);

	if (ts >= out->end)
		return;

	values[0] = Int64GetDatum(out->customer);
	values[1] = TimestampTzGetDatum(ts);
	values[2] = CStringGetTextDatum(moment_names[moment]);
	values[3] = CStringGetTextDatum(c->name);
	values[4] = CStringGetTextDatum(c->utm[v][0]);
	values[5] = CStringGetTextDatum(c->utm[v][1]);
	if (revenue > 0)
	{
		char		buf[32];

		snprintf(buf, sizeof(buf), "%.2f", revenue);
		values[6] = DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
										ObjectIdGetDatum(InvalidOid),
										Int32GetDatum(-1));
	}
	else
		nulls[6] = true;
	tuplestore_putvalues(out->store, out->desc, values, nulls);
	for (int i = 2; i < 6; i++)
		pfree(DatumGetPointer(values[i]));
}

/*
 * The touch that brings the customer to a moment: usually the same channel
 * as the last touch, otherwise a new one from the stage's mix.
 */
static SampleChannelId
NextChannel(SampleRng *r, SampleChannelId last, SampleMoment moment)
{
	if (RngUniform(r) < 0.55)
		return last;
	return (SampleChannelId) RngPick(r, moment >= M_SETUP_COMPLETE ? late_mix : early_mix,
									 CH_COUNT);
}

static void
GenerateCustomer(SampleOut *out, TimestampTz start)
{
	SampleRng  *r = out->rng;
	SampleChannelId ch = (SampleChannelId) RngPick(r, first_mix, CH_COUNT);
	TimestampTz ts = start;
	double		lift = channels[ch].lift;
	int			purchases = 0;

	EmitEvent(out, ts, M_FIRST_CONTACT, ch, 0);
	for (SampleMoment m = M_SITE_VISIT; m < M_COUNT; m++)
	{
		double		p;

		ch = NextChannel(r, ch, m);
		/* the touch's own lift, blended with what came before */
		lift = 0.6 * channels[ch].lift + 0.4 * lift;
		p = Min(0.97, base_forward[m] * lift);
		if (m == M_PURCHASE && ch == CH_DIRECT)
			p = Min(0.97, p * 1.05);
		if (RngUniform(r) >= p)
		{
			/* dropped off: perhaps a retargeting touch that leads nowhere */
			if (m >= M_SIGNUP && RngUniform(r) < 0.35)
				EmitEvent(out, ts + (TimestampTz) (RngExp(r, 5 * 86400) * USECS_PER_SEC),
						  M_SITE_VISIT,
						  RngUniform(r) < 0.6 ? CH_DISPLAY : CH_PAID_SOCIAL, 0);
			return;
		}
		ts += (TimestampTz) (RngExp(r, mean_wait[m]) * USECS_PER_SEC) + USECS_PER_SEC;
		if (m == M_PURCHASE)
		{
			/* log-normal order values around 60, a long tail above */
			double		u1 = 1.0 - RngUniform(r),
						u2 = RngUniform(r);
			double		normal = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
			double		revenue = 15 + exp(3.8 + 0.7 * normal);

			EmitEvent(out, ts, m, ch, round(revenue * 100) / 100);
			purchases++;
		}
		else
			EmitEvent(out, ts, m, ch, 0);

		/* some customers read more than one piece of content */
		while (m == M_CONTENT_VIEW && RngUniform(r) < 0.35)
		{
			ts += (TimestampTz) (RngExp(r, 180) * USECS_PER_SEC) + USECS_PER_SEC;
			EmitEvent(out, ts, m, ch, 0);
		}
		/* a returning customer may buy again, up to three times */
		if (m == M_RETURN_VISIT && purchases < 3 && RngUniform(r) < 0.4 * lift)
			m = M_SETUP_COMPLETE;	/* next: checkout, purchase */
	}
}

Datum
journey_sample_events(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		customers = PG_GETARG_INT32(0);
	int32		seed = PG_GETARG_INT32(1);
	SampleOut	out;
	SampleRng	rng;

	/* 2026-01-01 00:00:00+00 */
	TimestampTz base = (TimestampTz) (9497) * USECS_PER_DAY;

	if (customers < 0 || customers > SAMPLE_MAX_CUSTOMERS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers must be between 0 and %d", SAMPLE_MAX_CUSTOMERS),
				 errdetail("The call asked for %d customers.", customers)));

	InitMaterializedSRF(fcinfo, 0);
	out.store = rsinfo->setResult;
	out.desc = rsinfo->setDesc;
	out.rng = &rng;
	out.end = base + 365 * USECS_PER_DAY;

	for (int64 i = 1; i <= customers; i++)
	{
		TimestampTz start;

		CHECK_FOR_INTERRUPTS();
		rng.s = ((uint64) (uint32) seed << 32) ^ (uint64) i ^ UINT64CONST(0x5DEECE66D);
		(void) RngNext(&rng);
		out.customer = i;
		/* first contacts spread over the first 240 days of the year */
		start = base + (TimestampTz) (RngUniform(&rng) * 240 * USECS_PER_DAY);
		GenerateCustomer(&out, start);
	}
	return (Datum) 0;
}
