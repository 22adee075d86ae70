-- Demo: one worked review cycle on the sample journeys, from an if-then
-- hypothesis through its assignments and result to the decision and the
-- cycle's review.
\echo
\echo '# A review cycle: hypothesis, experiment, decision'
\echo

-- The shop's journey (registered by the moments piece; registered here only
-- when that piece has not run).
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

-- Two quarterly cycles.
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('shop', '2026 Q1', '2026-01-01', '2026-03-31'),
	   ('shop', '2026 Q2', '2026-04-01', '2026-06-30');

-- The hypothesis for Q2, tied to the moment it acts on (signup) and the
-- moment it should move (setup_complete).
-- Its results are read at every review: sequential (always-valid) p-values.
INSERT INTO journey.hypothesis (source, moment, target_moment, statement, mechanism,
								conversion_window, cycle_id, minimum_effect, sequential)
SELECT 'shop', 'signup', 'setup_complete',
	   'If we send a personalised onboarding sequence in the first 72 hours after signup, more customers will complete setup.',
	   'New customers stall on setup because they do not know the next step; a timely reminder shows it.',
	   '72 hours', id, 0.03, true
  FROM journey.review_cycle WHERE source = 'shop' AND name = '2026 Q2';

-- And one for the next cycle.
INSERT INTO journey.hypothesis (source, moment, target_moment, statement, conversion_window)
VALUES ('shop', 'checkout', 'purchase',
		'If checkout offers a one-click express payment, more customers who reach checkout will purchase.',
		'1 day');

-- Assignment: every customer who signs up during Q2, at the instant of their
-- first signup, split 50/50 by a hash of the customer id (stable: a customer
-- always lands in the same variant).
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
SELECT h.id, e.customer_id::text,
	   CASE WHEN hashtext(e.customer_id::text) & 1 = 0 THEN 'control' ELSE 'onboarding_sequence' END,
	   min(e.ts)
  FROM events e, journey.hypothesis h
 WHERE h.source = 'shop' AND h.moment = 'signup' AND e.event = 'signup'
 GROUP BY h.id, e.customer_id
HAVING min(e.ts) >= '2026-04-01' AND min(e.ts) < '2026-07-01';

SELECT h.id, h.status, count(a.*) AS customers_assigned
  FROM journey.hypothesis h LEFT JOIN journey.assignment a ON a.hypothesis_id = h.id
 WHERE h.source = 'shop' GROUP BY h.id, h.status ORDER BY h.id;

\echo '## The experiment goes live'
SELECT id, status, cycle_id FROM journey.start_hypothesis(
	(SELECT id FROM journey.hypothesis WHERE source = 'shop' AND moment = 'signup'));

\echo '## Its result: setup completed within 72 hours of signup, per variant'
SELECT r.variant, r.units, r.conversions, round(r.rate::numeric, 4) AS rate,
	   round(r.lift::numeric, 4) AS lift,
	   round(r.lift_low::numeric, 4) AS lift_low, round(r.lift_high::numeric, 4) AS lift_high,
	   round(r.p_value::numeric, 4) AS p_value, round(r.prob_to_beat::numeric, 4) AS prob_to_beat,
	   round(r.srm_p_value::numeric, 4) AS srm_p_value, r.verdict
  FROM journey.hypothesis_results r JOIN journey.hypothesis h ON h.id = r.hypothesis_id
 WHERE h.source = 'shop'
 ORDER BY r.hypothesis_id, r.variant <> 'control', r.variant;

\echo '## The decision follows the verdict'
SELECT id, status, decision, learning
  FROM journey.conclude_hypothesis(
	(SELECT id FROM journey.hypothesis WHERE source = 'shop' AND moment = 'signup'),
	(SELECT CASE r.verdict WHEN 'significant win' THEN 'ship' WHEN 'significant loss' THEN 'discard'
						   ELSE 'iterate' END
	   FROM journey.hypothesis_results r JOIN journey.hypothesis h ON h.id = r.hypothesis_id
	  WHERE h.source = 'shop' AND h.moment = 'signup' AND r.variant = 'onboarding_sequence'),
	(SELECT format('Onboarding sequence: %s (setup rate %s vs %s in control, p = %s). %s',
				   r.verdict, round(r.rate::numeric, 3), round(c.rate::numeric, 3),
				   round(r.p_value::numeric, 3),
				   CASE r.verdict WHEN 'significant win' THEN 'Roll it out to every new customer.'
								  WHEN 'significant loss' THEN 'Stop it; the reminders put customers off.'
								  WHEN 'not enough units' THEN 'Too few customers in one quarter to detect the 3-point change we care about; next: a shorter sequence aimed at the setup step, run over two quarters.'
								  ELSE 'No effect of the size we care about; try a different mechanism.' END)
	   FROM journey.hypothesis_results r
	   JOIN journey.hypothesis h ON h.id = r.hypothesis_id
	   JOIN journey.hypothesis_results c ON c.hypothesis_id = r.hypothesis_id AND c.variant = 'control'
	  WHERE h.source = 'shop' AND h.moment = 'signup' AND r.variant = 'onboarding_sequence'));

\echo '## The review: each moment''s conversion rate against the previous cycle'
SELECT cycle, moment, reached, moved_on, round(rate::numeric, 4) AS rate,
	   round(previous_rate::numeric, 4) AS previous_rate, round(rate_change::numeric, 4) AS rate_change
  FROM journey.review_moments WHERE source = 'shop' ORDER BY cycle, position;

\echo '## The review: what was tested, what was learned, what is next'
\x on
SELECT r.cycle, r.starts_on, r.ends_on,
	   (SELECT string_agg(format('[%s] %s', coalesce(h.decision, h.part), h.statement), E'\n'
						  ORDER BY h.ended_at, h.hypothesis_id)
		  FROM journey.review_hypotheses h
		 WHERE h.cycle_id = r.cycle_id AND h.part IN ('tested', 'abandoned')) AS tested,
	   r.learned,
	   (SELECT string_agg(format('[%s] %s', h.status, h.statement), E'\n'
						  ORDER BY h.status DESC, h.hypothesis_id)
		  FROM journey.review_hypotheses h
		 WHERE h.cycle_id = r.cycle_id AND h.part = 'next') AS next,
	   r.moments_improved, r.moments_declined
  FROM journey.review r WHERE r.source = 'shop' ORDER BY r.starts_on;
\x off
