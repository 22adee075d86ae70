# test/bench.d/10_paths.sh: paths (sourced by test/bench).
#
# (a) The top-paths query: every customer's channel path, then the 20 most
#     common paths.  journey.path_agg sorts each customer's events itself
#     (no ORDER BY inside the call); the plain twin is string_agg with
#     ORDER BY ts.  Ours is timed twice: grouping by the text[] path as
#     returned, and as a '>'-joined string like the plain twin's.
#     For scale, two of PostgreSQL's own unordered aggregates run the same
#     query (bench_time: no twin).
# (b) paths_to_conversion with a 30-day lookback (conversion = purchase,
#     value = revenue) against the window-function SQL that builds the same
#     paths (the regression test 10_paths_conversion checks both give the
#     same rows, and this script checks it again on the benchmark's data);
#     both then count paths and sum value per (path, converted).

bench_sanity_paths() {
	# both sides of (a) must agree before they are timed
	local diff
	diff=$(psql_q -At <<'SQL'
SELECT count(*) FROM (
  (SELECT array_to_string(journey.path_agg(channel, ts), '>') FROM bench_events GROUP BY customer_id
   EXCEPT ALL
   SELECT string_agg(channel, '>' ORDER BY ts, channel COLLATE "C") FROM bench_events GROUP BY customer_id)
  UNION ALL
  (SELECT string_agg(channel, '>' ORDER BY ts, channel COLLATE "C") FROM bench_events GROUP BY customer_id
   EXCEPT ALL
   SELECT array_to_string(journey.path_agg(channel, ts), '>') FROM bench_events GROUP BY customer_id)) d;
SQL
)
	echo "paths sanity: path_agg vs string_agg differing customers: $diff"
	[ "$diff" = 0 ] || { echo "paths sanity check FAILED" >&2; return 1; }
}
bench_sanity_paths

plain_top_paths="SELECT path, count(*) AS customers
   FROM (SELECT string_agg(channel, '>' ORDER BY ts) AS path
           FROM bench_events GROUP BY customer_id) s
  GROUP BY path ORDER BY customers DESC LIMIT 20"

bench_compare "top 20 paths: path_agg (text[]) vs string_agg" \
"SELECT path, count(*) AS customers
   FROM (SELECT journey.path_agg(channel, ts) AS path
           FROM bench_events GROUP BY customer_id) s
  GROUP BY path ORDER BY customers DESC LIMIT 20" \
"$plain_top_paths"

bench_compare "top 20 paths: array_to_string(path_agg) vs string_agg" \
"SELECT path, count(*) AS customers
   FROM (SELECT array_to_string(journey.path_agg(channel, ts), '>') AS path
           FROM bench_events GROUP BY customer_id) s
  GROUP BY path ORDER BY customers DESC LIMIT 20" \
"$plain_top_paths"

# What any per-customer aggregate costs in the same query: PostgreSQL's own
# aggregates with an internal state and no ordering (they do not sort, so
# they are not the same answer in general; here the table is read in time
# order).  No path aggregate that keeps every event can beat these by much.
bench_time "reference: string_agg(channel, '>') without ORDER BY" \
"SELECT path, count(*) AS customers
   FROM (SELECT string_agg(channel, '>') AS path
           FROM bench_events GROUP BY customer_id) s
  GROUP BY path ORDER BY customers DESC LIMIT 20"
bench_time "reference: array_agg(channel) without ORDER BY" \
"SELECT path, count(*) AS customers
   FROM (SELECT array_agg(channel) AS path
           FROM bench_events GROUP BY customer_id) s
  GROUP BY path ORDER BY customers DESC LIMIT 20"
# ... and the floor under any aggregate with path_agg's arguments and state
# size (test/bench_floor): it only allocates the state and counts rows.
bench_time "floor: a do-nothing aggregate with path_agg's arguments" \
"SELECT path, count(*) AS customers
   FROM (SELECT floor_state(channel, ts) AS path
           FROM bench_events GROUP BY customer_id) s
  GROUP BY path ORDER BY customers DESC LIMIT 20"

# (b): both sides in full, before the top 20 is taken; they must give the
# same (path, converted) rows with the same counts and values before they are
# timed (floating-point sums may differ in their last bits)
PTC_OURS="SELECT p.path, p.converted, count(*) AS paths, sum(p.value) AS value
   FROM (SELECT journey.paths_to_conversion(channel, ts, event = 'purchase',
                                            revenue::float8, '30 days') AS ps
           FROM bench_events GROUP BY customer_id) s,
        unnest(s.ps) AS p
  GROUP BY p.path, p.converted"
PTC_PLAIN="WITH e AS (
   SELECT customer_id, ts, channel, event = 'purchase' AS conv,
          CASE WHEN event = 'purchase' THEN coalesce(revenue, 0)::float8 ELSE 0 END AS value
     FROM bench_events WHERE channel IS NOT NULL AND ts IS NOT NULL
 ), s AS (
   SELECT *, count(*) FILTER (WHERE conv) OVER (
               PARTITION BY customer_id ORDER BY ts, channel COLLATE \"C\", conv, value
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS seg
     FROM e
 ), b AS (
   SELECT *, max(ts) FILTER (WHERE conv) OVER (PARTITION BY customer_id, seg) AS conv_ts,
             max(ts) OVER (PARTITION BY customer_id, seg) AS last_ts
     FROM s
 ), paths AS (
   SELECT array_agg(channel ORDER BY ts, channel COLLATE \"C\", conv, value) AS path,
          bool_or(conv) AS converted, sum(value) AS value
     FROM b
    WHERE ts >= coalesce(conv_ts, last_ts) - interval '720 hours'
    GROUP BY customer_id, seg
 )
 SELECT path, converted, count(*) AS paths, sum(value) AS value
   FROM paths GROUP BY path, converted"

say "checking that both paths_to_conversion queries give the same rows"
ptc_diff=$(psql_q -At -c "SELECT count(*) FROM ($PTC_OURS) a FULL JOIN ($PTC_PLAIN) b USING (path, converted)
 WHERE a.paths IS DISTINCT FROM b.paths
    OR (a.value IS NULL) <> (b.value IS NULL)
    OR abs(a.value - b.value) > 1e-9 * (1 + abs(b.value))")
echo "paths_to_conversion sanity: differing (path, converted) rows: $ptc_diff"
[ "$ptc_diff" = 0 ] || { echo "paths_to_conversion sanity check FAILED" >&2; exit 1; }

bench_compare "paths_to_conversion (30 days) vs window-function SQL" \
	"$PTC_OURS ORDER BY paths DESC LIMIT 20" "$PTC_PLAIN ORDER BY paths DESC LIMIT 20"
