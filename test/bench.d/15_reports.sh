# test/bench.d/15_reports.sh: the four reports three ways (sourced by test/bench).
#
# Each report is computed over the same rows stored twice, in time order
# (bench_events, as an event log is written) and in customer order (a copy
# sorted by customer and time), three ways:
#
#   engine      journey.funnel_report / path_report / transition_report /
#               sequence_report over a registered source (skipped, with a line
#               saying so, while the functions do not exist);
#   GROUP BY    the GROUP BY customer form with journey's aggregates;
#   ClickHouse  embedded ClickHouse (chDB from npm, JOURNEY_BENCH_CHDB_VERSION,
#               default 3.4.0), installed into a temporary folder for this run
#               only (JOURNEY_BENCH_CHDB=0 skips it; JOURNEY_BENCH_CHDB_DIR
#               keeps the installation in that folder across runs), over the
#               same rows exported from PostgreSQL into a MergeTree table:
#               ORDER BY (customer_id, ts) for customer order, ORDER BY ts for
#               time order (the sort key of an event log kept by time), each
#               merged into one part.  Timestamps are microseconds since 1970
#               (UInt64), as exact as timestamptz: windowFunnel and
#               sequenceMatch take no DateTime64, and with integer times their
#               window and (?t<=S) are in the integers' unit.
#
# The reports: a 5-step funnel with a 7-day window (customers reaching each
# step; the GROUP BY and ClickHouse forms count customers per level reached,
# as the issue's baseline did, and a second comparison adds the median time
# from the previous step, from funnel_times); the top 10 channel paths with
# an "(other)" row; the transitions of the first 5 steps of every channel
# path ((start) and (end) included, no folding); customers matching
# (?1).*(?2)(?t<=86400)(?3) over signup, checkout and purchase, and the
# number of non-overlapping matches.  Paths are channels in time order, ties
# broken by the channel bytewise as path_agg does: ClickHouse sorts
# (ts, channel) tuples with arraySort, which gives the same order.
#
# First every way's answer is checked against the GROUP BY form's (per-step
# customers, path counts, transition counts, sequence counts); any
# difference stops the benchmark.  Then each report is timed, the three
# ways interleaved run by run.  The reports run at PostgreSQL's defaults for
# JIT and for parallel workers (max_parallel_workers_per_gather = 2, which
# this piece sets since test/bench starts the cluster with 0;
# JOURNEY_BENCH_REPORT_WORKERS changes it), work_mem as test/bench sets it;
# ClickHouse at its defaults (max_threads = the number of cores;
# JOURNEY_BENCH_CHDB_THREADS changes it).  Peak
# memory is the growth of the backend's peak resident memory, as elsewhere
# in test/bench (the leader's only: parallel workers are not counted), and of
# the chDB process's (see 15_reports_chdb.js).

REPORT_WORKERS=${JOURNEY_BENCH_REPORT_WORKERS:-2}
REPORT_CHDB=${JOURNEY_BENCH_CHDB:-1}
REPORT_CHDB_VERSION=${JOURNEY_BENCH_CHDB_VERSION:-3.4.0}
REPORT_STEPS="'first_contact', 'site_visit', 'signup', 'checkout', 'purchase'"
REPORT_STEP_CONDS="event = 'first_contact', event = 'site_visit', event = 'signup', event = 'checkout', event = 'purchase'"
REPORT_PATTERN='(?1).*(?2)(?t<=86400)(?3)'
# the same pattern with times in microseconds, for ClickHouse
REPORT_PATTERN_US='(?1).*(?2)(?t<=86400000000)(?3)'
REPORT_SEQ_EVENTS="'signup', 'checkout', 'purchase'"
REPORT_SEQ_CONDS="event = 'signup', event = 'checkout', event = 'purchase'"
REPORT_TOP=10
REPORT_TRANSITION_STEPS=5

reports_tmp=$(mktemp -d /tmp/journey-bench-reports.XXXXXX)
reports_chdb_pid=
reports_chdb_in=
reports_chdb_out=
reports_cleanup() {
	if [ -n "$reports_chdb_pid" ]; then
		# end of input ends the co-process
		eval "exec $reports_chdb_in>&- $reports_chdb_out<&-" 2>/dev/null || true
		wait "$reports_chdb_pid" 2>/dev/null || true
		reports_chdb_pid=
	fi
	rm -rf "$reports_tmp"
}
trap 'reports_cleanup; cluster_stop' EXIT

reports_saved_pgoptions=${PGOPTIONS-}
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c max_parallel_workers_per_gather=$REPORT_WORKERS"

say "reports: a customer-ordered copy of bench_events and two registered sources"
psql_q <<'SQL'
DROP TABLE IF EXISTS bench_events_by_customer;
CREATE TABLE bench_events_by_customer AS SELECT * FROM bench_events ORDER BY customer_id, ts;
VACUUM ANALYZE bench_events_by_customer;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('bench_time', 'bench_events', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase'),
       ('bench_customer', 'bench_events_by_customer', 'customer_id', 'ts', 'event', 'channel',
        'revenue', 'purchase')
ON CONFLICT (name) DO NOTHING;
INSERT INTO journey.moment (source, position, name, event_name)
SELECT s, p, e, e
  FROM unnest(ARRAY['bench_time', 'bench_customer']) s,
       unnest(ARRAY['first_contact', 'site_visit', 'signup', 'checkout', 'purchase'])
         WITH ORDINALITY u(e, p)
ON CONFLICT DO NOTHING;
SQL

# --- the queries -----------------------------------------------------------

# reports_engine_has NAME: whether journey.NAME exists
reports_engine_has() {
	[ "$(psql_q -At -c "SELECT count(*) FROM pg_proc
		WHERE proname = '$1' AND pronamespace = 'journey'::regnamespace")" != 0 ]
}

# the GROUP BY forms; $1 is the table
funnel_groupby() {
	echo "SELECT lvl, count(*) AS customers FROM (
  SELECT journey.window_funnel(ts, '7 days', $REPORT_STEP_CONDS) AS lvl
    FROM $1 WHERE event IN ($REPORT_STEPS) GROUP BY customer_id) x
 WHERE lvl > 0 GROUP BY lvl ORDER BY lvl"
}
funnel_times_groupby() {
	# one pass over the customers' best chains: customers reaching each step
	# and the median time from the previous step, one row per step (an
	# unnested chain would make the planner expect a thousand steps per
	# customer and compile the query for that)
	local k counts= medians= rows=
	for ((k = 1; k <= 5; k++)); do
		counts+="count(*) FILTER (WHERE cardinality(t) >= $k) AS c$k, "
		((k > 1)) && medians+="percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t[$k] - t[$((k - 1))])::float8) AS m$k, "
		rows+="${rows:+, }($k, c$k, $( ((k > 1)) && echo "m$k" || echo "NULL::float8"))"
	done
	echo "SELECT s.step, s.customers, s.median_seconds_from_previous
  FROM (SELECT ${counts}${medians%, }
          FROM (SELECT journey.funnel_times(ts, '7 days', $REPORT_STEP_CONDS) AS t
                  FROM $1 WHERE event IN ($REPORT_STEPS) GROUP BY customer_id) f) a,
       LATERAL (VALUES $rows) s(step, customers, median_seconds_from_previous)
 ORDER BY s.step"
}
paths_groupby() {
	echo "SELECT array_to_string(p, '>') AS path, customers FROM (
  SELECT CASE WHEN rn <= $REPORT_TOP THEN path ELSE ARRAY['(other)'] END AS p,
         sum(c)::bigint AS customers, min(rn) AS r
    FROM (SELECT path, c, row_number() OVER (ORDER BY c DESC, path) AS rn
            FROM (SELECT path, count(*) AS c
                    FROM (SELECT journey.path_agg(channel, ts) AS path
                            FROM $1 GROUP BY customer_id) s
                   GROUP BY path) c) r
   GROUP BY 1) o
 ORDER BY r"
}
transitions_groupby() {
	# the transitions of path[1:K] up to step K are those of the whole path
	echo "SELECT t.step, t.from_label, t.to_label, count(*) AS customers
  FROM (SELECT journey.path_agg(channel, ts) AS path FROM $1 GROUP BY customer_id) p
       CROSS JOIN LATERAL journey.transitions(p.path[1:$REPORT_TRANSITION_STEPS]) t
 WHERE t.step <= $REPORT_TRANSITION_STEPS
 GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 2, 3"
}
sequence_groupby() {
	# a customer matches when it has at least one match; rows meeting no
	# condition take no part in a match, so they are filtered out first
	echo "SELECT count(*) FILTER (WHERE n > 0) AS customers, coalesce(sum(n), 0)::bigint AS matches
  FROM (SELECT journey.sequence_count('$REPORT_PATTERN', ts, $REPORT_SEQ_CONDS) AS n
          FROM $1 WHERE event IN ($REPORT_SEQ_EVENTS) GROUP BY customer_id) s"
}

# the engine's calls; $1 is the source
funnel_engine() {
	echo "SELECT step, customers, conversion_from_previous, conversion_from_first,
       median_seconds_from_previous
  FROM journey.funnel_report('$1', ARRAY[$REPORT_STEPS], interval '7 days') ORDER BY step"
}
paths_engine() {
	echo "SELECT array_to_string(path, '>') AS path, customers
  FROM journey.path_report('$1', $REPORT_TOP)"
}
transitions_engine() {
	echo "SELECT step, from_label, to_label, customers
  FROM journey.transition_report('$1', $REPORT_TRANSITION_STEPS)"
}
sequence_engine() {
	echo "SELECT customers, matches
  FROM journey.sequence_report('$1', '$REPORT_PATTERN', $REPORT_SEQ_EVENTS)"
}

# ClickHouse's; $1 is the table
funnel_ch() {
	# over every row: rows meeting no step take no part, and ClickHouse
	# filters most of the rows here more slowly than windowFunnel skips them
	# (about twice as slow with the filter at 1,000,000 customers)
	echo "SELECT level, count() AS customers FROM (
  SELECT windowFunnel(604800000000)(ts, $REPORT_STEP_CONDS) AS level
    FROM $1 GROUP BY customer_id)
 WHERE level > 0 GROUP BY level ORDER BY level"
}
# a customer's channels in time order, ties by the channel (bytewise:
# LowCardinality strings compare by their values)
REPORT_CH_PATH="arrayMap(x -> x.2, arraySort(groupArray((ts, channel))))"
paths_ch() {
	# the top 10 taken from one array of (customers, path) sorted as the
	# GROUP BY form orders them (about twice as fast as a window function
	# over the paths), then (other) with the rest
	echo "SELECT arrayStringConcat(t.2, '>') AS path, t.1 AS customers
  FROM (SELECT arraySlice(arraySort(x -> (-x.1, x.2), groupArray((toInt64(c), path))), 1, $REPORT_TOP) AS top,
               toInt64(sum(c)) AS total
          FROM (SELECT path, count() AS c
                  FROM (SELECT $REPORT_CH_PATH AS path FROM $1 GROUP BY customer_id)
                 GROUP BY path))
       ARRAY JOIN arrayConcat(top, [(total - arraySum(x -> x.1, top), ['(other)'])]) AS t
 WHERE NOT (t.1 = 0 AND t.2 = ['(other)'])"
}
transitions_ch() {
	# q = (start), path, (end); step i is (q[i], q[i + 1])
	echo "SELECT step, q[step] AS from_label, q[step + 1] AS to_label, count() AS customers
  FROM (SELECT arrayConcat(['(start)'], $REPORT_CH_PATH, ['(end)']) AS q FROM $1 GROUP BY customer_id)
       ARRAY JOIN range(1, least($REPORT_TRANSITION_STEPS + 1, length(q))) AS step
 GROUP BY step, from_label, to_label ORDER BY step, customers DESC, from_label, to_label"
}
sequence_ch() {
	echo "SELECT countIf(n > 0) AS customers, sum(n) AS matches
  FROM (SELECT sequenceCount('$REPORT_PATTERN_US')(ts, $REPORT_SEQ_CONDS) AS n
          FROM $1 WHERE event IN ($REPORT_SEQ_EVENTS) GROUP BY customer_id)"
}

# --- chDB --------------------------------------------------------------------

reports_ch_ready=0
reports_ch_reason=
REPORT_CH_INFO=

# ch_cmd COMMAND...: one command to the chDB co-process; its answer in CH_REPLY
ch_cmd() {
	printf '%s\n' "$*" >&"$reports_chdb_in"
	IFS= read -r CH_REPLY <&"$reports_chdb_out" || CH_REPLY="error chDB process ended"
	if [[ $CH_REPLY == error* ]]; then
		echo "ClickHouse (chDB): $CH_REPLY" >&2
		return 1
	fi
}

# ch_sql NAME SQL: the statement in a file for the co-process; prints the path
ch_sql() {
	printf '%s\n' "$2" >"$reports_tmp/$1.sql"
	echo "$reports_tmp/$1.sql"
}

reports_chdb_start() {
	local dir=${JOURNEY_BENCH_CHDB_DIR:-$reports_tmp/chdb} t
	if [ "$REPORT_CHDB" = 0 ]; then
		reports_ch_reason="JOURNEY_BENCH_CHDB=0"
		return 0
	fi
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		say "installing nodejs and npm for chDB"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends nodejs npm >/dev/null 2>&1 || true
	fi
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		reports_ch_reason="node and npm are not available"
		return 0
	fi
	if [ ! -f "$dir/node_modules/chdb/package.json" ] ||
		[ "$(node -p "require('$dir/node_modules/chdb/package.json').version")" != "$REPORT_CHDB_VERSION" ]; then
		say "installing chdb@$REPORT_CHDB_VERSION from npm into $dir (benchmark only)"
		mkdir -p "$dir"
		if ! npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
			"chdb@$REPORT_CHDB_VERSION" >"$reports_tmp/npm.log" 2>&1; then
			reports_ch_reason="npm install chdb@$REPORT_CHDB_VERSION failed: $(tail -1 "$reports_tmp/npm.log")"
			return 0
		fi
	fi
	coproc CHDB { cd "$reports_tmp" && NODE_PATH="$dir/node_modules" \
		exec node "$JOURNEY_ROOT/test/bench.d/15_reports_chdb.js"; }
	reports_chdb_pid=$CHDB_PID
	# bash forgets CHDB when the process ends: keep its descriptors
	reports_chdb_in=${CHDB[1]}
	reports_chdb_out=${CHDB[0]}
	if ! ch_cmd open "$reports_tmp/chdb-data"; then
		reports_ch_reason="chDB did not start"
		return 0
	fi
	if [ -n "${JOURNEY_BENCH_CHDB_THREADS:-}" ]; then
		ch_cmd exec "$(ch_sql threads "SET max_threads = $JOURNEY_BENCH_CHDB_THREADS")"
	fi
	ch_cmd info
	REPORT_CH_INFO=$CH_REPLY

	say "exporting bench_events for ClickHouse"
	if [ "$(psql_q -At -c "SELECT count(*) FROM bench_events
			WHERE customer_id IS NULL OR ts IS NULL OR event IS NULL OR channel IS NULL")" != 0 ]; then
		reports_ch_reason="bench_events has NULLs, which this export does not carry"
		return 0
	fi
	psql_q -c "COPY (SELECT customer_id, (extract(epoch FROM ts) * 1000000)::bigint, event, channel
	                   FROM bench_events) TO STDOUT" >"$reports_tmp/events.tsv"
	say "loading it into chDB (MergeTree, both orders, each merged into one part)"
	for t in "ev_customer:(customer_id, ts)" "ev_time:ts"; do
		ch_cmd exec "$(ch_sql create "CREATE TABLE ${t%%:*} (customer_id Int64, ts UInt64,
			event LowCardinality(String), channel LowCardinality(String))
			ENGINE = MergeTree ORDER BY ${t#*:}")"
		ch_cmd exec "$(ch_sql insert "INSERT INTO ${t%%:*} SELECT * FROM file('$reports_tmp/events.tsv', 'TSV',
			'customer_id Int64, ts UInt64, event String, channel String')")"
		ch_cmd exec "$(ch_sql optimize "OPTIMIZE TABLE ${t%%:*} FINAL")"
	done
	ch_cmd out "$(ch_sql count "SELECT table, sum(rows), count(), sum(data_compressed_bytes)
		FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table ORDER BY table")" \
		"$reports_tmp/parts.tsv"
	awk -F'\t' '{printf "chDB table %s: %d rows, %d part(s), %.1f MB compressed\n", $1, $2, $3, $4 / 1048576}' \
		"$reports_tmp/parts.tsv"
	rm -f "$reports_tmp/events.tsv"
	reports_ch_ready=1
}
reports_chdb_start

# --- checks ------------------------------------------------------------------

# reports_pg NAME SQL: the query's rows (tab-separated) in $reports_tmp/NAME.tsv
reports_pg() {
	psql_q -At -F $'\t' -c "$2" >"$reports_tmp/$1.tsv"
}
# reports_ch NAME SQL: likewise from ClickHouse
reports_ch() {
	ch_cmd out "$(ch_sql "$1" "$2")" "$reports_tmp/$1.tsv"
}

# reports_same WHAT A B: files A and B (sorted) must be equal, or the benchmark stops
reports_same() {
	if ! diff <(sort "$2") <(sort "$3") >"$reports_tmp/diff" 2>&1; then
		echo "reports: $1 DIFFER (< $(basename "$2" .tsv), > $(basename "$3" .tsv)):" >&2
		head -40 "$reports_tmp/diff" >&2
		exit 1
	fi
}

# level histogram (level, customers) -> customers reaching each step 1..5
levels_to_steps() {
	awk -F'\t' '{n[$1] = $2} END {s = 0; for (k = 5; k >= 1; k--) {s += n[k]; c[k] = s}
		for (k = 1; k <= 5; k++) printf "%d\t%d\n", k, c[k]}' "$1"
}

# reports_other_ways WHAT NAME FUNCTION COMPARE: ClickHouse's answer (query
# NAME_ch) and the engine's (query NAME_engine, when journey.FUNCTION
# exists) compared by COMPARE with the GROUP BY form's, already in
# ORDER_NAME_gb.tsv; called by reports_check, whose order, cht and src it reads
reports_other_ways() {
	local what=$1 name=$2 fn=$3 same=$4 p=$reports_tmp/$order
	if ((reports_ch_ready)); then
		reports_ch "${order}_${name}_ch" "$("${name}_ch" "$cht")"
		"$same" "$what, GROUP BY vs ClickHouse ($order order)" "${p}_${name}_gb.tsv" "${p}_${name}_ch.tsv"
	fi
	if reports_engine_has "$fn"; then
		reports_pg "${order}_${name}_engine" "$("${name}_engine" "$src")"
		"$same" "$what, GROUP BY vs engine ($order order)" "${p}_${name}_gb.tsv" "${p}_${name}_engine.tsv"
	fi
}

# reports_check ORDER TABLE SOURCE CHTABLE
reports_check() {
	local order=$1 tbl=$2 src=$3 cht=$4 p=$reports_tmp/$1
	say "reports, $order order: checking that every way gives the same answer"

	# funnel: customers reaching each step
	reports_pg "${order}_funnel_gb" "$(funnel_groupby "$tbl")"
	levels_to_steps "$p"_funnel_gb.tsv >"$p"_funnel_steps_gb.tsv
	reports_pg "${order}_funnel_times_gb" "$(funnel_times_groupby "$tbl")"
	cut -f1,2 "$p"_funnel_times_gb.tsv >"$p"_funnel_steps_times.tsv
	reports_same "funnel per-step customers, window_funnel vs funnel_times ($order order)" \
		"$p"_funnel_steps_gb.tsv "$p"_funnel_steps_times.tsv
	echo "funnel, $order order (step, customers): $(tr '\t\n' ': ' <"$p"_funnel_steps_gb.tsv)"
	if ((reports_ch_ready)); then
		reports_ch "${order}_funnel_ch" "$(funnel_ch "$cht")"
		levels_to_steps "$p"_funnel_ch.tsv >"$p"_funnel_steps_ch.tsv
		reports_same "funnel per-step customers, GROUP BY vs ClickHouse ($order order)" \
			"$p"_funnel_steps_gb.tsv "$p"_funnel_steps_ch.tsv
	fi
	if reports_engine_has funnel_report; then
		reports_pg "${order}_funnel_engine" "$(funnel_engine "$src")"
		cut -f1,2 "$p"_funnel_engine.tsv >"$p"_funnel_steps_engine.tsv
		reports_same "funnel per-step customers, GROUP BY vs engine ($order order)" \
			"$p"_funnel_steps_gb.tsv "$p"_funnel_steps_engine.tsv
		# conversions from the counts, medians against funnel_times' (the
		# median of an even count may be taken as the mean of the middle two
		# or as the lower one: both are accepted, nothing else)
		local bad
		bad=$(psql_q -At <<SQL
WITH e AS (SELECT *, first_value(customers) OVER (ORDER BY step) AS first_customers,
                  lag(customers) OVER (ORDER BY step) AS previous_customers
             FROM ($(funnel_engine "$src")) r),
     g AS (SELECT step, customers,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS cont,
                  percentile_disc(0.5) WITHIN GROUP (ORDER BY d) AS disc
             FROM (SELECT k AS step, count(*) OVER (PARTITION BY k) AS customers,
                          extract(epoch FROM f.t[k] - f.t[k - 1])::float8 AS d
                     FROM (SELECT journey.funnel_times(ts, '7 days', $REPORT_STEP_CONDS) AS t
                             FROM $tbl WHERE event IN ($REPORT_STEPS) GROUP BY customer_id) f,
                          generate_series(1, cardinality(f.t)) k) x
            GROUP BY step, customers)
SELECT count(*) FROM e FULL JOIN g USING (step)
 WHERE e.customers IS DISTINCT FROM g.customers
    OR (e.step > 1 AND NOT (abs(e.median_seconds_from_previous - g.cont) <= 1e-6
                            OR abs(e.median_seconds_from_previous - g.disc) <= 1e-6))
    OR (e.step = 1 AND e.median_seconds_from_previous IS NOT NULL)
    OR abs(e.conversion_from_first - e.customers::float8 / nullif(e.first_customers, 0)) > 1e-12
    OR abs(e.conversion_from_previous - e.customers::float8 / nullif(e.previous_customers, 0)) > 1e-12
SQL
)
		if [ "$bad" != 0 ]; then
			echo "reports: funnel_report's conversions or medians differ from funnel_times' ($order order):" >&2
			cat "$p"_funnel_engine.tsv "$p"_funnel_times_gb.tsv >&2
			exit 1
		fi
	fi

	# paths: the top 10 and (other)
	reports_pg "${order}_paths_gb" "$(paths_groupby "$tbl")"
	# a tie across the 10th place lets the top 10 differ in which paths
	# they hold, so then only the counts are compared
	local tie
	tie=$(psql_q -At -c "SELECT (count(*) = 2 AND min(c) = max(c))::int
		FROM (SELECT count(*) AS c FROM (SELECT journey.path_agg(channel, ts) AS path
		        FROM $tbl GROUP BY customer_id) s GROUP BY path ORDER BY c DESC LIMIT 2 OFFSET $((REPORT_TOP - 1))) x")
	echo "top paths, $order order: $(awk -F'\t' 'NR <= 3 {printf "%s: %s; ", $1, $2} END {printf "%s: %s; %d rows", $1, $2, NR}' \
		"$p"_paths_gb.tsv)"
	[ "$tie" = 1 ] && echo "top paths, $order order: a tie across place $REPORT_TOP, only the counts compared"
	reports_paths_same() {
		if [ "$tie" = 1 ]; then
			cut -f2 "$2" >"$2.counts"
			cut -f2 "$3" >"$3.counts"
			reports_same "$1" "$2.counts" "$3.counts"
		else
			reports_same "$1" "$2" "$3"
		fi
	}
	reports_other_ways "top paths" paths path_report reports_paths_same

	# transitions of the first 5 steps
	reports_pg "${order}_transitions_gb" "$(transitions_groupby "$tbl")"
	echo "transitions, $order order: $(wc -l <"$p"_transitions_gb.tsv) edges, $(awk -F'\t' '$1 == 1 {s += $4}
		END {print s}' "$p"_transitions_gb.tsv) customers at step 1"
	reports_other_ways transitions transitions transition_report reports_same

	# sequence: customers matching, matches; sequence_match must agree on the customers
	reports_pg "${order}_sequence_gb" "$(sequence_groupby "$tbl")"
	reports_pg "${order}_sequence_match" "SELECT count(*) FILTER (WHERE m)
		FROM (SELECT journey.sequence_match('$REPORT_PATTERN', ts, $REPORT_SEQ_CONDS) AS m
		        FROM $tbl GROUP BY customer_id) s"
	cut -f1 "$p"_sequence_gb.tsv >"$p"_sequence_customers.tsv
	reports_same "sequence customers, sequence_count > 0 vs sequence_match ($order order)" \
		"$p"_sequence_customers.tsv "$p"_sequence_match.tsv
	echo "sequence $REPORT_PATTERN, $order order (customers, matches): $(tr '\t' ' ' <"$p"_sequence_gb.tsv)"
	reports_other_ways sequence sequence sequence_report reports_same
}

# --- timing ------------------------------------------------------------------

# ratio A B: A / B
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
# spread A[] B[]: the lowest and highest A[i] / B[i] over the runs
spread() {
	local -n sa=$1 sb=$2
	local i
	for ((i = 0; i < ${#sa[@]}; i++)); do ratio "${sa[i]}" "${sb[i]}"; echo; done |
		sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.2f-%.2f", lo, hi}'
}

# bench_report TITLE ENGINE_SQL GROUPBY_SQL CH_SQL: each run times the
# engine, the GROUP BY form and ClickHouse in turn (an empty query is a way
# not run); prints the medians (with the number of functions the GROUP BY
# form's last run compiled with JIT), the ratios GROUP BY / engine,
# engine / ClickHouse and GROUP BY / ClickHouse (in brackets the lowest and
# highest of the single runs), each way's largest peak memory growth, and
# the machine's load average over the last minute when the runs ended
bench_report() {
	local title=$1 eq=$2 gq=$3 cq=$4 i t m jit chf=
	local te=() tg=() tc=() me=0 mg=0 mc=0 e g c line ratios=
	say "$title"
	[ -n "$cq" ] && chf=$(ch_sql timed "$cq")
	for ((i = 0; i < RUNS; i++)); do
		if [ -n "$eq" ]; then
			read -r t m _ <<<"$(run_once "$eq")"
			te+=("$t"); ((m > me)) && me=$m
		fi
		read -r t m jit <<<"$(run_once "$gq")"
		tg+=("$t"); ((m > mg)) && mg=$m
		if [ -n "$cq" ]; then
			ch_cmd time "$chf"
			read -r t m <<<"$CH_REPLY"
			tc+=("$t"); ((m > mc)) && mc=$m
		fi
	done
	g=$(printf '%s\n' "${tg[@]}" | median)
	line=$(printf '%-38s' "$title")
	if [ -n "$eq" ]; then
		e=$(printf '%s\n' "${te[@]}" | median)
		line+=$(printf ' engine %7.1f ms |' "$e")
	else
		line+=" engine not installed |"
	fi
	line+=$(printf ' GROUP BY %7.1f ms (JIT: %d functions)' "$g" "$jit")
	[ -n "$cq" ] && c=$(printf '%s\n' "${tc[@]}" | median) && line+=$(printf ' | ClickHouse %7.1f ms' "$c")
	if [ -n "$eq" ]; then
		ratios=" GROUP BY/engine $(ratio "$g" "$e")x ($(spread tg te))"
		[ -n "$cq" ] && ratios+=" engine/ClickHouse $(ratio "$e" "$c")x ($(spread te tc))"
	fi
	[ -n "$cq" ] && ratios+=" GROUP BY/ClickHouse $(ratio "$g" "$c")x ($(spread tg tc))"
	[ -n "$ratios" ] && line+=" |$ratios"
	line+=" | peak"
	[ -n "$eq" ] && line+=" +${me} kB engine,"
	line+=" +${mg} kB GROUP BY"
	[ -n "$cq" ] && line+=", +${mc} kB ClickHouse"
	line+=" | load $(cut -d' ' -f1 /proc/loadavg)"
	echo "$line"
}

echo "reports: PostgreSQL $(psql_q -At -c "SELECT format('%s; jit %s (available: %s); max_parallel_workers_per_gather %s; work_mem %s; hash_mem_multiplier %s; shared_buffers %s',
	current_setting('server_version'), current_setting('jit'), pg_jit_available(),
	current_setting('max_parallel_workers_per_gather'), current_setting('work_mem'),
	current_setting('hash_mem_multiplier'), current_setting('shared_buffers'))")"
if ((reports_ch_ready)); then
	echo "reports: ClickHouse $(cut -f1 <<<"$REPORT_CH_INFO") (chDB, npm chdb@$REPORT_CHDB_VERSION), max_threads $(cut -f2 <<<"$REPORT_CH_INFO")"
else
	echo "reports: ClickHouse not run ($reports_ch_reason)"
fi
for f in funnel_report path_report transition_report sequence_report; do
	reports_engine_has "$f" || echo "reports: journey.$f is not installed: the engine's way is skipped"
done
echo "reports: targets: GROUP BY/engine at least 2.5x; engine/ClickHouse at most 2x (funnel, paths), 2.5x (sequence)"

for spec in "time:bench_events:bench_time:ev_time" "customer:bench_events_by_customer:bench_customer:ev_customer"; do
	IFS=: read -r r_order r_tbl r_src r_cht <<<"$spec"
	reports_check "$r_order" "$r_tbl" "$r_src" "$r_cht"
	r_ch() { ((reports_ch_ready)) && "$1" "$r_cht" || true; }
	r_engine() { reports_engine_has "$1" && "$2" "$r_src" || true; }
	bench_report "funnel, 5 steps ($r_order order)" \
		"$(r_engine funnel_report funnel_engine)" "$(funnel_groupby "$r_tbl")" "$(r_ch funnel_ch)"
	bench_report "funnel with medians ($r_order order)" \
		"$(r_engine funnel_report funnel_engine)" "$(funnel_times_groupby "$r_tbl")" ""
	bench_report "top $REPORT_TOP paths ($r_order order)" \
		"$(r_engine path_report paths_engine)" "$(paths_groupby "$r_tbl")" "$(r_ch paths_ch)"
	bench_report "transitions, $REPORT_TRANSITION_STEPS steps ($r_order order)" \
		"$(r_engine transition_report transitions_engine)" "$(transitions_groupby "$r_tbl")" "$(r_ch transitions_ch)"
	bench_report "sequence ($r_order order)" \
		"$(r_engine sequence_report sequence_engine)" "$(sequence_groupby "$r_tbl")" "$(r_ch sequence_ch)"
done

reports_cleanup
trap cluster_stop EXIT
if [ -n "$reports_saved_pgoptions" ]; then
	export PGOPTIONS=$reports_saved_pgoptions
else
	unset PGOPTIONS
fi
