# test/bench.d/50_labels.sh: default_channel over every row of bench_events
# against the same rules written as a SQL CASE over lower(trim(...)) with
# regular expression matches.  The CASE is generated from journey.channel_rule
# so that both sides apply the same rules in the same order.  Prints the
# comparison, rows per second of each side, and how many rows the two ways
# classify differently (the CASE does not fold full-width or non-ASCII
# spellings).  A second comparison makes every source distinct, the worst
# case for default_channel's memo.  Sourced by test/bench.

labels_case=$(psql_q -At <<'SQL'
SELECT 'CASE ' || string_agg(
         format('WHEN %s THEN %L',
                coalesce(nullif(concat_ws(' AND ',
                    CASE WHEN source_pattern IS NOT NULL THEN format('s ~ %L', source_pattern) END,
                    CASE WHEN medium_pattern IS NOT NULL THEN format('m ~ %L', medium_pattern) END), ''),
                  'true'),
                channel),
         ' ' ORDER BY priority)
       || ' ELSE ''Unassigned'' END'
  FROM journey.channel_rule;
SQL
)
labels_plain_from="(SELECT coalesce(lower(trim(source)), '') AS s, coalesce(lower(trim(medium)), '') AS m FROM bench_events) AS e"
labels_rows=$(psql_q -At -c "SELECT count(*) FROM bench_events")

labels_line=$(bench_compare "default_channel over every row (GROUP BY channel)" \
	"SELECT journey.default_channel(source, medium) AS channel, count(*) FROM bench_events GROUP BY 1" \
	"SELECT $labels_case AS channel, count(*) FROM $labels_plain_from GROUP BY 1")
echo "$labels_line"
awk -v rows="$labels_rows" '{
	for (i = 1; i <= NF; i++) {
		if ($i == "journey") a = $(i + 1);
		if ($i == "SQL") b = $(i + 1);
	}
	printf "%-58s journey %10.0f rows/s  plain SQL %10.0f rows/s  (%d rows)\n",
		"default_channel rows per second", rows / (a / 1000), rows / (b / 1000), rows
}' <<<"$labels_line"

# worst case: every source distinct (no memo hits), rules tried until the
# first match; the CASE twin sees the same values
labels_line=$(bench_compare "default_channel, every source distinct (memo misses)" \
	"SELECT journey.default_channel(source || '-' || customer_id, medium) AS channel, count(*) FROM bench_events GROUP BY 1" \
	"SELECT $labels_case AS channel, count(*) FROM (SELECT coalesce(lower(trim(source || '-' || customer_id)), '') AS s, coalesce(lower(trim(medium)), '') AS m FROM bench_events) AS e GROUP BY 1")
echo "$labels_line"

psql_q -At <<SQL
SELECT format('%-58s %s of %s rows differ (journey / CASE): %s', 'default_channel vs CASE agreement',
              count(*) FILTER (WHERE ours <> plain), count(*),
              coalesce(string_agg(DISTINCT format('%s/%s -> %s vs %s', source, medium, ours, plain), '; ')
                       FILTER (WHERE ours <> plain), 'none'))
  FROM (SELECT source, medium, journey.default_channel(source, medium) AS ours,
               $labels_case AS plain
          FROM (SELECT source, medium, coalesce(lower(trim(source)), '') AS s,
                       coalesce(lower(trim(medium)), '') AS m
                  FROM bench_events) AS e) AS x;
SQL
