-- shapley: the exact Shapley value of the coalition game of Zhao et al.
-- (2018): v(S) = the conversions (or value) of the paths whose channel set
-- is a subset of S; channel i gets the sum over S in N\{i} of
-- |S|!(n-|S|-1)!/n! (v(S+i) - v(S)).  Each game below is worked out by
-- hand from that definition (test/suites/33_shapley.sh checks the same
-- against an enumeration of every ordering on random games).

-- Game 1: paths {A} 2 conversions (value 20), {A,B} 6 (value 60; written
-- as A > B > A: repeats do not change the set), {B,C} 3 (value 9).
-- v(∅)=0, v(A)=2, v(B)=0, v(C)=0, v(AB)=8, v(AC)=2, v(BC)=3, v(ABC)=11.
-- A: orders (A first) 1/3*(2-0) + (after B) 1/6*(8-0) + (after C) 1/6*(2-0)
--    + (last) 1/3*(11-3) = 2/3 + 4/3 + 1/3 + 8/3 = 5
-- B: 1/3*0 + (after A) 1/6*(8-2) + (after C) 1/6*(3-0) + 1/3*(11-2)
--    = 1 + 1/2 + 3 = 4.5
-- C: 1/3*0 + (after A) 1/6*(2-2) + (after B) 1/6*(3-0) + 1/3*(11-8)
--    = 0 + 1/2 + 1 = 1.5
-- Efficiency: 5 + 4.5 + 1.5 = 11 = v(ABC).  Values: A 20 + 30 = 50,
-- B 30 + 4.5 = 34.5, C 4.5.
CREATE TEMP TABLE g1 (path text[], conv float8, val float8, nulls float8);
INSERT INTO g1 VALUES (ARRAY['A'], 2, 20, 5), (ARRAY['A','B','A'], 6, 60, 1),
                      (ARRAY['B','C'], 3, 9, 0), (ARRAY['C'], 0, 0, 7);
SELECT (c).channel, (c).conversions, (c).value, (c).removal_effect
  FROM unnest((SELECT journey.attribution(path, conv, val, nulls, 'shapley') FROM g1)) c;
-- efficiency: the credits add up to the conversions and the value
SELECT sum((c).conversions) AS conversions, sum((c).value) AS value
  FROM unnest((SELECT journey.attribution(path, conv, val, nulls, 'shapley') FROM g1)) c;

-- Game 2 (symmetry): B and C play the same role ({A,B} and {A,C} alike):
-- they get the same credit.  v(A)=0, v(AB)=v(AC)=4, v(ABC)=8, others 0.
-- A: 1/6*(4-0)*2 (after B or C alone) + 1/3*(8-0) = 4/3 + 8/3 = 4;
-- B = C = (8 - 4)/2 = 2.
SELECT (c).channel, (c).conversions
  FROM unnest((SELECT journey.attribution(p, c, 0, 0, 'shapley')
                 FROM (VALUES (ARRAY['A','B'], 4), (ARRAY['C','A'], 4)) t(p, c))) c;

-- Game 3 (null player): D is only on paths that never convert: it adds
-- nothing to any coalition and gets 0; the others are as without D.
SELECT (c).channel, (c).conversions
  FROM unnest((SELECT journey.attribution(p, c, 0, n, 'shapley')
                 FROM (VALUES (ARRAY['A','B'], 4, 0), (ARRAY['D','A','B'], 0, 9),
                              (ARRAY['D'], 0, 3)) t(p, c, n))) c;

-- Game 4: one path over four channels: everyone is needed (the unanimity
-- game of {A,B,C,D}): a quarter each, whatever their order or repeats.
SELECT (c).channel, (c).conversions, (c).value
  FROM unnest((SELECT journey.attribution(ARRAY['D','A','A','C','B','D'], 8, 2, 0, 'shapley'))) c;

-- touch_weights: the path's share of each touch: 1/k on the first touch of
-- each of its k distinct channels
SELECT journey.touch_weights(ARRAY['A','B','A','C'], 'shapley') AS weights,
       journey.touch_weights(ARRAY['X'], 'shapley') AS one_touch;

-- fractribution (the leave-one-out model, tested in 30_attribution) is
-- another model: on game 1 it does not give the Shapley value
SELECT (SELECT journey.attribution(path, conv, val, nulls, 'fractribution') FROM g1)
    <> (SELECT journey.attribution(path, conv, val, nulls, 'shapley') FROM g1) AS differs;

-- Efficiency on the sample data: the Shapley credits of 2,000 sample
-- customers' conversion paths add up to their conversions and value
-- (to the last bits of float8: each credit is an exact sum of shares).
CREATE TEMP TABLE s_paths AS
  SELECT journey.paths_to_conversion(channel, ts, event = 'purchase', revenue::float8,
                                     '30 days') AS p
    FROM journey.sample_events(2000, 5) GROUP BY customer_id;
SELECT count(*) AS channels,
       abs(sum((c).conversions) - (SELECT count(*) FROM s_paths, unnest(p) x WHERE x.converted))
         < 1e-9 AS conversions_add_up,
       abs(sum((c).value) - (SELECT sum(x.value) FROM s_paths, unnest(p) x WHERE x.converted))
         < 1e-6 AS value_adds_up
  FROM unnest((SELECT journey.attribution(p, 'shapley') FROM s_paths)) c;
-- and equal the even split over each converting path's distinct channels,
-- computed here in SQL
WITH conv AS (
  SELECT row_number() OVER () AS id, x.path, x.value
    FROM s_paths, unnest(p) x WHERE x.converted),
sets AS (
  SELECT id, value, array_agg(DISTINCT l) AS chans FROM conv, unnest(path) l GROUP BY id, value),
split AS (
  SELECT ch, sum(1.0 / cardinality(chans)) AS conversions,
         sum(value::numeric / cardinality(chans)) AS value
    FROM sets, unnest(chans) ch GROUP BY ch)
SELECT count(*) AS channels_that_differ
  FROM split s
  FULL JOIN unnest((SELECT journey.attribution(p, 'shapley') FROM s_paths)) c ON c.channel = s.ch
 WHERE s.ch IS NULL OR c.channel IS NULL
    OR abs(s.conversions - c.conversions::numeric) > 1e-9
    OR abs(s.value - c.value::numeric) > 1e-6;

-- Any number of channels: 64 on one path (more than a coalition
-- enumeration could handle; none is needed, so there is no limit)
SELECT count(*) AS channels, min((c).conversions) = max((c).conversions) AS equal,
       sum((c).conversions) AS total
  FROM unnest((SELECT journey.attribution(
                        (SELECT array_agg('c' || g) FROM generate_series(1, 64) g), 64, 0, 0,
                        'shapley'))) c;
