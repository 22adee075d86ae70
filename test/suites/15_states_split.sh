#!/usr/bin/env bash
# test/suites/15_states_split.sh: stored states split and merged give the
# aggregate's answer over all rows, for every per-customer aggregate
# (path_agg, paths_to_conversion, window_funnel with and without modes,
# funnel_times, window_funnel and funnel_times with step rules, with and
# without object_key, sequence_match, sequence_count, retention).
#
# Random events (JOURNEY_FUZZ_SEED fixes the seed, printed) are cut into
# two or three parts at random row by row, so that most customers are
# split inside, and timestamps are drawn from a few values per customer,
# so that equal timestamps fall on both sides of a split.  Each customer
# has random step rules (0 to 2 exclusions, a max_gap and a min_gap of 0,
# 1 second or a multiple of the 3 days between timestamps, so that gaps
# fall exactly on their edges, and drop_excluded), rows random exclusion
# conditions and keys (NULL among them).  For each
# customer, the states of the parts are merged (merge_states in a plain
# and a parallel plan, merge_state pairwise in reverse order, and after a
# round trip through the text form and a table) and read with the
# *_result functions; the answer must equal the aggregate over all the
# customer's rows.  The aggregates themselves are checked against their
# oracles by the other suites; this one checks that the states lose and
# double nothing.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

customers=${JOURNEY_STATE_CUSTOMERS:-3000}
suite_random_database journey_states_split
seed=$SUITE_SEED db=journey_states_split
echo "seed $seed, $customers customers (JOURNEY_FUZZ_SEED=$seed repeats this run)"

suite_q -d "$db" <<SQL
CREATE EXTENSION journey;
SELECT setseed(($seed % 1000000) / 1000000.0);
-- per customer: 1 to 12 rows, timestamps from 1 to 6 values (ties), labels
-- from 4, values finite and of both signs, and a way to split
CREATE TABLE cust AS
SELECT g, 1 + floor(random() * 12)::int AS nrows, 1 + floor(random() * 6)::int AS nts,
       floor(random() * 3)::int AS how, floor(random() * 3)::int AS nexcl
  FROM generate_series(1, $customers) g;
-- step rules per customer, for steps c1 .. c4: exclude(i, j) per exclusion,
-- max_gap on step 2 or 3, min_gap on step 4, drop_excluded
ALTER TABLE cust ADD rules text;
UPDATE cust c SET rules = concat_ws(', ',
    (SELECT string_agg(format('exclude(%s, %s)', i, i + 1 + floor(random() * (4 - i))::int), ', ')
       FROM (SELECT 1 + floor(random() * 3)::int AS i, e
               FROM generate_series(1, c.nexcl + 0 * c.g) e) x),
    CASE WHEN random() < 0.4
         THEN format('max_gap(%s, %s)', 2 + floor(random() * 2)::int,
                     (ARRAY['0', '1 second', '3 days', '3 days 1 second'])[1 + floor(random() * 4)::int]) END,
    CASE WHEN random() < 0.3
         THEN format('min_gap(4, %s)', (ARRAY['1 second', '3 days', '3 days 1 second'])[1 + floor(random() * 3)::int]) END,
    CASE WHEN random() < 0.3 THEN 'drop_excluded' END);
CREATE TABLE ev AS
SELECT c.g,
       timestamptz '2026-01-01' + floor(random() * c.nts)::int * interval '3 days'
         + floor(random() * 2)::int * interval '1 second' AS ts,
       (ARRAY['a', 'b', 'c', 'd'])[1 + floor(random() * 4)::int] AS label,
       random() < 0.3 AS conv,
       CASE WHEN random() < 0.2 THEN NULL ELSE round((random() * 200 - 50)::numeric, 3)::float8 END AS value,
       random() < 0.5 AS c1, random() < 0.5 AS c2, random() < 0.4 AS c3, random() < 0.3 AS c4,
       c.rules, (ARRAY[random() < 0.25, random() < 0.25])[1:c.nexcl] AS x,
       (ARRAY['k1', 'k2', NULL])[1 + floor(random() * 3)::int] AS k,
       -- how 0: two parts, 1: three parts, 2: all rows in one part
       CASE c.how WHEN 0 THEN floor(random() * 2)::int WHEN 1 THEN floor(random() * 3)::int
                  ELSE 0 END AS part
  FROM cust c, LATERAL generate_series(1, c.nrows) i;
ANALYZE ev;
SQL

# the states of each (customer, part)
suite_q -d "$db" <<'SQL'
CREATE TABLE st AS
SELECT g, part,
       journey.path_agg_state(label, ts) AS p,
       journey.paths_to_conversion_state(label, ts, conv, value, '4 days') AS c,
       journey.window_funnel_state(ts, '3 days', c1, c2, c3, c4) AS f,
       journey.window_funnel_state(ts, '3 days', 'strict_order', c1, c2, c3) AS fo,
       journey.window_funnel_state(ts, '6 days', 'strict_deduplication,strict_increase', c1, c2, c3) AS fd,
       journey.window_funnel_state(ts, '3 days', 'strict_once', c1, c2, c3) AS fs,
       journey.sequence_state('(?1).*(?2)(?t<=259200)(?3)', ts, c1, c2, c3) AS q,
       journey.sequence_state('(?1)(?2)', ts, c1, c2) AS q2,
       journey.retention_state(c1, c2, c3, c4) AS r,
       journey.window_funnel_state(ts, '6 days', rules, ARRAY[c1, c2, c3, c4], x) AS fr,
       journey.window_funnel_state(ts, '6 days', rules, ARRAY[c1, c2, c3, c4], x, k) AS fk
  FROM ev GROUP BY g, part;
-- the same through the text form
CREATE TABLE st_text (g int, part int, p text, c text, f text, fo text, fd text, fs text,
                      q text, q2 text, r text, fr text, fk text);
INSERT INTO st_text SELECT * FROM st;
SQL

# the answers over all rows, as one text per customer
whole="SELECT g, concat_ws(' | ',
    journey.path_agg(label, ts)::text,
    journey.paths_to_conversion(label, ts, conv, value, '4 days')::text,
    journey.window_funnel(ts, '3 days', c1, c2, c3, c4),
    journey.funnel_times(ts, '3 days', c1, c2, c3, c4)::text,
    journey.window_funnel(ts, '3 days', 'strict_order', c1, c2, c3),
    journey.window_funnel(ts, '6 days', 'strict_deduplication,strict_increase', c1, c2, c3),
    journey.window_funnel(ts, '3 days', 'strict_once', c1, c2, c3),
    journey.sequence_match('(?1).*(?2)(?t<=259200)(?3)', ts, c1, c2, c3),
    journey.sequence_count('(?1).*(?2)(?t<=259200)(?3)', ts, c1, c2, c3),
    journey.sequence_count('(?1)(?2)', ts, c1, c2),
    journey.retention(c1, c2, c3, c4)::text,
    journey.window_funnel(ts, '6 days', rules, ARRAY[c1, c2, c3, c4], x),
    coalesce(journey.funnel_times(ts, '6 days', rules, ARRAY[c1, c2, c3, c4], x)::text, 'dropped'),
    journey.window_funnel(ts, '6 days', rules, ARRAY[c1, c2, c3, c4], x, k),
    coalesce(journey.funnel_times(ts, '6 days', rules, ARRAY[c1, c2, c3, c4], x, k)::text, 'dropped')) AS answer
  FROM ev GROUP BY g"
# the answers from merged states (m: the merged states of a customer)
answers="concat_ws(' | ',
    journey.path_agg_result(m.p)::text,
    journey.paths_to_conversion_result(m.c)::text,
    journey.window_funnel_result(m.f),
    journey.funnel_times_result(m.f)::text,
    journey.window_funnel_result(m.fo),
    journey.window_funnel_result(m.fd),
    journey.window_funnel_result(m.fs),
    journey.sequence_match_result(m.q),
    journey.sequence_count_result(m.q),
    journey.sequence_count_result(m.q2),
    journey.retention_result(m.r)::text,
    journey.window_funnel_result(m.fr),
    coalesce(journey.funnel_times_result(m.fr)::text, 'dropped'),
    journey.window_funnel_result(m.fk),
    coalesce(journey.funnel_times_result(m.fk)::text, 'dropped'))"
merged_by() {	# $1: the relation of states, $2: a cast for its columns
	echo "SELECT m.g, $answers AS answer FROM (
	  SELECT g, journey.merge_states(p$2) p, journey.merge_states(c$2) c,
	         journey.merge_states(f$2) f, journey.merge_states(fo$2) fo,
	         journey.merge_states(fd$2) fd, journey.merge_states(fs$2) fs,
	         journey.merge_states(q$2) q, journey.merge_states(q2$2) q2,
	         journey.merge_states(r$2) r, journey.merge_states(fr$2) fr,
	         journey.merge_states(fk$2) fk
	    FROM $1 GROUP BY g) m"
}
# merge_state pairwise, the parts taken from the last one down
pairwise="SELECT m.g, $answers AS answer FROM (
  SELECT a.g,
         journey.merge_state(journey.merge_state(x2.p, x1.p), x0.p) p,
         journey.merge_state(journey.merge_state(x2.c, x1.c), x0.c) c,
         journey.merge_state(journey.merge_state(x2.f, x1.f), x0.f) f,
         journey.merge_state(journey.merge_state(x2.fo, x1.fo), x0.fo) fo,
         journey.merge_state(journey.merge_state(x2.fd, x1.fd), x0.fd) fd,
         journey.merge_state(journey.merge_state(x2.fs, x1.fs), x0.fs) fs,
         journey.merge_state(journey.merge_state(x2.q, x1.q), x0.q) q,
         journey.merge_state(journey.merge_state(x2.q2, x1.q2), x0.q2) q2,
         journey.merge_state(journey.merge_state(x2.r, x1.r), x0.r) r,
         journey.merge_state(journey.merge_state(x2.fr, x1.fr), x0.fr) fr,
         journey.merge_state(journey.merge_state(x2.fk, x1.fk), x0.fk) fk
    FROM (SELECT DISTINCT g FROM st) a
    LEFT JOIN st x0 ON x0.g = a.g AND x0.part = 0
    LEFT JOIN st x1 ON x1.g = a.g AND x1.part = 1
    LEFT JOIN st x2 ON x2.g = a.g AND x2.part = 2) m"

count_diff() {	# $1: a query of (g, answer), $2: settings
	suite_q -d "$db" -c "SET timezone = 'UTC'" ${2:+-c "$2"} -c "
	  SELECT count(*) FILTER (WHERE w.answer IS DISTINCT FROM s.answer)
	         || ' of ' || count(*)
	    FROM ($whole) w FULL JOIN ($1) s USING (g)"
}
parallel="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2; SET enable_hashagg = off"

n=$(suite_q -d "$db" -c "SELECT count(*) FROM cust")
suite_expect "customers split inside (two or three parts with rows)" \
	"$(suite_q -d "$db" -c "SELECT count(*) > 0.5 * $customers FROM (SELECT g FROM st GROUP BY g HAVING count(*) > 1) x")" "t"
suite_expect "equal timestamps on both sides of a split" \
	"$(suite_q -d "$db" -c "SELECT count(DISTINCT a.g) > 0 FROM ev a JOIN ev b ON a.g = b.g AND a.ts = b.ts AND a.part < b.part")" "t"
suite_expect "merge_states of the parts' states = the aggregates over all rows" \
	"$(count_diff "$(merged_by st '')")" "0 of $n"
suite_expect "the same in a parallel plan" \
	"$(count_diff "$(merged_by st '')" "$parallel")" "0 of $n"
plan=$(suite_q -d "$db" -c "$parallel" -c "EXPLAIN (COSTS OFF) SELECT g, journey.merge_states(p) FROM st GROUP BY g")
suite_expect "merge_states runs as a Partial Aggregate" "$(grep -c 'Partial' <<<"$plan")" "1"
suite_expect "merge_state pairwise, parts in reverse order" \
	"$(count_diff "$pairwise")" "0 of $n"
suite_expect "states read back from their text form" \
	"$(count_diff "$(merged_by st_text '::journey.journey_state')")" "0 of $n"
# every state aggregate itself in a parallel plan: its state equals the serial one
suite_expect "state aggregates in a parallel plan give the same states" \
	"$(suite_q -d "$db" -c "$parallel" -c "
	  SELECT count(*) FROM (
	    SELECT g, part, journey.path_agg_state(label, ts)::text p,
	           journey.paths_to_conversion_state(label, ts, conv, value, '4 days')::text c,
	           journey.window_funnel_state(ts, '3 days', c1, c2, c3, c4)::text f,
	           journey.sequence_state('(?1).*(?2)(?t<=259200)(?3)', ts, c1, c2, c3)::text q,
	           journey.retention_state(c1, c2, c3, c4)::text r,
	           journey.window_funnel_state(ts, '6 days', rules, ARRAY[c1, c2, c3, c4], x)::text fr,
	           journey.window_funnel_state(ts, '6 days', rules, ARRAY[c1, c2, c3, c4], x, k)::text fk
	      FROM ev GROUP BY g, part) a
	  FULL JOIN (SELECT g, part, p::text p, c::text c, f::text f, q::text q, r::text r,
	                    fr::text fr, fk::text fk FROM st) b
	    USING (g, part)
	   WHERE (a.p, a.c, a.f, a.q, a.r, a.fr, a.fk) IS DISTINCT FROM (b.p, b.c, b.f, b.q, b.r, b.fr, b.fk)")" "0"
plan=$(suite_q -d "$db" -c "$parallel" -c "EXPLAIN (COSTS OFF) SELECT g, part, journey.window_funnel_state(ts, '6 days', rules, ARRAY[c1, c2, c3, c4], x, k) FROM ev GROUP BY g, part")
suite_expect "window_funnel_state with rules runs as a Partial Aggregate" "$(grep -c 'Partial' <<<"$plan")" "1"
# the rules and answers the random data reached: every kind of rule, and
# levels from -1 (drop_excluded) to 4, merged from split states
suite_expect "every kind of rule occurs" \
	"$(suite_q -d "$db" -c "SELECT bool_and(n > 0) FROM (SELECT count(*) FILTER (WHERE rules ~ pat) n
	     FROM cust, unnest(ARRAY['exclude.*exclude', 'max_gap\\(\\d, 0\\)', 'max_gap\\(\\d, 3 days 1', 'min_gap', 'drop_excluded']) pat GROUP BY pat) x")" "t"
suite_expect "levels -1 to 4 reached by merged states" \
	"$(suite_q -d "$db" -c "SELECT string_agg(DISTINCT l::text, ' ' ORDER BY l::text) FROM (
	     SELECT journey.window_funnel_result(journey.merge_states(fr)) l FROM st GROUP BY g
	     UNION ALL
	     SELECT journey.window_funnel_result(journey.merge_states(fk)) FROM st GROUP BY g) x")" "-1 0 1 2 3 4"

exit $SUITE_FAILED
