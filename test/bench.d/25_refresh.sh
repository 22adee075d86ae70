# test/bench.d/25_refresh.sh: snapshots (sourced by test/bench).
#
# On a copy of bench_events (so that the pieces after this one see the
# events as generated), registered as source bench_snap with five moments,
# an index on its time column and the default lookback (1 day):
#
# 1. journey.refresh: a full rebuild, then a refresh after 1% new events
#    (sample journeys of 1% of the customers, added to existing customers
#    in the last hours), three times; the ratio of the rebuild to the
#    median refresh (the target is at least 20x).  Times are refresh's own
#    (clock time of the call, in one transaction).
#    The source has monthly review cycles over the sample year (the last
#    one, December and January, open: the new events land in it), so
#    each refresh includes computing the cycles its rows reach.
# 2. Each dashboard read from the snapshot against the same report
#    computed live from every event ("journey" = snapshot, "plain SQL" =
#    live): moment report, top paths, Sankey edges, the attribution path
#    rows, channel_attribution with all its default models (the snapshot
#    reads the stored credits and solves the stored Markov chain), the
#    dashboard views read from the snapshot, and the review (review_moments
#    and review, against the same figures computed live per cycle by
#    cycle_moments and cycle_action).
# 3. The refreshes of 1. again, with the open cycle starting in November
#    (a busy current cycle, recomputed by each refresh).

say "refresh: copying bench_events and registering it as source bench_snap"
psql_q <<'SQL'
CREATE TABLE bench_snap_events AS SELECT * FROM bench_events;
CREATE INDEX ON bench_snap_events (ts);
VACUUM ANALYZE bench_snap_events;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('bench_snap', 'bench_snap_events', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase');
INSERT INTO journey.moment (source, position, name, event_name) VALUES
  ('bench_snap', 1, 'visit', 'site_visit'), ('bench_snap', 2, 'signup', 'signup'),
  ('bench_snap', 3, 'setup', 'setup_complete'), ('bench_snap', 4, 'checkout', 'checkout'),
  ('bench_snap', 5, 'purchase', 'purchase');
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
SELECT 'bench_snap', to_char(d, 'YYYY-MM'), d,
       CASE WHEN d = date '2026-12-01' THEN date '2027-01-31'
            ELSE (d + interval '1 month' - interval '1 day')::date END
  FROM generate_series(date '2026-01-01', date '2026-12-01', interval '1 month') d;
SQL

say "refresh: full rebuild of $CUSTOMERS customers"
full=$(psql_q -At -c "SELECT seconds FROM journey.refresh('bench_snap', full => true)")
psql_q -At -c "SELECT format('snapshot: %s customers, %s in snapshot_customer, %s in the dashboard tables, %s in the stored attribution',
                      customers, pg_size_pretty(pg_total_relation_size('journey.snapshot_customer')),
                      pg_size_pretty(pg_total_relation_size('journey.snapshot_level')
                                     + pg_total_relation_size('journey.snapshot_gap')
                                     + pg_total_relation_size('journey.snapshot_gap_count')
                                     + pg_total_relation_size('journey.snapshot_path')
                                     + pg_total_relation_size('journey.snapshot_edge')
                                     + pg_total_relation_size('journey.snapshot_attr_path')),
                      pg_size_pretty(pg_total_relation_size('journey.snapshot_attr_credit')
                                     + pg_total_relation_size('journey.snapshot_markov_node')
                                     + pg_total_relation_size('journey.snapshot_markov_edge')
                                     + pg_total_relation_size('journey.snapshot_attr_drop')))
                 FROM journey.snapshot WHERE source = 'bench_snap'"
incr=()
for round in 1 2 3; do
	say "refresh: after 1% new events (round $round)"
	psql_q -q -c "INSERT INTO bench_snap_events
	  SELECT (customer_id * 7919 + $round) % $CUSTOMERS + 1,
	         (SELECT max(ts) FROM bench_snap_events) - interval '12 hours'
	           + (ts - timestamptz '2026-01-01') / 365,
	         event, channel, source, medium, revenue
	    FROM journey.sample_events(greatest($CUSTOMERS / 100, 1), 100 + $round)"
	incr+=("$(psql_q -At -c "SELECT seconds || ' ' || rows_read || ' ' || customers_changed
	                           FROM journey.refresh('bench_snap')")")
done
med=$(printf '%s\n' "${incr[@]}" | awk '{print $1}' | median)
read -r _ rows1 cust1 <<<"${incr[0]}"
printf '%-58s full rebuild %9.1f s  refresh after 1%% new events %7.2f s (median of %d: %s rows, %s customers each)  ratio %6.1fx (target >= 20x)\n' \
	"refresh: full rebuild vs 1% new events" "$full" "$med" "${#incr[@]}" "$rows1" "$cust1" \
	"$(awk -v a="$full" -v b="$med" 'BEGIN {print (b > 0) ? a / b : 0}')"

bench_compare "dashboard: moment report (snapshot vs live)" \
	"SELECT * FROM journey.snapshot_moment_report('bench_snap')" \
	"SELECT * FROM journey.moment_report('bench_snap')"
bench_compare "dashboard: top 10 paths (snapshot vs live)" \
	"SELECT * FROM journey.snapshot_path_report('bench_snap')" \
	"SELECT * FROM journey.path_report('bench_snap')"
bench_compare "dashboard: Sankey edges (snapshot vs live)" \
	"SELECT * FROM journey.snapshot_transition_report('bench_snap')" \
	"SELECT * FROM journey.transition_report('bench_snap')"
bench_compare "dashboard: attribution path rows (snapshot vs live)" \
	"SELECT * FROM journey.attribution_paths('bench_snap')" \
	"SELECT * FROM journey.attribution_paths('bench_snap', since => '-infinity')"
bench_compare "dashboard: channel_attribution, all default models (snapshot vs live)" \
	"SELECT * FROM journey.channel_attribution('bench_snap')" \
	"SELECT * FROM journey.channel_attribution('bench_snap', since => '-infinity')"
bench_time "dashboard view: channel_attribution from the snapshot" \
	"SELECT * FROM journey.channel_attribution WHERE source = 'bench_snap'"
bench_time "dashboard view: moment_conversion from the snapshot" \
	"SELECT * FROM journey.moment_conversion WHERE source = 'bench_snap'"
bench_time "dashboard view: top_paths from the snapshot" \
	"SELECT * FROM journey.top_paths WHERE source = 'bench_snap'"
bench_time "dashboard view: sankey_edges from the snapshot" \
	"SELECT * FROM journey.sankey_edges WHERE source = 'bench_snap'"
# the review: every cycle read from the snapshot, against the same figures
# computed live per cycle (the view itself computes them so without a
# current snapshot)
review_live="SELECT c.id, m.*, p.rate AS previous_rate, a.share_with_data, a.dark, a.stalled, a.notes
  FROM (SELECT id, lag(id) OVER (ORDER BY starts_on) AS prev FROM journey.review_cycle
         WHERE source = 'bench_snap') c
 CROSS JOIN LATERAL journey.cycle_moments(c.id) m
  LEFT JOIN LATERAL journey.cycle_action(c.id) a ON a.position = m.position
  LEFT JOIN LATERAL journey.cycle_moments(c.prev) p ON p.position = m.position"
psql_q -At -c "SELECT format('review: %s cycles, %s read from the snapshot', count(DISTINCT cycle_id),
                      count(DISTINCT cycle_id) FILTER (WHERE from_snapshot))
                 FROM journey.review_moments WHERE source = 'bench_snap'"
bench_compare "dashboard view: review_moments (snapshot vs live)" \
	"SELECT * FROM journey.review_moments WHERE source = 'bench_snap'" "$review_live"
bench_compare "dashboard view: review (snapshot vs live)" \
	"SELECT * FROM journey.review WHERE source = 'bench_snap'" "$review_live"

# A busy current cycle: the sample year thins out in December, so the open
# cycle above holds few rows.  Its start moved back to November 1 makes the
# cycle a refresh recomputes hold a dense month; then refreshes after 1% new
# events again, against the same full rebuild.
say "refresh: with a busy current cycle (November to January)"
psql_q -q -c "DELETE FROM journey.review_cycle WHERE source = 'bench_snap' AND starts_on = date '2026-11-01'" \
          -c "UPDATE journey.review_cycle SET starts_on = date '2026-11-01'
               WHERE source = 'bench_snap' AND starts_on = date '2026-12-01'"
psql_q -At -c "SELECT format('busy cycle: %s events from %s on', count(*), date '2026-11-01')
                 FROM bench_snap_events WHERE ts >= timestamptz '2026-11-01'"
psql_q -q -c "SELECT journey.refresh('bench_snap')" >/dev/null
busy=()
for round in 4 5 6; do
	psql_q -q -c "INSERT INTO bench_snap_events
	  SELECT (customer_id * 7919 + $round) % $CUSTOMERS + 1,
	         (SELECT max(ts) FROM bench_snap_events) - interval '12 hours'
	           + (ts - timestamptz '2026-01-01') / 365,
	         event, channel, source, medium, revenue
	    FROM journey.sample_events(greatest($CUSTOMERS / 100, 1), 100 + $round)"
	busy+=("$(psql_q -At -c "SELECT seconds FROM journey.refresh('bench_snap')")")
done
med=$(printf '%s\n' "${busy[@]}" | median)
printf '%-58s full rebuild %9.1f s  refresh after 1%% new events %7.2f s (median of %d)  ratio %6.1fx (target >= 20x)\n' \
	"refresh: the same with a busy current cycle" "$full" "$med" "${#busy[@]}" \
	"$(awk -v a="$full" -v b="$med" 'BEGIN {print (b > 0) ? a / b : 0}')"
