-- test/upgrade/answers.sql: answers of the public functions and views over
-- the registry of fill.sql; test/suites/90_upgrade.sh runs it under 0.1.0 and
-- again after ALTER EXTENSION journey UPDATE and requires the same output.
-- A function whose answer changes on purpose in a release is listed in the
-- release's upgrade notes and its query here is changed in the same commit.
\pset format unaligned
\pset tuples_only on
SET extra_float_digits = 0;
SELECT 'paths', p, count(*) FROM (SELECT journey.path_agg(channel, ts) AS p
                                     FROM up_events GROUP BY customer_id) s
 GROUP BY p ORDER BY 3 DESC, 2 LIMIT 8;
SELECT 'transform', journey.path_transform(ARRAY['a','a','b','a','c'], 'exposure'),
       journey.path_transform(ARRAY['a','a','b','a','c'], 'frequency');
SELECT 'transitions', t.* FROM journey.transitions(ARRAY['a','b','c']) t;
SELECT 'funnel', lvl, count(*) FROM (
  SELECT journey.window_funnel(ts, '7 days', event = 'site_visit', event = 'signup',
                               event = 'checkout', event = 'purchase') AS lvl
    FROM up_events GROUP BY customer_id) f GROUP BY lvl ORDER BY lvl;
SELECT 'funnel_strict', lvl, count(*) FROM (
  SELECT journey.window_funnel(ts, '7 days', 'strict_order', event = 'site_visit',
                               event = 'signup', event = 'purchase') AS lvl
    FROM up_events GROUP BY customer_id) f GROUP BY lvl ORDER BY lvl;
SELECT 'sequence', count(*) FILTER (WHERE m), sum(c) FROM (
  SELECT journey.sequence_match('(?1).*(?2)(?t<=86400)(?3)', ts, event = 'site_visit',
                                event = 'signup', event = 'purchase') AS m,
         journey.sequence_count('(?1).*(?2)', ts, event = 'site_visit', event = 'signup') AS c
    FROM up_events GROUP BY customer_id) s;
SELECT 'retention', r, count(*) FROM (
  SELECT journey.retention(event = 'site_visit', event = 'signup', event = 'purchase') AS r
    FROM up_events GROUP BY customer_id) s GROUP BY r ORDER BY 2 DESC, 1;
WITH paths AS (
  SELECT journey.paths_to_conversion(channel, ts, event = 'purchase', revenue::float8,
                                     '30 days') AS p
    FROM up_events GROUP BY customer_id)
SELECT 'attribution', m, c.channel, round(c.conversions::numeric, 6), round(c.value::numeric, 4)
  FROM unnest(ARRAY['first_touch', 'last_touch', 'linear', 'position_based',
                    'markov', 'markov(order=2)']) m,
       LATERAL (SELECT journey.attribution(p, m) AS credit FROM paths) a,
       unnest(a.credit) c
 ORDER BY 2, 3;
SELECT 'weights', journey.touch_weights(ARRAY['a','b','c','d'], 'position_based'),
       journey.touch_weights(ARRAY['a','b'], 'time_decay(half_life=1 day)',
                             ARRAY['2026-01-01', '2026-01-02']::timestamptz[], '2026-01-03');
SELECT 'stats', journey.proportion_test(100, 1000, 120, 1000, 0.05);
SELECT 'wilson', journey.wilson_interval(30, 100, 0.95);
SELECT 'sample_size', journey.sample_size(0.1, 0.02, 0.05, 0.8);
SELECT 'srm', round(journey.srm_test(ARRAY[5000, 5100]::bigint[], ARRAY[1, 1]::float8[])::numeric, 10);
SELECT 'beat', round(journey.prob_to_beat(100, 1000, 120, 1000)::numeric, 10);
SELECT 'p_adjust', journey.p_adjust(ARRAY[0.01, 0.04, 0.03]::float8[], 'holm');
SELECT 'labels', journey.normalize_label('  Ｇoogle   Ads '), journey.default_channel('google', 'cpc'),
       journey.default_channel('news', 'email');
SELECT 'moments', r.* FROM journey.moment_report('shop') r;
-- (0.2.0's customers_next is 0 at the last moment, where 0.1.0 gave NULL;
-- the columns 0.2.0 added are left out)
SELECT 'conversion', c.source, c.segment, c.position, c.moment, c.customers_reached,
       CASE WHEN c.position < max(c.position) OVER (PARTITION BY c.source, c.segment)
            THEN c.customers_next END,
       c.conversion_rate, c.drop_off_rate, c.median_time_to_next
  FROM journey.moment_conversion c;
-- (fractribution, the leave-one-out model, is new in 0.2.0)
SELECT 'channel_attribution', source, model, channel, round(conversions::numeric, 6)
  FROM journey.channel_attribution WHERE model <> 'fractribution' ORDER BY 2, 3, 4;
SELECT 'results', hypothesis_id, variant, units, conversions FROM journey.hypothesis_results
 ORDER BY 2, 3;
