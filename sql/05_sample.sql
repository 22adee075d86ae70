-- journey.sample_events: deterministic, realistic sample journeys.

-- Same arguments, same rows; another seed, other rows.
SELECT (SELECT md5(string_agg(e::text, '|' ORDER BY customer_id, ts, event))
          FROM journey.sample_events(500, 7) e)
     = (SELECT md5(string_agg(e::text, '|' ORDER BY customer_id, ts, event))
          FROM journey.sample_events(500, 7) e) AS same_seed_same_rows,
       (SELECT md5(string_agg(e::text, '|' ORDER BY customer_id, ts, event))
          FROM journey.sample_events(500, 7) e)
     <> (SELECT md5(string_agg(e::text, '|' ORDER BY customer_id, ts, event))
          FROM journey.sample_events(500, 8) e) AS other_seed_other_rows;

CREATE TEMP TABLE sample AS SELECT * FROM journey.sample_events(5000, 42);

-- Every customer has exactly one first contact, and it is their first event.
SELECT count(DISTINCT customer_id) AS customers,
       count(*) FILTER (WHERE event = 'first_contact') AS first_contacts,
       bool_and(ts >= '2026-01-01 00:00+00' AND ts < '2027-01-01 00:00+00') AS all_in_2026
  FROM sample;
SELECT count(*) AS customers_not_starting_with_first_contact
  FROM (SELECT DISTINCT ON (customer_id) customer_id, event
          FROM sample ORDER BY customer_id, ts) f
 WHERE event <> 'first_contact';

-- The journey narrows from moment to moment (drop-off between them): in
-- the journey's order, each moment is reached by fewer customers than the
-- one before (the comparison is listed per moment, with the customers, so a
-- moment missing or out of place, or a count that does not fall, shows).
CREATE TEMP TABLE m (pos int, event text);
INSERT INTO m VALUES (1, 'first_contact'), (2, 'site_visit'), (3, 'content_view'), (4, 'signup'),
                     (5, 'setup_complete'), (6, 'checkout'), (7, 'purchase'), (8, 'return_visit');
SELECT pos, event, customers,
       customers < lag(customers) OVER (ORDER BY pos) AS fewer_than_before
  FROM (SELECT m.pos, m.event, count(DISTINCT s.customer_id) AS customers
          FROM m LEFT JOIN sample s USING (event) GROUP BY m.pos, m.event) c
 ORDER BY pos;
-- and every customer reaches each moment only after the one before it: the
-- (customer, moment) pairs whose first event does not come after the first
-- event of the previous moment (none), and how many pairs were compared
WITH firsts AS (SELECT s.customer_id, m.pos, min(s.ts) AS first_ts
             FROM sample s JOIN m USING (event) GROUP BY s.customer_id, m.pos)
SELECT count(*) FILTER (WHERE p.first_ts IS NULL OR p.first_ts >= f.first_ts) AS out_of_order,
       count(*) AS pairs_compared
  FROM firsts f LEFT JOIN firsts p ON p.customer_id = f.customer_id AND p.pos = f.pos - 1
 WHERE f.pos > 1;
DROP TABLE m;
SELECT (SELECT count(DISTINCT customer_id) FROM sample WHERE event = 'signup')
     < (SELECT count(DISTINCT customer_id) FROM sample WHERE event = 'site_visit')
   AND (SELECT count(DISTINCT customer_id) FROM sample WHERE event = 'purchase')
     < (SELECT count(DISTINCT customer_id) FROM sample WHERE event = 'checkout')
       AS narrows;

-- Revenue only on purchases, always positive; some customers buy again.
SELECT bool_and((revenue IS NOT NULL) = (event = 'purchase')) AS revenue_only_on_purchase,
       min(revenue) > 0 AS revenue_positive
  FROM sample;
SELECT count(*) > 0 AS repeat_buyers
  FROM (SELECT customer_id FROM sample WHERE event = 'purchase'
         GROUP BY customer_id HAVING count(*) > 1) r;

-- Nine channels; each channel's source/medium spellings look like UTM values.
SELECT channel, count(DISTINCT source || '/' || medium) AS spellings
  FROM sample GROUP BY channel ORDER BY channel;

-- Channels differ in how often their customers go on to buy.
SELECT max(rate) > 2 * min(rate) AS channels_differ
  FROM (SELECT f.channel,
               avg((EXISTS (SELECT 1 FROM sample p WHERE p.customer_id = f.customer_id
                              AND p.event = 'purchase'))::int) AS rate
          FROM sample f WHERE f.event = 'first_contact'
         GROUP BY f.channel) r;

-- Zero customers, zero rows; bad arguments are errors.
SELECT count(*) FROM journey.sample_events(0, 1);
SELECT count(*) FROM journey.sample_events(NULL, 1);
SELECT * FROM journey.sample_events(-1, 1);
SELECT * FROM journey.sample_events(100000001, 1);
