-- Paths around a moment (PostHog's paths "starting at", "ending at",
-- "between"): path_transform's starting_at, ending_at and between, on
-- path_agg's output, with transitions, and in path_report and
-- transition_report (the engine and the SQL form give the same rows).
-- Every answer is worked out in the comment before it.
SET timezone = 'UTC';
-- the path a b c d b e
-- starting_at(b): from the first b on; with n = 2: b c and "…" for the
-- rest; n = 5 keeps all five; n = 4 drops one (e) into "…"; no z: empty.
SELECT journey.path_transform(p, 'starting_at(b)') AS all_from_b,
       journey.path_transform(p, 'starting_at(b, 2)') AS two,
       journey.path_transform(p, 'starting_at(b, 5)') AS five_of_five,
       journey.path_transform(p, 'starting_at(b, 4)') AS four_of_five,
       journey.path_transform(p, 'starting_at(z)') AS never
  FROM (VALUES (ARRAY['a', 'b', 'c', 'd', 'b', 'e'])) v(p);
-- ending_at(d): a b c d; n = 4 keeps all four, n = 3 puts a in "…"
SELECT journey.path_transform(p, 'ending_at(d)') AS up_to_d,
       journey.path_transform(p, 'ending_at(d, 4)') AS four_of_four,
       journey.path_transform(p, 'ending_at(d, 3)') AS three_of_four,
       journey.path_transform(p, 'ending_at(b, 1)') AS first_b_only,
       journey.path_transform(p, 'ending_at(z)') AS never
  FROM (VALUES (ARRAY['a', 'b', 'c', 'd', 'b', 'e'])) v(p);
-- between(b, e): b c d b e (first b to the first e after it); n = 5 all,
-- n = 4: b c d, "…", e; n = 2: b, "…", e; e before any b: empty
SELECT journey.path_transform(p, 'between(b, e)') AS b_to_e,
       journey.path_transform(p, 'between(b, e, 5)') AS five_of_five,
       journey.path_transform(p, 'between(b, e, 4)') AS four_of_five,
       journey.path_transform(p, 'between(b, e, 2)') AS two,
       journey.path_transform(p, 'between(e, a)') AS wrong_order,
       journey.path_transform(p, 'between(b, b)') AS b_to_next_b
  FROM (VALUES (ARRAY['a', 'b', 'c', 'd', 'b', 'e'])) v(p);
-- chained with other transforms (exposure first), named arguments
SELECT journey.path_transform(ARRAY['a', 'a', 'b', 'b', 'c'], 'exposure', 'starting_at(label=a, n=2)') AS chained;
-- with transitions: the "…" step is a node like any other
SELECT * FROM journey.transitions(journey.path_transform(ARRAY['a', 'b', 'c', 'd'], 'starting_at(b, 1)'));

-- On path_agg's output, per customer; and in the reports.
CREATE TABLE pa (customer text, ts timestamptz, event text);
INSERT INTO pa VALUES
  ('c1', '2026-01-01 10:00', 'home'), ('c1', '2026-01-01 10:01', 'search'),
  ('c1', '2026-01-01 10:02', 'cart'), ('c1', '2026-01-01 10:03', 'pay'),
  ('c2', '2026-01-01 10:00', 'home'), ('c2', '2026-01-01 10:01', 'cart'),
  ('c2', '2026-01-01 10:05', 'home'),
  ('c3', '2026-01-01 10:00', 'home'), ('c3', '2026-01-01 10:01', 'search');
-- c1: cart pay; c2: cart home; c3 never reached cart: empty
SELECT customer, journey.path_transform(journey.path_agg(event, ts), 'starting_at(cart)') AS from_cart
  FROM pa GROUP BY customer ORDER BY customer;
CREATE VIEW pa_view WITH (security_invoker = true) AS SELECT * FROM pa;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column)
VALUES ('around', 'pa', 'customer', 'ts', 'event'), ('around_sql', 'pa_view', 'customer', 'ts', 'event');
SELECT journey.report_method('around') AS engine, journey.report_method('around_sql') AS sql_form;
-- the customers without the moment are left out (c3): c1 and c2 both
-- read cart, "…"
SELECT * FROM journey.path_report('around', 10, ARRAY['starting_at(cart, 1)'], label_column => 'event');
SELECT * FROM journey.path_report('around_sql', 10, ARRAY['starting_at(cart, 1)'], label_column => 'event');
-- between home and pay: only c1
SELECT * FROM journey.path_report('around', 10, ARRAY['between(home, pay)'], label_column => 'event');
SELECT * FROM journey.path_report('around_sql', 10, ARRAY['between(home, pay)'], label_column => 'event');
-- ending at cart: c1 home search cart, c2 home cart (c3 left out)
SELECT * FROM journey.transition_report('around', 4, 0, ARRAY['ending_at(cart)'], label_column => 'event');
SELECT * FROM journey.transition_report('around_sql', 4, 0, ARRAY['ending_at(cart)'], label_column => 'event');

-- Errors.
SELECT journey.path_transform(ARRAY['a'], 'between(a)');
SELECT journey.path_transform(ARRAY['a'], 'between(a, b, c, d)');
SELECT journey.path_transform(ARRAY['a'], 'between(a, b, 1)');
SELECT journey.path_transform(ARRAY['a'], 'starting_at(a, 0)');
SELECT journey.path_transform(ARRAY['a'], 'ending_at(a, two)');
SELECT journey.path_transform(ARRAY['a'], 'starting_at()');
SELECT journey.path_transform(ARRAY['a'], 'starting_at(a, steps=2)');
SELECT * FROM journey.path_report('around', 10, ARRAY['starting_at(cart, 0)'], label_column => 'event');

DELETE FROM journey.source WHERE name IN ('around', 'around_sql');
DROP VIEW pa_view;
DROP TABLE pa;
