-- Paths: path_agg and transitions.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
CREATE TABLE paths_ev (customer int, label text, ts timestamptz);
-- inserted out of time order on purpose
INSERT INTO paths_ev VALUES
  (1, 'Email',        '2026-03-02 10:00+00'),
  (1, 'Paid Search',  '2026-03-01 09:00+00'),
  (1, 'Direct',       '2026-03-03 12:00+00'),
  (1, 'Display',      '2026-03-01 09:00+00'),  -- tie with Paid Search: label order
  (1, NULL,           '2026-03-02 11:00+00'),  -- NULL label: skipped
  (1, 'Referral',     NULL),                   -- NULL ts: skipped
  (2, 'Direct',       '2026-03-05 08:00+00'),  -- one event
  (3, NULL,           '2026-03-05 08:00+00'),  -- only skipped rows
  (3, 'Email',        NULL),
  (4, 'b',            '2026-03-01 00:00+00'),  -- bytewise ties: B < a < b < é
  (4, 'é',            '2026-03-01 00:00+00'),
  (4, 'a',            '2026-03-01 00:00+00'),
  (4, 'B',            '2026-03-01 00:00+00'),
  (4, '',             '2026-02-28 00:00+00'),  -- the empty string is a label
  (4, 'a',            '2026-03-01 00:00+00');  -- repeats are kept

SELECT customer, journey.path_agg(label, ts) AS path
  FROM paths_ev GROUP BY customer ORDER BY customer;

-- input order never matters
SELECT journey.path_agg(label, ts) AS path
  FROM (SELECT * FROM paths_ev WHERE customer = 1 ORDER BY ts DESC, label DESC) s;
SELECT journey.path_agg(label, ts) AS path
  FROM (SELECT * FROM paths_ev WHERE customer = 1 ORDER BY ts, label) s;

-- the same answer as array_agg ordered by (ts, label bytewise)
SELECT customer,
       journey.path_agg(label, ts) IS NOT DISTINCT FROM
       array_agg(label ORDER BY ts, label COLLATE "C")
         FILTER (WHERE label IS NOT NULL AND ts IS NOT NULL) AS same
  FROM paths_ev GROUP BY customer ORDER BY customer;

-- no rows at all: NULL
SELECT journey.path_agg(label, ts) IS NULL AS no_rows FROM paths_ev WHERE false;

-- as a window aggregate: the running path
SELECT customer, ts, journey.path_agg(label, ts) OVER (PARTITION BY customer ORDER BY ts) AS running
  FROM paths_ev WHERE customer = 1 AND ts IS NOT NULL AND label IS NOT NULL
  ORDER BY ts, label;

-- a group over journey.max_events_per_group is an error
SET journey.max_events_per_group = 3;
SELECT journey.path_agg(label, ts) FROM paths_ev WHERE customer = 1;
SELECT journey.path_agg(label, ts) FROM paths_ev WHERE customer = 2;  -- within the limit
RESET journey.max_events_per_group;

-- labels that share bytes: a label repeating the previous one is stored once,
-- so prefixes, empty labels and repeats must all come back as given, in any
-- input order and after a state grows past its first allocation
SELECT journey.path_agg(l, '2026-01-01'::timestamptz + n * interval '1 minute') AS prefixes
  FROM unnest(ARRAY['ab', 'a', 'a', 'ab', 'abc', '', '', 'b', 'ab', 'a']) WITH ORDINALITY AS u(l, n);
SELECT journey.path_agg(l, '2026-01-01'::timestamptz + n * interval '1 minute') AS reversed
  FROM (SELECT * FROM unnest(ARRAY['ab', 'a', 'a', 'ab', 'abc', '', '', 'b', 'ab', 'a'])
                      WITH ORDINALITY AS u(l, n) ORDER BY n DESC) r;
SELECT cardinality(p) AS n, p[1] AS first, p[400] AS last,
       p = ARRAY(SELECT repeat('x', i % 7) FROM generate_series(1, 400) i) AS same
  FROM (SELECT journey.path_agg(repeat('x', i % 7), '2026-01-01'::timestamptz + i * interval '1 second') AS p
          FROM generate_series(1, 400) i) s;

-- transitions: adjacent pairs with (start) and (end)
SELECT * FROM journey.transitions(ARRAY['Paid Search', 'Email', 'Direct']);
SELECT * FROM journey.transitions(ARRAY['Direct']);           -- one touch
SELECT * FROM journey.transitions(ARRAY['Email', 'Email']);   -- repeats are steps
SELECT * FROM journey.transitions('[0:1]={a,b}'::text[]);     -- lower bound ignored
SELECT count(*) AS empty_path FROM journey.transitions('{}'::text[]);  -- no rows
SELECT count(*) AS null_path FROM journey.transitions(NULL);           -- no rows
SELECT * FROM journey.transitions(ARRAY['a', NULL, 'b']);
SELECT * FROM journey.transitions('{{a,b},{c,d}}'::text[]);

-- a Sankey chart's edges: transitions of every customer's path, counted
SELECT t.step, t.from_label, t.to_label, count(*) AS customers
  FROM (SELECT customer, journey.path_agg(label, ts) AS path
          FROM paths_ev GROUP BY customer) p
  CROSS JOIN LATERAL journey.transitions(p.path) t
 GROUP BY 1, 2, 3
 ORDER BY t.step, t.from_label COLLATE "C", t.to_label COLLATE "C";

DROP TABLE paths_ev;
