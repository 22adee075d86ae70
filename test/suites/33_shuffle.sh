#!/usr/bin/env bash
# test/suites/33_shuffle.sh: the same events in any order give the same
# bits.  One set of sample events (with values of awkward magnitudes, so
# that float sums depend on their order) is stored four times in different
# physical orders and registered as four sources; channel_attribution of
# every model (linear, position_based, time_decay, markov among them) must
# give bit-identical conversions, value and shares for all four, serially
# and under a parallel plan; so must attribution() and
# attribution_bootstrap() over the path rows in shuffled orders.  A naive
# float sum of the same credited shares is shown to depend on the order,
# so the test can fail.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

suite_database journey_shuffle
db=journey_shuffle
suite_q -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION journey;
CREATE TABLE ev AS
SELECT row_number() OVER () AS i, customer_id, ts, event, channel,
       CASE WHEN event = 'purchase'
            THEN (ARRAY[0.1, 1e10, 3.3e-7, 12.34, 7e5])[1 + (customer_id % 5)::int] * (1 + customer_id % 3)
       END AS revenue
  FROM journey.sample_events(3000, 11);
CREATE TABLE ev_asc AS SELECT * FROM ev ORDER BY i;
CREATE TABLE ev_desc AS SELECT * FROM ev ORDER BY i DESC;
CREATE TABLE ev_md5 AS SELECT * FROM ev ORDER BY md5(i::text);
CREATE TABLE ev_rev AS SELECT * FROM ev ORDER BY revenue DESC NULLS LAST, channel, i DESC;
ANALYZE ev_asc; ANALYZE ev_desc; ANALYZE ev_md5; ANALYZE ev_rev;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
SELECT t, t::regclass, 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase'
  FROM unnest(ARRAY['ev_asc', 'ev_desc', 'ev_md5', 'ev_rev']) t;
SQL

# one line per model and channel: conversions, value and shares as hex bits
bits() {
	suite_q -d "$db" -c "$1 SELECT model || ' ' || channel || ' ' ||
	    encode(float8send(conversions), 'hex') || ' ' || encode(float8send(value), 'hex') || ' ' ||
	    encode(float8send(conversion_share), 'hex') || ' ' || encode(float8send(value_share), 'hex')
	  FROM journey.channel_attribution('$2') ORDER BY model, channel"
}
serial="SET max_parallel_workers_per_gather = 0;"
parallel="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
          SET max_parallel_workers_per_gather = 2; SET force_parallel_mode = on;"
first=$(bits "$serial" ev_asc)
models=$(echo "$first" | cut -d' ' -f1 | sort -u | tr '\n' ' ')
suite_expect "channel_attribution computes every model" "$models" \
	"first_touch fractribution last_touch linear markov position_based shapley time_decay "
for src in ev_desc ev_md5 ev_rev; do
	suite_expect "channel_attribution bit-identical with the events stored as $src" \
		"$(bits "$serial" $src)" "$first"
done
suite_expect "channel_attribution bit-identical under a parallel plan" \
	"$(bits "$parallel" ev_md5)" "$first"

# the path rows of one source in shuffled orders, through the aggregates
suite_q -d "$db" -c "CREATE TABLE pr AS SELECT row_number() OVER () AS k, * FROM journey.attribution_paths('ev_asc'); ANALYZE pr"
agg_bits() {
	local from=$1 m out=""
	for m in linear position_based markov 'markov(order=2)' shapley fractribution; do
		out+="SELECT '$m', string_agg((c).channel || ':' || encode(float8send((c).conversions), 'hex')
		                              || ':' || encode(float8send((c).value), 'hex'), ' ' ORDER BY (c).channel)
		        FROM unnest((SELECT journey.attribution(path, conversions, value, nulls, '$m') FROM $from)) c;"
	done
	out+="SELECT 'bootstrap', string_agg((c).channel || ':' || encode(float8send((c).conversions_low), 'hex')
	                              || ':' || encode(float8send((c).value_high), 'hex'), ' ' ORDER BY (c).channel)
	        FROM unnest((SELECT journey.attribution_bootstrap(path, conversions, value, nulls, 'linear', 50, 7, 0.9)
	                       FROM $from)) c;"
	echo "$out"
}
afirst=$(suite_q -d "$db" -c "$serial $(agg_bits "(SELECT * FROM pr ORDER BY k) r")")
for ord in "k DESC" "md5(k::text)" "value, conversions" "value DESC, k"; do
	suite_expect "attribution credits bit-identical with path rows ordered by $ord" \
		"$(suite_q -d "$db" -c "$serial $(agg_bits "(SELECT * FROM pr ORDER BY $ord) r")")" "$afirst"
done
suite_expect "attribution credits bit-identical under a parallel plan" \
	"$(suite_q -d "$db" -c "$parallel $(agg_bits pr)")" "$afirst"

# a naive float sum of the linear shares of value depends on the order
naive=$(suite_q -d "$db" -c "
WITH s AS (SELECT k, t.label, t.w * value AS x
             FROM pr, unnest(path, journey.touch_weights(path, 'linear')) t(label, w)
            WHERE conversions > 0)
SELECT count(DISTINCT b) > 1 FROM (
  SELECT (SELECT encode(float8send(sum(x)), 'hex') FROM (SELECT x FROM s ORDER BY k) q) AS b
  UNION ALL SELECT (SELECT encode(float8send(sum(x)), 'hex') FROM (SELECT x FROM s ORDER BY x) q)
  UNION ALL SELECT (SELECT encode(float8send(sum(x)), 'hex') FROM (SELECT x FROM s ORDER BY x DESC) q)) d")
suite_expect "a naive float sum of the same shares depends on their order" "$naive" "t"
exit $SUITE_FAILED
