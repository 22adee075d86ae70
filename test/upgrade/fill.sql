-- test/upgrade/fill.sql: a registry as a team would have it under 0.1.0,
-- read back after ALTER EXTENSION journey UPDATE by test/suites/90_upgrade.sh.
CREATE TABLE up_events AS SELECT * FROM journey.sample_events(3000, 11);
ANALYZE up_events;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('shop', 'up_events', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase');
INSERT INTO journey.moment (source, position, name, event_name)
VALUES ('shop', 1, 'visit', 'site_visit'), ('shop', 2, 'content', 'content_view'),
       ('shop', 3, 'signup', 'signup'), ('shop', 4, 'setup', 'setup_complete'),
       ('shop', 5, 'checkout', 'checkout'), ('shop', 6, 'purchase', 'purchase');
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('shop', 'January', '2026-01-01', '2026-01-31'),
       ('shop', 'February', '2026-02-01', '2026-02-28');
INSERT INTO journey.hypothesis (source, moment, statement, mechanism, target_moment,
                                conversion_window, cycle_id, minimum_effect)
VALUES ('shop', 'signup', 'If we send onboarding emails, more customers will purchase.',
        'Reminders bring back customers who stalled.', 'purchase', '3 days', 1, 0.02),
       ('shop', 'visit', 'If the landing page loads faster, more visitors will sign up.',
        NULL, 'signup', '1 day', 2, 0.01),
       ('shop', 'visit', 'If the menu is shorter, more visitors will sign up.',
        NULL, NULL, '7 days', NULL, 0.01);
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
SELECT 1, g::text, CASE WHEN g % 2 = 0 THEN 'control' ELSE 'emails' END,
       '2026-01-05'::timestamptz + g * interval '1 minute'
  FROM generate_series(1, 400) g;
INSERT INTO journey.assignment (hypothesis_id, customer_id, variant, assigned_at)
SELECT 2, g::text, 'control', '2026-02-05' FROM generate_series(1, 10) g;
SELECT journey.start_hypothesis(1);
SELECT journey.conclude_hypothesis(1, 'iterate', 'Emails helped a little.');
SELECT journey.start_hypothesis(2);
SELECT journey.abandon_hypothesis(3, 'Out of scope this quarter.');
INSERT INTO journey.channel_rule (priority, channel, source_pattern, medium_pattern)
VALUES (5, 'Newsletter', '^news$', NULL);
