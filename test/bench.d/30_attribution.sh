# test/bench.d/30_attribution.sh: multi-touch attribution.
#
# 1. Linear revenue credit per channel: paths_to_conversion (one path per
#    purchase, touches since the previous purchase within 30 days) then
#    attribution(paths, 'linear') over its conversion_path[], against the plain window-function SQL that
#    numbers each customer's purchases, splits each purchase's revenue
#    equally over its touches and sums per channel.
# 2. The Markov model of order 1 to 4 on the path table of those paths.

ATTR_PATHS="SELECT unnest(journey.paths_to_conversion(channel, ts, event = 'purchase',
                                                     revenue::float8, '30 days')) AS p
              FROM bench_events GROUP BY customer_id"

ATTR_OURS="SELECT journey.attribution(a, 'linear')
   FROM (SELECT journey.paths_to_conversion(channel, ts, event = 'purchase',
                                            revenue::float8, '30 days') AS a
           FROM bench_events GROUP BY customer_id) s"
ATTR_PLAIN="WITH e AS (
   SELECT customer_id, ts, channel, event = 'purchase' AS conv, revenue,
          coalesce(count(*) FILTER (WHERE event = 'purchase')
                     OVER (PARTITION BY customer_id ORDER BY ts, channel
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS grp
     FROM bench_events),
 g AS (
   SELECT customer_id, grp, max(ts) FILTER (WHERE conv) AS conv_ts,
          sum(revenue) FILTER (WHERE conv)::float8 AS rev
     FROM e GROUP BY customer_id, grp HAVING bool_or(conv)),
 t AS (
   SELECT e.channel, g.rev, count(*) OVER (PARTITION BY e.customer_id, e.grp) AS n
     FROM e JOIN g USING (customer_id, grp)
    WHERE e.ts >= g.conv_ts - interval '30 days')
 SELECT channel, sum(rev / n) AS value, sum(1.0 / n) AS conversions
   FROM t GROUP BY channel"

# both must credit the same conversions and value to the same channels
# before they are timed (the regression test 32_attribution_view checks the
# same on sample journeys; floating-point sums may differ in their last bits)
say "checking that both linear attribution queries give the same credit"
attr_diff=$(psql_q -At -c "SELECT count(*)
  FROM unnest(($ATTR_OURS)) a FULL JOIN ($ATTR_PLAIN) b USING (channel)
 WHERE a.channel IS NULL OR b.channel IS NULL
    OR abs(a.value - b.value) > 1e-9 * (1 + abs(b.value))
    OR abs(a.conversions - b.conversions) > 1e-9 * (1 + abs(b.conversions))")
echo "attribution sanity: differing channels: $attr_diff"
[ "$attr_diff" = 0 ] || { echo "attribution sanity check FAILED" >&2; exit 1; }

bench_compare "attribution linear: paths_to_conversion + attribution" "$ATTR_OURS" "$ATTR_PLAIN"

# the path table, built once, for the Markov timings
psql_q -c "CREATE TABLE IF NOT EXISTS bench_attr_paths AS
  SELECT (p).path, count(*) FILTER (WHERE (p).converted) AS conversions,
         coalesce(sum((p).value) FILTER (WHERE (p).converted), 0) AS value,
         count(*) FILTER (WHERE NOT (p).converted) AS nulls
    FROM ($ATTR_PATHS) s GROUP BY (p).path" \
	-c "SELECT count(*) AS distinct_paths, sum(conversions) AS conversions FROM bench_attr_paths"
for k in 1 2 3 4; do
	bench_time "attribution markov(order=$k) on the path table" \
		"SELECT journey.attribution(path, conversions, value, nulls, 'markov(order=$k)')
		   FROM bench_attr_paths"
done
bench_time "attribution shapley on the path table" \
	"SELECT journey.attribution(path, conversions, value, nulls, 'shapley') FROM bench_attr_paths"
