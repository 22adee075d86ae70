#!/usr/bin/env bash
# test/suites/17_review_snapshot.sh: the review read from the snapshot
# against the live computation, on random events and monthly review cycles
# (closed ones and the current one):
#
#  - after every refresh (new rows for old and new customers, late rows
#    within the lookback, rows across a cycle's end) review_moments, review
#    and review_details read every cycle from the snapshot and equal the
#    live figures (cycle_moments, the previous cycle's rate, cycle_action,
#    which always read the events); cycles that end before the rows a
#    refresh reads are not recomputed;
#  - a cycle's dates edited, a cycle added, both without a refresh: the
#    cycles concerned are computed live (and equal the live figures), the
#    others still read the snapshot; the next refresh stores them again;
#  - moments or their step rules changed: every cycle live until the
#    refresh rebuilds.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DB=journey_review_snapshot
suite_random_database "$DB"
seed=$((SUITE_SEED % 1000000 + 1))
echo "seed $seed (JOURNEY_FUZZ_SEED=$SUITE_SEED repeats this run)"
q() { suite_q -d "$DB" "$@"; }

q -o /dev/null <<SQL
SET timezone = 'UTC';
CREATE EXTENSION journey;
CREATE TABLE ev AS SELECT customer_id, ts, event, channel, revenue
  FROM journey.sample_events(1500, $seed) WHERE ts < '2026-09-10';
CREATE INDEX ON ev (ts);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('shop', 'ev', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase');
INSERT INTO journey.moment (source, position, name, event_name) VALUES
  ('shop', 1, 'visit', 'site_visit'), ('shop', 2, 'signup', 'signup'),
  ('shop', 3, 'setup', 'setup_complete'), ('shop', 4, 'checkout', 'checkout'),
  ('shop', 5, 'purchase', 'purchase');
INSERT INTO journey.snapshot_setting (source, lookback) VALUES ('shop', '10 days');
-- monthly cycles from January to October (the current one)
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
SELECT 'shop', to_char(d, 'YYYY-MM'), d, (d + interval '1 month' - interval '1 day')::date
  FROM generate_series(date '2026-01-01', date '2026-10-01', interval '1 month') d;
INSERT INTO journey.note (source, moment, theme, body, noted_at)
SELECT 'shop', (ARRAY['visit', 'signup', 'checkout'])[1 + i % 3], 'theme ' || i % 4, 'note',
       timestamptz '2026-01-01' + i * interval '3 days'
  FROM generate_series(1, 60) i;

-- the live figures per cycle and moment: cycle_moments, the previous
-- cycle's rate, cycle_action (they always read the events)
CREATE FUNCTION live() RETURNS TABLE (cycle_id bigint, "position" int, moment text,
	reached bigint, moved_on bigint, rate float8, share_of_first float8, previous_rate float8,
	share_with_data float8, dark bool, stalled bigint, notes bigint)
LANGUAGE sql AS \$\$
	WITH c AS (SELECT id, lag(id) OVER (ORDER BY starts_on) AS prev
	             FROM journey.review_cycle WHERE source = 'shop')
	SELECT c.id, m.position, m.moment, m.reached, coalesce(m.moved_on, 0), m.rate, m.share_of_first,
	       p.rate, a.share_with_data, a.dark, coalesce(a.stalled, 0), a.notes
	  FROM c CROSS JOIN LATERAL journey.cycle_moments(c.id) m
	  LEFT JOIN LATERAL journey.cycle_action(c.id) a ON a.position = m.position
	  LEFT JOIN LATERAL journey.cycle_moments(c.prev) p ON p.position = m.position
\$\$;
-- the views as read (review_moments and review in one transaction, so that
-- both see the same rows), against live(): one line, "same" when all agree
CREATE FUNCTION compare() RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE
	rm text; lv text; rv text; rl text; dt text; dl text;
BEGIN
	CREATE TEMP TABLE l ON COMMIT DROP AS SELECT * FROM live();
	SELECT array_agg((cycle_id, position, moment, reached, moved_on, rate, share_of_first,
	                  previous_rate, share_with_data, dark, stalled, notes)
	                 ORDER BY cycle_id, position)::text INTO rm
	  FROM journey.review_moments WHERE source = 'shop';
	SELECT array_agg(l ORDER BY l.cycle_id, l.position)::text INTO lv FROM l;
	SELECT array_agg((r.cycle_id, r.moments, r.moments_improved, r.moments_declined,
	                  r.moments_dark, r.customers_stalled, r.notes) ORDER BY r.cycle_id)::text INTO rv
	  FROM journey.review r WHERE r.source = 'shop';
	SELECT array_agg((c.id, x.moments, x.improved, x.declined, x.dark, x.stalled, x.notes)
	                 ORDER BY c.id)::text INTO rl
	  FROM journey.review_cycle c
	 CROSS JOIN LATERAL (SELECT count(l.position) AS moments,
	                            count(*) FILTER (WHERE l.rate > l.previous_rate) AS improved,
	                            count(*) FILTER (WHERE l.rate < l.previous_rate) AS declined,
	                            count(*) FILTER (WHERE l.dark) AS dark,
	                            coalesce(sum(l.stalled), 0)::bigint AS stalled,
	                            coalesce(sum(l.notes), 0)::bigint AS notes
	                       FROM l WHERE l.cycle_id = c.id) x
	 WHERE c.source = 'shop';
	SELECT array_agg(d.moments ORDER BY c.id)::text INTO dt
	  FROM journey.review_cycle c CROSS JOIN LATERAL journey.review_details(c.id) d
	 WHERE c.source = 'shop';
	SELECT array_agg((SELECT jsonb_agg(jsonb_build_object(
	                     'moment', l.moment, 'reached', l.reached, 'rate', l.rate,
	                     'previous_rate', l.previous_rate, 'rate_change', l.rate - l.previous_rate,
	                     'share_with_data', l.share_with_data, 'dark', l.dark,
	                     'stalled', l.stalled, 'notes', l.notes) ORDER BY l.position)
	                    FROM l WHERE l.cycle_id = c.id) ORDER BY c.id)::text INTO dl
	  FROM journey.review_cycle c WHERE c.source = 'shop';
	DROP TABLE l;
	RETURN CASE WHEN rm IS NOT DISTINCT FROM lv AND rv IS NOT DISTINCT FROM rl
	                 AND dt IS NOT DISTINCT FROM dl AND lv IS NOT NULL THEN 'same'
	            ELSE format('review_moments %s review %s review_details %s',
	                        rm IS NOT DISTINCT FROM lv, rv IS NOT DISTINCT FROM rl,
	                        dt IS NOT DISTINCT FROM dl) END;
END;
\$\$;
-- the cycles read from the snapshot (review_moments, review and
-- review_details agree), as names; or a line saying they disagree
CREATE FUNCTION stored() RETURNS text LANGUAGE sql AS \$\$
	SELECT CASE WHEN count(*) FILTER (WHERE a IS DISTINCT FROM b OR b IS DISTINCT FROM d) > 0
	            THEN 'the views disagree'
	            ELSE coalesce(string_agg(name, ' ' ORDER BY name) FILTER (WHERE a), '') END
	  FROM (SELECT c.name,
	               (SELECT bool_and(m.from_snapshot) FROM journey.review_moments m
	                 WHERE m.cycle_id = c.id) AS a,
	               (SELECT r.from_snapshot FROM journey.review r WHERE r.cycle_id = c.id) AS b,
	               (SELECT d.from_snapshot FROM journey.review_details(c.id) d) AS d
	          FROM journey.review_cycle c WHERE c.source = 'shop') x
\$\$;
-- the cycles the last refresh computed
CREATE FUNCTION recomputed() RETURNS text LANGUAGE sql AS \$\$
	SELECT coalesce(string_agg(c.name, ' ' ORDER BY c.name), '')
	  FROM journey.snapshot_cycle x JOIN journey.snapshot s ON s.source = x.source
	  JOIN journey.review_cycle c ON c.id = x.cycle_id
	 WHERE x.source = 'shop' AND x.computed_at = s.computed_at
\$\$;
-- the cycles that end after t
CREATE FUNCTION ending_after(t timestamptz) RETURNS text LANGUAGE sql AS \$\$
	SELECT coalesce(string_agg(c.name, ' ' ORDER BY c.name), '')
	  FROM journey.review_cycle c WHERE c.source = 'shop' AND (c.ends_on + 1)::timestamptz > t
\$\$;
SQL
# (every session of this suite reads the cycles' dates in UTC)
export PGTZ=UTC
all=$(q -c "SELECT string_agg(name, ' ' ORDER BY name) FROM journey.review_cycle")

suite_expect "no snapshot: every cycle live" "$(q -c "SELECT stored()")" ""
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"
suite_expect "first refresh rebuilds" "$(q -c "SELECT rebuilt FROM journey.refresh('shop')")" "t"
suite_expect "  every cycle computed" "$(q -c "SELECT recomputed()")" "$all"
suite_expect "  every cycle read from the snapshot" "$(q -c "SELECT stored()")" "$all"
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"

# rounds of new rows: for old customers and new ones, from a few days
# before the highest event time seen (within the 10-day lookback) to a few
# days after it, some across a month's end
for round in 1 2 3 4 5 6; do
	until=$(q -c "SELECT events_until FROM journey.snapshot")
	q -c "INSERT INTO ev
	SELECT CASE WHEN customer_id % 3 = 0 THEN customer_id + 100000 * $round
	            ELSE (customer_id * 7919 + $round) % 1500 + 1 END,
	       timestamptz '$until' - interval '6 days' + (ts - timestamptz '2026-01-01') / 30,
	       event, channel, revenue
	  FROM journey.sample_events(200, $seed + $round)"
	threshold=$(q -c "SELECT timestamptz '$until' - interval '10 days'")
	read -r rebuilt rows <<<"$(q -F ' ' -c "SELECT rebuilt, rows_read FROM journey.refresh('shop')")"
	suite_expect "round $round: refreshed incrementally, new rows read" "$rebuilt $((rows > 0))" "f 1"
	expected=$(q -c "SELECT ending_after('$threshold')")
	suite_expect "  computed the cycles that end after the rows it read, alone ($expected)" \
		"$(q -c "SELECT recomputed()")" "$expected"
	suite_expect "  every cycle read from the snapshot" "$(q -c "SELECT stored()")" "$all"
	suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"
done
suite_expect "a refresh without new rows computes nothing" \
	"$(q -c "SELECT rows_read FROM journey.refresh('shop')") $(q -c "SELECT recomputed()")" "0 "

# a cycle's dates edited without a refresh: it and the next one live
q -c "UPDATE journey.review_cycle SET ends_on = '2026-05-20' WHERE name = '2026-05'"
suite_expect "cycle dates edited: it and the next live, the others stored" "$(q -c "SELECT stored()")" \
	"$(q -c "SELECT string_agg(name, ' ' ORDER BY name) FROM journey.review_cycle
	          WHERE name NOT IN ('2026-05', '2026-06')")"
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"
# a cycle added without a refresh (in the gap the edit left): live, and so
# is the one after it
q -c "INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
      VALUES ('shop', '2026-05b', '2026-05-21', '2026-05-31')"
suite_expect "cycle added: it and the next live" "$(q -c "SELECT stored()")" \
	"$(q -c "SELECT string_agg(name, ' ' ORDER BY name) FROM journey.review_cycle
	          WHERE name NOT IN ('2026-05', '2026-05b', '2026-06')")"
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"
suite_expect "the next refresh (no new rows) computes the two changed cycles" \
	"$(q -c "SELECT rows_read FROM journey.refresh('shop')") $(q -c "SELECT recomputed()")" "0 2026-05 2026-05b"
all=$(q -c "SELECT string_agg(name, ' ' ORDER BY name) FROM journey.review_cycle")
suite_expect "  every cycle read from the snapshot" "$(q -c "SELECT stored()")" "$all"
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"

# a step rule added, then its value changed: the snapshot's definition
# holds the rules, so the review is live until the refresh rebuilds
q -c "UPDATE journey.moment SET max_gap = '2 days' WHERE source = 'shop' AND position = 3"
suite_expect "step rule added: every cycle live" "$(q -c "SELECT stored()")" ""
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"
suite_expect "the next refresh rebuilds and computes every cycle" \
	"$(q -c "SELECT rebuilt FROM journey.refresh('shop')") $(q -c "SELECT recomputed()")" "t $all"
suite_expect "  every cycle read from the snapshot" "$(q -c "SELECT stored()")" "$all"
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"
q -c "UPDATE journey.moment SET max_gap = '3 days' WHERE source = 'shop' AND position = 3"
suite_expect "step rule's value changed: every cycle live" "$(q -c "SELECT stored()")" ""
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"
suite_expect "the next refresh rebuilds and computes every cycle" \
	"$(q -c "SELECT rebuilt FROM journey.refresh('shop')") $(q -c "SELECT recomputed()")" "t $all"
suite_expect "  every cycle read from the snapshot" "$(q -c "SELECT stored()")" "$all"
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"

# moments changed: live until the rebuild
q -c "UPDATE journey.moment SET max_gap = NULL WHERE source = 'shop' AND position = 3"
q -c "UPDATE journey.moment SET event_name = 'content_view' WHERE source = 'shop' AND position = 2"
suite_expect "moments changed: every cycle live" "$(q -c "SELECT stored()")" ""
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"
suite_expect "the next refresh rebuilds and computes every cycle" \
	"$(q -c "SELECT rebuilt FROM journey.refresh('shop')") $(q -c "SELECT recomputed()")" "t $all"
suite_expect "  every cycle read from the snapshot" "$(q -c "SELECT stored()")" "$all"
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"

# a cycle removed: the one after it reads its new previous cycle's stored
# rate; the removed cycle's rows go at the next refresh
q -c "DELETE FROM journey.review_cycle WHERE name = '2026-05b'"
suite_expect "cycle removed: every cycle left read from the snapshot" "$(q -c "SELECT stored()")" \
	"$(q -c "SELECT string_agg(name, ' ' ORDER BY name) FROM journey.review_cycle")"
suite_expect "  review = live" "$(q -c "SELECT compare()")" "same"
q -c "SELECT journey.refresh('shop')" >/dev/null
suite_expect "  the refresh deletes its rows" \
	"$(q -c "SELECT count(*) FROM journey.snapshot_cycle") $(q -c "SELECT count(DISTINCT cycle_id) FROM journey.snapshot_cycle_moment")" \
	"$(q -c "SELECT count(*) FROM journey.review_cycle") $(q -c "SELECT count(*) FROM journey.review_cycle")"
suite_expect "  every cycle read from the snapshot, review = live" \
	"$(q -c "SELECT stored() = string_agg(name, ' ' ORDER BY name) FROM journey.review_cycle") $(q -c "SELECT compare()")" \
	"t same"

exit $SUITE_FAILED
