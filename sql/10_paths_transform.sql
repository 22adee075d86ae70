-- path_transform: fractribution's path transforms, applied left to right.

-- Google fractribution's documented example path [D, A, B, B, C, D, C, C]
SELECT t AS transform, journey.path_transform('{D,A,B,B,C,D,C,C}', t) AS result
  FROM unnest(ARRAY['unique', 'exposure', 'first', 'frequency',
                    'trim_long_path(3)', 'remove_if_not_all(D)',
                    'remove_if_last_and_not_all(C)']) t;

-- The test cases of Snowplow's fractribution package (paths written
-- 'a > b'; the empty string is a path of one empty label), each transform
-- compared with the published expected result.
CREATE TABLE paths_fr (id int, raw text[], trim1 text, trim2 text, uniq text,
                       freq text, expo text, frst text, rnotall text, rlast text);
INSERT INTO paths_fr VALUES
 (1, string_to_array('Example > Video > Direct > Direct', ' > '),
  'Direct', 'Direct > Direct', 'Example > Video > Direct > Direct',
  'Example(1) > Video(1) > Direct(2)', 'Example > Video > Direct',
  'Example > Video > Direct', 'Example > Video', 'Example > Video'),
 (2, string_to_array('Direct > Direct', ' > '),
  'Direct', 'Direct > Direct', 'Direct > Direct', 'Direct(2)', 'Direct',
  'Direct', 'Direct > Direct', 'Direct > Direct'),
 (3, string_to_array('a > a > a > Direct > a > Direct > Direct', ' > '),
  'Direct', 'Direct > Direct', 'a > a > a > Direct > a > Direct > Direct',
  'a(4) > Direct(3)', 'a > Direct > a > Direct', 'a > Direct',
  'a > a > a > a', 'a > a > a > Direct > a'),
 (4, string_to_array('Direct', ' > '),
  'Direct', 'Direct', 'Direct', 'Direct(1)', 'Direct', 'Direct', 'Direct', 'Direct'),
 (5, ARRAY[''],
  '', '', '', '(1)', '', '', '', ''),
 (6, string_to_array('Example > Video > Direct', ' > '),
  'Direct', 'Video > Direct', 'Example > Video > Direct',
  'Example(1) > Video(1) > Direct(1)', 'Example > Video > Direct',
  'Example > Video > Direct', 'Example > Video', 'Example > Video'),
 (7, string_to_array('Example > Video > ', ' > '),
  '', 'Video > ', 'Example > Video > ', 'Example(1) > Video(1) > (1)',
  'Example > Video > ', 'Example > Video > ', 'Example > Video > ',
  'Example > Video > ');

SELECT id, raw,
       journey.path_transform(raw, 'trim_long_path(1)') AS trim1,
       journey.path_transform(raw, 'trim_long_path(2)') AS trim2,
       journey.path_transform(raw, 'frequency') AS freq,
       journey.path_transform(raw, 'exposure') AS expo,
       journey.path_transform(raw, 'first') AS frst,
       journey.path_transform(raw, 'remove_if_not_all(Direct)') AS rnotall,
       journey.path_transform(raw, 'remove_if_last_and_not_all(Direct)') AS rlast
  FROM paths_fr ORDER BY id;

SELECT id,
       array_to_string(journey.path_transform(raw, 'trim_long_path(1)'), ' > ') = trim1 AND
       array_to_string(journey.path_transform(raw, 'trim_long_path(2)'), ' > ') = trim2 AND
       array_to_string(journey.path_transform(raw, 'unique'), ' > ') = uniq AND
       array_to_string(journey.path_transform(raw, 'frequency'), ' > ') = freq AND
       array_to_string(journey.path_transform(raw, 'exposure'), ' > ') = expo AND
       array_to_string(journey.path_transform(raw, 'first'), ' > ') = frst AND
       array_to_string(journey.path_transform(raw, 'remove_if_not_all(Direct)'), ' > ') = rnotall AND
       array_to_string(journey.path_transform(raw, 'remove_if_last_and_not_all(Direct)'), ' > ') = rlast
         AS matches_fractribution
  FROM paths_fr ORDER BY id;
DROP TABLE paths_fr;

-- chains apply left to right
SELECT journey.path_transform('{a,b,b,a,c,c}', 'exposure', 'frequency');
SELECT journey.path_transform('{a,b,b,a,c,c}', 'frequency', 'exposure');
SELECT journey.path_transform('{a,b,c,d,d}', 'remove_if_last_and_not_all(d)', 'trim_long_path(2)');
SELECT journey.path_transform('{a,b,c,d,d}', 'trim_long_path(2)', 'remove_if_last_and_not_all(d)');
-- no steps: the path unchanged
SELECT journey.path_transform('{a,a}', VARIADIC '{}'::text[]);
-- names are case-insensitive, blanks ignored, the argument may be named
SELECT journey.path_transform('{x,y,y}', ' Exposure ', 'TRIM_LONG_PATH( n = 1 )');
SELECT journey.path_transform('{x,Paid Search,y}', 'remove_if_not_all(channel = Paid Search)');
-- an empty path stays empty
SELECT journey.path_transform('{}', 'exposure', 'first', 'frequency',
                              'trim_long_path(1)', 'remove_if_not_all(x)',
                              'remove_if_last_and_not_all(x)');
-- labels compare bytewise: case matters
SELECT journey.path_transform('{Email,email,Email}', 'first');
-- long paths (first and frequency switch from pairwise comparison to sorting)
SELECT journey.path_transform(p, 'frequency') AS freq,
       cardinality(journey.path_transform(p, 'exposure')) AS exposure_len,
       journey.path_transform(p, 'first') AS frst
  FROM (SELECT array_agg(chr(ascii('a') + (i * 7) % 5) ORDER BY i) AS p
          FROM generate_series(1, 100) i) s;
-- NULL path or NULL steps array: NULL
SELECT journey.path_transform(NULL, 'exposure') IS NULL AS null_path,
       journey.path_transform('{a}', VARIADIC NULL::text[]) IS NULL AS null_steps;

-- errors
SELECT journey.path_transform('{a}', 'exposures');
SELECT journey.path_transform('{a}', 'markov(order=1)');
SELECT journey.path_transform('{a}', 'exposure(1)');
SELECT journey.path_transform('{a}', 'trim_long_path');
SELECT journey.path_transform('{a}', 'trim_long_path()');
SELECT journey.path_transform('{a}', 'trim_long_path(1, 2)');
SELECT journey.path_transform('{a}', 'trim_long_path(x)');
SELECT journey.path_transform('{a}', 'trim_long_path(1.5)');
SELECT journey.path_transform('{a}', 'trim_long_path(0)');
SELECT journey.path_transform('{a}', 'trim_long_path(-3)');
SELECT journey.path_transform('{a}', 'trim_long_path(steps=2)');
SELECT journey.path_transform('{a}', 'remove_if_not_all');
SELECT journey.path_transform('{a}', 'remove_if_last_and_not_all(a, b)');
SELECT journey.path_transform('{a}', 'remove_if_not_all(a');
SELECT journey.path_transform('{a}', 'remove_if_not_all(f(x))');
SELECT journey.path_transform('{a}', '');
SELECT journey.path_transform('{a}', 'exposure', NULL);
SELECT journey.path_transform('{a,NULL}', 'exposure');
SELECT journey.path_transform('{{a},{b}}', 'exposure');
SELECT journey.path_transform('{a}', VARIADIC '{{exposure},{first}}'::text[]);
-- the steps may change from row to row
SELECT p, s, journey.path_transform(p, s)
  FROM (VALUES ('{a,a,b}'::text[], 'exposure'), ('{a,a,b}', 'frequency'),
               ('{a,a,b}', 'frequency'), ('{a,b,b}', 'trim_long_path(1)')) v(p, s);
