-- session_number: a window function numbering sessions 1, 2, ...
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
CREATE TABLE paths_ss (customer int, ts timestamptz, note text);
INSERT INTO paths_ss VALUES
  (1, '2026-01-01 10:00+00', 'first row'),
  (1, '2026-01-01 10:30+00', 'exactly the gap: same session'),
  (1, '2026-01-01 11:00:00.000001+00', '1 us over the gap: new session'),
  (1, NULL,                  'NULL ts: NULL, breaks nothing'),
  (1, '2026-01-01 11:20+00', 'within the gap'),
  (1, '2026-01-02 09:00+00', 'next day'),
  (1, '2026-01-02 09:00+00', 'same instant'),
  (2, '2026-01-05 00:00+00', 'one event'),
  (3, NULL,                  'only NULL');

SELECT customer, ts, note,
       journey.session_number(ts, '30 minutes') OVER (PARTITION BY customer ORDER BY ts) AS session
  FROM paths_ss ORDER BY customer, ts, note;

-- input order never matters: the window's ORDER BY sets it
SELECT customer, ts,
       journey.session_number(ts, '30 minutes') OVER w AS session
  FROM (SELECT * FROM paths_ss ORDER BY ts DESC) s
WINDOW w AS (PARTITION BY customer ORDER BY ts)
 ORDER BY customer, ts, session;

-- gap 0: every distinct instant is a session; a huge gap: one session
SELECT ts, journey.session_number(ts, '0') OVER w AS zero_gap,
       journey.session_number(ts, '100 years') OVER w AS huge_gap
  FROM paths_ss WHERE customer = 1
WINDOW w AS (ORDER BY ts)
 ORDER BY ts;

-- a frame clause does not matter: the function reads the partition row by row
SELECT ts, journey.session_number(ts, '30 minutes')
         OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND CURRENT ROW) AS session
  FROM paths_ss WHERE customer = 1 AND ts IS NOT NULL ORDER BY ts;

-- the same numbers as the plain-SQL way (lag, then a running sum)
SELECT bool_and(ours = plain) AS same, count(*) AS events, max(ours) AS most_sessions
  FROM (SELECT journey.session_number(ts, '1 hour')
                 OVER (PARTITION BY customer_id ORDER BY ts) AS ours,
               1 + sum(CASE WHEN ts - prev > interval '1 hour' THEN 1 ELSE 0 END)
                 OVER (PARTITION BY customer_id ORDER BY ts
                       ROWS UNBOUNDED PRECEDING) AS plain
          FROM (SELECT customer_id, ts,
                       lag(ts) OVER (PARTITION BY customer_id ORDER BY ts) AS prev
                  FROM journey.sample_events(300, 5)) e) s;

-- sessions feed paths: one path per customer session
SELECT customer, session, journey.path_agg(note, ts) AS path
  FROM (SELECT *, journey.session_number(ts, '30 minutes')
                    OVER (PARTITION BY customer ORDER BY ts) AS session
          FROM paths_ss) s
 WHERE session IS NOT NULL
 GROUP BY customer, session ORDER BY customer, session;

-- errors
SELECT journey.session_number(ts, '-1 minute') OVER (ORDER BY ts) FROM paths_ss;
SELECT journey.session_number(ts, '1 minute') FROM paths_ss;
-- a NULL gap gives NULL
SELECT count(*) AS rows, count(session) AS non_null
  FROM (SELECT journey.session_number(ts, NULL) OVER (ORDER BY ts) AS session
          FROM paths_ss) s;

DROP TABLE paths_ss;
