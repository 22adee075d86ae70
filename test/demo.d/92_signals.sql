-- Demo: the signals behind the review cycle's hypothesis (onboarding
-- sequence, signup -> setup_complete within 72 hours): which signals go
-- with moving on past signup, conversion by signup cohort with windows
-- still open marked, time-to-convert curves, and the experiment's CUPED
-- and sequential figures.
\echo
\echo '# Signals, cohorts and the experiment''s statistics'
\echo

\echo '## What goes with moving on past signup (customers signing up in Q2)'
SELECT signal, customers, moved_on, dropped, round(odds_ratio::numeric, 3) AS odds_ratio,
	   round(p_value::numeric, 6) AS p_value, round(adjusted_p_value::numeric, 6) AS bh_p_value,
	   direction, signals_left_out
  FROM journey.conversion_drivers('shop', 'signup', since => '2026-04-01', until => '2026-07-01');

\echo '## ... and which channels'
SELECT signal AS channel, customers, moved_on, dropped, round(odds_ratio::numeric, 3) AS odds_ratio,
	   round(adjusted_p_value::numeric, 6) AS bh_p_value, direction
  FROM journey.conversion_drivers('shop', 'signup', 'channel',
								  since => '2026-04-01', until => '2026-07-01');

\echo '## Setup within 72 hours of signup, by signup week, as the Q2 review saw it on 2026-06-30'
\echo '## (the last weeks'' windows are still open: their rate is not final, so it is left empty)'
SELECT to_char(cohort, 'YYYY-MM-DD') AS week, entered, converted, round(rate::numeric, 4) AS rate,
	   round(rate_so_far::numeric, 4) AS rate_so_far, window_closed, closes_at
  FROM journey.cohort_conversion('shop', 'signup', 'setup_complete', 'week', '72 hours',
								 as_of => '2026-06-30', since => '2026-05-25');

\echo '## Time to complete setup: share converted by time after signup, per quarter (Kaplan-Meier)'
SELECT to_char(cohort, 'YYYY "Q"Q') AS cohort, customers,
	   round(max(share_converted) FILTER (WHERE elapsed_seconds <= 86400)::numeric, 4) AS by_1_day,
	   round(max(share_converted) FILTER (WHERE elapsed_seconds <= 3 * 86400)::numeric, 4) AS by_3_days,
	   round(max(share_converted) FILTER (WHERE elapsed_seconds <= 14 * 86400)::numeric, 4) AS by_14_days,
	   round((max(median_seconds) / 3600)::numeric, 1) AS median_hours
  FROM journey.time_to_convert_curve('shop', 'signup', 'setup_complete', 'quarter',
							   since => '2026-01-01', until => '2026-07-01')
 GROUP BY cohort, customers ORDER BY cohort;

\echo '## The experiment: CUPED and the sequential interval'
\echo '## (CUPED''s covariate is setup completed in the 14 days before assignment at signup: nobody'
\echo '## sets up before signing up, so it carries no information, theta is 0 and the variance'
\echo '## reduction 0; the sequential interval is wider than the fixed one, the price of reading'
\echo '## the result at every review)'
SELECT r.variant, r.units, r.conversions, round(r.lift::numeric, 4) AS lift,
	   round(r.cuped_lift::numeric, 4) AS cuped_lift,
	   round(r.cuped_low::numeric, 4) AS cuped_low, round(r.cuped_high::numeric, 4) AS cuped_high,
	   round(r.variance_reduction::numeric, 4) AS variance_reduction,
	   round(r.sequential_low::numeric, 4) AS sequential_low,
	   round(r.sequential_high::numeric, 4) AS sequential_high,
	   round(r.p_value::numeric, 4) AS p_value,
	   round(r.sequential_p_value::numeric, 4) AS sequential_p_value, r.verdict
  FROM journey.hypothesis_results r JOIN journey.hypothesis h ON h.id = r.hypothesis_id
 WHERE h.source = 'shop' AND h.moment = 'signup'
 ORDER BY r.variant <> 'control', r.variant;

\echo '## The Q2 review (journey.review_details): the tested hypothesis with its CUPED and sequential'
\echo '## figures, the strongest signals at its moment and its time-to-convert summary'
\x on
SELECT t ->> 'statement' AS statement, e ->> 'variant' AS variant,
	   round((e ->> 'cuped_lift')::numeric, 4) AS cuped_lift,
	   round((e ->> 'variance_reduction')::numeric, 4) AS variance_reduction,
	   round((e ->> 'sequential_low')::numeric, 4) AS sequential_low,
	   round((e ->> 'sequential_high')::numeric, 4) AS sequential_high,
	   round((e ->> 'sequential_p_value')::numeric, 4) AS sequential_p_value,
	   t -> 'signals' ->> 'top_driver' AS top_driver,
	   t -> 'signals' ->> 'top_drop_off_signal' AS top_drop_off_signal,
	   round((t -> 'signals' ->> 'top_drop_off_odds_ratio')::numeric, 3) AS top_drop_off_odds_ratio,
	   t -> 'signals' ->> 'entered' AS entered,
	   round((t -> 'signals' ->> 'converted_share')::numeric, 4) AS converted_share,
	   round((t -> 'signals' ->> 'median_seconds_to_convert')::numeric / 3600, 1) AS median_hours_to_convert
  FROM journey.review_cycle c, journey.review_details(c.id) d,
	   jsonb_array_elements(d.tested) t, jsonb_array_elements(t -> 'effects') e
 WHERE c.source = 'shop' AND c.name = '2026 Q2' AND e ->> 'variant' <> 'control';
\x off
