#!/usr/bin/env bash
# test/suites/27_report_differential.sh: the four reports against their
# GROUP BY customer form, written out here over the aggregates, on random
# sources.
#
# Each seed draws a source: customers with 0 to 14 events, timestamps on a
# coarse grid (many ties, also across steps), NULLs in every column (the
# customer too: a group of its own), long labels (compressed, and stored
# out of line in TOAST), a segment column; then rows deleted and updated in
# committed transactions.  The same rows are read as:
#   - a table in customer order and one in time order (the engine),
#   - a partitioned table, with partitions numbering columns differently,
#   - a table with text customers and timestamp-without-time-zone times,
#     and one with uuid customers and date times (the engine),
#   - a view, and a table under row-level security read by a role the
#     policy applies to (both through SQL),
# and each report, with random parameters (steps, windows, modes, segment
# grouping and filters, periods, top, transforms, label column, min_share,
# patterns), must give the rows the GROUP BY form gives, plainly, with a
# small work_mem (the engine spills), with forced parallel workers, and
# with both.  The DEBUG1 summaries of the engine must show it spilled and
# ran workers.  Visibility: while another session holds uncommitted
# deletes, updates and inserts, and inside a transaction that changed rows
# itself, the reports still equal the GROUP BY form read in the same
# snapshot.
#
# Random: JOURNEY_FUZZ_SEED fixes the first seed (a fresh one otherwise,
# always printed), JOURNEY_REPORT_SEEDS the number of seeds (default 3).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DB=journey_report_differential
SEEDS=${JOURNEY_REPORT_SEEDS:-3}
FIRST=${JOURNEY_FUZZ_SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000 ))}
echo "seeds $FIRST to $((FIRST + SEEDS - 1)) (JOURNEY_FUZZ_SEED=$FIRST repeats this run)"

suite_database "$DB"
suite_q -d postgres -c "DROP ROLE IF EXISTS journey_diff_reader" -c "CREATE ROLE journey_diff_reader" >/dev/null
trap "suite_q -d postgres -c 'DROP DATABASE IF EXISTS $DB' >/dev/null 2>&1 || true;
      suite_q -d postgres -c 'DROP ROLE IF EXISTS journey_diff_reader' >/dev/null 2>&1 || true" EXIT

q() { suite_q -d "$DB" "$@"; }

q >/dev/null <<'SQL'
CREATE EXTENSION journey;
SET client_min_messages = warning;
GRANT USAGE ON SCHEMA journey, journey_internal TO journey_diff_reader;
GRANT SELECT ON journey.source, journey.moment TO journey_diff_reader;

-- One seed's rows: draw(seed) fills ev_base.
CREATE TABLE ev_base (id serial, cust int, at timestamptz, what text, chan text, seg text);
CREATE FUNCTION draw(seed int) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
	ncust int;
	n int;
	events text[] := ARRAY['a', 'b', 'c', 'd', 'e', 'x'];
	chans text[] := ARRAY['Paid', 'Email', 'Direct', 'Organic', 'Referral'];
	segs text[] := ARRAY['north', 'south', 'east', 'West'];
BEGIN
	PERFORM setseed((seed % 1000000) / 1000000.0);
	TRUNCATE ev_base;
	ncust := 300 + floor(random() * 1200)::int;
	FOR c IN 1..ncust LOOP
		n := floor(random() * 15)::int;
		INSERT INTO ev_base (cust, at, what, chan, seg)
		SELECT CASE WHEN random() < 0.01 THEN NULL ELSE c END,
		       CASE WHEN random() < 0.02 THEN NULL
		            ELSE '2026-01-01'::timestamptz
		                 + (c % 50) * interval '1 day'
		                 + floor(random() * 40) * interval '30 minutes' END,
		       CASE WHEN random() < 0.03 THEN NULL ELSE events[1 + floor(random() * 6)::int] END,
		       CASE WHEN random() < 0.05 THEN NULL
		            WHEN random() < 0.01 THEN repeat('long label ', 300)          -- compressed
		            WHEN random() < 0.01 THEN (SELECT string_agg(md5(random()::text), '')
		                                          FROM generate_series(1, 80))    -- out of line
		            ELSE chans[1 + floor(random() * 5)::int] END,
		       CASE WHEN random() < 0.05 THEN NULL ELSE segs[1 + floor(random() * 4)::int] END
		  FROM generate_series(1, n);
	END LOOP;
END
$f$;

-- The GROUP BY customer forms, over any relation with columns cust, at,
-- what, chan, seg (at read as timestamptz).
CREATE FUNCTION seg_expr(segcol text) RETURNS text LANGUAGE sql AS $$
  SELECT CASE WHEN segcol IS NULL THEN 'NULL::text'
              ELSE '(array_agg(seg::text ORDER BY at, seg::text COLLATE "C"))[1]' END $$;
CREATE FUNCTION range_expr(since timestamptz, until timestamptz) RETURNS text LANGUAGE sql AS $$
  SELECT concat_ws(' AND ', 'true',
                   CASE WHEN since IS NOT NULL THEN format('at::timestamptz >= %L', since) END,
                   CASE WHEN until IS NOT NULL THEN format('at::timestamptz < %L', until) END) $$;
CREATE FUNCTION conds(steps text[]) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(format('what::text = %L', s), ', ' ORDER BY k)
    FROM unnest(steps) WITH ORDINALITY u(s, k) $$;

CREATE FUNCTION ref_funnel(rel regclass, steps text[], w interval, modes text, segcol text,
                           segval text, since timestamptz, until timestamptz)
RETURNS TABLE (segment text, step int, customers bigint, median float8)
LANGUAGE plpgsql AS $f$
BEGIN
	RETURN QUERY EXECUTE format($q$
	  WITH per AS (
	    SELECT %1$s AS seg,
	           journey.window_funnel(at::timestamptz, %2$L::interval, %3$L, %4$s) AS lvl,
	           journey.funnel_times(at::timestamptz, %2$L::interval, %4$s) AS t
	      FROM %5$s WHERE %6$s GROUP BY cust
	  ), kept AS (SELECT * FROM per WHERE %7$L::text IS NULL OR seg = %7$L)
	  SELECT g.seg, k, (SELECT count(*) FROM kept WHERE seg IS NOT DISTINCT FROM g.seg AND lvl >= k),
	         CASE WHEN %3$L = '' THEN
	           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t[k] - t[k - 1])::float8)
	              FROM kept WHERE seg IS NOT DISTINCT FROM g.seg AND cardinality(t) >= k AND k >= 2) END
	    FROM (SELECT DISTINCT seg FROM kept WHERE %8$L
	          UNION ALL SELECT NULL WHERE NOT %8$L) g,
	         generate_series(1, %9$s) k $q$,
	  seg_expr(segcol), w, coalesce(modes, ''), conds(steps), rel, range_expr(since, until),
	  segval, segcol IS NOT NULL, cardinality(steps));
END
$f$;

CREATE FUNCTION ref_paths(rel regclass, label text, transforms text[], segcol text, segval text,
                          since timestamptz, until timestamptz)
RETURNS TABLE (path text[])
LANGUAGE plpgsql AS $f$
BEGIN
	RETURN QUERY EXECUTE format($q$
	  SELECT CASE WHEN %1$L::text[] IS NULL THEN p ELSE journey.path_transform(p, VARIADIC %1$L::text[]) END
	    FROM (SELECT %2$s AS seg, journey.path_agg(%3$I::text, at::timestamptz) AS p
	            FROM %4$s WHERE %5$s GROUP BY cust) x
	   WHERE p IS NOT NULL AND (%6$L::text IS NULL OR seg = %6$L) $q$,
	  transforms, seg_expr(segcol), label, rel, range_expr(since, until), segval);
END
$f$;

CREATE FUNCTION ref_top(rel regclass, top int, label text, transforms text[], segcol text,
                        segval text, since timestamptz, until timestamptz)
RETURNS TABLE (path text[], customers bigint, rank int)
LANGUAGE sql AS $$
  WITH c AS (SELECT path, count(*) AS n FROM ref_paths(rel, label, transforms, segcol, segval, since, until)
              GROUP BY path),
       r AS (SELECT path, n, row_number() OVER (ORDER BY n DESC, path COLLATE "C")::int AS rank FROM c)
  SELECT path, n, rank FROM r WHERE rank <= top
  UNION ALL
  SELECT ARRAY['(other)'], coalesce((SELECT sum(n) FROM r WHERE rank > top), 0)::bigint, NULL
$$;

CREATE FUNCTION ref_transitions(rel regclass, steps int, min_share float8, label text,
                                transforms text[], segcol text, segval text,
                                since timestamptz, until timestamptz)
RETURNS TABLE (step int, from_label text, to_label text, customers bigint)
LANGUAGE sql AS $$
  WITH e AS (SELECT t.step, t.from_label, t.to_label, count(*) AS n
               FROM ref_paths(rel, label, transforms, segcol, segval, since, until) p,
                    journey.transitions(p.path) t
              WHERE t.step <= steps GROUP BY 1, 2, 3),
       s AS (SELECT e.*, e.n::float8 / (sum(e.n) OVER (PARTITION BY e.step))::float8 < min_share AS small
               FROM e)
  SELECT step, from_label, to_label, n FROM s WHERE NOT small
  UNION ALL
  SELECT step, '(other)', '(other)', sum(n)::bigint FROM s WHERE small GROUP BY step
$$;

CREATE FUNCTION ref_sequence(rel regclass, pattern text, events text[], segcol text, segval text,
                             since timestamptz, until timestamptz)
RETURNS TABLE (customers bigint, matches bigint)
LANGUAGE plpgsql AS $f$
BEGIN
	RETURN QUERY EXECUTE format($q$
	  SELECT count(*) FILTER (WHERE m), coalesce(sum(c), 0)::bigint
	    FROM (SELECT %1$s AS seg,
	                 journey.sequence_match(%2$L, at::timestamptz, %3$s) AS m,
	                 journey.sequence_count(%2$L, at::timestamptz, %3$s) AS c
	            FROM %4$s WHERE %5$s GROUP BY cust) x
	   WHERE %6$L::text IS NULL OR seg = %6$L $q$,
	  seg_expr(segcol), pattern, conds(events), rel, range_expr(since, until), segval);
END
$f$;

-- Rows in one and not the other, both ways.
CREATE FUNCTION differing(a text, b text) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM ((%1$s EXCEPT ALL %2$s) UNION ALL (%2$s EXCEPT ALL %1$s)) d', a, b)
	   INTO n;
	RETURN n;
END
$f$;

-- One round: every report over every source with parameters drawn from
-- seed; one row per (source, report) with the rows compared and differing.
CREATE TABLE params (seed int, what text, p jsonb);
CREATE FUNCTION round_params(seed int) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
	events text[] := ARRAY['a', 'b', 'c', 'd', 'e'];
	modes text[] := ARRAY['', '', '', 'strict_order', 'strict_deduplication', 'strict_increase',
	                      'strict_once', 'strict_order, allow_reentry',
	                      'strict_deduplication, strict_increase, strict_once'];
	windows text[] := ARRAY['0', '30 minutes', '2 hours', '1 day', '7 days', '60 days'];
	transforms text[] := ARRAY[NULL, '{exposure}', '{first}', '{frequency}', '{trim_long_path(2)}',
	                           '{remove_if_last_and_not_all(Paid),exposure}'];
	patterns text[] := ARRAY['(?1)', '(?1)(?2)', '(?1).*(?2)', '(?1).(?2)', '(?1)(?t<=3600)(?2)',
	                         '(?1).*(?t>=86400)(?2)', '(?2)(?t==1800)(?1)', '(?1)(?t<3600).*(?2).*(?3)'];
	nsteps int;
	steps text[];
	segcol text;
	segval text;
	since timestamptz;
	until timestamptz;
BEGIN
	PERFORM setseed(((seed::bigint * 7919) % 1000000) / 1000000.0);
	DELETE FROM params WHERE params.seed = round_params.seed;
	FOR r IN 1..2 LOOP
		nsteps := 1 + floor(random() * 5)::int;
		steps := ARRAY(SELECT events[1 + floor(random() * 5)::int] FROM generate_series(1, nsteps));
		segcol := CASE WHEN random() < 0.4 THEN 'seg' END;
		segval := CASE WHEN random() < 0.3 THEN 'north' END;
		since := CASE WHEN random() < 0.3 THEN '2026-01-10'::timestamptz + floor(random() * 20) * interval '1 day' END;
		until := CASE WHEN random() < 0.3 THEN '2026-02-01'::timestamptz + floor(random() * 20) * interval '1 day' END;
		INSERT INTO params VALUES (seed, 'funnel', jsonb_build_object(
			'steps', steps, 'window', windows[1 + floor(random() * 6)::int],
			'modes', modes[1 + floor(random() * 9)::int],
			'segcol', CASE WHEN segval IS NOT NULL OR segcol IS NOT NULL THEN 'seg' END,
			'segval', segval, 'since', since, 'until', until));
		segcol := CASE WHEN random() < 0.25 THEN 'seg' END;
		INSERT INTO params VALUES (seed, 'paths', jsonb_build_object(
			'top', floor(random() * 25)::int, 'label', CASE WHEN random() < 0.8 THEN 'chan' ELSE 'what' END,
			'transforms', transforms[1 + floor(random() * 6)::int]::text[],
			'segcol', segcol, 'segval', CASE WHEN segcol IS NOT NULL THEN 'south' END,
			'since', since, 'until', until));
		INSERT INTO params VALUES (seed, 'transitions', jsonb_build_object(
			'steps', 1 + floor(random() * 6)::int, 'min_share', (ARRAY[0, 0.02, 0.1, 0.3])[1 + floor(random() * 4)::int],
			'label', CASE WHEN random() < 0.8 THEN 'chan' ELSE 'what' END,
			'transforms', transforms[1 + floor(random() * 6)::int]::text[],
			'segcol', segcol, 'segval', CASE WHEN segcol IS NOT NULL THEN 'East' END,
			'since', since, 'until', until));
		INSERT INTO params VALUES (seed, 'sequence', jsonb_build_object(
			'pattern', patterns[1 + floor(random() * 8)::int],
			'events', ARRAY(SELECT events[1 + floor(random() * 5)::int] FROM generate_series(1, 3)),
			'segcol', segcol, 'segval', CASE WHEN segcol IS NOT NULL THEN 'West' END,
			'since', since, 'until', until));
	END LOOP;
END
$f$;

CREATE FUNCTION jtext(p jsonb, k text) RETURNS text LANGUAGE sql AS $$ SELECT p ->> k $$;
CREATE FUNCTION jarr(p jsonb, k text) RETURNS text[] LANGUAGE sql AS $$
  SELECT CASE WHEN jsonb_typeof(p -> k) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(p -> k)) END $$;

-- The report of one parameter set over source src (relation rel), and
-- its GROUP BY form, as queries.
CREATE FUNCTION queries(src text, rel regclass, what text, p jsonb, OUT report text, OUT ref text)
LANGUAGE plpgsql AS $f$
BEGIN
	IF what = 'funnel' THEN
		report := format('SELECT segment, step, customers, median_seconds_from_previous FROM journey.funnel_report(%L, %L::text[], %L::interval, %L, %L, %L, %L, %L)',
		                 src, jarr(p, 'steps'), jtext(p, 'window'), jtext(p, 'modes'), jtext(p, 'segcol'),
		                 jtext(p, 'segval'), jtext(p, 'since'), jtext(p, 'until'));
		ref := format('SELECT * FROM ref_funnel(%L, %L::text[], %L::interval, %L, %L, %L, %L, %L)',
		              rel, jarr(p, 'steps'), jtext(p, 'window'), jtext(p, 'modes'), jtext(p, 'segcol'),
		              jtext(p, 'segval'), jtext(p, 'since'), jtext(p, 'until'));
	ELSIF what = 'paths' THEN
		report := format('SELECT path, customers, rank FROM journey.path_report(%L, %s, %L::text[], %L, %L, %L, %L, %L)',
		                 src, jtext(p, 'top'), jarr(p, 'transforms'), jtext(p, 'label'), jtext(p, 'segcol'),
		                 jtext(p, 'segval'), jtext(p, 'since'), jtext(p, 'until'));
		ref := format('SELECT * FROM ref_top(%L, %s, %L, %L::text[], %L, %L, %L, %L)',
		              rel, jtext(p, 'top'), jtext(p, 'label'), jarr(p, 'transforms'), jtext(p, 'segcol'),
		              jtext(p, 'segval'), jtext(p, 'since'), jtext(p, 'until'));
	ELSIF what = 'transitions' THEN
		report := format('SELECT step, from_label, to_label, customers FROM journey.transition_report(%L, %s, %s, %L::text[], %L, %L, %L, %L, %L)',
		                 src, jtext(p, 'steps'), jtext(p, 'min_share'), jarr(p, 'transforms'), jtext(p, 'label'),
		                 jtext(p, 'segcol'), jtext(p, 'segval'), jtext(p, 'since'), jtext(p, 'until'));
		ref := format('SELECT * FROM ref_transitions(%L, %s, %s, %L, %L::text[], %L, %L, %L, %L)',
		              rel, jtext(p, 'steps'), jtext(p, 'min_share'), jtext(p, 'label'), jarr(p, 'transforms'),
		              jtext(p, 'segcol'), jtext(p, 'segval'), jtext(p, 'since'), jtext(p, 'until'));
	ELSE
		report := format('SELECT * FROM journey.sequence_report(%L, %L, %L::text[], %L, %L, %L, %L)',
		                 src, jtext(p, 'pattern'), jarr(p, 'events'), jtext(p, 'since'), jtext(p, 'until'),
		                 jtext(p, 'segcol'), jtext(p, 'segval'));
		ref := format('SELECT * FROM ref_sequence(%L, %L, %L::text[], %L, %L, %L, %L)',
		              rel, jtext(p, 'pattern'), jarr(p, 'events'), jtext(p, 'segcol'), jtext(p, 'segval'),
		              jtext(p, 'since'), jtext(p, 'until'));
	END IF;
END
$f$;

-- The variants each source is read under: plainly; with a small work_mem,
-- so that the engine spills; with forced parallel workers; both (each
-- engine source under some, the time-ordered table under all; sources read
-- through SQL plainly).
CREATE FUNCTION variants_for(s text) RETURNS text[] LANGUAGE sql AS $$
  SELECT CASE s WHEN 'ev_c' THEN ARRAY['plain', 'spill']
                WHEN 'ev_t' THEN ARRAY['plain', 'spill', 'parallel', 'spill+parallel']
                WHEN 'ev_part' THEN ARRAY['plain', 'parallel']
                WHEN 'ev_text' THEN ARRAY['plain', 'spill']
                WHEN 'ev_uuid' THEN ARRAY['plain', 'spill+parallel']
                ELSE ARRAY['plain'] END $$;

-- Every source and parameter set of a seed, under the given variants (NULL:
-- the source's own): rows compared, differing.
CREATE FUNCTION compare(seed int, sources text[], variants text[], own_reference bool DEFAULT false)
RETURNS TABLE (source text, report text, variant text, compared bigint, differing bigint)
LANGUAGE plpgsql AS $f$
DECLARE
	q record;
	s text;
	v text;
	rel regclass;
	ref_rel regclass;
	done regclass;
	pr record;
BEGIN
	FOR pr IN SELECT * FROM params WHERE params.seed = compare.seed LOOP
		done := NULL;
		FOREACH s IN ARRAY sources LOOP
			SELECT relation INTO rel FROM journey.source WHERE name = s;
			-- the GROUP BY form reads the customer-ordered table for the
			-- sources holding the same rows in another layout
			ref_rel := CASE WHEN s IN ('ev_t', 'ev_part', 'ev_view') AND NOT own_reference
			                THEN 'ev_c'::regclass ELSE rel END;
			SELECT * INTO q FROM queries(s, ref_rel, pr.what, pr.p);
			IF done IS DISTINCT FROM ref_rel THEN
				DROP TABLE IF EXISTS ref_rows;
				EXECUTE 'CREATE TEMP TABLE ref_rows AS ' || q.ref;
				done := ref_rel;
			END IF;
			source := s;
			report := pr.what;
			SELECT count(*) INTO compared FROM ref_rows;
			FOREACH v IN ARRAY coalesce(variants, variants_for(s)) LOOP
				variant := v;
				PERFORM set_config('work_mem', CASE WHEN v LIKE '%spill%' THEN '64kB' ELSE '4MB' END, true);
				PERFORM set_config('min_parallel_table_scan_size',
				                   CASE WHEN v LIKE '%parallel%' THEN '0' ELSE '8MB' END, true);
				differing := differing(q.report, 'TABLE ref_rows');
				IF differing > 0 THEN
					RAISE WARNING 'seed % source % (%) differs: % vs %', seed, s, v, q.report, q.ref;
				END IF;
				RETURN NEXT;
			END LOOP;
		END LOOP;
	END LOOP;
END
$f$;
GRANT SELECT ON params TO journey_diff_reader;
SQL

# The sources of a seed: the same rows in every layout.
make_sources() {
	q >/dev/null <<SQL
SET client_min_messages = warning;
SELECT draw($1);
DELETE FROM journey.source;
DROP TABLE IF EXISTS ev_c, ev_t, ev_part, ev_text, ev_uuid, ev_rls CASCADE;
-- committed deletes and updates (the dead rows stay until vacuum)
CREATE TABLE ev_c (LIKE ev_base INCLUDING ALL);
ALTER TABLE ev_c ALTER COLUMN chan SET STORAGE EXTENDED;
INSERT INTO ev_c SELECT * FROM ev_base ORDER BY cust, at;
DELETE FROM ev_c WHERE id % 17 = 0;
UPDATE ev_c SET what = 'b' WHERE id % 19 = 0;
UPDATE ev_c SET at = at + interval '1 hour' WHERE id % 23 = 0;
CREATE TABLE ev_t AS SELECT * FROM ev_c ORDER BY at, id;
CREATE TABLE ev_part (junk int, id int, cust int, at timestamptz, what text, chan text, seg text)
  PARTITION BY LIST ((cust % 3));
ALTER TABLE ev_part DROP COLUMN junk;
CREATE TABLE ev_part_0 PARTITION OF ev_part FOR VALUES IN (0);
CREATE TABLE ev_part_1 (seg text, chan text, what text, at timestamptz, cust int, id int);
ALTER TABLE ev_part ATTACH PARTITION ev_part_1 FOR VALUES IN (1);
CREATE TABLE ev_part_d PARTITION OF ev_part DEFAULT;
INSERT INTO ev_part SELECT * FROM ev_c;
CREATE TABLE ev_text AS SELECT id, 'c' || cust AS cust, (at AT TIME ZONE 'UTC')::timestamp AS at,
                               what::varchar(8) AS what, chan, seg FROM ev_c;
CREATE TABLE ev_uuid AS SELECT id, md5(cust::text)::uuid AS cust, at::date AS at, what, chan, seg FROM ev_c;
CREATE VIEW ev_view AS SELECT * FROM ev_c;
CREATE TABLE ev_rls AS SELECT * FROM ev_c;
ALTER TABLE ev_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY odd ON ev_rls USING (cust IS NULL OR cust % 2 = 1);
GRANT SELECT ON ev_c, ev_rls TO journey_diff_reader;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
SELECT s, s::regclass, 'cust', 'at', 'what', 'chan'
  FROM unnest(ARRAY['ev_c', 'ev_t', 'ev_part', 'ev_text', 'ev_uuid', 'ev_view', 'ev_rls']) s;
ANALYZE;
SELECT round_params($1);
SQL
}

SPILL="SET work_mem = '64kB';"
PARALLEL="SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;"
SOURCES="ARRAY['ev_c', 'ev_t', 'ev_part', 'ev_view', 'ev_text', 'ev_uuid', 'ev_rls']"
VARIANTS="ARRAY['plain', 'spill+parallel']"
VARIANTS_ALL="ARRAY['plain', 'spill', 'parallel', 'spill+parallel']"
OWN=NULL
total=0 bad=0
for ((i = 0; i < SEEDS; i++)); do
	seed=$((FIRST + i))
	t0=$(date +%s.%N)
	make_sources "$seed"
	t1=$(date +%s.%N)
	if [ "$i" -eq 0 ]; then
		echo "how each source is read: $(q -c "SELECT string_agg(s || ': ' || journey.report_method(s), ', ' ORDER BY s)
		                                          FROM unnest($SOURCES) s")"
	fi
	out=$(q -F ' ' -c "SET client_min_messages = error" -c "
		SELECT count(*), coalesce(sum(compared), 0), coalesce(sum(differing), 0)
		  FROM compare($seed, $SOURCES, $OWN)" 2>&1)
	read -r n rows diff <<<"$out" || true
	echo "seed $seed: $n comparisons of $rows rows, $diff differing" \
		"($(awk -v a="$t0" -v b="$t1" -v c="$(date +%s.%N)" 'BEGIN {printf "sources %.1f s, reports %.1f s", b - a, c - b}'))"
	total=$((total + n))
	if [ "$diff" != 0 ]; then
		bad=$((bad + 1))
		q -c "SET client_min_messages = warning" \
			-c "SELECT * FROM compare($seed, $SOURCES, $OWN) WHERE differing > 0" 2>&1 | head -5 || true
	fi
	# row-level security as a role the policy applies to: through SQL, with
	# the policy's rows on both sides
	how=$(q -c "SET ROLE journey_diff_reader" -c "SELECT journey.report_method('ev_rls')")
	diff=$(q -c "SET ROLE journey_diff_reader" -c "SET client_min_messages = error" \
		-c "SELECT coalesce(sum(differing), 0) FROM compare($seed, ARRAY['ev_rls'], ARRAY['plain'])")
	if [ "$diff" != 0 ] || [[ $how != sql:* ]]; then
		bad=$((bad + 1))
		echo "MISMATCH: seed $seed, row-level security as its reader ($how): $diff rows differ"
	fi
done
suite_expect "reports equal their GROUP BY form over $SEEDS seeds ($total comparisons)" "$bad" 0

# The engine really spilled and ran workers: its DEBUG1 summaries, over
# the last seed's rows four times (four times the customers).
q -c "CREATE TABLE ev_x4 AS SELECT e.id, e.cust + k * 100000 AS cust, e.at, e.what, e.chan, e.seg
        FROM ev_t e, generate_series(0, 3) k" \
  -c "INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
      VALUES ('ev_x4', 'ev_x4', 'cust', 'at', 'what')" >/dev/null
debug=$(q -c "SET client_min_messages = debug1; $SPILL" \
	-c "SELECT count(*) FROM journey.funnel_report('ev_x4', ARRAY['a', 'b', 'c'])" 2>&1 >/dev/null | grep 'journey report' || true)
suite_expect "a small work_mem makes the engine spill" \
	"$(grep -c -E ' [1-9][0-9]* spilled' <<<"$debug" || true)" 1
debug=$(q -c "SET client_min_messages = debug1; $PARALLEL" \
	-c "SELECT count(*) FROM journey.funnel_report('ev_x4', ARRAY['a', 'b', 'c'])" 2>&1 >/dev/null | grep 'journey report' || true)
suite_expect "forced parallel runs workers" "$(grep -c 'journey report worker' <<<"$debug" | sed 's/^[1-9]$/yes/')" yes

# Past work_mem the reports' own results spill too (the funnel's gaps for
# its medians, the counts of distinct paths and edges): 40,000 customers
# with 1 to 5 events over 97 labels, against the GROUP BY forms, serial and
# with workers.
q >/dev/null <<'SQL'
CREATE TABLE ev_many AS
  SELECT c AS cust,
         '2026-01-01'::timestamptz + (c % 97) * interval '1 hour'
           + k * interval '7 minutes' * (1 + (c * k) % 13) AS at,
         (ARRAY['a', 'b', 'c', 'd'])[1 + (c * 7 + k * 3) % 4] AS what,
         'channel ' || ((c * 31 + k * 59 + c / 7) % 97) AS chan, NULL::text AS seg
    FROM generate_series(1, 40000) c, generate_series(0, c % 5) k;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column, channel_column)
VALUES ('ev_many', 'ev_many', 'cust', 'at', 'what', 'chan');
ANALYZE ev_many;
INSERT INTO params VALUES
  (-1, 'funnel', '{"steps": ["a", "b", "c", "d"], "window": "7 days", "modes": ""}'),
  (-1, 'paths', '{"top": 40, "label": "chan"}'),
  (-1, 'transitions', '{"steps": 4, "min_share": 0.001, "label": "chan"}');
SQL
out=$(q -c "SET client_min_messages = debug1" -c "SELECT variant, sum(differing) FROM compare(-1, ARRAY['ev_many'], $VARIANTS_ALL) GROUP BY 1 ORDER BY 1" 2>&1)
suite_expect "results past work_mem (gaps, path and edge counts) equal the GROUP BY form" \
	"$(grep -v 'DEBUG\|NOTICE' <<<"$out" | tr '\n' ' ')" "parallel|0 plain|0 spill|0 spill+parallel|0 "
suite_expect "the funnel's gaps were sorted past work_mem" \
	"$(grep -c 'gaps past work_mem' <<<"$out" | sed 's/^[1-9][0-9]*$/yes/')" yes
suite_expect "path and edge counts were sorted past work_mem" \
	"$(grep -c 'counts past work_mem' <<<"$out" | sed 's/^[1-9][0-9]*$/yes/')" yes

# Visibility: another session's uncommitted changes are not seen, the
# session's own are; the reports equal the GROUP BY form in the same snapshot.
last=$((FIRST + SEEDS - 1))
coproc OTHER { "$PGBIN/psql" -X -q -At -d "$DB" 2>&1; }
echo "BEGIN; DELETE FROM ev_t WHERE id % 5 = 0; UPDATE ev_t SET what = 'a' WHERE id % 7 = 0;
      INSERT INTO ev_t SELECT * FROM ev_t WHERE id % 3 = 0; SELECT 'held';" >&"${OTHER[1]}"
read -r line <&"${OTHER[0]}"
suite_expect "another session holds uncommitted deletes, updates and inserts" "$line" held
out=$(q -c "SET client_min_messages = error" -c "
	SELECT coalesce(sum(differing), 0) FROM compare($last, ARRAY['ev_t'], $VARIANTS, true)")
suite_expect "reports do not see another session's uncommitted changes" "$out" 0
echo "ROLLBACK; \\q" >&"${OTHER[1]}"
wait "$OTHER_PID" 2>/dev/null || true
out=$(q -F ' ' -c "SET client_min_messages = error" -c "BEGIN" \
	-c "DELETE FROM ev_t WHERE id % 4 = 0" \
	-c "UPDATE ev_t SET what = 'c', at = at - interval '1 day' WHERE id % 6 = 1" \
	-c "INSERT INTO ev_t SELECT * FROM ev_c WHERE id % 9 = 0" \
	-c "SELECT coalesce(sum(differing), 0), coalesce(sum(compared), 0) > 0
	      FROM compare($last, ARRAY['ev_t'], $VARIANTS, true)" \
	-c "ROLLBACK")
suite_expect "reports see their own transaction's changes" "$out" "0 t"

[ "$SUITE_FAILED" = 0 ] || echo "failed with JOURNEY_FUZZ_SEED=$FIRST JOURNEY_REPORT_SEEDS=$SEEDS"
exit "$SUITE_FAILED"
