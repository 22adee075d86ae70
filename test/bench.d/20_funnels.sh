# test/bench.d/20_funnels.sh: a 5-step window_funnel per customer against
# the plain-SQL first-occurrence join chain (one CTE per step, each joining
# the events after the previous step's time and within the window of step
# 1), both ending in a count of customers per level reached.
#
# Honest comparison: a first-occurrence chain starts only at each
# customer's first step-1 event, while window_funnel lets every step-1 event
# start a chain, so the two differ for customers who repeat step 1.  Step 1
# here is first_contact, which the sample data holds exactly once per
# customer; with one possible start, taking the first occurrence of each
# later step is optimal, so both queries compute the same thing.  The script
# checks once that the two distributions are equal before timing them.
# Both count only customers who reached step 1, and both read only the
# events of the five steps (the join chain filters each step's events; the
# window_funnel query filters the scan, which does not change its answer
# without strict_order, where rows meeting no step are ignored anyway).

FUNNEL_JOURNEY="SELECT lvl, count(*) FROM (
  SELECT customer_id,
         journey.window_funnel(ts, '7 days', event = 'first_contact', event = 'site_visit',
                               event = 'signup', event = 'checkout', event = 'purchase') AS lvl
    FROM bench_events
   WHERE event IN ('first_contact', 'site_visit', 'signup', 'checkout', 'purchase')
   GROUP BY customer_id) x
 WHERE lvl > 0 GROUP BY lvl ORDER BY lvl"

FUNNEL_PLAIN="WITH s1 AS (
  SELECT customer_id, min(ts) AS t1 FROM bench_events WHERE event = 'first_contact' GROUP BY customer_id
), s2 AS (
  SELECT s1.customer_id, s1.t1, min(e.ts) AS t2
    FROM s1 LEFT JOIN bench_events e ON e.customer_id = s1.customer_id AND e.event = 'site_visit'
         AND e.ts >= s1.t1 AND e.ts <= s1.t1 + interval '7 days'
   GROUP BY s1.customer_id, s1.t1
), s3 AS (
  SELECT s2.customer_id, s2.t1, s2.t2, min(e.ts) AS t3
    FROM s2 LEFT JOIN bench_events e ON e.customer_id = s2.customer_id AND e.event = 'signup'
         AND e.ts >= s2.t2 AND e.ts <= s2.t1 + interval '7 days'
   GROUP BY s2.customer_id, s2.t1, s2.t2
), s4 AS (
  SELECT s3.customer_id, s3.t1, s3.t2, s3.t3, min(e.ts) AS t4
    FROM s3 LEFT JOIN bench_events e ON e.customer_id = s3.customer_id AND e.event = 'checkout'
         AND e.ts >= s3.t3 AND e.ts <= s3.t1 + interval '7 days'
   GROUP BY s3.customer_id, s3.t1, s3.t2, s3.t3
), s5 AS (
  SELECT s4.customer_id, s4.t1, s4.t2, s4.t3, s4.t4, min(e.ts) AS t5
    FROM s4 LEFT JOIN bench_events e ON e.customer_id = s4.customer_id AND e.event = 'purchase'
         AND e.ts >= s4.t4 AND e.ts <= s4.t1 + interval '7 days'
   GROUP BY s4.customer_id, s4.t1, s4.t2, s4.t3, s4.t4
)
SELECT lvl, count(*) FROM (
  SELECT CASE WHEN t5 IS NOT NULL THEN 5 WHEN t4 IS NOT NULL THEN 4 WHEN t3 IS NOT NULL THEN 3
              WHEN t2 IS NOT NULL THEN 2 ELSE 1 END AS lvl
    FROM s5) x
 GROUP BY lvl ORDER BY lvl"

say "checking that both funnel queries give the same distribution"
funnel_a=$(psql_q -At -c "$FUNNEL_JOURNEY")
funnel_b=$(psql_q -At -c "$FUNNEL_PLAIN")
if [ "$funnel_a" != "$funnel_b" ]; then
	echo "window_funnel and the join chain disagree:" >&2
	diff <(echo "$funnel_a") <(echo "$funnel_b") >&2 || true
	exit 1
fi
echo "funnel levels (level|customers): $(echo "$funnel_a" | tr '\n' ' ')"

bench_compare "5-step window_funnel per customer vs join chain" "$FUNNEL_JOURNEY" "$FUNNEL_PLAIN"

# The floor under any funnel aggregate in this query: the same rows, the
# same five conditions evaluated and the same grouping, folded into a
# by-value bitmask that keeps no events (so it cannot tell the order of the
# steps, and is not a funnel).
bench_time "floor: the five conditions per customer, bit_or (no events kept)" \
"SELECT lvl, count(*) FROM (
  SELECT customer_id,
         bit_or((event = 'first_contact')::int | (event = 'site_visit')::int << 1 |
                (event = 'signup')::int << 2 | (event = 'checkout')::int << 3 |
                (event = 'purchase')::int << 4) % 6 AS lvl
    FROM bench_events
   WHERE event IN ('first_contact', 'site_visit', 'signup', 'checkout', 'purchase')
   GROUP BY customer_id) x
 WHERE lvl > 0 GROUP BY lvl ORDER BY lvl"
# ... and the floor under any aggregate that keeps a state per customer with
# window_funnel's arguments and state size (test/bench_floor): it only
# allocates the state and counts rows.
bench_time "floor: a do-nothing aggregate with window_funnel's arguments" \
"SELECT lvl, count(*) FROM (
  SELECT customer_id,
         floor_state(ts, '7 days', event = 'first_contact', event = 'site_visit',
                     event = 'signup', event = 'checkout', event = 'purchase') % 6 AS lvl
    FROM bench_events
   WHERE event IN ('first_contact', 'site_visit', 'signup', 'checkout', 'purchase')
   GROUP BY customer_id) x
 WHERE lvl > 0 GROUP BY lvl ORDER BY lvl"
