-- Demo: one HTML page with the pictures of the sample journeys (the funnel
-- of the moments, a Sankey of the channel paths, attribution by model and
-- channel, the moments across review cycles) and their Mermaid text,
-- written to the file psql variable "report" names (test/demo sets it and
-- says where the page is).
\if :{?report}
\pset format unaligned
\pset tuples_only on
\o :report
SELECT concat_ws(E'\n',
  '<!DOCTYPE html>',
  '<html lang="en"><head><meta charset="utf-8"><title>journey: the sample journeys</title>',
  '<style>body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#222;max-width:1000px}'
  'h2{margin-top:36px}figure{margin:0 0 12px}pre{background:#f6f8fa;padding:12px;overflow:auto}</style>',
  '</head><body>',
  '<h1>journey: the sample journeys</h1>',
  '<h2>Moments that matter</h2>',
  '<figure id="funnel">' || journey.funnel_svg('sample') || '</figure>',
  '<h2>Channel paths</h2>',
  '<figure id="sankey">' || journey.sankey_svg('sample') || '</figure>',
  '<h2>Attribution by model and channel</h2>',
  '<figure id="attribution">' || journey.attribution_svg('sample') || '</figure>',
  '<h2>Moments across review cycles</h2>',
  '<figure id="review">' || journey.review_svg('shop') || '</figure>',
  '<h2>Mermaid, to paste into Markdown</h2>',
  '<pre id="funnel-mermaid">' || journey_internal.svg_escape(journey.funnel_mermaid('sample')) || '</pre>',
  '<pre id="sankey-mermaid">' || journey_internal.svg_escape(journey.sankey_mermaid('sample')) || '</pre>',
  '</body></html>');
\o
\pset format aligned
\pset tuples_only off
\endif
