-- Pictures: standalone SVG documents for a funnel of a source's moments,
-- a Sankey diagram of its transitions, attribution by model and channel,
-- and moment conversion rates across review cycles; and Mermaid text
-- (sankey-beta and a flowchart funnel) to paste into Markdown.
--
-- Each picture reads what the reports and views compute (moment_report,
-- transition_report, journey.channel_attribution, journey.review_moments),
-- so it reads a source only after their checks, as the current role, and
-- builds no SQL.  Every label that comes from data (moment, channel,
-- source and cycle names) goes through svg_escape or mermaid_escape, so a
-- label holding <, &, quotes or control characters cannot break the
-- document.  Coordinates are rounded to 0.1 px.

-- ---------------------------------------------------------------------
-- Helpers (internal)
-- ---------------------------------------------------------------------

-- XML text and attribute values: &, <, >, " and ' as entities, and the
-- characters XML 1.0 does not allow (control characters but tab, newline
-- and carriage return; U+FFFE, U+FFFF) left out.
CREATE FUNCTION journey_internal.svg_escape(label text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN replace(replace(replace(replace(replace(
	regexp_replace(label, '[\x01-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]', '', 'g'),
	'&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
COMMENT ON FUNCTION journey_internal.svg_escape(text) IS
  'internal: a label as XML text or attribute value (&, <, >, quotes as entities; characters XML does not allow left out)';

-- A label cut to at most width characters (an ellipsis ends a cut one).
CREATE FUNCTION journey_internal.picture_label(label text, width int)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN char_length(label) <= width THEN label
			ELSE left(label, greatest(width - 1, 1)) || '…' END;
COMMENT ON FUNCTION journey_internal.picture_label(text, int) IS
  'internal: a label cut to at most width characters, an ellipsis ending a cut one';

-- 12,345 (a count with thousands separators, whatever the locale).
CREATE FUNCTION journey_internal.picture_count(n float8)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN n = round(n) THEN to_char(n, 'FM999,999,999,999,999,990')
			ELSE to_char(n, 'FM999,999,999,999,999,990.0') END;
COMMENT ON FUNCTION journey_internal.picture_count(float8) IS
  'internal: a count with thousands separators (one decimal when not whole)';

-- 81.6% (a share as a percentage with one decimal).
CREATE FUNCTION journey_internal.picture_percent(share float8)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN to_char(share * 100, 'FM9990.0') || '%';
COMMENT ON FUNCTION journey_internal.picture_percent(float8) IS
  'internal: a share as a percentage with one decimal';

-- A duration in seconds as people say it: 45 s, 7 min, 16 h 39 min, 1 d 14 h.
CREATE FUNCTION journey_internal.picture_duration(seconds float8)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE
	WHEN round(seconds) < 60 THEN round(seconds)::text || ' s'
	WHEN round(seconds / 60) < 60 THEN round(seconds / 60)::text || ' min'
	WHEN round(seconds / 60) < 1440 THEN
		(round(seconds / 60)::bigint / 60)::text || ' h'
		|| CASE WHEN round(seconds / 60)::bigint % 60 = 0 THEN ''
				ELSE ' ' || (round(seconds / 60)::bigint % 60)::text || ' min' END
	ELSE (round(seconds / 3600)::bigint / 24)::text || ' d'
		|| CASE WHEN round(seconds / 3600)::bigint % 24 = 0 THEN ''
				ELSE ' ' || (round(seconds / 3600)::bigint % 24)::text || ' h' END
END;
COMMENT ON FUNCTION journey_internal.picture_duration(float8) IS
  'internal: a duration in seconds as 45 s, 7 min, 16 h 39 min or 1 d 14 h';

-- The colour of series k (0, 1, ...): ten colours that stay apart for
-- most readers (Tableau 10), then again.
CREATE FUNCTION journey_internal.picture_colour(k int)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (ARRAY['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948',
			  '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'])[abs(k) % 10 + 1];
COMMENT ON FUNCTION journey_internal.picture_colour(int) IS
  'internal: the colour of series k of a picture (ten colours, then again)';

-- An SVG document of the given size, title and body.
CREATE FUNCTION journey_internal.svg_document(width float8, height float8, title text, body text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN format('<svg xmlns="http://www.w3.org/2000/svg" width="%1$s" height="%2$s" viewBox="0 0 %1$s %2$s" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">'
			  '<title>%3$s</title>'
			  '<rect width="%1$s" height="%2$s" fill="#ffffff"/>'
			  '<text x="16" y="28" font-size="16" font-weight="bold" fill="#222">%3$s</text>'
			  '%4$s</svg>',
			  round(width::numeric, 1), round(height::numeric, 1),
			  journey_internal.svg_escape(title), coalesce(body, ''));
COMMENT ON FUNCTION journey_internal.svg_document(float8, float8, text, text) IS
  'internal: a standalone SVG document with a white background, a title (escaped) and the body';

-- A line of text to say that a picture has nothing to show.
CREATE FUNCTION journey_internal.svg_nothing(message text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN format('<text x="16" y="64" fill="#666">%s</text>', journey_internal.svg_escape(message));
COMMENT ON FUNCTION journey_internal.svg_nothing(text) IS
  'internal: a line of text saying that a picture has nothing to show';

-- ---------------------------------------------------------------------
-- Funnel
-- ---------------------------------------------------------------------

-- The funnel's rows, as both pictures of it draw them: per moment of
-- moment_report (no segments), its customers, the first moment's and the
-- previous moment's, the share moving on and the median seconds it took.
CREATE FUNCTION journey_internal.picture_funnel(source text, conversion_window interval,
	since timestamptz, until timestamptz)
RETURNS TABLE ("position" int, moment text, reached bigint, first bigint, previous bigint,
			   rate float8, median_seconds float8, i int, moments int)
LANGUAGE sql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT m.position, m.moment, m.customers_reached,
		   first_value(m.customers_reached) OVER (ORDER BY m.position),
		   lag(m.customers_reached) OVER (ORDER BY m.position),
		   m.conversion_rate, extract(epoch FROM m.median_time_to_next)::float8,
		   (row_number() OVER (ORDER BY m.position))::int - 1, (count(*) OVER ())::int
	  FROM @extschema@.moment_report(picture_funnel.source, picture_funnel.conversion_window,
									 NULL, picture_funnel.since, picture_funnel.until) m
$fn$;
COMMENT ON FUNCTION journey_internal.picture_funnel(text, interval, timestamptz, timestamptz) IS
  'internal: the rows of funnel_svg and funnel_mermaid: per moment its customers, the first and previous moment''s, the share moving on and the median seconds to the next';

-- One bar per moment, as long as its share of the first moment's
-- customers; the part of the previous bar that did not get this far is
-- shaded (the drop-off); between the bars the share that moved on and the
-- median time it took.
CREATE FUNCTION @extschema@.funnel_svg(
	source text,
	conversion_window interval DEFAULT NULL,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	-- bar area: labels left of x0, bars up to x0 + w, a row every pitch px
	x0 constant float8 := 200;
	w constant float8 := 440;
	pitch constant float8 := 64;
	top constant float8 := 48;
	n int;
	body text;
BEGIN
	WITH r AS (
		SELECT f.* FROM journey_internal.picture_funnel(funnel_svg.source, funnel_svg.conversion_window,
												   funnel_svg.since, funnel_svg.until) f
	), g AS (
		SELECT r.*, top + r.i * pitch AS y,
			   w * r.reached / greatest(r.first, 1) AS bar,
			   w * coalesce(r.previous, r.reached) / greatest(r.first, 1) AS previous_bar
		  FROM r
	)
	SELECT count(*), string_agg(
		format('<g><title>%s: %s customers, %s of the first moment%s</title>',
			   journey_internal.svg_escape(g.moment), journey_internal.picture_count(g.reached),
			   journey_internal.picture_percent(g.reached::float8 / greatest(g.first, 1)),
			   CASE WHEN g.previous IS NOT NULL
					THEN '; ' || journey_internal.picture_count(g.previous - g.reached)
						 || ' dropped after the moment before' ELSE '' END)
		|| format('<text x="%s" y="%s" text-anchor="end" fill="#222">%s</text>',
				  x0 - 10, round((g.y + 20)::numeric, 1),
				  journey_internal.svg_escape(journey_internal.picture_label(g.moment, 26)))
		|| format('<rect x="%s" y="%s" width="%s" height="30" fill="#eef0f3"/>',
				  x0, round(g.y::numeric, 1), w)
		|| CASE WHEN g.previous_bar > g.bar THEN
			   format('<rect class="drop-off" x="%s" y="%s" width="%s" height="30" fill="#f2b8b5"/>',
					  round((x0 + g.bar)::numeric, 1), round(g.y::numeric, 1),
					  round((g.previous_bar - g.bar)::numeric, 1))
		   ELSE '' END
		|| format('<rect class="bar" x="%s" y="%s" width="%s" height="30" fill="#4e79a7"/>',
				  x0, round(g.y::numeric, 1), round(g.bar::numeric, 1))
		|| format('<text x="%s" y="%s" fill="#222">%s</text>',
				  round((x0 + w + 8)::numeric, 1), round((g.y + 20)::numeric, 1),
				  journey_internal.picture_percent(g.reached::float8 / greatest(g.first, 1)))
		|| format('<text x="%s" y="%s" fill="%s">%s</text>',
				  round((x0 + CASE WHEN g.bar >= 90 THEN 8 ELSE g.bar + 8 END)::numeric, 1),
				  round((g.y + 20)::numeric, 1),
				  CASE WHEN g.bar >= 90 THEN '#ffffff' ELSE '#222' END,
				  journey_internal.picture_count(g.reached))
		|| '</g>'
		|| CASE WHEN g.i < g.moments - 1 THEN
			   format('<text x="%s" y="%s" font-size="12" fill="#555">↓ %s moved on%s</text>',
					  x0 + 8, round((g.y + 50)::numeric, 1),
					  coalesce(journey_internal.picture_percent(g.rate), '0.0%'),
					  CASE WHEN g.median_seconds IS NOT NULL
						   THEN ' · median ' || journey_internal.picture_duration(g.median_seconds)
						   ELSE '' END)
		   ELSE '' END,
		'' ORDER BY g.position)
	  INTO n, body
	  FROM g
	 WHERE g.first > 0;
	IF n = 0 OR body IS NULL THEN
		RETURN journey_internal.svg_document(720, 90, 'Funnel: ' || funnel_svg.source,
			journey_internal.svg_nothing('No customer reached the first moment.'));
	END IF;
	RETURN journey_internal.svg_document(x0 + w + 80, top + n * pitch,
									'Funnel: ' || funnel_svg.source, body);
END;
$fn$;
COMMENT ON FUNCTION @extschema@.funnel_svg(text, interval, timestamptz, timestamptz) IS
  'a standalone SVG funnel of the source''s moments (moment_report): bars as share of the first moment, drop-off shaded, share moving on and median time between moments';

-- The same as a Mermaid flowchart, one box per moment, the share moving on
-- and the median time on each arrow.
CREATE FUNCTION journey_internal.mermaid_escape(label text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN replace(replace(replace(replace(replace(
	regexp_replace(label, '[\x01-\x1F]', ' ', 'g'),
	'#', '#35;'), '&', '#amp;'), '"', '#quot;'), '<', '#lt;'), '>', '#gt;');
COMMENT ON FUNCTION journey_internal.mermaid_escape(text) IS
  'internal: a label inside a quoted Mermaid flowchart label (#, &, quotes, <, > as Mermaid entity codes; control characters as spaces)';

CREATE FUNCTION @extschema@.funnel_mermaid(
	source text,
	conversion_window interval DEFAULT NULL,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH r AS (
		SELECT f.*, lead(f.position) OVER (ORDER BY f.position) AS next_position
		  FROM journey_internal.picture_funnel(funnel_mermaid.source, funnel_mermaid.conversion_window,
										  funnel_mermaid.since, funnel_mermaid.until) f
	)
	SELECT 'flowchart TD' || E'\n'
		   || coalesce(string_agg(
				format('    m%s["%s<br/>%s %s · %s"]', r.position,
					   journey_internal.mermaid_escape(r.moment), journey_internal.picture_count(r.reached),
					   CASE WHEN r.reached = 1 THEN 'customer' ELSE 'customers' END,
					   journey_internal.picture_percent(r.reached::float8 / greatest(r.first, 1)))
				|| CASE WHEN r.next_position IS NOT NULL THEN
					   format(E'\n    m%s -->|"%s moved on%s"| m%s', r.position,
							  coalesce(journey_internal.picture_percent(r.rate), '0.0%'),
							  CASE WHEN r.median_seconds IS NOT NULL
								   THEN ' · median ' || journey_internal.picture_duration(r.median_seconds)
								   ELSE '' END,
							  r.next_position)
				   ELSE '' END,
				E'\n' ORDER BY r.position) || E'\n', '')
	  FROM r
$fn$;
COMMENT ON FUNCTION @extschema@.funnel_mermaid(text, interval, timestamptz, timestamptz) IS
  'Mermaid flowchart text of the source''s funnel (moment_report): a box per moment with its customers and share of the first, the share moving on and median time on each arrow';

-- ---------------------------------------------------------------------
-- Sankey
-- ---------------------------------------------------------------------

-- The flows of a Sankey of a source's transitions: the edges of
-- transition_report, node (k, label) being label as the k-th touch and
-- (0, (start)) the start, with every node that holds less than min_share of
-- the customers of its column (but (end)) folded into the column's node
-- (other), and the edges added up accordingly.  Folding nodes rather than
-- edges keeps what flows into a node equal to what flows out of it.
CREATE FUNCTION journey_internal.sankey_flows(source text, steps int, min_share float8)
RETURNS TABLE (step int, from_label text, to_label text, customers bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	PERFORM journey_internal.report_check_steps(sankey_flows.steps, sankey_flows.min_share);
	RETURN QUERY
	WITH e AS (
		SELECT t.step, t.from_label, t.to_label, t.customers
		  FROM @extschema@.transition_report(sankey_flows.source, sankey_flows.steps, 0) t
	), n AS (
		SELECT e.step AS col, e.to_label AS label, sum(e.customers) AS value,
			   sum(sum(e.customers)) OVER (PARTITION BY e.step) AS total
		  FROM e GROUP BY e.step, e.to_label
	), f AS (
		SELECT n.col, n.label,
			   CASE WHEN n.label <> '(end)' AND n.value < sankey_flows.min_share * n.total
					THEN '(other)' ELSE n.label END AS shown
		  FROM n
	)
	SELECT e.step, coalesce(ff.shown, e.from_label), tf.shown, sum(e.customers)::bigint
	  FROM e
	  LEFT JOIN f ff ON ff.col = e.step - 1 AND ff.label = e.from_label
	  JOIN f tf ON tf.col = e.step AND tf.label = e.to_label
	 GROUP BY e.step, coalesce(ff.shown, e.from_label), tf.shown
	 ORDER BY e.step, sum(e.customers) DESC, coalesce(ff.shown, e.from_label) COLLATE "C",
			  tf.shown COLLATE "C";
END;
$fn$;
COMMENT ON FUNCTION journey_internal.sankey_flows(text, int, float8) IS
  'internal: the flows of sankey_svg and sankey_mermaid: transition_report''s edges with the nodes under min_share of their column folded into (other)';

-- The nodes and links of sankey_svg: a node is as tall as the larger of
-- what flows in and out; the nodes of a column are stacked by size, (other)
-- and (end) last; links leave and enter their nodes in the order of the
-- nodes at their other end.
CREATE FUNCTION journey_internal.sankey_layout(source text, steps int, min_share float8,
	height float8)
RETURNS TABLE (kind text, col int, label text, customers bigint, x float8, y float8,
			   size float8, colour int, x1 float8, y1 float8)
LANGUAGE sql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH e AS (
		SELECT t.step, t.from_label, t.to_label, t.customers
		  FROM journey_internal.sankey_flows(sankey_layout.source, sankey_layout.steps,
										sankey_layout.min_share) t
	), n AS (
		SELECT v.col, v.label, greatest(sum(v.inflow), sum(v.outflow))::bigint AS value
		  FROM (SELECT e.step - 1 AS col, e.from_label AS label, 0 AS inflow, e.customers AS outflow
				  FROM e
				UNION ALL
				SELECT e.step, e.to_label, e.customers, 0 FROM e) v
		 GROUP BY v.col, v.label
	), o AS (
		SELECT n.*, (row_number() OVER w - 1)::int AS k,
			   coalesce(sum(n.value) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
				   AS before
		  FROM n
		WINDOW w AS (PARTITION BY n.col
					 ORDER BY n.label IN ('(other)', '(end)'), n.label = '(end)', n.value DESC,
							  n.label COLLATE "C")
	), s AS (
		SELECT max(c.total) AS total, max(c.nodes) AS nodes, greatest(max(c.col), 1) AS cols
		  FROM (SELECT n.col, sum(n.value) AS total, count(*) AS nodes FROM n GROUP BY n.col) c
	), g AS (
		SELECT o.col, o.label, o.value, o.k,
			   24 + o.col * (sankey_layout.height * 1.9 - 24 - 170) / s.cols AS x,
			   52 + o.before * (sankey_layout.height - 14 * (s.nodes - 1)) / s.total + o.k * 14 AS y,
			   (sankey_layout.height - 14 * (s.nodes - 1)) / s.total AS scale,
			   CASE WHEN o.label IN ('(start)', '(end)', '(other)') THEN -1
					ELSE (dense_rank() OVER (ORDER BY o.label IN ('(start)', '(end)', '(other)'),
											  o.label COLLATE "C"))::int - 1 END AS colour
		  FROM o, s
	), l AS (
		SELECT e.*, f.x + 12 AS x0, t.x AS x1, f.colour, f.scale,
			   f.y + f.scale * coalesce(sum(e.customers) OVER (
					PARTITION BY e.step, e.from_label ORDER BY t.k
					ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS y0,
			   t.y + t.scale * coalesce(sum(e.customers) OVER (
					PARTITION BY e.step, e.to_label ORDER BY f.k
					ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS y1
		  FROM e
		  JOIN g f ON f.col = e.step - 1 AND f.label = e.from_label
		  JOIN g t ON t.col = e.step AND t.label = e.to_label
	)
	SELECT 'link', l.step, l.from_label || ' → ' || l.to_label, l.customers, l.x0, l.y0,
		   l.customers * l.scale, l.colour, l.x1, l.y1
	  FROM l
	UNION ALL
	SELECT 'node', g.col, g.label, g.value, g.x, g.y, greatest(g.value * g.scale, 1), g.colour,
		   NULL, NULL
	  FROM g
$fn$;
COMMENT ON FUNCTION journey_internal.sankey_layout(text, int, float8, float8) IS
  'internal: the nodes and links of sankey_svg, with their coordinates';

CREATE FUNCTION @extschema@.sankey_svg(
	source text,
	steps int DEFAULT 4,
	min_share float8 DEFAULT 0.02)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	height constant float8 := 420;
	links text;
	nodes text;
BEGIN
	SELECT string_agg(format(
			   '<path class="link" d="M%1$s,%2$s C%3$s,%2$s %3$s,%4$s %5$s,%4$s L%5$s,%6$s C%3$s,%6$s %3$s,%7$s %1$s,%7$s Z" fill="%8$s" fill-opacity="0.45"><title>%9$s: %10$s customers</title></path>',
			   round(p.x::numeric, 1), round(p.y::numeric, 1),
			   round(((p.x + p.x1) / 2)::numeric, 1), round(p.y1::numeric, 1),
			   round(p.x1::numeric, 1), round((p.y1 + p.size)::numeric, 1),
			   round((p.y + p.size)::numeric, 1),
			   CASE WHEN p.colour < 0 THEN '#bab0ac' ELSE journey_internal.picture_colour(p.colour) END,
			   journey_internal.svg_escape(p.label), journey_internal.picture_count(p.customers)),
			   '' ORDER BY p.col, p.y, p.y1) FILTER (WHERE p.kind = 'link'),
		   string_agg(format(
			   '<g><title>%s (touch %s): %s customers</title><rect class="node" x="%s" y="%s" width="12" height="%s" fill="%s"/>%s</g>',
			   journey_internal.svg_escape(p.label), p.col, journey_internal.picture_count(p.customers),
			   round(p.x::numeric, 1), round(p.y::numeric, 1), round(p.size::numeric, 1),
			   CASE WHEN p.colour < 0 THEN '#79706e' ELSE journey_internal.picture_colour(p.colour) END,
			   CASE WHEN p.size >= 9 THEN
				   format('<text x="%s" y="%s" font-size="12" fill="#222" stroke="#ffffff" stroke-width="3" paint-order="stroke">%s %s</text>',
						  round((p.x + 16)::numeric, 1), round((p.y + least(p.size / 2, 40) + 4)::numeric, 1),
						  journey_internal.svg_escape(journey_internal.picture_label(p.label, 22)),
						  journey_internal.picture_count(p.customers))
			   ELSE '' END),
			   '' ORDER BY p.col, p.y) FILTER (WHERE p.kind = 'node')
	  INTO links, nodes
	  FROM journey_internal.sankey_layout(sankey_svg.source, sankey_svg.steps, sankey_svg.min_share,
									 height) p;
	IF nodes IS NULL THEN
		RETURN journey_internal.svg_document(720, 90, 'Paths: ' || sankey_svg.source,
			journey_internal.svg_nothing('No customer has a path.'));
	END IF;
	RETURN journey_internal.svg_document(height * 1.9, height + 80, 'Paths: ' || sankey_svg.source,
									coalesce(links, '') || nodes);
END;
$fn$;
COMMENT ON FUNCTION @extschema@.sankey_svg(text, int, float8) IS
  'a standalone SVG Sankey diagram of the first steps of the source''s channel paths (transition_report), the channels under min_share of the customers at their step folded into (other)';

CREATE FUNCTION @extschema@.sankey_mermaid(
	source text,
	steps int DEFAULT 4,
	min_share float8 DEFAULT 0.02)
RETURNS text
LANGUAGE sql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
	-- a node per touch position (Mermaid's Sankey needs the flows to go one
	-- way), CSV fields quoted, quotes doubled, control characters as spaces
	SELECT 'sankey-beta' || E'\n\n' || coalesce(string_agg(
			   format('"%s","%s",%s',
					  replace(regexp_replace(CASE WHEN t.from_label IN ('(start)', '(end)') THEN t.from_label
								  ELSE t.from_label || ' · ' || (t.step - 1) END, '[\x01-\x1F]', ' ', 'g'),
							  '"', '""'),
					  replace(regexp_replace(CASE WHEN t.to_label IN ('(start)', '(end)') THEN t.to_label
								  ELSE t.to_label || ' · ' || t.step END, '[\x01-\x1F]', ' ', 'g'),
							  '"', '""'),
					  t.customers),
			   E'\n' ORDER BY t.step, t.customers DESC, t.from_label COLLATE "C",
			   t.to_label COLLATE "C") || E'\n', '')
	  FROM journey_internal.sankey_flows(sankey_mermaid.source, sankey_mermaid.steps,
									sankey_mermaid.min_share) t
$fn$;
COMMENT ON FUNCTION @extschema@.sankey_mermaid(text, int, float8) IS
  'Mermaid sankey-beta text of sankey_svg''s flows: one CSV line per flow, a node per label and touch position';

-- ---------------------------------------------------------------------
-- Attribution
-- ---------------------------------------------------------------------

-- Per channel (most credited first), one bar per model, as long as the
-- conversions the model credits to the channel.
CREATE FUNCTION @extschema@.attribution_svg(source text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	x0 constant float8 := 180;
	w constant float8 := 460;
	bar constant float8 := 12;
	models int;
	channels int;
	legend text;
	body text;
BEGIN
	WITH a AS (
		SELECT c.model, c.channel, greatest(c.conversions, 0) AS conversions
		  FROM @extschema@.channel_attribution c
		 WHERE c.source = attribution_svg.source
	), m AS (
		SELECT a.model, (dense_rank() OVER (ORDER BY a.model COLLATE "C"))::int - 1 AS k
		  FROM a GROUP BY a.model
	)
	SELECT count(*), string_agg(format(
			   '<rect x="%s" y="42" width="10" height="10" fill="%s"/><text x="%s" y="51" font-size="12" fill="#222">%s</text>',
			   x0 + m.k * 120, journey_internal.picture_colour(m.k), x0 + m.k * 120 + 14,
			   journey_internal.svg_escape(journey_internal.picture_label(m.model, 16))),
			   '' ORDER BY m.k)
	  INTO models, legend
	  FROM m;
	IF models = 0 THEN
		RETURN journey_internal.svg_document(720, 90, 'Attribution: ' || attribution_svg.source,
			journey_internal.svg_nothing('No channel was credited (the source needs a channel column and a conversion event).'));
	END IF;

	WITH a AS (
		SELECT c.model, c.channel, greatest(c.conversions, 0) AS conversions
		  FROM @extschema@.channel_attribution c
		 WHERE c.source = attribution_svg.source
	), m AS (
		SELECT a.model, (dense_rank() OVER (ORDER BY a.model COLLATE "C"))::int - 1 AS k
		  FROM a GROUP BY a.model
	), ch AS (
		SELECT a.channel, (row_number() OVER (ORDER BY sum(a.conversions) DESC,
											  a.channel COLLATE "C"))::int - 1 AS j
		  FROM a GROUP BY a.channel
	), g AS (
		SELECT a.*, m.k, ch.j, max(a.conversions) OVER () AS most,
			   70 + ch.j * (models * bar + 14) + m.k * bar AS y
		  FROM a JOIN m USING (model) JOIN ch USING (channel)
	)
	SELECT count(DISTINCT g.channel),
		   string_agg(CASE WHEN g.k = 0 THEN
						  format('<text x="%s" y="%s" text-anchor="end" fill="#222">%s</text>',
								 x0 - 10, round((g.y + models * bar / 2 + 4)::numeric, 1),
								 journey_internal.svg_escape(journey_internal.picture_label(g.channel, 22)))
					  ELSE '' END
					  || format('<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s, %s: %s conversions</title></rect>',
								x0, round(g.y::numeric, 1),
								round((w * g.conversions / greatest(g.most, 1e-300))::numeric, 1),
								bar - 2, journey_internal.picture_colour(g.k),
								journey_internal.svg_escape(g.channel), journey_internal.svg_escape(g.model),
								journey_internal.picture_count(round(g.conversions::numeric, 1)::float8))
					  || format('<text x="%s" y="%s" font-size="10" fill="#444">%s</text>',
								round((x0 + w * g.conversions / greatest(g.most, 1e-300) + 4)::numeric, 1),
								round((g.y + bar - 3)::numeric, 1),
								journey_internal.picture_count(round(g.conversions::numeric, 1)::float8)),
					  '' ORDER BY g.j, g.k)
	  INTO channels, body
	  FROM g;
	RETURN journey_internal.svg_document(greatest(x0 + w + 70, x0 + models * 120 + 20),
									70 + channels * (models * bar + 14) + 10,
									'Attribution: ' || attribution_svg.source, legend || body);
END;
$fn$;
COMMENT ON FUNCTION @extschema@.attribution_svg(text) IS
  'a standalone SVG bar chart of journey.channel_attribution for the source: per channel (most credited first) a bar per model with the conversions credited';

-- ---------------------------------------------------------------------
-- Review cycles
-- ---------------------------------------------------------------------

-- One line per moment (but the last, which has no rate): the moment's
-- conversion rate in each review cycle of the source, cycles in date order.
CREATE FUNCTION @extschema@.review_svg(source text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	x0 constant float8 := 70;
	w constant float8 := 520;
	y0 constant float8 := 60;
	h constant float8 := 260;
	cycles int;
	moments int;
	axes text;
	body text;
BEGIN
	-- the grid: 0, 25, 50, 75 and 100 %
	SELECT string_agg(format('<line x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s" stroke="#dddddd"/><text x="%4$s" y="%5$s" text-anchor="end" font-size="11" fill="#555">%6$s%%</text>',
							 x0, y0 + h * (1 - q / 100.0), x0 + w, x0 - 8, y0 + h * (1 - q / 100.0) + 4, q),
					  '' ORDER BY q)
	  INTO axes
	  FROM generate_series(0, 100, 25) q;

	WITH m AS (
		SELECT rm.cycle_id, rm.cycle, rm.position, rm.moment, rm.rate, rc.starts_on
		  FROM @extschema@.review_moments rm
		  JOIN @extschema@.review_cycle rc ON rc.id = rm.cycle_id
		 WHERE rm.source = review_svg.source
	), c AS (
		SELECT m.cycle_id, m.cycle, (dense_rank() OVER (ORDER BY m.starts_on, m.cycle_id))::int - 1 AS j,
			   count(*) OVER () AS n
		  FROM m GROUP BY m.cycle_id, m.cycle, m.starts_on
	)
	SELECT count(*), string_agg(format('<text x="%s" y="%s" text-anchor="middle" font-size="12" fill="#222">%s</text>',
									   round((x0 + CASE WHEN c.n = 1 THEN w / 2 ELSE c.j * w / (c.n - 1) END)::numeric, 1),
									   y0 + h + 20,
									   journey_internal.svg_escape(journey_internal.picture_label(c.cycle, 16))),
								'' ORDER BY c.j)
	  INTO cycles, body
	  FROM c;
	IF cycles = 0 THEN
		RETURN journey_internal.svg_document(720, 90, 'Moments across review cycles: ' || review_svg.source,
			journey_internal.svg_nothing('No review cycle.'));
	END IF;

	WITH m AS (
		SELECT rm.cycle_id, rm.cycle, rm.position, rm.moment, rm.rate, rc.starts_on
		  FROM @extschema@.review_moments rm
		  JOIN @extschema@.review_cycle rc ON rc.id = rm.cycle_id
		 WHERE rm.source = review_svg.source
	), c AS (
		SELECT m.cycle_id, (dense_rank() OVER (ORDER BY m.starts_on, m.cycle_id))::int - 1 AS j,
			   count(*) OVER () AS n
		  FROM m GROUP BY m.cycle_id, m.starts_on
	), p AS (
		SELECT m.position, m.moment, m.cycle, m.rate, c.j,
			   (dense_rank() OVER (ORDER BY m.position))::int - 1 AS k,
			   x0 + CASE WHEN c.n = 1 THEN w / 2 ELSE c.j * w / (c.n - 1) END AS x,
			   y0 + h * (1 - m.rate) AS y
		  FROM m JOIN c USING (cycle_id)
		 WHERE m.rate IS NOT NULL
	), l AS (
		SELECT p.k, min(p.moment) AS moment,
			   string_agg(round(p.x::numeric, 1) || ',' || round(p.y::numeric, 1), ' ' ORDER BY p.j) AS points,
			   string_agg(format('<circle cx="%s" cy="%s" r="3.5" fill="%s"><title>%s, %s: %s moved on</title></circle>',
								 round(p.x::numeric, 1), round(p.y::numeric, 1),
								 journey_internal.picture_colour(p.k), journey_internal.svg_escape(p.moment),
								 journey_internal.svg_escape(p.cycle), journey_internal.picture_percent(p.rate)),
						  '' ORDER BY p.j) AS dots
		  FROM p GROUP BY p.k
	)
	SELECT count(*),
		   body || coalesce(string_agg(format('<polyline class="line" points="%1$s" fill="none" stroke="%2$s" stroke-width="2"/>%3$s<rect x="%4$s" y="%5$s" width="10" height="10" fill="%2$s"/><text x="%6$s" y="%7$s" font-size="12" fill="#222">%8$s</text>',
									 l.points, journey_internal.picture_colour(l.k), l.dots,
									 x0 + w + 24, y0 + l.k * 18, x0 + w + 38, y0 + l.k * 18 + 9,
									 journey_internal.svg_escape(journey_internal.picture_label(l.moment, 20))),
							  '' ORDER BY l.k), '')
	  INTO moments, body
	  FROM l;
	RETURN journey_internal.svg_document(x0 + w + 200, greatest(y0 + h + 40, y0 + coalesce(moments, 0) * 18 + 10),
									'Moments across review cycles: ' || review_svg.source,
									axes || coalesce(body, ''));
END;
$fn$;
COMMENT ON FUNCTION @extschema@.review_svg(text) IS
  'a standalone SVG line chart of journey.review_moments for the source: each moment''s conversion rate (to the next moment) across its review cycles, in date order';
