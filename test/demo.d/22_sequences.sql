-- Demo: sequence patterns over the sample journeys.
\echo
\echo '== Sequences: who signed up and then purchased, and who came back'

-- Of the customers who signed up, how many purchased within 7 days of signing
-- up (any events may lie in between), how many later at all, and how many
-- came back for a return visit after a purchase.
SELECT count(*) FILTER (WHERE signed_up) AS signed_up,
	   count(*) FILTER (WHERE bought_7d) AS purchased_within_7_days,
	   round(100.0 * count(*) FILTER (WHERE bought_7d)
			 / nullif(count(*) FILTER (WHERE signed_up), 0), 1) AS pct_within_7_days,
	   count(*) FILTER (WHERE bought_ever) AS purchased_ever,
	   count(*) FILTER (WHERE purchased) AS purchasers,
	   count(*) FILTER (WHERE came_back) AS returned_after_purchase,
	   round(100.0 * count(*) FILTER (WHERE came_back)
			 / nullif(count(*) FILTER (WHERE purchased), 0), 1) AS pct_returned
FROM (
	SELECT customer_id,
		   journey.sequence_match('(?1)', ts, event = 'signup') AS signed_up,
		   journey.sequence_match('(?1)(?t<=604800)(?2)', ts,
								  event = 'signup', event = 'purchase') AS bought_7d,
		   journey.sequence_match('(?1).*(?2)', ts,
								  event = 'signup', event = 'purchase') AS bought_ever,
		   journey.sequence_match('(?1)', ts, event = 'purchase') AS purchased,
		   journey.sequence_match('(?1).*(?2)', ts,
								  event = 'purchase', event = 'return_visit') AS came_back
	FROM events
	GROUP BY customer_id
) per_customer;

-- How often customers went round the loop "return visit, then purchase":
-- non-overlapping repeats per customer.
SELECT repeats AS return_then_purchase, count(*) AS customers
FROM (
	SELECT customer_id,
		   journey.sequence_count('(?1).*(?2)', ts,
								  event = 'return_visit', event = 'purchase') AS repeats
	FROM events
	GROUP BY customer_id
) per_customer
GROUP BY repeats
ORDER BY repeats;
