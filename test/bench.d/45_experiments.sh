# test/bench.d/45_experiments.sh: the result of one experiment over
# bench_events.  Every customer who signs up is assigned at their first
# signup, split by a hash of the id; journey.hypothesis_results counts
# setup_complete within 72 hours of assignment and runs the statistics,
# against plain SQL that counts the same conversions with a join (no
# statistics).  Then the review of two quarterly cycles (moment
# conversion of every moment, both cycles).  Sourced by test/bench.

psql_q <<'SQL'
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('bench', 'bench_events', 'customer_id', 'ts', 'event');
INSERT INTO journey.moment (source, position, name, event_name)
SELECT 'bench', p, e, e
  FROM unnest(ARRAY['first_contact', 'site_visit', 'signup', 'setup_complete', 'checkout',
					'purchase']) WITH ORDINALITY u(e, p);
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('bench', '2026 Q1', '2026-01-01', '2026-03-31'),
	   ('bench', '2026 Q2', '2026-04-01', '2026-06-30');
INSERT INTO journey.hypothesis (id, source, moment, target_moment, statement, conversion_window)
VALUES (1, 'bench', 'signup', 'setup_complete',
		'If we send an onboarding sequence after signup, more customers will complete setup.',
		'72 hours');
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
SELECT 1, customer_id::text,
	   CASE WHEN hashtext(customer_id::text) & 1 = 0 THEN 'control' ELSE 'treatment' END,
	   min(ts)
  FROM bench_events WHERE event = 'signup' GROUP BY customer_id;
ANALYZE journey.assignment;
SELECT count(*) AS units FROM journey.assignment;
SQL

bench_compare "hypothesis_results, one hypothesis (signups as units)" \
	"SELECT * FROM journey.hypothesis_results WHERE hypothesis_id = 1" \
	"SELECT a.variant, count(*), count(c.customer_id)
	   FROM journey.assignment a
	   LEFT JOIN (SELECT DISTINCT a2.customer_id
					FROM journey.assignment a2
					JOIN bench_events e ON e.customer_id::text = a2.customer_id
				   WHERE a2.hypothesis_id = 1 AND e.event = 'setup_complete'
					 AND e.ts >= a2.assigned_at AND e.ts <= a2.assigned_at + interval '72 hours') c
		 ON c.customer_id = a.customer_id
	  WHERE a.hypothesis_id = 1 GROUP BY a.variant"

bench_time "review_moments, two quarterly cycles" \
	"SELECT * FROM journey.review_moments WHERE source = 'bench'"
