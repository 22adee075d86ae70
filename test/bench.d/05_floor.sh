# test/bench.d/05_floor.sh: what grouping alone costs (sourced by test/bench).
#
# Every per-customer query below groups the event table by customer.  The
# cost of that grouping, with an aggregate that does nothing but count, is
# the floor under any per-customer aggregate: printed here so that the
# ratios that follow can be read against it.

bench_time "floor: count(*) per customer (grouping alone)" \
"SELECT count(*) FROM (SELECT customer_id, count(*) FROM bench_events GROUP BY customer_id) s"
bench_time "floor: min(ts), max(ts) per customer" \
"SELECT count(*) FROM (SELECT customer_id, min(ts), max(ts) FROM bench_events GROUP BY customer_id) s"
