# test/bench.d/47_action.sh: who to act on now, over bench_events.
#
# journey.stalled_customers (customers at checkout for at least 3 days
# without a purchase since, with their last channel and last event) and
# journey.inactive_customers (customers who purchased and have had no event
# for 30 days) read the relation through an index on (customer_id, ts): one
# pass over the rows of the two moments' events, then three index lookups
# per customer listed.  The plain-SQL twin is the one GROUP BY customer pass
# over every row that computes the same columns (which is also what the
# functions do when there is no such index).  The answers are checked equal
# before timing.  Then journey.moment_coverage over the six moments,
# journey.stalled_counts (what the review counts) and the journey.stalled
# view (every moment but the last), timed alone.
#
# The index is created here and dropped at the end, so that the other
# pieces read the table as they always do.  Sourced by test/bench.

psql_q <<'SQL'
\timing on
CREATE INDEX bench_events_customer_ts ON bench_events (customer_id, ts);
\timing off
ANALYZE bench_events;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column)
VALUES ('bench_action', 'bench_events', 'customer_id', 'ts', 'event', 'channel');
INSERT INTO journey.moment (source, position, name, event_name)
SELECT 'bench_action', p, e, e
  FROM unnest(ARRAY['first_contact', 'site_visit', 'signup', 'setup_complete', 'checkout',
					'purchase']) WITH ORDINALITY u(e, p);
SQL

# $1: the moment's event, $2: the next moment's event (or NULL), $3: which
# customers ("stalled" or "inactive"), $4: the wait
action_plain() {
	local listed
	if [ "$3" = stalled ]; then
		listed="a.arrived_at <= timestamptz '2026-07-01' - interval '$4' AND (a.moved_at IS NULL OR a.moved_at < a.arrived_at)"
	else
		listed="a.last_event_at <= timestamptz '2026-07-01' - interval '$4'"
	fi
	echo "SELECT a.customer_id::text, a.arrived_at, a.last_event_at, a.channel
  FROM (SELECT customer_id,
               max(ts) FILTER (WHERE event = '$1') AS arrived_at,
               max(ts) FILTER (WHERE event = $2) AS moved_at,
               max(ts) AS last_event_at,
               (array_agg(channel ORDER BY ts DESC, channel COLLATE \"C\" DESC)
                  FILTER (WHERE channel IS NOT NULL))[1] AS channel
          FROM bench_events WHERE ts < '2026-07-01' GROUP BY customer_id) a
 WHERE a.arrived_at IS NOT NULL AND $listed"
}

STALLED_JOURNEY="SELECT customer_id, arrived_at, last_event_at, last_channel
  FROM journey.stalled_customers('bench_action', 'checkout', '3 days', as_of => '2026-07-01')"
STALLED_PLAIN=$(action_plain checkout "'purchase'" stalled '3 days')
INACTIVE_JOURNEY="SELECT customer_id, arrived_at, last_event_at, last_channel
  FROM journey.inactive_customers('bench_action', 'purchase', '30 days', as_of => '2026-07-01')"
INACTIVE_PLAIN=$(action_plain purchase NULL inactive '30 days')

for pair in STALLED INACTIVE; do
	ours_q=${pair}_JOURNEY plain_q=${pair}_PLAIN
	counts=$(psql_q -At <<SQL
SELECT (SELECT count(*) FROM (${!ours_q}) o) || ' ' ||
       (SELECT count(*) FROM ((${!ours_q}) EXCEPT ALL (${!plain_q})) d) || ' ' ||
       (SELECT count(*) FROM ((${!plain_q}) EXCEPT ALL (${!ours_q})) d);
SQL
)
	read -r listed ours_only plain_only <<<"$counts"
	echo "action sanity ($pair): $listed customers listed, differing rows: $ours_only / $plain_only"
	if [ "$ours_only" != 0 ] || [ "$plain_only" != 0 ]; then
		echo "action: $pair differs from its plain-SQL twin" >&2
		exit 1
	fi
done

bench_compare "stalled_customers at checkout, 3 days (index lookups)" \
	"$STALLED_JOURNEY" "$STALLED_PLAIN"
bench_compare "inactive_customers after purchase, 30 days (index lookups)" \
	"$INACTIVE_JOURNEY" "$INACTIVE_PLAIN"
bench_time "moment_coverage, six moments, 30-day horizon" \
	"SELECT * FROM journey.moment_coverage('bench_action')"
bench_time "stalled_counts, every moment at once" \
	"SELECT * FROM journey.stalled_counts('bench_action', as_of => '2026-07-01')"
bench_time "journey.stalled view, five moments" \
	"SELECT * FROM journey.stalled WHERE source = 'bench_action'"

psql_q <<'SQL'
DELETE FROM journey.moment WHERE source = 'bench_action';
DELETE FROM journey.source WHERE name = 'bench_action';
DROP INDEX bench_events_customer_ts;
SQL
