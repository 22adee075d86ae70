-- Multi-touch attribution: touch_weights() for the rule-based models, the
-- attribution() aggregate (rule-based, markov, shapley, fractribution), its errors, its
-- parallel plan and its serialized state.

-- touch_weights: each model on a four-touch path
SELECT m, journey.touch_weights(ARRAY['Email','Direct','Paid Search','Direct'], m) AS weights
  FROM unnest(ARRAY['first_touch', 'last_touch', 'last_non_direct',
                    'last_non_direct(direct=Email)', 'linear', 'position_based',
                    'position_based(first=0.3, last=0.5)', 'participation']) AS m;
-- position_based: one touch 100%, two touches 50/50 (or first:last), three
SELECT journey.touch_weights(ARRAY['a'], 'position_based');
SELECT journey.touch_weights(ARRAY['a','b'], 'position_based');
SELECT journey.touch_weights(ARRAY['a','b'], 'position_based(first=0.6, last=0.2)');
SELECT journey.touch_weights(ARRAY['a','b','c'], 'position_based(first=0.5, last=0.5)');
-- position_based with asymmetric shares, on paths of 1, 2, 3 and 5 touches:
-- one touch gets 1; two touches first : last; more, first to the first
-- touch, last to the last, and the rest (1 - first - last) split evenly over
-- the n - 2 middle touches.  Each expected share written as its arithmetic;
-- every touch is listed with the check (so swapping first and last fails
-- every row but those of single touches and of the middle).
SELECT spec, n, i, round(w[i]::numeric, 15) AS share, round(e[i]::numeric, 15) AS expected,
       abs(w[i] - e[i]) < 1e-15 AS ok
  FROM (SELECT spec, n, e,
               journey.touch_weights((ARRAY['a','b','c','d','e'])[1:n], spec) AS w
          FROM (VALUES
            ('position_based(first=0.5,last=0.2)', 1, ARRAY[1]::float8[]),
            ('position_based(first=0.5,last=0.2)', 2, ARRAY[0.5 / (0.5 + 0.2), 0.2 / (0.5 + 0.2)]::float8[]),
            ('position_based(first=0.5,last=0.2)', 3, ARRAY[0.5, 1 - 0.5 - 0.2, 0.2]::float8[]),
            ('position_based(first=0.5,last=0.2)', 5, ARRAY[0.5, (1 - 0.5 - 0.2) / 3, (1 - 0.5 - 0.2) / 3,
                                                            (1 - 0.5 - 0.2) / 3, 0.2]::float8[]),
            ('position_based(first=0.1,last=0.6)', 1, ARRAY[1]::float8[]),
            ('position_based(first=0.1,last=0.6)', 2, ARRAY[0.1 / (0.1 + 0.6), 0.6 / (0.1 + 0.6)]::float8[]),
            ('position_based(first=0.1,last=0.6)', 3, ARRAY[0.1, 1 - 0.1 - 0.6, 0.6]::float8[]),
            ('position_based(first=0.1,last=0.6)', 5, ARRAY[0.1, (1 - 0.1 - 0.6) / 3, (1 - 0.1 - 0.6) / 3,
                                                            (1 - 0.1 - 0.6) / 3, 0.6]::float8[]),
            ('position_based(first=0,last=0)', 2, ARRAY[0.5, 0.5]::float8[])) v(spec, n, e)) x,
       generate_series(1, n) i
 ORDER BY spec, n, i;
-- ... and in the aggregate, with first=0.1, last=0.6 over a (1 conversion,
-- value 10), a > b (1, 10), a > b > c (2, 20), a > b > c > d > e (1, 10):
-- a = 1 + 1/7 + 2 * 0.1 + 0.1, b = 6/7 + 2 * 0.3 + 0.1, c = 2 * 0.6 + 0.1,
-- d = 0.1, e = 0.6 conversions, and ten times that in value.
SELECT (c).channel, round((c).conversions::numeric, 12) AS conversions,
       abs((c).conversions - e) < 1e-12 AND abs((c).value - 10 * e) < 1e-11 AS ok
  FROM unnest((SELECT journey.attribution(p, cv, 10 * cv, 0, 'position_based(first=0.1, last=0.6)')
                 FROM (VALUES (ARRAY['a'], 1), (ARRAY['a','b'], 1), (ARRAY['a','b','c'], 2),
                              (ARRAY['a','b','c','d','e'], 1)) v(p, cv))) c
  JOIN (VALUES ('a', 1 + 1/7.0 + 2 * 0.1 + 0.1), ('b', 6/7.0 + 2 * 0.3 + 0.1), ('c', 2 * 0.6 + 0.1),
               ('d', 0.1), ('e', 0.6)) x(channel, e) ON x.channel = (c).channel
 ORDER BY 1;
-- last_non_direct: every touch direct -> the last touch
SELECT journey.touch_weights(ARRAY['Direct','Direct'], 'last_non_direct');
-- participation: each distinct channel one equal share, on its first touch
SELECT journey.touch_weights(ARRAY['a','b','a','a','c'], 'participation');
-- ... and in the aggregate, path by path: a channel repeated in one path
-- counts once there, and again in the next path (a: 1/2 + 1/2 + 1/3)
SELECT (c).channel, round((c).conversions::numeric, 10) AS conversions
  FROM unnest((SELECT journey.attribution(p, 1, 0, 0, 'participation')
                 FROM (VALUES (ARRAY['a','b','a']), (ARRAY['a','c','a']),
                              (ARRAY['b','a','c','b'])) v(p))) c;
-- every model's weights sum to 1
SELECT m, abs(1 - (SELECT sum(w) FROM unnest(journey.touch_weights(
           ARRAY['x','y','x','Direct','z','y','w'], m,
           ARRAY['2026-01-01','2026-01-02','2026-01-04','2026-01-08',
                 '2026-01-09','2026-01-20','2026-01-21']::timestamptz[])) w)) < 1e-12 AS sums_to_1
  FROM unnest(ARRAY['first_touch','last_touch','last_non_direct','linear',
                    'position_based','time_decay','participation']) m;
-- time_decay: weight 2^(-age/half_life), age = converted_at - touch time.
-- Touches 28, 21, 14 and 7 days before the conversion with a 7-day
-- half-life weigh 1/16 : 1/8 : 1/4 : 1/2, i.e. 1/15, 2/15, 4/15, 8/15.
SELECT journey.touch_weights(ARRAY['a','b','c','d'], 'time_decay',
       ARRAY['2026-03-01 00:00+00','2026-03-08 00:00+00','2026-03-15 00:00+00',
             '2026-03-22 00:00+00']::timestamptz[],
       '2026-03-29 00:00+00') AS w,
       ARRAY[1/15.0, 2/15.0, 4/15.0, 8/15.0]::float8[] AS expected;
-- converted_at defaults to the last touch; half-life in hours
SELECT journey.touch_weights(ARRAY['a','b'], 'time_decay(half_life=12 hours)',
       ARRAY['2026-03-01 00:00','2026-03-01 12:00']::timestamptz[]);
-- shares too small for float8 become 0; the newest touch keeps everything
SELECT journey.touch_weights(ARRAY['a','b'], 'time_decay(half_life=1 second)',
       ARRAY['2020-01-01','2026-01-01']::timestamptz[]);
-- model names and parameter keys are case-insensitive (values are not)
SELECT journey.touch_weights(ARRAY['a','Direct'], 'Last_Non_Direct(Direct=Direct)'),
       journey.touch_weights(ARRAY['a','b','c'], 'POSITION_BASED(FIRST=0.5, Last=0.5)');
-- empty path, NULL arguments
SELECT journey.touch_weights(ARRAY[]::text[], 'linear');
SELECT journey.touch_weights(NULL, 'linear') IS NULL AS null_path,
       journey.touch_weights(ARRAY['a'], NULL) IS NULL AS null_model;

-- model spec errors (each with a hint saying what is valid)
SELECT journey.touch_weights(ARRAY['a'], 'bogus');
SELECT journey.touch_weights(ARRAY['a'], 'linear(x=1)');
SELECT journey.touch_weights(ARRAY['a'], 'position_based(middle=0.2)');
SELECT journey.touch_weights(ARRAY['a'], 'position_based(0.4)');
SELECT journey.touch_weights(ARRAY['a'], 'position_based(first=1.5)');
SELECT journey.touch_weights(ARRAY['a'], 'position_based(first=0.7, last=0.4)');
SELECT journey.touch_weights(ARRAY['a'], 'position_based(first=x)');
SELECT journey.touch_weights(ARRAY['a'], 'position_based(first=0.1, first=0.2)');
SELECT journey.touch_weights(ARRAY['a'], 'time_decay(half_life=0 days)', ARRAY[now()]);
SELECT journey.touch_weights(ARRAY['a'], 'time_decay(half_life=7 fortnights)', ARRAY[now()]);
SELECT journey.touch_weights(ARRAY['a'], 'markov(order=5)');
SELECT journey.touch_weights(ARRAY['a'], 'markov(order=two)');
SELECT journey.touch_weights(ARRAY['a'], 'linear(');
SELECT journey.touch_weights(ARRAY['a'], 'markov');
SELECT journey.touch_weights(ARRAY['a'], 'fractribution');
-- touch_weights input errors
SELECT journey.touch_weights(ARRAY['a', NULL], 'linear');
SELECT journey.touch_weights(ARRAY[['a','b'],['c','d']], 'linear');
SELECT journey.touch_weights(ARRAY['a'], 'time_decay');
SELECT journey.touch_weights(ARRAY['a','b'], 'time_decay', ARRAY[now()]);
SELECT journey.touch_weights(ARRAY['a'], 'time_decay', ARRAY[NULL::timestamptz]);
SELECT journey.touch_weights(ARRAY['a'], 'time_decay', ARRAY['infinity'::timestamptz]);
SELECT journey.touch_weights(ARRAY['a'], 'time_decay', ARRAY['2026-01-02'::timestamptz], '2026-01-01');
SELECT journey.touch_weights(ARRAY['a'], 'time_decay', ARRAY['2026-01-02'::timestamptz], 'infinity');

-- the error codes: spec and input errors are invalid_parameter_value (22023),
-- NULLs where a value is needed null_value_not_allowed (22004)
CREATE FUNCTION attr_sqlstate(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;
SELECT q, attr_sqlstate(q) FROM unnest(ARRAY[
  $q$SELECT journey.touch_weights(ARRAY['a'], 'bogus')$q$,
  $q$SELECT journey.touch_weights(ARRAY['a'], 'linear(x=1)')$q$,
  $q$SELECT journey.touch_weights(ARRAY['a'], 'position_based(first=0.7, last=0.4)')$q$,
  $q$SELECT journey.touch_weights(ARRAY['a'], 'markov(order=0)')$q$,
  $q$SELECT journey.touch_weights(ARRAY['a'], 'time_decay(half_life=-1 days)', ARRAY[now()])$q$,
  $q$SELECT journey.touch_weights(ARRAY['a'], 'time_decay')$q$,
  $q$SELECT journey.attribution(ARRAY['a'], -1, 0, 0, 'linear')$q$,
  $q$SELECT journey.attribution(ARRAY['a'], 1, 0, 0, 'markov(order=9)')$q$]) q;

-- the Markov elimination's work is bounded (journey.max_markov_work, in
-- thousands of matrix entries visited): past it, an error, not hours of work
CREATE TABLE attr_tangled AS
  SELECT ARRAY[(g % 7)::text, (g % 5)::text, (g % 3)::text, (g % 11)::text, (g % 2)::text] AS p,
         (g % 4 = 0)::int AS conv
    FROM generate_series(1, 500) g;
SET journey.max_markov_work = 1;
SELECT journey.attribution(p, conv, 0, 1 - conv, 'markov(order=2)') FROM attr_tangled;
-- a million entries are enough for this chain; so is the default
SET journey.max_markov_work = 1000;
SELECT round(sum((c).conversions)::numeric, 9) AS credited
  FROM unnest((SELECT journey.attribution(p, conv, 0, 1 - conv, 'markov(order=2)')
                 FROM attr_tangled)) c;
RESET journey.max_markov_work;
SELECT round(sum((c).conversions)::numeric, 9) AS credited
  FROM unnest((SELECT journey.attribution(p, conv, 0, 1 - conv, 'markov(order=2)')
                 FROM attr_tangled)) c;
DROP TABLE attr_tangled;

-- The aggregate over path rows (path, conversions, value, nulls).
CREATE TABLE attr_paths (path text, conv float8, val float8, nulls float8);
INSERT INTO attr_paths VALUES
  ('A > B > C', 1, 10, 1),
  ('A > C', 1, 5, 0),
  ('B', 0, 0, 1),
  ('C > A', 1, 3, 2);
-- one row per channel, sorted by channel; credited conversions sum to 3
SELECT m, (c).channel, round((c).conversions::numeric, 10) AS conversions,
       round((c).value::numeric, 10) AS value, round((c).removal_effect::numeric, 10) AS removal_effect
  FROM (SELECT m, unnest(journey.attribution(string_to_array(path, ' > '), conv, val, nulls, m)) c
          FROM attr_paths,
               unnest(ARRAY['first_touch','last_touch','last_non_direct(direct=C)','linear',
                            'position_based','participation','markov','fractribution']) m
         GROUP BY m) s
 ORDER BY m, (c).channel;

-- Markov, order 1, on the rows above, solved by hand.  Transition weights:
-- START->A 3, START->B 1, START->C 3; A->B 2, A->C 1, A->CONV 1, A->NULL 2;
-- B->C 2, B->NULL 1; C->A 3, C->CONV 2, C->NULL 1.  With x_s the probability
-- of conversion from s:  x_A = 1/6 + 2/6 x_B + 1/6 x_C,  x_B = 2/3 x_C,
-- x_C = 2/6 + 3/6 x_A, so x_A = 32/87, x_B = 30/87, x_C = 45/87 and
-- P = (3 x_A + x_B + 3 x_C) / 7 = 3/7.
-- Without A: x_B = 2/9, x_C = 1/3, P_A = (2/9 + 1)/7 = 11/63, RE_A = 16/27.
-- Without B: x_A = 1/6 + 1/6 x_C, x_C = 1/3 + 1/2 x_A: x_A = 8/33, x_C = 15/33,
--   P_B = (3*8/33 + 3*15/33)/7 = 69/231 = 23/77, RE_B = 1 - (23/77)/(3/7) = 10/33.
-- Without C: x_A = 1/6 + 1/3 x_B, x_B = 0: P_C = (3/6)/7 = 1/14, RE_C = 5/6.
-- Value: each row's value is collected on its CONV step: C collects 10 + 5
-- of its 6 outgoing weight, A collects 3 of 6.  y_A = 3/6 + 2/6 y_B + 1/6 y_C,
-- y_B = 2/3 y_C, y_C = 15/6 + 3/6 y_A: y_A = 53/29, y_B = 66/29, y_C = 99/29,
-- V = (3 y_A + y_B + 3 y_C)/7 = 18/7.  Without A: V = (5/3 + 3*5/2)/7 = 55/42,
-- value RE 53/108; without B: y_A = 1, y_C = 3, V = 12/7, RE 1/3; without C:
-- y_A = 1/2, V = 3/14, RE 11/12.  Value 18 splits 53 : 36 : 99.
SELECT (c).channel,
       abs((c).removal_effect - CASE (c).channel WHEN 'A' THEN 16/27.0 WHEN 'B' THEN 10/33.0
                                                  ELSE 5/6.0 END) < 1e-12 AS removal_ok,
       abs((c).conversions - 3 * CASE (c).channel WHEN 'A' THEN 16/27.0 WHEN 'B' THEN 10/33.0
                                                   ELSE 5/6.0 END
                                 / (16/27.0 + 10/33.0 + 5/6.0)) < 1e-12 AS split_ok,
       abs((c).value - 18 * CASE (c).channel WHEN 'A' THEN 53 WHEN 'B' THEN 36 ELSE 99 END
                            / 188.0) < 1e-12 AS value_ok
  FROM (SELECT unnest(journey.attribution(string_to_array(path, ' > '), conv, val, nulls, 'markov')) c
          FROM attr_paths) s;

-- The classic three-path example of the Markov attribution literature
-- (Anderl et al.; ChannelAttribution's tutorials):
--   C1 > C2 > C3 converts, C1 does not, C2 > C3 does not.
-- START->C1 2/3, START->C2 1/3; C1->C2 1/2, C1->NULL 1/2; C2->C3 1;
-- C3->CONV 1/2, C3->NULL 1/2.  P = 2/3*1/2*1*1/2 + 1/3*1*1/2 = 1/3.
-- Without C1: P = 1/3*1/2 = 1/6, RE = 1/2.  Without C2 or C3: P = 0, RE = 1.
-- The one conversion splits 0.5 : 1 : 1, i.e. 0.2, 0.4, 0.4; the value 10
-- reaches CONV only through C3, so it splits the same way: 2, 4, 4.
SELECT (c).channel, (c).conversions, (c).value, (c).removal_effect
  FROM (SELECT unnest(journey.attribution(p, cv, v, n, 'markov')) c
          FROM (VALUES (ARRAY['C1','C2','C3'], 1, 10, 0),
                       (ARRAY['C1'], 0, 0, 1),
                       (ARRAY['C2','C3'], 0, 0, 1)) t(p, cv, v, n)) s;

-- Value on paths without conversions reaches no CONV transition; when no
-- value reaches CONV at all, the value is split like the conversions.
-- Rows A > B (1 conversion), B (1 conversion) and A with value 50 but no
-- conversion and no null (it takes no part in the chain, but its channel
-- and its value count): START->A 1, START->B 1, A->B 1, B->CONV 2, so
-- P = 1; without A, P = 1/2 (RE 1/2); without B, P = 0 (RE 1).  The two
-- conversions split 1/2 : 1, i.e. 2/3 and 4/3; V = 0, so the value 50
-- splits the same way: 50/3 = 16.67 and 100/3 = 33.33.
SELECT (c).channel, round((c).conversions::numeric, 12) AS conversions,
       round((c).value::numeric, 12) AS value,
       abs((c).conversions - CASE (c).channel WHEN 'A' THEN 2/3.0 ELSE 4/3.0 END) < 1e-12 AS conversions_ok,
       abs((c).value - CASE (c).channel WHEN 'A' THEN 50/3.0 ELSE 100/3.0 END) < 1e-12 AS value_ok
  FROM (SELECT unnest(journey.attribution(p, cv, v, n, 'markov')) c
          FROM (VALUES (ARRAY['A','B'], 1, 0, 0),
                       (ARRAY['B'], 1, 0, 0),
                       (ARRAY['A'], 0, 50, 0)) t(p, cv, v, n)) s;
-- The same with the value on a path that did not convert: A with one null
-- and value 50.  START->A 3 (A > B twice: one conversion, one null; A
-- once), START->B 1; A->B 2, A->NULL 1; B->CONV 2, B->NULL 1.  x_B = 2/3,
-- x_A = 2/3 x_B = 4/9, P = (3 x_A + x_B)/4 = 1/2.  Without A: P = x_B/4 =
-- 1/6, RE 2/3; without B: P = 0, RE 1.  Two conversions split 2/3 : 1 =
-- 0.8 and 1.2; no value reaches CONV, so 50 splits 20 and 30.
SELECT (c).channel, round((c).conversions::numeric, 12) AS conversions,
       round((c).value::numeric, 12) AS value, round((c).removal_effect::numeric, 12) AS removal_effect
  FROM (SELECT unnest(journey.attribution(p, cv, v, n, 'markov')) c
          FROM (VALUES (ARRAY['A','B'], 1, 0, 1),
                       (ARRAY['B'], 1, 0, 0),
                       (ARRAY['A'], 0, 50, 1)) t(p, cv, v, n)) s;

-- Order 3 and order 2, value included.  Rows: A > B > C > D converts once
-- with value 12; B > C > A is null once; A > B > C converts once with value 6
-- and is null once.
-- Order 3 states: ABC -> BCD; BCA; ABC.  START->ABC 3, START->BCA 1;
-- ABC->BCD 1, ABC->CONV 1, ABC->NULL 1; BCD->CONV 1; BCA->NULL 1.
-- x_BCD = 1, x_ABC = (x_BCD + 1)/3 = 2/3, x_BCA = 0, P = 3 x_ABC / 4 = 1/2.
-- A, B, C each lie in every state that converts: RE 1.  Without D: x_ABC =
-- 1/3, P = 1/4, RE 1/2.  Two conversions split 1 : 1 : 1 : 1/2, i.e. 4/7 to
-- A, B and C and 2/7 to D.  Value: BCD collects 12 of weight 1, ABC 6 of
-- weight 3: y_BCD = 12, y_ABC = (6 + 12)/3 = 6, V = 3 y_ABC / 4 = 9/2.
-- Without D: y_ABC = 2, V = 3/2, value RE 2/3; A, B, C: value RE 1.  Value
-- 18 splits 1 : 1 : 1 : 2/3, i.e. 54/11 to A, B, C and 36/11 to D.
-- Order 2 states: AB -> BC -> CD; BC -> CA; AB -> BC.  START->AB 3,
-- START->BC 1; AB->BC 3; BC->CD 1, BC->CA 1, BC->CONV 1, BC->NULL 1;
-- CD->CONV 1; CA->NULL 1.  x_BC = (1 + 1)/4 = 1/2 = x_AB, P = 1/2.  Without
-- A (AB and CA): P = x_BC/4 = 1/8, RE 3/4 (1 at order 3: A > B > C is one
-- state there); without B or C: RE 1; without D: x_BC = 1/4, P = 1/4, RE
-- 1/2.  Conversions split 3/4 : 1 : 1 : 1/2 = 6/13, 8/13, 8/13, 4/13.  Value:
-- y_CD = 12, y_BC = (6 + 12)/4 = 9/2 = y_AB, V = 9/2; without A: V = 9/8,
-- value RE 3/4; without D: y_BC = 3/2, V = 3/2, value RE 2/3; value 18
-- splits 3/4 : 1 : 1 : 2/3, i.e. 162/41, 216/41, 216/41, 144/41.
SELECT s.k, (c).channel, round((c).conversions::numeric, 10) AS conversions,
       round((c).value::numeric, 10) AS value, round((c).removal_effect::numeric, 10) AS removal_effect,
       abs((c).conversions - e.conv) < 1e-12 AND abs((c).value - e.val) < 1e-12
         AND abs((c).removal_effect - e.re) < 1e-12 AS as_computed
  FROM (SELECT k, unnest(journey.attribution(p, cv, v, n, format('markov(order=%s)', k))) c
          FROM (VALUES (ARRAY['A','B','C','D'], 1, 12, 0),
                       (ARRAY['B','C','A'], 0, 0, 1),
                       (ARRAY['A','B','C'], 1, 6, 1)) t(p, cv, v, n),
               generate_series(2, 3) k
         GROUP BY k) s
  JOIN (VALUES (3, 'A', 4/7.0, 54/11.0, 1.0), (3, 'B', 4/7.0, 54/11.0, 1.0),
               (3, 'C', 4/7.0, 54/11.0, 1.0), (3, 'D', 2/7.0, 36/11.0, 0.5),
               (2, 'A', 6/13.0, 162/41.0, 0.75), (2, 'B', 8/13.0, 216/41.0, 1.0),
               (2, 'C', 8/13.0, 216/41.0, 1.0), (2, 'D', 4/13.0, 144/41.0, 0.5))
         e(k, channel, conv, val, re) ON e.k = s.k AND e.channel = (c).channel
 ORDER BY s.k, (c).channel;

-- Order 2: the states of A > A > A > B are the windows (A,A), (A,A), (A,B),
-- collapsed to (A,A) -> (A,B); the state of a path shorter than the order
-- is the whole path.  Rows: A>A>A>B converts once, A>B is null once, C
-- converts once.  START->(A,A) 1, START->(A,B) 1, START->(C) 1; (A,A)->(A,B) 1;
-- (A,B)->CONV 1, (A,B)->NULL 1; (C)->CONV 1.  P = (1/2 + 1/2 + 1)/3 = 2/3.
-- Without A (both (A,A) and (A,B) contain A): P = 1/3, RE = 1/2; without B:
-- (A,B) leads to NULL, P = 1/3, RE = 1/2; without C: P = 1/3, RE = 1/2.
SELECT (c).channel, round((c).conversions::numeric, 12) AS conversions,
       round((c).removal_effect::numeric, 12) AS removal_effect
  FROM (SELECT unnest(journey.attribution(p, cv, 0, n, 'markov(order=2)')) c
          FROM (VALUES (ARRAY['A','A','A','B'], 1, 0),
                       (ARRAY['A','B'], 0, 1),
                       (ARRAY['C'], 1, 0)) t(p, cv, n)) s;
-- the same rows under order 1: A -> B is the only way from A, so removing A
-- or B each cuts the first two journeys: P = 2/3, P_A = P_B = P_C = 1/3.
SELECT (c).channel, round((c).removal_effect::numeric, 12) AS removal_effect
  FROM (SELECT unnest(journey.attribution(p, cv, 0, n, 'markov(order=1)')) c
          FROM (VALUES (ARRAY['A','A','A','B'], 1, 0),
                       (ARRAY['A','B'], 0, 1),
                       (ARRAY['C'], 1, 0)) t(p, cv, n)) s;
-- higher orders on paths shorter than the order: one state per path
SELECT k, (SELECT string_agg(format('%s=%s', (c).channel, round((c).conversions::numeric, 6)), ' ')
             FROM unnest(a) c) AS credit
  FROM (SELECT k, journey.attribution(string_to_array(path, ' > '), conv, val, nulls,
                                      format('markov(order=%s)', k)) a
          FROM attr_paths, generate_series(1, 4) k GROUP BY k) s ORDER BY k;

-- fractribution (its leave-one-out model, not the Shapley value).  p(A>B>C) = 1/2,
-- p(A>C) = 1, p(B) = 0, p(C>A) = 1/3; p(B>C), p(A>B) never occur (0).
-- A>B>C: marginals A: 1/2 - p(B>C) = 1/2, B: 1/2 - p(A>C) = -1/2 -> 0,
--   C: 1/2 - p(A>B) = 1/2: shares 1/2, 0, 1/2.
-- A>C: A: 1 - p(C) = 1, C: 1 - p(A) = 1: 1/2 each.
-- C>A: C: 1/3 - p(A) = 1/3, A: 1/3 - p(C) = 1/3: 1/2 each.
-- So A gets 1.5 conversions and C 1.5; values 10*1/2 + 5/2 + 3/2 = 9 each.
SELECT (c).channel, (c).conversions, (c).value, (c).removal_effect
  FROM (SELECT unnest(journey.attribution(string_to_array(path, ' > '), conv, val, nulls, 'fractribution')) c
          FROM attr_paths) s;
-- all marginals zero -> last touch
SELECT (c).channel, (c).conversions
  FROM (SELECT unnest(journey.attribution(p, cv, 0, n, 'fractribution')) c
          FROM (VALUES (ARRAY['X','Y'], 1, 1), (ARRAY['X'], 1, 1), (ARRAY['Y'], 1, 1)) t(p, cv, n)) s;

-- Repeated paths merge; input order never matters; NULL rows
CREATE TABLE attr_rows AS
  SELECT string_to_array(path, ' > ') AS path, conv, val, nulls FROM attr_paths,
         generate_series(1, 3);
INSERT INTO attr_rows VALUES (NULL, 5, 5, 5), (ARRAY['A'], NULL, NULL, NULL), (ARRAY[]::text[], 4, 4, 4);
SELECT m,
       (SELECT journey.attribution(path, conv, val, nulls, m) FROM (SELECT * FROM attr_rows ORDER BY random()) r)
     = (SELECT journey.attribution(path, conv, val, nulls, m) FROM (SELECT * FROM attr_rows ORDER BY path DESC) r)
       AS order_free
  FROM unnest(ARRAY['linear','markov','markov(order=3)','fractribution']) m;
-- three copies of every row: exactly three times the credit (the empty
-- path and the NULL path are skipped, NULL numbers count 0)
SELECT x.channel, x.channel = y.channel AS same_channel,
       x.conversions = 3 * y.conversions AS conv_x3, x.value = 3 * y.value AS value_x3
  FROM unnest((SELECT journey.attribution(path, conv, val, nulls, 'linear') FROM attr_rows))
         WITH ORDINALITY x(channel, conversions, value, removal_effect, i)
  JOIN unnest((SELECT journey.attribution(string_to_array(path, ' > '), conv, val, nulls, 'linear')
                 FROM attr_paths))
         WITH ORDINALITY y(channel, conversions, value, removal_effect, i) USING (i);
-- no rows, or only NULL paths: NULL
SELECT journey.attribution(path, conv, val, nulls, 'linear') FROM attr_rows WHERE false;
SELECT journey.attribution(NULL::text[], 1, 1, 1, 'linear');
-- only empty paths: no channel to list
SELECT journey.attribution(ARRAY[]::text[], 1, 1, 1, 'linear');
-- a path with no conversions gets no credit but its channels are listed
SELECT journey.attribution(ARRAY['a','b'], 0, 0, 3, 'linear');

-- Aggregate errors
SELECT journey.attribution(ARRAY['a'], 1, 0, 0, 'time_decay');
SELECT journey.attribution(ARRAY['a'], 1, 0, 0, 'nope(x=1)');
SELECT journey.attribution(ARRAY['a'], 1, 0, 0, NULL);
SELECT journey.attribution(ARRAY['a'], -1, 0, 0, 'linear');
SELECT journey.attribution(ARRAY['a'], 1, -2, 0, 'linear');
SELECT journey.attribution(ARRAY['a'], 1, 0, 'NaN', 'linear');
SELECT journey.attribution(ARRAY['a'], 1, 'Infinity', 0, 'linear');
SELECT journey.attribution(ARRAY['a', NULL], 1, 0, 0, 'linear');
SELECT journey.attribution(p, 1, 0, 0, m)
  FROM (VALUES (ARRAY['a'], 'linear'), (ARRAY['b'], 'markov')) t(p, m);
-- totals that overflow float8 are errors, not silent infinities
SELECT journey.attribution(ARRAY['a'], 1e308, 0, 0, 'linear') FROM generate_series(1, 2);
SELECT journey.attribution(p, 1e308, 0, 1e308, 'markov')
  FROM (VALUES (ARRAY['a']), (ARRAY['b'])) t(p);
SELECT journey.attribution(p, 1e308, 0, 0, 'first_touch')
  FROM (VALUES (ARRAY['a']), (ARRAY['a', 'b'])) t(p);
-- Markov: conversions and nulls whose sums over the chain pass float8
-- (here each of the first path's conversions + nulls alone), while every
-- figure and the credited totals are finite, are solved on the figures
-- scaled down by a power of two, which changes no probability: every
-- removal effect is exactly that of the same rows scaled down by 2^600
-- (small enough to need no scaling), and every credit exactly 2^600 times
-- theirs; on orders 1 and 2
CREATE TEMP TABLE markov_big (p text[], c float8, v float8, n float8);
INSERT INTO markov_big VALUES (ARRAY['a', 'b'], 1e308, 1e307, 1e308),
	(ARRAY['b'], 0, 0, 1e308), (ARRAY['a', 'c', 'b'], 5e307, 3e307, 1.5e308),
	(ARRAY['c', 'a'], 2e307, 1e307, 0);
SELECT o, big.channel, big.conversions, big.value, big.removal_effect,
	   big.conversions = small.conversions * 2::float8 ^ 600 AS conversions_exact,
	   big.value = small.value * 2::float8 ^ 600 AS value_exact,
	   big.removal_effect = small.removal_effect AS removal_exact
  FROM unnest(ARRAY['markov', 'markov(order=2)']) o,
	   LATERAL unnest((SELECT journey.attribution(p, c, v, n, o) FROM markov_big)) big
  JOIN LATERAL unnest((SELECT journey.attribution(p, c * 2::float8 ^ -600, v * 2::float8 ^ -600,
													n * 2::float8 ^ -600, o)
						 FROM markov_big)) small ON small.channel = big.channel
 ORDER BY o, big.channel;
-- memory bound: the distinct paths of a group hold at most
-- journey.max_events_per_group touches
SET journey.max_events_per_group = 5;
SELECT journey.attribution(path, conv, val, nulls, 'linear') FROM attr_rows;
RESET journey.max_events_per_group;
-- the Markov chain is solved exactly up to a documented number of states
SELECT journey.attribution(ARRAY[a::text, b::text], 1, 0, 1, 'markov(order=2)')
  FROM generate_series(1, 320) a, generate_series(1, 320) b;

-- Parallel: partial states are serialized, combined and give the serial answer
CREATE TABLE attr_par AS
  SELECT (ARRAY[(ARRAY['Email','Search','Social','Display','Direct'])[1 + i % 5],
                (ARRAY['Email','Search','Social','Display','Direct'])[1 + (i / 5) % 5],
                (ARRAY['Email','Search','Social','Display','Direct'])[1 + (i / 25) % 5]])
           [1:1 + i % 3] AS path,
         (i % 4)::float8 AS conv, ((i % 4) * 8.37 + (i % 7) * 0.01)::float8 AS val,
         (i % 3)::float8 AS nulls
    FROM generate_series(1, 20000) i;
ANALYZE attr_par;
CREATE TABLE attr_serial AS
  SELECT m, journey.attribution(path, conv, val, nulls, m) AS a
    FROM attr_par, unnest(ARRAY['linear','position_based','markov(order=2)','fractribution']) m
   GROUP BY m;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF)
  SELECT journey.attribution(path, conv, val, nulls, 'markov') FROM attr_par;
-- one CREATE TABLE AS per model, each with the partial plan shown above
EXPLAIN (COSTS OFF)
  CREATE TABLE attr_p1 AS
  SELECT 'linear' AS m, journey.attribution(path, conv, val, nulls, 'linear') AS a FROM attr_par;
CREATE TABLE attr_p1 AS
  SELECT 'linear' AS m, journey.attribution(path, conv, val, nulls, 'linear') AS a FROM attr_par;
CREATE TABLE attr_p2 AS
  SELECT 'position_based' AS m, journey.attribution(path, conv, val, nulls, 'position_based') AS a
    FROM attr_par;
CREATE TABLE attr_p3 AS
  SELECT 'markov(order=2)' AS m, journey.attribution(path, conv, val, nulls, 'markov(order=2)') AS a
    FROM attr_par;
CREATE TABLE attr_p4 AS
  SELECT 'fractribution' AS m, journey.attribution(path, conv, val, nulls, 'fractribution') AS a FROM attr_par;
CREATE TABLE attr_parallel AS
  SELECT * FROM attr_p1 UNION ALL SELECT * FROM attr_p2
  UNION ALL SELECT * FROM attr_p3 UNION ALL SELECT * FROM attr_p4;
DROP TABLE attr_p1, attr_p2, attr_p3, attr_p4;
SELECT s.m,
       (SELECT count(*) FROM unnest(s.a)) AS channels,
       abs((SELECT sum((c).conversions) FROM unnest(s.a) c) - (SELECT sum(conv) FROM attr_par)) < 1e-6
         AS sums_to_total,
       NOT EXISTS (SELECT FROM unnest(s.a) WITH ORDINALITY x(channel, conversions, value, re, i)
                   FULL JOIN unnest(p.a) WITH ORDINALITY y(channel, conversions, value, re, i) USING (i)
                   WHERE x.channel IS DISTINCT FROM y.channel
                      OR float8send(x.conversions) IS DISTINCT FROM float8send(y.conversions)
                      OR float8send(x.value) IS DISTINCT FROM float8send(y.value)
                      OR float8send(x.re) IS DISTINCT FROM float8send(y.re))
         AS parallel_bits_equal_serial
  FROM attr_serial s JOIN attr_parallel p USING (m)
 ORDER BY s.m;
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;

-- The serialized state distrusts its bytes.  Layout (little-endian here):
-- version 2, model text (int32 length + bytes), int32 path count, then per
-- path three sums (conversions, value, nulls), int32 touches, int32 key
-- length and the key (per touch int32 length + bytes).  A sum is 00 and a
-- float8 (while exact in double), or 01, int16 lowest chunk, int16 chunk
-- count and int64 chunks of 32 bits, chunk c weighing 2^(32c - 1074), in
-- canonical form (src/sum.c).  Tested through a hook the install script
-- does not expose, which shows the totals over all paths.
CREATE FUNCTION public.journey_attr_state_check(bytea) RETURNS text
  AS 'journey', 'journey_attribution_state_check' LANGUAGE C STRICT;
-- "linear", one path ['a'] with conversions 1, value 2, nulls 0
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000100000000000000000000f03f00000000000000004000000000000000000001000000050000000100000061');
-- the same with the value as the exact sum of 0.1 and 0.2 (chunks 31 to
-- 33), which rounds to 0.30000000000000004; and conversions of exactly
-- 2^100 + 2^-100 (chunks 30 to 36), which round to 2^100
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000100000000000000000000f03f011f00030000000038000000003333333300000000333301000000000000000000000000000001000000050000000100000061');
SELECT public.journey_attr_state_check('\x03060000006c696e656172000000000000000000000000000000000000000001000000011e000700004000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000001000000050000000100000061');
SELECT public.journey_attr_state_check('\x03060000006c696e656172000000000000000000000000000000000000000000000000');  -- empty
SELECT public.journey_attr_state_check('\x01060000006c696e65617200000000');  -- version 1: float8 totals
SELECT public.journey_attr_state_check('\x02060000006c696e65617200000000');  -- version 2: no bootstrap options
SELECT public.journey_attr_state_check('\x04060000006c696e65617200000000');  -- version
SELECT public.journey_attr_state_check('\x03060000006c696e656172');  -- truncated
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000000000000');  -- trailing
SELECT public.journey_attr_state_check('\x03ff0000006c696e65617200000000');  -- model length
SELECT public.journey_attr_state_check('\x03040000006e6f7065000000000000000000000000000000000000000000000000');  -- unknown model
SELECT public.journey_attr_state_check('\x03060000006c696e6561720000000000000000000000000000000000000000ffffffff');  -- path count
SELECT public.journey_attr_state_check('\x03060000006c696e656172050000000000000000000000000000000000000000000000');  -- bootstrap without confidence
SELECT public.journey_attr_state_check('\x03060000006c696e6561721127000000000000000000000000000000e03f00000000');  -- 10001 replicates
SELECT public.journey_attr_state_check('\x03060000006c696e656172102700002a00000000000000000000000000e03f00000000');  -- 10000 replicates, seed 42, confidence 0.5
SELECT public.journey_attr_state_check('\x03060000006c696e656172000000002a0000000000000000000000000000000000000000');  -- no bootstrap but a seed
-- time_decay: each key ends in its touches' weights (one touch 'a', weight 1)
SELECT public.journey_attr_state_check('\x030a00000074696d655f646563617900000000000000000000000000000000000000000100000000000000000000f03f000000000000000000000000000000000000010000000d0000000100000061000000000000f03f');
SELECT public.journey_attr_state_check('\x030a00000074696d655f646563617900000000000000000000000000000000000000000100000000000000000000f03f000000000000000000000000000000000000010000000d00000001000000610000000000000040');  -- weight 2
SELECT public.journey_attr_state_check('\x030a00000074696d655f646563617900000000000000000000000000000000000000000100000000000000000000f03f000000000000000000000000000000000000010000000500000001000000610000000000000040');  -- no room for the weights
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000100000000000000000000f0bf00000000000000004000000000000000000001000000050000000100000061');  -- negative
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000100000000000000000000f03f011f000300000000c800000000cccccccc00000000ccccfeffffffffff00000000000000000001000000050000000100000061');  -- negative exact sum
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000100000000000000000000f87f00000000000000004000000000000000000001000000050000000100000061');  -- NaN
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000100000000000000000000f03f00000000000000f07f00000000000000000001000000050000000100000061');  -- infinity
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000100000002000000000000f03f00000000000000004000000000000000000001000000050000000100000061');  -- unknown kind of sum
SELECT public.journey_attr_state_check('\x03060000006c696e656172000000000000000000000000000000000000000001000000010300000000000000000000004000000000000000000001000000050000000100000061000000');  -- no chunk
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000100000001450002000100000000000000010000000000000000000000000000004000000000000000000001000000050000000100000061');  -- chunks beyond 2^1130
SELECT public.journey_attr_state_check('\x03060000006c696e656172000000000000000000000000000000000000000001000000011e0002000000000001000000010000000000000000000000000000004000000000000000000001000000050000000100000061');  -- a chunk of 2^32
SELECT public.journey_attr_state_check('\x03060000006c696e656172000000000000000000000000000000000000000001000000011e0002000500000000000000000000800000000000000000000000004000000000000000000001000000050000000100000061');  -- highest chunk not a signed digit
SELECT public.journey_attr_state_check('\x03060000006c696e656172000000000000000000000000000000000000000001000000011e0002000000008000000000ffffffffffffffff00000000000000004000000000000000000001000000050000000100000061');  -- -1 on top that belongs below
SELECT public.journey_attr_state_check('\x03060000006c696e656172000000000000000000000000000000000000000001000000011e0002000000000000000000010000000000000000000000000000004000000000000000000001000000050000000100000061');  -- lowest chunk 0
SELECT public.journey_attr_state_check('\x03060000006c696e656172000000000000000000000000000000000000000001000000011e001e000100000000000000010000000000000000000000000000004000000000000000000001000000050000000100000061');  -- chunks cut off
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000100000000000000000000f03f00000000000000004000000000000000000002000000050000000100000061');  -- touches
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000100000000000000000000f03f00000000000000004000000000000000000001000000050000000900000061');  -- label
SELECT public.journey_attr_state_check('\x03060000006c696e65617200000000000000000000000000000000000000000200000000000000000000f03f0000000000000000400000000000000000000100000005000000010000006100000000000000f03f00000000000000004000000000000000000001000000050000000100000061');  -- duplicate path
SELECT public.journey_attr_state_check('\x');
DROP FUNCTION public.journey_attr_state_check(bytea);

-- arrays of touches and of paths must be one-dimensional
SELECT journey.touch_weights(ARRAY['a', 'b'], 'time_decay(half_life=1 day)',
                             ARRAY[['2026-01-01'::timestamptz], ['2026-01-02'::timestamptz]], '2026-01-03');
SELECT journey.attribution(ARRAY[[ROW(ARRAY['a'], ARRAY['2026-01-01'::timestamptz], true, 1.0,
                                      '2026-01-01'::timestamptz)::journey.conversion_path]], 'linear');
-- every syntax error of a model spec says what is wrong
SELECT journey.touch_weights(ARRAY['a'], 'linear)');
SELECT journey.touch_weights(ARRAY['a'], 'position_based(first=0.4,,last=0.4)');
SELECT journey.touch_weights(ARRAY['a'], 'position_based(=0.4)');
SELECT journey.touch_weights(ARRAY['a'], 'position-based');
SELECT journey.touch_weights(ARRAY['a'], 'linear(a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q)');

DROP TABLE attr_paths, attr_rows, attr_par, attr_serial, attr_parallel;
DROP FUNCTION attr_sqlstate(text);
