-- Demo: from signals to action on the sample journeys: what data there is
-- after each moment, who to act on now, and what customers said, as the
-- review of the cycle shows them.
\echo
\echo '# From signals to action'
\echo

-- The shop's journey (registered by the review cycle piece; registered here
-- only when that piece has not run), with two quarterly cycles.
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
							channel_column, value_column, conversion_event)
VALUES ('shop', 'events', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase')
ON CONFLICT DO NOTHING;
INSERT INTO journey.moment (source, position, name, event_name)
SELECT 'shop', p, e, e
  FROM unnest(ARRAY['first_contact', 'site_visit', 'signup', 'setup_complete', 'checkout',
					'purchase']) WITH ORDINALITY u(e, p)
 WHERE NOT EXISTS (SELECT 1 FROM journey.moment WHERE source = 'shop')
ON CONFLICT DO NOTHING;
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
SELECT 'shop', n, s, e
  FROM (VALUES ('2026 Q1', date '2026-01-01', date '2026-03-31'),
			   ('2026 Q2', date '2026-04-01', date '2026-06-30')) c(n, s, e)
 WHERE NOT EXISTS (SELECT 1 FROM journey.review_cycle WHERE source = 'shop')
ON CONFLICT DO NOTHING;

\echo '## What data do we have after each moment? (30-day horizon)'
SELECT position AS "#", moment, customers_reached AS reached,
	   customers_with_data AS "with data after",
	   round(100 * share_with_data::numeric, 1) AS "share %",
	   event_types_after AS "event types",
	   justify_hours(date_trunc('minute', median_silent_gap)) AS "median gap to next event",
	   dark
  FROM journey.moment_coverage('shop') ORDER BY position;

\echo '## Who to act on now: at checkout for 3 days or more without a purchase, on 1 July'
SELECT count(*) AS stalled_at_checkout,
	   count(*) FILTER (WHERE window_open) AS window_still_open
  FROM journey.stalled_customers('shop', 'checkout', '3 days', as_of => '2026-07-01');
SELECT customer_id, arrived_at, justify_hours(date_trunc('minute', waiting)) AS waiting,
	   segment AS first_source, last_channel, window_open, action_key
  FROM journey.stalled_customers('shop', 'checkout', '3 days', 'source', '2026-07-01')
 ORDER BY arrived_at DESC LIMIT 8;

\echo '## Gone quiet: purchased, then no event for 30 days, on 1 July'
SELECT count(*) AS inactive_after_purchase,
	   count(DISTINCT last_channel) AS channels
  FROM journey.inactive_customers('shop', 'purchase', '30 days', as_of => '2026-07-01');

\echo '## What customers said: notes from a survey, support tickets and sales calls in Q2'
-- (the stalled customers at checkout and setup are the ones asked)
INSERT INTO journey.note (source, moment, customer_id, noted_at, origin, theme, body)
SELECT 'shop', s.moment, s.customer_id, s.arrived_at + interval '4 days', s.origin, s.theme, s.body
  FROM (SELECT 'checkout' AS moment, c.customer_id, c.arrived_at,
			   (ARRAY['survey', 'support ticket', 'sales call'])[1 + c.n % 3] AS origin,
			   (ARRAY['delivery cost', 'delivery cost', 'price', 'payment failed'])[1 + c.n % 4] AS theme,
			   (ARRAY['Shipping doubled the total at the last step.',
					  'Did not expect to pay for delivery.',
					  'Cheaper elsewhere.',
					  'My card was declined twice.'])[1 + c.n % 4] AS body
		  FROM (SELECT customer_id, arrived_at, row_number() OVER (ORDER BY arrived_at) AS n
				  FROM journey.stalled_customers('shop', 'checkout', '3 days', as_of => '2026-06-27',
												 since => '2026-04-01')) c
		 WHERE c.n <= 14
		UNION ALL
		SELECT 'setup_complete', c.customer_id, c.arrived_at, 'support ticket',
			   (ARRAY['import failed', 'setup help', 'setup help'])[1 + c.n % 3],
			   (ARRAY['The CSV import stopped at line 1.',
					  'Which plan do I pick to invite my team?',
					  'Could not find where to connect my shop.'])[1 + c.n % 3]
		  FROM (SELECT customer_id, arrived_at, row_number() OVER (ORDER BY arrived_at) AS n
				  FROM journey.stalled_customers('shop', 'setup_complete', '3 days', as_of => '2026-06-27',
												 since => '2026-04-01')) c
		 WHERE c.n <= 9) s;
SELECT cycle, moment, theme, notes, customers
  FROM journey.review_heard WHERE source = 'shop' ORDER BY cycle, position, notes DESC, theme;

\echo '## The review, per moment: coverage, customers stalled at the end of the cycle, notes'
SELECT cycle, moment, reached, round(rate::numeric, 4) AS rate,
	   round(share_with_data::numeric, 3) AS share_with_data, dark, stalled, notes
  FROM journey.review_moments WHERE source = 'shop' ORDER BY cycle, position;

\echo '## The review: what we heard'
\x on
SELECT cycle, moments_dark, customers_stalled, notes, heard
  FROM journey.review WHERE source = 'shop' ORDER BY starts_on;
\x off
