# test/bench.d/22_sequences.sh: sequence_match and sequence_count against
# the plain-SQL way of answering the same question (sourced by test/bench).

bench_compare "sequence_match: signup then purchase within 7 days" \
	"SELECT count(*) FILTER (WHERE m) FROM (
		SELECT customer_id,
			   journey.sequence_match('(?1)(?t<=604800)(?2)', ts,
									  event = 'signup', event = 'purchase') AS m
		FROM bench_events GROUP BY customer_id) c" \
	"SELECT count(DISTINCT s.customer_id)
	 FROM bench_events s JOIN bench_events p
	   ON p.customer_id = s.customer_id AND s.event = 'signup' AND p.event = 'purchase'
	  AND p.ts >= s.ts AND p.ts <= s.ts + interval '7 days'"

# Rows for which no condition holds take no part in a match, so filtering
# them out first gives the same answer for every customer that has any.
bench_compare "sequence_match, rows filtered to the conditions" \
	"SELECT count(*) FILTER (WHERE m) FROM (
		SELECT customer_id,
			   journey.sequence_match('(?1)(?t<=604800)(?2)', ts,
									  event = 'signup', event = 'purchase') AS m
		FROM bench_events WHERE event IN ('signup', 'purchase')
		GROUP BY customer_id) c" \
	"SELECT count(DISTINCT s.customer_id)
	 FROM bench_events s JOIN bench_events p
	   ON p.customer_id = s.customer_id AND s.event = 'signup' AND p.event = 'purchase'
	  AND p.ts >= s.ts AND p.ts <= s.ts + interval '7 days'"

# A non-overlapping count of checkout ... purchase: a match ends at each
# purchase whose previous checkout-or-purchase event is a checkout.
bench_compare "sequence_count: checkout then purchase, non-overlapping" \
	"SELECT sum(n) FROM (
		SELECT journey.sequence_count('(?1).*(?2)', ts,
									  event = 'checkout', event = 'purchase') AS n
		FROM bench_events WHERE event IN ('checkout', 'purchase')
		GROUP BY customer_id) c" \
	"SELECT count(*) FROM (
		SELECT event, lag(event) OVER (PARTITION BY customer_id
									   ORDER BY ts, event = 'purchase') AS prev
		FROM bench_events WHERE event IN ('checkout', 'purchase')) e
	 WHERE event = 'purchase' AND prev = 'checkout'"
