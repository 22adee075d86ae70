-- Pictures: the SVG and Mermaid functions, on labels that would break a
-- document unescaped (<, &, quotes, commas, control characters), with the
-- geometry checked against hand counts through XPath.
\set SHOW_CONTEXT never
SET timezone = 'UTC';

-- the escapes alone
SELECT journey_internal.svg_escape('<a href="x">Tom & Jerry''s</a>') AS svg,
       journey_internal.svg_escape(E'bell\x07 tab\t ok') AS control,
       journey_internal.mermaid_escape('<a href="x">#1; Tom & Jerry</a>') AS mermaid;
SELECT journey_internal.mermaid_escape('#quot;') AS entity_written_out;
SELECT journey_internal.picture_duration(s) AS duration, s
  FROM unnest(ARRAY[0, 59.4, 59.6, 90, 3599, 3600, 5400, 86399, 86400, 138540]::float8[]) s;
SELECT journey_internal.picture_count(1234567) AS count, journey_internal.picture_count(0.25) AS fraction,
       journey_internal.picture_percent(0.8333) AS percent, journey_internal.picture_label('abcdefgh', 5) AS cut,
       journey_internal.picture_label('abcde', 5) AS uncut;

CREATE TABLE pic_events (cust int, at timestamptz, what text, chan text);
-- moments a b c d; channel paths, E = 'E<mail> & "co"', P = 'Paid, ''Search''':
--   1: E P P   2: E E   3: P   4: P E E E   5: E P   6: E E   (May)
--   7: E E   8: E   (June)
INSERT INTO pic_events
SELECT cust, at::timestamptz, what,
       CASE c WHEN 'E' THEN 'E<mail> & "co"' ELSE 'Paid, ''Search''' END
  FROM (VALUES
  (1, '2026-05-01 10:00', 'a', 'E'), (1, '2026-05-01 11:00', 'b', 'P'), (1, '2026-05-01 12:00', 'c', 'P'),
  (2, '2026-05-01 10:00', 'a', 'E'), (2, '2026-05-01 10:30', 'b', 'E'),
  (3, '2026-05-01 09:00', 'a', 'P'),
  (4, '2026-05-01 09:00', 'a', 'P'), (4, '2026-05-01 09:10', 'b', 'E'),
  (4, '2026-05-01 09:20', 'c', 'E'), (4, '2026-05-01 10:20', 'd', 'E'),
  (5, '2026-05-01 08:00', 'a', 'E'), (5, '2026-05-01 10:00', 'b', 'P'),
  (6, '2026-05-01 08:00', 'a', 'E'), (6, '2026-05-01 08:20', 'b', 'E'),
  (7, '2026-06-02 08:00', 'a', 'E'), (7, '2026-06-02 09:00', 'b', 'E'),
  (8, '2026-06-03 08:00', 'a', 'E')) v(cust, at, what, c);
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, conversion_event)
VALUES ('pic <&>', 'pic_events', 'cust', 'at', 'what', 'chan', 'd');
INSERT INTO journey.moment VALUES ('pic <&>', 1, 'A <start>', 'a'), ('pic <&>', 2, 'B & co', 'b'),
  ('pic <&>', 3, 'C "quoted"', 'c'), ('pic <&>', 4, 'D ''single''', 'd');
-- (the ids the cycles take are given back at the end, so that the tests
-- after this one see the ids they would see without it)
SELECT last_value AS cycle_last, is_called AS cycle_called
  FROM journey.review_cycle_id_seq \gset
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('pic <&>', 'April <', '2026-04-01', '2026-04-30'),
       ('pic <&>', 'May &', '2026-05-01', '2026-05-31'),
       ('pic <&>', 'June "', '2026-06-01', '2026-06-30');

CREATE TABLE pics AS
SELECT 'funnel' AS picture, journey.funnel_svg('pic <&>') AS svg
UNION ALL SELECT 'sankey', journey.sankey_svg('pic <&>')
UNION ALL SELECT 'attribution', journey.attribution_svg('pic <&>')
UNION ALL SELECT 'review', journey.review_svg('pic <&>');

-- every picture is a well-formed XML document with an svg root, and no
-- label appears unescaped
SELECT picture, xml_is_well_formed_document(svg) AS well_formed,
       (xpath('name(/*)', svg::xml))[1]::text AS root,
       strpos(svg, '<mail>') = 0 AND strpos(svg, '<start>') = 0 AND strpos(svg, '& ') = 0
         AND strpos(svg, '"co"') = 0 AS escaped
  FROM pics ORDER BY picture;

-- Funnel, by hand: reached 8 6 2 1 (customers 1-8; 2, 4, 5, 6, 7 reach b
-- within 7 days, then 1, 4; 4), so bars 440 * 8/8, 6/8, 2/8, 1/8 =
-- 440, 330, 110, 55 px and drop-offs 110, 220, 55 px.
\set ns 'ARRAY[ARRAY[''s'', ''http://www.w3.org/2000/svg'']]'
SELECT (SELECT array_agg(w::text::float8) FROM unnest(xpath('//s:rect[@class="bar"]/@width', svg::xml, :ns)) w) AS bars,
       (SELECT array_agg(w::text::float8) FROM unnest(xpath('//s:rect[@class="drop-off"]/@width', svg::xml, :ns)) w) AS drop_offs,
       (SELECT array_agg(t::text) FROM unnest(xpath('//s:text[@text-anchor="end"]/text()', svg::xml, :ns)) t) AS labels
  FROM pics WHERE picture = 'funnel';
-- between the bars: share moving on (6/8, 2/6, 1/2) and median time (a->b:
-- 60, 30, 10, 120, 20, 60 min -> 45 min; b->c: 60, 10 -> 35 min; c->d: 1 h)
SELECT t::text AS between_bars
  FROM pics, unnest(xpath('//s:text[@font-size="12"]/text()', svg::xml, :ns)) t
 WHERE picture = 'funnel';
SELECT journey.funnel_mermaid('pic <&>');

-- Sankey: one link per flow, each as wide as its customers on one scale; a
-- node per (touch, label); the (start) node as tall as every customer.
SELECT (SELECT count(*) FROM unnest(xpath('//s:path[@class="link"]', svg::xml, :ns))) AS links,
       (SELECT count(*) FROM journey_internal.sankey_flows('pic <&>', 4, 0.02)) AS flows,
       (SELECT count(*) FROM journey.transition_report('pic <&>', 4)) AS edges,
       (SELECT count(*) FROM unnest(xpath('//s:rect[@class="node"]', svg::xml, :ns))) AS nodes
  FROM pics WHERE picture = 'sankey';
-- nodes by hand: (start); at touch 1 E (5), P (3); touch 2 E (4), P (2),
-- (end) 2 (customers 3, 8); touch 3 E 1, P 1, (end) 4; touch 4 E 1, (end) 1
SELECT count(*) AS nodes_by_hand FROM (VALUES (0, '(start)'), (1, 'E'), (1, 'P'), (2, 'E'), (2, 'P'),
  (2, '(end)'), (3, 'E'), (3, 'P'), (3, '(end)'), (4, 'E'), (4, '(end)')) v;
-- the widths: every link's and node's size over its customers is the same
-- scale (8 customers in a 420 px column less two gaps of 14 px: 49 px each)
SELECT kind, round(min(size / customers)::numeric, 4) AS min_px, round(max(size / customers)::numeric, 4) AS max_px,
       sum(customers) FILTER (WHERE kind = 'node' AND col = 0) AS start_customers
  FROM journey_internal.sankey_layout('pic <&>', 4, 0.02, 420)
 GROUP BY kind ORDER BY kind;
-- links leave a node one below the other, filling it exactly
SELECT l.col AS step, l.label, round(l.y::numeric, 1) AS y, round(l.size::numeric, 1) AS size
  FROM journey_internal.sankey_layout('pic <&>', 4, 0.02, 420) l
 WHERE l.kind = 'link' AND l.col = 1 ORDER BY l.y;
SELECT journey.sankey_mermaid('pic <&>');
-- Folding: at touch 1, E holds 6 and P 2 of 8 customers.  With min_share
-- 0.25 (exactly P's share) nothing is folded; with 0.26 P becomes (other),
-- and so does every node of a later touch under 26% of its column; what
-- flows into a node flows out of it (or ends at the last touch), whatever
-- is folded.
SELECT m AS min_share, f.step, f.from_label, f.to_label, f.customers
  FROM unnest(ARRAY[0.25, 0.26]) m, journey_internal.sankey_flows('pic <&>', 2, m) f
 ORDER BY m, f.step, f.from_label, f.to_label;
WITH f AS (SELECT m, s.* FROM unnest(ARRAY[0, 0.25, 0.26, 0.5, 1]) m,
                              journey_internal.sankey_flows('pic <&>', 4, m) s),
n AS (SELECT m, step AS col, to_label AS label, sum(customers) AS inflow FROM f GROUP BY 1, 2, 3),
o AS (SELECT m, step - 1 AS col, from_label AS label, sum(customers) AS outflow FROM f GROUP BY 1, 2, 3)
SELECT n.m, n.col, n.label, n.inflow, o.outflow
  FROM n LEFT JOIN o USING (m, col, label)
 WHERE n.label <> '(end)' AND n.col < 4 AND n.inflow IS DISTINCT FROM o.outflow;
SELECT m AS min_share, sum(customers) FILTER (WHERE step = 1) AS customers,
       count(*) AS flows
  FROM unnest(ARRAY[0, 0.25, 0.26, 0.5, 1]) m, journey_internal.sankey_flows('pic <&>', 4, m)
 GROUP BY m ORDER BY m;

-- Attribution: a bar per model and channel of journey.channel_attribution
SELECT (SELECT count(*) FROM unnest(xpath('//s:rect[@class="bar"]', svg::xml, :ns))) AS bars,
       (SELECT count(*) FROM journey.channel_attribution WHERE source = 'pic <&>') AS rows
  FROM pics WHERE picture = 'attribution';

-- Review: a point per moment and cycle with a rate (April none; May a, b,
-- c; June a 1/2, b 0/1), a line per moment with a point, the cycles in
-- date order
SELECT (SELECT count(*) FROM unnest(xpath('//s:circle', svg::xml, :ns))) AS points,
       (SELECT count(*) FROM unnest(xpath('//s:polyline', svg::xml, :ns))) AS lines,
       (SELECT array_agg(t::text) FROM unnest(xpath('//s:text[@text-anchor="middle"]/text()', svg::xml, :ns)) t) AS cycles,
       (SELECT array_agg(t::text) FROM unnest(xpath('//s:circle/s:title/text()', svg::xml, :ns)) t) AS titles
  FROM pics WHERE picture = 'review';

-- nothing to show
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('pic_empty', 'pic_events', 'cust', 'at', 'what');
INSERT INTO journey.moment VALUES ('pic_empty', 1, 'Z', 'z');
SELECT p AS picture, xml_is_well_formed_document(svg) AS well_formed,
       (SELECT array_agg(t::text) FROM unnest(xpath('//s:text/text()', svg::xml, :ns)) t) AS says
  FROM (VALUES ('funnel', journey.funnel_svg('pic_empty')),
               ('attribution', journey.attribution_svg('pic_empty')),
               ('review', journey.review_svg('pic_empty'))) v(p, svg);
SELECT journey.funnel_mermaid('pic_empty') AS funnel_mermaid;
-- errors are the reports' own
SELECT journey.sankey_svg('pic_empty');
SELECT journey.sankey_mermaid('pic_empty');
SELECT journey.funnel_svg('pic_none');
SELECT journey.sankey_svg('pic <&>', 0);
SELECT journey.sankey_svg('pic <&>', 4, 2);
SELECT journey.sankey_mermaid('pic <&>', 4, 'NaN');

DELETE FROM journey.review_cycle WHERE source IN ('pic <&>', 'pic_empty');
SELECT setval('journey.review_cycle_id_seq', :cycle_last, :'cycle_called') IS NOT NULL AS ids_given_back;
DELETE FROM journey.source WHERE name IN ('pic <&>', 'pic_empty');
DROP TABLE pic_events, pics;
