-- 43_cohorts: Kaplan-Meier curves (kaplan_meier), conversion by entry
-- cohort (cohort_conversion) and time-to-convert curves with censoring
-- (time_to_convert_curve).  Every expected number comes from
-- test/reference/signals.py (statsmodels 0.13's SurvfuncRight for the
-- estimate, Greenwood's standard error and the median; the log(-log) band
-- S^exp(+-z se / (S |log S|)) from its standard error), compared at a
-- relative 1e-9 (ok).
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET timezone = 'UTC';

------------------------------------------------------------------------
-- kaplan_meier(elapsed, converted, confidence)
------------------------------------------------------------------------

-- SurvfuncRight([1,2,2,3,4,4,5,6], [1,1,0,1,0,1,1,0]): share converted
-- 0.125, 0.25, 0.4, 0.55, 0.775 at 1..5; Greenwood se 0.11692679333668568,
-- 0.15309310892394865, 0.18165902124584954, 0.18824850597016704,
-- 0.18485636315799361; band low 0.01860703412103404, 0.06910168290937246,
-- 0.14774565423779096, 0.2487261500738065, 0.39758057339433106 and high
-- 0.6129999859679748, 0.6851928862944809, 0.8045041339150021,
-- 0.892421884761711, 0.9876035844799674.  At 6 only a censoring: the
-- curve stays.  Conversions at 2 and 4 come before the censorings there.
WITH ref(t, share, se, low, high) AS (VALUES
	(1::float8, 0.125::float8, 0.11692679333668568::float8, 0.01860703412103404::float8, 0.6129999859679748::float8),
	(2, 0.2499999999999999, 0.15309310892394865, 0.06910168290937246, 0.6851928862944809),
	(3, 0.3999999999999999, 0.18165902124584954, 0.14774565423779096, 0.8045041339150021),
	(4, 0.5499999999999999, 0.18824850597016704, 0.2487261500738065, 0.892421884761711),
	(5, 0.7749999999999999, 0.18485636315799361, 0.39758057339433106, 0.9876035844799674),
	(6, 0.7749999999999999, 0.18485636315799361, 0.39758057339433106, 0.9876035844799674))
SELECT k.elapsed, k.at_risk, k.conversions, k.censored,
	   round(k.share_converted::numeric, 6) AS share,
	   abs(k.share_converted / r.share - 1) < 1e-9 AS share_ok,
	   abs(k.std_error / r.se - 1) < 1e-9 AS se_ok,
	   abs(k.low / r.low - 1) < 1e-9 AS low_ok, abs(k.high / r.high - 1) < 1e-9 AS high_ok
  FROM journey.kaplan_meier('{6,4,5,2,1,4,3,2}', '{f,t,t,f,t,f,t,t}') k
  JOIN ref r ON r.t = k.elapsed
 ORDER BY k.elapsed;

-- a 90% band: SurvfuncRight([3,3,3,5,8,8,9,12,12,15], [1,0,1,1,1,0,0,1,1,0]),
-- low 0.06720387493283697, 0.13411848079031974, 0.2141670985352373,
-- 0.5048289826342861 and high 0.5111697720331463, 0.6278650759496852,
-- 0.7273046424958438, 0.9800041774673641 at 3, 5, 8, 12
WITH ref(t, share, se, low, high) AS (VALUES
	(3::float8, 0.19999999999999996::float8, 0.1264911064067352::float8, 0.06720387493283697::float8, 0.5111697720331463::float8),
	(5, 0.31428571428571417, 0.15149401743232063, 0.13411848079031974, 0.6278650759496852),
	(8, 0.4285714285714285, 0.163774715491746, 0.2141670985352373, 0.7273046424958438),
	(12, 0.8095238095238095, 0.16482624934704707, 0.5048289826342861, 0.9800041774673641))
SELECT k.elapsed, k.at_risk, k.conversions, k.censored,
	   abs(k.share_converted / r.share - 1) < 1e-9 AS share_ok,
	   abs(k.std_error / r.se - 1) < 1e-9 AS se_ok,
	   abs(k.low / r.low - 1) < 1e-9 AS low_ok, abs(k.high / r.high - 1) < 1e-9 AS high_ok
  FROM journey.kaplan_meier('{3,3,3,5,8,8,9,12,12,15}', '{t,f,t,t,t,f,f,t,t,f}', 0.90) k
  LEFT JOIN ref r ON r.t = k.elapsed
 ORDER BY k.elapsed;

-- edge cases: nobody converted (share 0, no variance); everyone converted
-- (the last step leaves nobody: Greenwood's variance is undefined there,
-- NULL); no customers; NULL arrays
SELECT * FROM journey.kaplan_meier('{1,2}', '{f,f}');
SELECT elapsed, at_risk, conversions, share_converted, std_error IS NULL AS no_se, low, high
  FROM journey.kaplan_meier('{1,2}', '{t,t}');
SELECT count(*) FROM journey.kaplan_meier('{}', '{}');
SELECT count(*) FROM journey.kaplan_meier(NULL, '{t}');
-- errors
SELECT * FROM journey.kaplan_meier('{1,2}', '{t}');
SELECT * FROM journey.kaplan_meier('{1,NULL}', '{t,t}');
SELECT * FROM journey.kaplan_meier('{-1}', '{t}');
SELECT * FROM journey.kaplan_meier('{Infinity}', '{t}');
SELECT * FROM journey.kaplan_meier('{NaN}', '{t}');
SELECT * FROM journey.kaplan_meier('{1}', '{t}', 1);
SELECT * FROM journey.kaplan_meier('{1}', '{t}', NULL);
SELECT * FROM journey.kaplan_meier('{{1}}', '{{t}}');

------------------------------------------------------------------------
-- cohort_conversion and time_to_convert_curve
------------------------------------------------------------------------

-- 40 customers sign up every six hours from Monday 2026-03-02 (28 in the
-- first week, 12 in the second); all but every third activate (i % 5 + 1)
-- days later.  The time column is a timestamp without time zone, read in
-- the session's (UTC).  as_of 2026-03-14.
CREATE TABLE coh_events (customer text, at timestamp, what text, region text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('coh', 'coh_events', 'customer', 'at', 'what');
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('coh', 1, 'signup', 'signup'), ('coh', 2, 'activate', 'activate');
INSERT INTO coh_events
SELECT 'c' || i, '2026-03-02'::timestamp + (i - 1) * interval '6 hours', 'signup',
	   CASE WHEN i % 2 = 1 THEN 'north' ELSE 'south' END
  FROM generate_series(1, 40) i
UNION ALL
SELECT 'c' || i, '2026-03-02'::timestamp + (i - 1) * interval '6 hours' + (i % 5 + 1) * interval '1 day',
	   'activate', NULL
  FROM generate_series(1, 40) i WHERE i % 3 <> 0;

-- signals.py: week 1 entered 28, converted within 4 days 16 (rate
-- 0.5714285714285714), closes 2026-03-13 (closed by 2026-03-14); week 2
-- entered 12, converted 5 so far, closes 2026-03-20: open, no rate
SELECT segment, cohort, cohort_end, entered, converted, rate, round(rate_so_far::numeric, 6) AS so_far,
	   window_closed, closes_at, as_of_time
  FROM journey.cohort_conversion('coh', 'signup', 'activate', 'week', '4 days', '2026-03-14');

-- the closing edge: as_of exactly when week 1's window closes, and one
-- microsecond before
SELECT cohort, window_closed, rate IS NOT NULL AS has_rate
  FROM journey.cohort_conversion('coh', 'signup', period => 'week', conversion_window => '4 days',
								 as_of => '2026-03-13')
 ORDER BY cohort LIMIT 1;
SELECT cohort, window_closed, rate IS NOT NULL AS has_rate
  FROM journey.cohort_conversion('coh', 'signup', period => 'week', conversion_window => '4 days',
								 as_of => '2026-03-13'::timestamptz - interval '1 microsecond')
 ORDER BY cohort LIMIT 1;

-- as_of defaults to the last event (2026-03-15 06:00, the activations of
-- c34 and c38); by month and by day; per segment (region at signup)
SELECT cohort, entered, converted, window_closed, as_of_time
  FROM journey.cohort_conversion('coh', 'signup', period => 'month', conversion_window => '4 days');
SELECT cohort, cohort_end, entered, converted, window_closed, closes_at
  FROM journey.cohort_conversion('coh', 'signup', period => 'quarter', conversion_window => '4 days');
SELECT count(*) AS days, sum(entered) AS entered, count(*) FILTER (WHERE window_closed) AS closed
  FROM journey.cohort_conversion('coh', 'signup', period => 'day', conversion_window => '4 days',
								 as_of => '2026-03-14');
SELECT segment, cohort, entered, converted
  FROM journey.cohort_conversion('coh', 'signup', NULL, 'week', '4 days', '2026-03-14', 'region');

-- Kaplan-Meier of every customer, no window, censored at as_of
-- (signals.py: share 0.15, 0.275, 0.4361111111111111, 0.5548245614035088,
-- 0.6918016194331984 at 1..5 days; se 0.05645794895318107,
-- 0.07060010623221469, 0.07987495406952416, 0.08220674899394037,
-- 0.08053825262505365; median 4 days)
WITH ref(d, share, se) AS (VALUES
	(1, 0.15000000000000002::float8, 0.05645794895318107::float8),
	(2, 0.275, 0.07060010623221469), (3, 0.4361111111111111, 0.07987495406952416),
	(4, 0.5548245614035088, 0.08220674899394037), (5, 0.6918016194331984, 0.08053825262505365))
SELECT t.segment, t.cohort, t.customers, t.elapsed, t.at_risk, t.conversions, t.censored,
	   abs(t.share_converted / r.share - 1) < 1e-9 AS share_ok,
	   abs(t.std_error / r.se - 1) < 1e-9 AS se_ok,
	   t.median_seconds / 86400 AS median_days
  FROM journey.time_to_convert_curve('coh', 'signup', as_of => '2026-03-14') t
  LEFT JOIN ref r ON r.d * 86400 = t.elapsed_seconds
 WHERE t.conversions > 0
 ORDER BY t.elapsed;

-- north only (segment and the 4-day window: conversions after it are
-- censored at its end): signals.py share 0.15, 0.3, 0.46153846153846156,
-- 0.5692307692307692; low 0.05100389020620577 ... 0.3661723839806026;
-- high 0.39621030077970076 ... 0.7889150822717976; median 4 days
WITH ref(d, share, se, low, high) AS (VALUES
	(1, 0.15000000000000002::float8, 0.07984359711335655::float8, 0.05100389020620577::float8, 0.39621030077970076::float8),
	(2, 0.30000000000000004, 0.10246950765959599, 0.14748183144480875, 0.5494540152928442),
	(3, 0.46153846153846156, 0.1135955982658662, 0.271975975039608, 0.7009841509542822),
	(4, 0.5692307692307692, 0.11356754650639023, 0.3661723839806026, 0.7889150822717976))
SELECT t.segment, t.elapsed, t.at_risk, t.conversions,
	   abs(t.share_converted / r.share - 1) < 1e-9 AS share_ok,
	   abs(t.std_error / r.se - 1) < 1e-9 AS se_ok,
	   abs(t.low / r.low - 1) < 1e-9 AS low_ok, abs(t.high / r.high - 1) < 1e-9 AS high_ok,
	   t.median_seconds / 86400 AS median_days
  FROM journey.time_to_convert_curve('coh', 'signup', 'activate', NULL, '4 days', '2026-03-14',
							   'region') t
  JOIN ref r ON r.d * 86400 = t.elapsed_seconds
 WHERE t.segment = 'north'
 ORDER BY t.elapsed;

-- per weekly cohort (signals.py: week 1 ends at 0.6785714285714285 with
-- median 4 days; week 2 at 0.4642857142857142 after 3 days, then its one
-- customer still at risk at 5 days converts: 1, Greenwood undefined
-- (statsmodels: nan, here NULL), median 5 days)
SELECT cohort, customers, elapsed_seconds / 86400 AS days, at_risk, conversions,
	   round(share_converted::numeric, 9) AS share, std_error IS NULL AS no_se,
	   median_seconds / 86400 AS median_days
  FROM journey.time_to_convert_curve('coh', 'signup', period => 'week', as_of => '2026-03-14')
 WHERE conversions > 0 AND elapsed_seconds >= 3 * 86400
 ORDER BY cohort, elapsed_seconds;

-- errors
SELECT * FROM journey.cohort_conversion('coh', 'activate');
SELECT * FROM journey.cohort_conversion('coh', 'activate', 'signup');
SELECT * FROM journey.cohort_conversion('coh', 'nope');
SELECT * FROM journey.cohort_conversion('coh', 'signup', period => 'year');
SELECT * FROM journey.cohort_conversion('coh', 'signup', conversion_window => '-1 day');
SELECT * FROM journey.time_to_convert_curve('coh', 'signup', period => 'hour');
SELECT * FROM journey.time_to_convert_curve('coh', 'signup', confidence => 1.5);
SELECT * FROM journey.time_to_convert_curve('coh', 'signup', segment_column => 'nope');
SELECT * FROM journey.time_to_convert_curve('nope', 'signup');

-- a source without events: no rows
CREATE TABLE coh_empty (customer text, at timestamptz, what text);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('empty', 'coh_empty', 'customer', 'at', 'what');
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('empty', 1, 'a', 'a'), ('empty', 2, 'b', 'b');
SELECT count(*) FROM journey.cohort_conversion('empty', 'a');
SELECT count(*) FROM journey.time_to_convert_curve('empty', 'a');

-- leave the registry as it was found
DELETE FROM journey.source WHERE name IN ('coh', 'empty');
