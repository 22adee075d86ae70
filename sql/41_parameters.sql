-- 41_parameters: every float8 parameter is checked where it enters.
-- One block per function: each bad value (NaN, the infinities, the values
-- just outside the allowed range) with the SQLSTATE, message and detail it
-- gets, then the values exactly at the ends of the range, which must give
-- finite answers that match an independent computation.
-- (doc/statistics.md, doc/attribution.md and doc/paths.md list the ranges.)
\set VERBOSITY default

-- the SQLSTATE, message and detail of a call, or 'ok'
CREATE FUNCTION pg_temp.try(call text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	detail text;
BEGIN
	EXECUTE 'SELECT ' || call;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
	RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' / ' || nullif(detail, ''), '');
END
$$;

------------------------------------------------------------------------
-- proportion_test(conv_a, n_a, conv_b, n_b, alpha): alpha in [1e-300, 1)
------------------------------------------------------------------------
SELECT c AS call, pg_temp.try(c) AS result
  FROM unnest(ARRAY[
	'journey.proportion_test(1, 10, 5, 10, ''NaN'')',
	'journey.proportion_test(1, 10, 5, 10, ''Infinity'')',
	'journey.proportion_test(1, 10, 5, 10, ''-Infinity'')',
	'journey.proportion_test(1, 10, 5, 10, -0.05)',
	'journey.proportion_test(1, 10, 5, 10, 0)',
	'journey.proportion_test(1, 10, 5, 10, 5e-324)',
	'journey.proportion_test(1, 10, 5, 10, 9.99e-301)',
	'journey.proportion_test(1, 10, 5, 10, 1)',
	'journey.proportion_test(1, 10, 5, 10, 1.0000000000000002)',
	'journey.proportion_test(1, 10, 5, 10, 1e-300)',
	'journey.proportion_test(1, 10, 5, 10, 0.9999999999999999)']) c;
-- At both ends the interval is lift -/+ z(1 - alpha/2) times the
-- delta-method standard error, recomputed here in SQL; the quantiles are
-- those of Python's statistics.NormalDist().inv_cdf (Wichura's AS241, an
-- algorithm independent of ours) and of mpmath (40 digits):
--   alpha = 1e-300:               z(1 - 5e-301) = 37.06578788077213
--   alpha = 0.9999999999999999:   z(1 - 0.49999999999999994) = 1.3914582123358835e-16
SELECT round(((t.lift_high - t.lift) / sqrt(0.5 * 0.5 / (0.01 * 10) + 0.1 * 0.9 * 0.25 / (0.0001 * 10)))::numeric, 10) AS z_high,
       round(((t.lift - t.lift_low) / sqrt(0.5 * 0.5 / (0.01 * 10) + 0.1 * 0.9 * 0.25 / (0.0001 * 10)))::numeric, 10) AS z_low,
       round(37.06578788077213::numeric, 10) AS reference
  FROM journey.proportion_test(1, 10, 5, 10, 1e-300) t;
-- (with equal arms the lift is 0, so that an interval this narrow is not
-- lost in the rounding of the lift; the standard error is sqrt(0.2))
SELECT t.lift, (t.lift_high / sqrt(0.2) / 1.3914582123358835e-16 - 1) BETWEEN -1e-12 AND 1e-12 AS z_high_matches,
       (-t.lift_low / sqrt(0.2) / 1.3914582123358835e-16 - 1) BETWEEN -1e-12 AND 1e-12 AS z_low_matches
  FROM journey.proportion_test(5, 10, 5, 10, 0.9999999999999999) t;

------------------------------------------------------------------------
-- wilson_interval(x, n, confidence): confidence in (0, 1)
------------------------------------------------------------------------
SELECT c AS call, pg_temp.try(c) AS result
  FROM unnest(ARRAY[
	'journey.wilson_interval(1, 10, ''NaN'')',
	'journey.wilson_interval(1, 10, ''Infinity'')',
	'journey.wilson_interval(1, 10, ''-Infinity'')',
	'journey.wilson_interval(1, 10, -0.95)',
	'journey.wilson_interval(1, 10, 0)',
	'journey.wilson_interval(1, 10, 1)',
	'journey.wilson_interval(1, 10, 95)',
	'journey.wilson_interval(1, 10, 5e-324)',
	'journey.wilson_interval(1, 10, 0.9999999999999999)']) c;
-- The Wilson bounds recomputed in SQL from the reference quantile:
-- confidence 0.9999999999999999 leaves a two-sided tail of
-- 1.1102230246251565e-16, z = 8.292361075813595 (AS241; mpmath:
-- 8.2923610758135955); confidence 5e-324 gives z = 0 and an interval of
-- width 0 around x / n.
WITH z(z) AS (VALUES (8.292361075813595::float8))
SELECT round(w.low::numeric, 12) AS low,
       round(((1 + z * z / 2) / (10 + z * z)
              - z / (10 + z * z) * sqrt(1 * 9 / 10.0 + z * z / 4))::numeric, 12) AS low_by_formula,
       round(w.high::numeric, 12) AS high,
       round(((1 + z * z / 2) / (10 + z * z)
              + z / (10 + z * z) * sqrt(1 * 9 / 10.0 + z * z / 4))::numeric, 12) AS high_by_formula
  FROM z, journey.wilson_interval(1, 10, 0.9999999999999999) w;
SELECT * FROM journey.wilson_interval(1, 10, 5e-324);

------------------------------------------------------------------------
-- sample_size(baseline, mde, alpha, power): baseline, mde in (0, 1) with
-- baseline + mde < 1; alpha, power in [1e-300, 1)
------------------------------------------------------------------------
SELECT c AS call, pg_temp.try(c) AS result
  FROM unnest(ARRAY[
	'journey.sample_size(''NaN'', 0.05)',
	'journey.sample_size(''Infinity'', 0.05)',
	'journey.sample_size(''-Infinity'', 0.05)',
	'journey.sample_size(0, 0.05)',
	'journey.sample_size(1, 0.05)',
	'journey.sample_size(0.2, ''NaN'')',
	'journey.sample_size(0.2, ''Infinity'')',
	'journey.sample_size(0.2, ''-Infinity'')',
	'journey.sample_size(0.2, 0)',
	'journey.sample_size(0.2, 1)',
	'journey.sample_size(0.5, 0.5)',
	'journey.sample_size(0.2, 0.05, ''NaN'')',
	'journey.sample_size(0.2, 0.05, ''Infinity'')',
	'journey.sample_size(0.2, 0.05, 9.99e-301)',
	'journey.sample_size(0.2, 0.05, 1)',
	'journey.sample_size(0.2, 0.05, 0.05, ''NaN'')',
	'journey.sample_size(0.2, 0.05, 0.05, ''-Infinity'')',
	'journey.sample_size(0.2, 0.05, 0.05, 5e-324)',
	'journey.sample_size(0.2, 0.05, 0.05, 1)',
	'journey.sample_size(5e-324, 0.05)',
	'journey.sample_size(0.2, 5e-324)',
	'journey.sample_size(0.5, 0.49999999999999994)']) c;
-- alpha and power at their ends: Evan Miller's formula written out in SQL
-- with the reference quantiles z(1 - 5e-301) = 37.06578788077213 and
-- z(0.9999999999999999) = 8.209536151601386 (AS241; mpmath
-- 8.2095361516013869).
SELECT journey.sample_size(0.2, 0.05, 1e-300, 0.9999999999999999) AS n,
       ceil((37.06578788077213 * sqrt(2 * 0.2 * 0.8)
             + 8.209536151601386 * sqrt(0.2 * 0.8 + 0.25 * 0.75))^2 / 0.05^2) AS by_formula;
-- a power below 0.5 makes z(power) negative: when the bracket is not
-- positive any sample reaches that power (1 unit), rather than the square
-- of a negative bracket; z(0.001) = -3.090232306167813 makes it
-- 1.959964 * 0.565685 - 3.090232 * 0.589491 < 0
SELECT journey.sample_size(0.2, 0.05, 0.05, 0.001) AS n,
       1.959963984540054 * sqrt(2 * 0.2 * 0.8) - 3.090232306167813 * sqrt(0.2 * 0.8 + 0.25 * 0.75) < 0 AS bracket_negative,
       journey.sample_size(0.2, 0.05, 0.05, 1e-300) AS n_tiny_power;
-- a baseline next to 0 is computed (sd1 = sqrt(2 * 5e-324) is a normal double)
SELECT journey.sample_size(5e-324, 0.05) AS n,
       ceil((1.959963984540054 * sqrt(2 * 5e-324 * (1 - 5e-324))
             + 0.8416212335729143 * sqrt(5e-324 * (1 - 5e-324) + 0.05 * 0.95))^2 / 0.05^2) AS by_formula;

------------------------------------------------------------------------
-- srm_test(counts, weights): every weight positive and finite, of any scale
------------------------------------------------------------------------
SELECT c AS call, pg_temp.try(c) AS result
  FROM unnest(ARRAY[
	'journey.srm_test(ARRAY[10, 20], ARRAY[1, ''NaN''::float8])',
	'journey.srm_test(ARRAY[10, 20], ARRAY[1, ''Infinity''::float8])',
	'journey.srm_test(ARRAY[10, 20], ARRAY[''-Infinity''::float8, 1])',
	'journey.srm_test(ARRAY[10, 20], ARRAY[1, 0])',
	'journey.srm_test(ARRAY[10, 20], ARRAY[1, ''-0''::float8])',
	'journey.srm_test(ARRAY[10, 20], ARRAY[1, -1])']) c;
-- weights are relative, whatever their scale: {1e308, 1e308} and
-- {5e-324, 5e-324} are the equal split; {5e-324, 1} expects no unit in the
-- first group: none there fits it exactly (p = 1 when the rest is even),
-- one there is a mismatch (p = 0)
SELECT journey.srm_test(ARRAY[10, 20], ARRAY[1e308, 1e308]) = journey.srm_test(ARRAY[10, 20]) AS huge_same,
       journey.srm_test(ARRAY[10, 20], ARRAY[5e-324, 5e-324]) = journey.srm_test(ARRAY[10, 20]) AS tiny_same,
       round(journey.srm_test(ARRAY[10, 20, 30], ARRAY[1e308, 2e307, 3e306])::numeric, 12)
         = round(journey.srm_test(ARRAY[10, 20, 30], ARRAY[1, 0.2, 0.03])::numeric, 12) AS ratios_kept,
       journey.srm_test(ARRAY[0, 20], ARRAY[5e-324, 1]) AS nothing_expected_nothing_there,
       journey.srm_test(ARRAY[1, 20], ARRAY[5e-324, 1]) AS nothing_expected_one_there;

------------------------------------------------------------------------
-- p_adjust(p, method): every p-value in [0, 1]
------------------------------------------------------------------------
SELECT c AS call, pg_temp.try(c) AS result
  FROM unnest(ARRAY[
	'journey.p_adjust(ARRAY[0.01, ''NaN''::float8], ''holm'')',
	'journey.p_adjust(ARRAY[0.01, ''Infinity''::float8], ''bh'')',
	'journey.p_adjust(ARRAY[''-Infinity''::float8, 0.01], ''bh'')',
	'journey.p_adjust(ARRAY[0.01, -5e-324], ''holm'')',
	'journey.p_adjust(ARRAY[0.01, 1.0000000000000002], ''holm'')']) c;
SELECT journey.p_adjust(ARRAY[0, 1, 5e-324], 'holm') AS holm,
       journey.p_adjust(ARRAY[0, 1, 5e-324], 'bh') AS bh;

------------------------------------------------------------------------
-- check_parameter(name, value): the ranges above, for SQL callers (the
-- hypothesis registry)
------------------------------------------------------------------------
SELECT c AS call, pg_temp.try(c) AS result
  FROM unnest(ARRAY[
	'journey_internal.check_parameter(''alpha'', 0.05)',
	'journey_internal.check_parameter(''alpha'', 1e-300)',
	'journey_internal.check_parameter(''alpha'', 9.99e-301)',
	'journey_internal.check_parameter(''power'', ''NaN'')',
	'journey_internal.check_parameter(''confidence'', 1)',
	'journey_internal.check_parameter(''baseline'', ''-Infinity'')',
	'journey_internal.check_parameter(''mde'', 0)',
	'journey_internal.check_parameter(''minimum_effect'', 1)',
	'journey_internal.check_parameter(''minimum_effect'', NULL)',
	'journey_internal.check_parameter(''beta'', 0.2)',
	'journey_internal.check_parameter(NULL, 0.2)']) c;

------------------------------------------------------------------------
-- attribution(path, conversions, value, nulls, model) and
-- attribution(paths, model): every amount finite and not negative
------------------------------------------------------------------------
SELECT c AS call, pg_temp.try(c) AS result
  FROM unnest(ARRAY[
	'journey.attribution(ARRAY[''a''], ''NaN'', 1, 0, ''linear'')',
	'journey.attribution(ARRAY[''a''], ''Infinity'', 1, 0, ''linear'')',
	'journey.attribution(ARRAY[''a''], -1, 1, 0, ''linear'')',
	'journey.attribution(ARRAY[''a''], 1, ''NaN'', 0, ''linear'')',
	'journey.attribution(ARRAY[''a''], 1, ''-Infinity'', 0, ''linear'')',
	'journey.attribution(ARRAY[''a''], 1, -5e-324, 0, ''linear'')',
	'journey.attribution(ARRAY[''a''], 1, 1, ''NaN'', ''linear'')',
	'journey.attribution(ARRAY[''a''], 1, 1, ''Infinity'', ''linear'')',
	'journey.attribution(ARRAY[''a''], 1, 1, -1, ''linear'')',
	'journey.attribution(ARRAY[(ARRAY[''a''], ARRAY[''2026-01-01''::timestamptz], true, -1, ''2026-01-01'')::journey.conversion_path], ''linear'')',
	'journey.attribution(ARRAY[(ARRAY[''a''], ARRAY[''2026-01-01''::timestamptz], true, ''NaN'', ''2026-01-01'')::journey.conversion_path], ''linear'')']) c;
-- the largest amounts are accepted, and -0 counts as 0
SELECT (c).channel, (c).conversions, (c).value
  FROM unnest((SELECT journey.attribution(ARRAY['a', 'b'], 1.7976931348623157e308, '-0', 5e-324, 'linear'))) c;

------------------------------------------------------------------------
-- paths_to_conversion(label, ts, is_conversion, value, lookback): a
-- conversion's value finite (10_paths_conversion shows the errors); the
-- lookback at most the longest interval journey uses (below)
------------------------------------------------------------------------

------------------------------------------------------------------------
-- touch_weights(path, model, ...): the models' number parameters
--   position_based(first, last): each in [0, 1], first + last <= 1
--   time_decay(half_life): more than 0, at most 1e300 seconds
------------------------------------------------------------------------
SELECT c AS call, pg_temp.try(c) AS result
  FROM unnest(ARRAY[
	'journey.touch_weights(ARRAY[''a'', ''b'', ''c''], ''position_based(first=nan)'')',
	'journey.touch_weights(ARRAY[''a'', ''b'', ''c''], ''position_based(first=inf)'')',
	'journey.touch_weights(ARRAY[''a'', ''b'', ''c''], ''position_based(last=-infinity)'')',
	'journey.touch_weights(ARRAY[''a'', ''b'', ''c''], ''position_based(last=1e400)'')',
	'journey.touch_weights(ARRAY[''a'', ''b'', ''c''], ''position_based(first=-0.1)'')',
	'journey.touch_weights(ARRAY[''a'', ''b'', ''c''], ''position_based(last=1.0000000000000002)'')',
	'journey.touch_weights(ARRAY[''a'', ''b'', ''c''], ''position_based(first=0.6, last=0.41)'')',
	'journey.touch_weights(ARRAY[''a'', ''b''], ''time_decay(half_life=nan seconds)'', ARRAY[now(), now()])',
	'journey.touch_weights(ARRAY[''a'', ''b''], ''time_decay(half_life=inf days)'', ARRAY[now(), now()])',
	'journey.touch_weights(ARRAY[''a'', ''b''], ''time_decay(half_life=-1 days)'', ARRAY[now(), now()])',
	'journey.touch_weights(ARRAY[''a'', ''b''], ''time_decay(half_life=0 seconds)'', ARRAY[now(), now()])',
	'journey.touch_weights(ARRAY[''a'', ''b''], ''time_decay(half_life=1e-400 seconds)'', ARRAY[now(), now()])',
	'journey.touch_weights(ARRAY[''a'', ''b''], ''time_decay(half_life=1.0000000000000002e300 seconds)'', ARRAY[now(), now()])',
	'journey.touch_weights(ARRAY[''a'', ''b''], ''time_decay(half_life=2e299 weeks)'', ARRAY[now(), now()])',
	'journey.touch_weights(ARRAY[''a'', ''b''], ''time_decay(half_life=1e400 days)'', ARRAY[now(), now()])']) c;
-- at the ends: a share of 1e-400 reads as the 0 it rounds to; first and
-- last may add up to exactly 1 (the middle gets nothing), or to a hair
-- more when written in decimal (scaled to 1: never a negative share)
SELECT journey.touch_weights(ARRAY['a', 'b', 'c'], 'position_based(first=1e-400, last=0.5)') AS tiny_first,
       journey.touch_weights(ARRAY['a', 'b', 'c'], 'position_based(first=0.6, last=0.4)') AS exactly_one,
       journey.touch_weights(ARRAY['a', 'b', 'c', 'd'], 'position_based(first=0.6, last=0.4000000000001)') AS hair_above;
SELECT min(w) >= 0 AS none_negative, sum(w) AS total
  FROM unnest(journey.touch_weights(ARRAY['a', 'b', 'c', 'd'], 'position_based(first=0.6, last=0.4000000000001)')) w;
-- time_decay: the weight is 2^(-age / half_life), shares summing to 1.
-- The shortest half-life gives everything to the newest touch (ties
-- share it) and never NaN, even when the conversion comes later than
-- every touch; the longest gives equal shares to touches at the two ends
-- of PostgreSQL's timestamps, and one of 1e17 seconds (3.2 billion years)
-- gives the touch in 4714 BC 2^(-9.4e12/1e17) of the newest one's weight
-- (in 294276 AD): shares 0.49998 and 0.50002, where a 64-bit age
-- difference would overflow and hand all the credit to the oldest touch.
SELECT journey.touch_weights(ARRAY['a', 'b', 'c'], 'time_decay(half_life=1e-305 seconds)',
                             ARRAY['2026-01-01', '2026-01-02', '2026-01-02']::timestamptz[],
                             '2026-01-05') AS shortest,
       journey.touch_weights(ARRAY['a', 'b'], 'time_decay(half_life=1e300 seconds)',
                             ARRAY['4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59.999999+00']::timestamptz[]) AS longest;
SELECT round(w[1]::numeric, 12) AS oldest, round(w[2]::numeric, 12) AS newest,
       round((1 / (1 + 2 ^ (-(extract(epoch FROM '294276-12-31 23:59:59.999999+00'::timestamptz)
                              - extract(epoch FROM '4714-11-24 00:00:00+00 BC'::timestamptz)) / 1e17)))::numeric, 12) AS newest_by_formula
  FROM (SELECT journey.touch_weights(ARRAY['old', 'new'], 'time_decay(half_life=1e17 seconds)',
                                     ARRAY['4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59.999999+00']::timestamptz[],
                                     '294276-12-31 23:59:59.999999+00') AS w) s;
-- the shares do not depend on how late the conversion comes
SELECT journey.touch_weights(ARRAY['a', 'b'], 'time_decay(half_life=1 day)',
                             ARRAY['2026-01-01', '2026-01-02']::timestamptz[], '2026-01-02')
     = journey.touch_weights(ARRAY['a', 'b'], 'time_decay(half_life=1 day)',
                             ARRAY['2026-01-01', '2026-01-02']::timestamptz[], '294276-01-01') AS same_shares;

------------------------------------------------------------------------
-- intervals (window_funnel and funnel_times' window, paths_to_conversion's
-- lookback, session_number's gap): 0 up to 106751991 days
-- 04:00:54.775807, the longest span of microseconds int64 holds (a month
-- counts as 30 days); PostgreSQL's intervals reach 178 million years
------------------------------------------------------------------------
SELECT c AS call, pg_temp.try(c) AS result
  FROM unnest(ARRAY[
	'journey.window_funnel(ts, interval ''178000000 years'', true) FROM (VALUES (now())) v(ts)',
	'journey.window_funnel(ts, interval ''106751991 days 04:00:54.775808'', true) FROM (VALUES (now())) v(ts)',
	'journey.window_funnel(ts, interval ''106751991 days 04:00:54.775807'', true) FROM (VALUES (now())) v(ts)',
	'journey.window_funnel(ts, interval ''-1 microsecond'', true) FROM (VALUES (now())) v(ts)',
	'journey.window_funnel(ts, interval ''-178000000 years'', true) FROM (VALUES (now())) v(ts)',
	'journey.funnel_times(ts, interval ''296534 years'', true) FROM (VALUES (now())) v(ts)',
	'journey.paths_to_conversion(''a'', now(), true, 1, interval ''296534 years'')',
	'journey.session_number(now(), interval ''296534 years'') OVER ()',
	'journey.window_funnel(ts, interval ''106751992 days -20 hours'', true) FROM (VALUES (now())) v(ts)']) c;
-- at the limit the window is used exactly: two events 106751991 days
-- 04:00:54.775807 apart are within it, one microsecond more is not (in
-- UTC, so that the days added are all 24 hours long)
SET timezone = 'UTC';
SELECT journey.window_funnel(ts, interval '106751991 days 04:00:54.775807', s1, s2) AS at_limit
  FROM (VALUES ('1000-01-01 00:00:00+00'::timestamptz, true, false),
               ('1000-01-01 00:00:00+00'::timestamptz + interval '106751991 days 04:00:54.775807', false, true)) v(ts, s1, s2);
SELECT journey.window_funnel(ts, interval '106751991 days 04:00:54.775807', s1, s2) AS past_limit
  FROM (VALUES ('1000-01-01 00:00:00+00'::timestamptz, true, false),
               ('1000-01-01 00:00:00+00'::timestamptz + interval '106751991 days 04:00:54.775808', false, true)) v(ts, s1, s2);

------------------------------------------------------------------------
-- window_funnel modes: names are case-insensitive, as transform and model
-- names are
------------------------------------------------------------------------
-- (an event between the steps stops a strict_order chain: 1, not 2)
SELECT journey.window_funnel(ts, '1 day', s1, s2) AS no_mode,
       journey.window_funnel(ts, '1 day', 'STRICT_ORDER', s1, s2) AS upper,
       journey.window_funnel(ts, '1 day', ' Strict_Order , ALLOW_REENTRY ', s1, s2) AS mixed,
       journey.window_funnel(ts, '1 day', 'strict_order', s1, s2) AS lower
  FROM (VALUES ('2026-01-01 00:00'::timestamptz, true, false),
               ('2026-01-01 01:00', false, false),
               ('2026-01-01 02:00', false, true)) v(ts, s1, s2);
SELECT c AS call, pg_temp.try(c) AS result
  FROM unnest(ARRAY[
	'journey.window_funnel(now(), ''1 day'', ''STRICT_ORDERS'', true)',
	'journey.window_funnel(now(), ''1 day'', ''ALLOW_REENTRY'', true)']) c;
