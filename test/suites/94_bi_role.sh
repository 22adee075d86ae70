#!/usr/bin/env bash
# test/suites/94_bi_role.sh: the read-only BI role of doc/security.md, with
# exactly the grants the page shows (run from the page itself), over the
# demo's data: it reads every view of the extension, calls every aggregate
# and the reports and pictures over a source it can read, and cannot write
# any registry table.  A role with USAGE on schema journey alone (and the
# events) calls every aggregate too.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DB=journey_bi_role
ROLE=journey_suite_bi
AGG_ROLE=journey_suite_aggregates
suite_database $DB
trap "suite_q -d postgres -c 'DROP DATABASE IF EXISTS $DB' -c 'DROP ROLE IF EXISTS $ROLE' -c 'DROP ROLE IF EXISTS $AGG_ROLE' >/dev/null 2>&1 || true" EXIT
suite_q -d postgres -c "DROP ROLE IF EXISTS $ROLE" -c "CREATE ROLE $ROLE NOLOGIN" \
	-c "DROP ROLE IF EXISTS $AGG_ROLE" -c "CREATE ROLE $AGG_ROLE NOLOGIN" >/dev/null

journey_demo_load $DB 2000 /dev/null >/dev/null
recipe=$(journey_bi_recipe $ROLE public events)
suite_expect "doc/security.md shows the BI role's grants" \
	"$(grep -c '^GRANT' <<<"$recipe")" 4
suite_q -d $DB <<<"$recipe" >/dev/null
# the snapshot tables' grants of the same page, and a snapshot of every
# source, so that the views read from it and journey.snapshot_status has rows
snapshot_recipe=$(journey_bi_snapshot_recipe $ROLE)
suite_expect "doc/security.md shows the BI role's snapshot grants" \
	"$(grep -c '^GRANT' <<<"$snapshot_recipe")" 1
suite_q -d $DB <<<"$snapshot_recipe" >/dev/null
suite_q -d $DB -c "SELECT count(*) FROM journey.source s CROSS JOIN LATERAL journey.refresh(s.name) r" >/dev/null

as_bi() { suite_q -d $DB -c "SET ROLE $ROLE" "$@" 2>&1; }

# every view of the extension, found in the catalog (a view added without
# its grant in the recipe fails here)
for view in $(suite_q -d $DB -c "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'journey'::regnamespace AND c.relkind = 'v' ORDER BY 1"); do
	out=$(as_bi -c "SELECT count(*) FROM journey.$view")
	if [[ $out =~ ^[0-9]+$ ]] && [ "$out" -gt 0 ]; then
		echo "ok: the BI role reads journey.$view ($out rows)"
	else
		echo "MISMATCH: the BI role reading journey.$view: $out"
		SUITE_FAILED=1
	fi
done

# every aggregate of the extension, with its own argument types, over no
# row (the executor checks the right to run its support functions when
# the plan starts) and the common ones over the events
calls=$(suite_q -d $DB <<'SQL'
SELECT format('SELECT %s(%s) FROM (SELECT 1 WHERE false) s;', p.oid::regproc,
              (SELECT string_agg(CASE WHEN p.provariadic <> 0 AND a.n = p.pronargs
                                      THEN 'VARIADIC ' ELSE '' END
                                 || 'NULL::' || format_type(a.t, NULL), ', ' ORDER BY a.n)
                 FROM unnest(p.proargtypes) WITH ORDINALITY a(t, n)))
  FROM pg_proc p
 WHERE p.pronamespace = 'journey'::regnamespace AND p.prokind = 'a'
 ORDER BY 1;
SQL
)
aggregates=$(grep -c . <<<"$calls")
out=$(as_bi -c '\o /dev/null' -f - <<<"$calls" || true)
suite_expect "the BI role calls each of the $aggregates aggregates" "$out" ""
suite_q -d $DB -c "GRANT USAGE ON SCHEMA journey TO $AGG_ROLE" -c "GRANT SELECT ON events TO $AGG_ROLE" >/dev/null
out=$(suite_q -d $DB -c "SET ROLE $AGG_ROLE" -c '\o /dev/null' -f - <<<"$calls" 2>&1 || true)
suite_expect "a role with USAGE on schema journey alone calls each of the $aggregates aggregates" "$out" ""
out=$(suite_q -d $DB -c "SET ROLE $AGG_ROLE" -f - 2>&1 <<'SQL'
SELECT count(*) FROM (SELECT journey.path_agg(channel, ts) FROM events GROUP BY customer_id) p;
SELECT count(*) > 0 FROM (SELECT journey.attribution(p, 'shapley') AS a
  FROM (SELECT journey.paths_to_conversion(channel, ts, event = 'purchase', revenue::float8, '30 days') AS p
          FROM events GROUP BY customer_id) s) c;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT count(*) FROM (SELECT journey.window_funnel(ts, '7 days', event = 'site_visit', event = 'signup') AS l
                        FROM events GROUP BY customer_id) f WHERE l >= 0;
SELECT journey.exact_sum(revenue::float8) > 0 FROM events;
EXPLAIN (COSTS OFF) SELECT journey.exact_sum(revenue::float8) FROM events;
SQL
)
suite_expect "a role with USAGE on schema journey alone computes aggregates over the events, in parallel too (Partial Aggregate)" \
	"$(grep -v '^ *->\|^ *Workers\|^Finalize\|^ *Gather' <<<"$out" | tr '\n' ' ')|$(grep -c 'Partial Aggregate' <<<"$out")" "2000 t 2000 t |1"
out=$(as_bi -f - <<'SQL'
SELECT count(*) FROM (SELECT journey.path_agg(channel, ts) FROM events GROUP BY customer_id) p;
SELECT count(*) FROM (SELECT journey.window_funnel(ts, '7 days', event = 'site_visit', event = 'signup')
                        FROM events GROUP BY customer_id) f;
SELECT count(*) > 0 FROM (SELECT journey.attribution(p, 'markov') AS a
  FROM (SELECT journey.paths_to_conversion(channel, ts, event = 'purchase', revenue::float8, '30 days') AS p
          FROM events GROUP BY customer_id) s) c;
SELECT count(*) > 0 FROM journey.moment_report('sample');
SELECT count(*) > 0 FROM journey.path_report('sample');
SELECT length(journey.funnel_svg('sample')) > 0, length(journey.sankey_svg('sample')) > 0;
SQL
)
suite_expect "the BI role computes aggregates, reports and pictures" "$(tr '\n' ' ' <<<"$out")" "2000 2000 t t t t|t "

# and writes nothing of the registry
for table in $(suite_q -d $DB -c "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'journey'::regnamespace AND c.relkind = 'r' ORDER BY 1"); do
	column=$(suite_q -d $DB -c "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = 'journey.$table'::regclass AND attnum = 1")
	for statement in "INSERT INTO journey.$table DEFAULT VALUES" \
		"UPDATE journey.$table SET $column = $column" "DELETE FROM journey.$table" \
		"TRUNCATE journey.$table"; do
		out=$(as_bi -c "$statement" || true)
		if [[ $out == *"permission denied for table $table"* ]]; then
			echo "ok: the BI role cannot ${statement%% *} journey.$table"
		else
			echo "MISMATCH: the BI role: $statement: $out"
			SUITE_FAILED=1
		fi
	done
done

exit $SUITE_FAILED
