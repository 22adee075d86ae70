#!/usr/bin/env bash
# test/suites/31_attribution_snapshot.sh: the attribution a snapshot keeps
# (src/sql/31_attribution_snapshot.sql) against the live computation, on a
# random source refreshed several times: new customers, new events of
# existing customers, late events within the lookback, conversions with
# values (some with several conversions per customer, some without a
# value).  After every refresh, channel_attribution(source) read from the
# snapshot equals the live one (since => '-infinity' forces live) for every
# default model and channel, as the text of each float8 (conversions,
# value, removal effect, shares): exactly, the same bits.  Also:
#  - the stored sums after the refreshes equal those of a full rebuild;
#  - participation (read as shapley's stored credits) and markov(order=1)
#    and time_decay(half_life=7 days) (computed from the snapshot's paths,
#    not stored) equal their live twins;
#  - the snapshot was read (from_snapshot, and no model of the view fell
#    back to the paths).
#
# Random: JOURNEY_FUZZ_SEED fixes the seed (a fresh one otherwise, always
# printed).  Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by
# test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

suite_random_database journey_attr_snapshot
seed=$SUITE_SEED db=journey_attr_snapshot
echo "seed $seed (JOURNEY_FUZZ_SEED=$seed repeats this run)"
SUITE_FAILED=0

suite_q -d "$db" <<SQL >/dev/null
CREATE EXTENSION journey;
SELECT setseed(($seed % 1000000) / 1000000.0);
CREATE TABLE ev (customer_id bigint, ts timestamptz, event text, channel text, revenue float8);
CREATE INDEX ON ev (ts);
INSERT INTO ev SELECT customer_id, ts, event, channel, revenue
  FROM journey.sample_events(400, ($seed % 100000)::int);
-- a few conversions without a value, and values that are not round
UPDATE ev SET revenue = CASE WHEN random() < 0.2 THEN NULL ELSE revenue * (1 + random()) END
 WHERE event = 'purchase';
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event, attribution_lookback)
VALUES ('s', 'ev', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase', '30 days');
INSERT INTO journey.moment (source, position, name, event_name) VALUES
  ('s', 1, 'visit', 'site_visit'), ('s', 2, 'purchase', 'purchase');
INSERT INTO journey.snapshot_setting (source, lookback) VALUES ('s', '2 days');
CREATE VIEW diff AS
  WITH snap AS (SELECT model, channel, conversions::text AS c, value::text AS v,
                       removal_effect::text AS r, conversion_share::text AS cs, value_share::text AS vs
                  FROM journey.channel_attribution('s')),
       live AS (SELECT model, channel, conversions::text AS c, value::text AS v,
                       removal_effect::text AS r, conversion_share::text AS cs, value_share::text AS vs
                  FROM journey.channel_attribution('s', since => '-infinity'))
  SELECT * FROM ((TABLE snap EXCEPT ALL TABLE live) UNION ALL (TABLE live EXCEPT ALL TABLE snap)) d;
SQL

check_round() {
	local what=$1 n rows models
	rows=$(suite_q -d "$db" -c "SELECT count(*) FROM journey.channel_attribution('s')")
	models=$(suite_q -d "$db" -c "SELECT count(DISTINCT model) FROM journey.channel_attribution('s')")
	n=$(suite_q -d "$db" -c "SELECT count(*) FROM diff")
	suite_expect "$what: channel_attribution from the snapshot = live ($rows rows, $models models), bit for bit" "$n" 0
	if [ "$n" != 0 ]; then
		suite_q -d "$db" -c "SELECT * FROM diff ORDER BY model, channel LIMIT 20"
	fi
	n=$(suite_q -d "$db" -c "SELECT count(*) FROM journey.channel_attribution WHERE source = 's' AND NOT from_snapshot")
	suite_expect "$what: the view reads the snapshot" "$n" 0
}

suite_q -d "$db" -c "SELECT rebuilt FROM journey.refresh('s')" >/dev/null
check_round "first refresh"

for round in 1 2 3 4 5; do
	suite_q -d "$db" <<SQL >/dev/null
SELECT setseed((($seed + $round) % 1000000) / 1000000.0);
-- new customers, their journeys squeezed into the last day
INSERT INTO ev SELECT customer_id + 100000 * $round,
       (SELECT max(ts) FROM ev) - interval '1 day' + (ts - timestamptz '2026-01-01') / 365,
       event, channel, revenue
  FROM journey.sample_events(20, ($seed % 1000 + $round)::int);
-- new events of existing customers, at the end and late (within the
-- lookback), some of them conversions with a value
INSERT INTO ev
SELECT c, (SELECT max(ts) FROM ev) - interval '1 day' * random() * 1.5,
       CASE WHEN random() < 0.3 THEN 'purchase' ELSE 'site_visit' END,
       (ARRAY['Email', 'Search', 'Social', 'Direct', 'Display'])[1 + floor(random() * 5)::int],
       CASE WHEN random() < 0.8 THEN round((random() * 100)::numeric, 3)::float8 END
  FROM (SELECT c FROM (SELECT DISTINCT customer_id AS c FROM ev) d ORDER BY random() LIMIT 30) x,
       generate_series(1, 1 + floor(random() * 3)::int);
SQL
	r=$(suite_q -d "$db" -c "SELECT rebuilt::text || ' ' || rows_read FROM journey.refresh('s')")
	suite_expect "round $round: an incremental refresh" "${r%% *}" false
	check_round "round $round (${r#* } rows read)"
done

# the same models under other names: participation (shapley's stored
# credits), and specs with parameters computed from the snapshot's paths
n=$(suite_q -d "$db" <<'SQL'
WITH a AS (SELECT * FROM journey.channel_attribution('s', ARRAY['shapley', 'participation', 'markov',
             'markov(order=1)', 'time_decay', 'time_decay(half_life=7 days)', 'Linear', 'linear'])),
     pairs(x, y) AS (VALUES ('shapley', 'participation'), ('markov', 'markov(order=1)'),
                            ('time_decay', 'time_decay(half_life=7 days)'), ('linear', 'Linear'))
SELECT count(*) FROM pairs p
 WHERE (SELECT string_agg(format('%s %s %s %s', channel, conversions, value, removal_effect), ', '
                          ORDER BY channel) FROM a WHERE a.model = p.x)
       IS DISTINCT FROM
       (SELECT string_agg(format('%s %s %s %s', channel, conversions, value, removal_effect), ', '
                          ORDER BY channel) FROM a WHERE a.model = p.y)
SQL
)
suite_expect "stored and path-computed forms of one model agree" "$n" 0

# the sums kept through the refreshes equal a rebuild's
n=$(suite_q -d "$db" <<'SQL'
CREATE TABLE kept_credit AS SELECT model, channel, conversions, value FROM journey.snapshot_attr_credit
 WHERE conversions <> 0 OR value <> 0;
CREATE TABLE kept_node AS SELECT channel, start_w, tot, conv_end, value_end, stepsum FROM journey.snapshot_markov_node
 WHERE tot <> 0;
CREATE TABLE kept_edge AS SELECT from_label, to_label, w FROM journey.snapshot_markov_edge WHERE w <> 0;
SELECT rebuilt FROM journey.refresh('s', full => true) \g /dev/null
SELECT (SELECT count(*) FROM ((TABLE kept_credit EXCEPT SELECT model, channel, conversions, value
                                 FROM journey.snapshot_attr_credit)
                              UNION ALL (SELECT model, channel, conversions, value FROM journey.snapshot_attr_credit
                                          WHERE conversions <> 0 OR value <> 0 EXCEPT TABLE kept_credit)) x)
     + (SELECT count(*) FROM ((TABLE kept_node EXCEPT SELECT channel, start_w, tot, conv_end, value_end, stepsum
                                 FROM journey.snapshot_markov_node)
                              UNION ALL (SELECT channel, start_w, tot, conv_end, value_end, stepsum
                                           FROM journey.snapshot_markov_node WHERE tot <> 0 EXCEPT TABLE kept_node)) x)
     + (SELECT count(*) FROM ((TABLE kept_edge EXCEPT SELECT from_label, to_label, w FROM journey.snapshot_markov_edge)
                              UNION ALL (SELECT from_label, to_label, w FROM journey.snapshot_markov_edge WHERE w <> 0
                                         EXCEPT TABLE kept_edge)) x);
SQL
)
suite_expect "the stored credits and chain after the refreshes equal a full rebuild's" "$n" 0
check_round "after the rebuild"

[ "$SUITE_FAILED" = 0 ]
