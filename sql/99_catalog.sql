-- Catalog checks over everything the extension installs.

-- Every aggregate is PARALLEL SAFE and combines partial states; aggregates with
-- internal state serialize them.  Expect no rows.
SELECT a.aggfnoid::regprocedure::text AS aggregate_missing_parallel_support
  FROM pg_aggregate a
  JOIN pg_proc p ON p.oid = a.aggfnoid
 WHERE p.pronamespace = 'journey'::regnamespace
   AND (p.proparallel <> 's' OR a.aggcombinefn = 0
        OR (a.aggtranstype = 'internal'::regtype
            AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0)))
 ORDER BY 1;

-- Every aggregate, with its state type, but for the fixed-arity overloads of
-- the aggregates that take VARIADIC conditions (2 to 8 booleans written out),
-- which are checked below.
SELECT p.oid::regprocedure::text AS aggregate, a.aggtranstype::regtype AS state
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
 WHERE p.pronamespace = 'journey'::regnamespace
   AND NOT (p.provariadic = 0 AND p.pronargs >= 2
            AND p.proargtypes[p.pronargs - 1] = 'bool'::regtype
            AND p.proargtypes[p.pronargs - 2] = 'bool'::regtype)
 ORDER BY 1;

-- No other aggregate ends in two booleans: expect 0 rows.
SELECT p.oid::regprocedure::text AS unexpected
  FROM pg_proc p
 WHERE p.pronamespace = 'journey'::regnamespace AND p.prokind = 'a'
   AND p.provariadic = 0 AND p.pronargs >= 2
   AND p.proargtypes[p.pronargs - 1] = 'bool'::regtype
   AND p.proargtypes[p.pronargs - 2] = 'bool'::regtype
   AND p.proname NOT IN ('window_funnel', 'funnel_times', 'sequence_match',
                         'sequence_count', 'sequence_next_node', 'retention');

-- Each fixed-arity overload is its VARIADIC sibling with the conditions
-- written out: the same leading arguments, state, transition code, final,
-- combine, serialize and deserialize functions.  One row per aggregate:
-- overloads for 2 to 8 conditions, none differing from its sibling.
WITH agg AS (
  SELECT p.proname, p.oid, p.provariadic, p.pronargs, p.proargtypes, a.*,
         t.prosrc AS transfn_src
    FROM pg_aggregate a
    JOIN pg_proc p ON p.oid = a.aggfnoid
    JOIN pg_proc t ON t.oid = a.aggtransfn
   WHERE p.pronamespace = 'journey'::regnamespace
), fixed AS (
  -- f: a non-variadic aggregate whose arguments are those of a variadic one,
  -- v, before its VARIADIC bool[], then only booleans
  SELECT f.pronargs - v.pronargs + 1 AS conditions, v.oid AS variadic_oid,
         (f.aggtranstype, f.transfn_src, f.aggfinalfn, f.aggcombinefn,
          f.aggserialfn, f.aggdeserialfn, f.aggtransspace)
         IS DISTINCT FROM
         (v.aggtranstype, v.transfn_src, v.aggfinalfn, v.aggcombinefn,
          v.aggserialfn, v.aggdeserialfn, v.aggtransspace) AS differs
    FROM agg f
    JOIN agg v ON v.proname = f.proname AND v.provariadic = 'bool'::regtype
              AND f.pronargs > v.pronargs
   WHERE f.provariadic = 0
     AND (SELECT bool_and(CASE WHEN i < v.pronargs - 1
                               THEN f.proargtypes[i] = v.proargtypes[i]
                               ELSE f.proargtypes[i] = 'bool'::regtype END)
            FROM generate_series(0, f.pronargs - 1) i)
)
SELECT variadic_oid::regprocedure::text AS variadic_form,
       min(conditions) AS min_conditions, max(conditions) AS max_conditions,
       count(*) AS overloads, count(*) FILTER (WHERE differs) AS differing
  FROM fixed
 GROUP BY 1 ORDER BY 1;

-- Functions that are not PARALLEL SAFE: only those that write the registry or
-- run dynamic SQL may be here.
SELECT p.oid::regprocedure::text AS function, p.provolatile AS volatility,
       p.proparallel AS parallel
  FROM pg_proc p
 WHERE p.pronamespace IN ('journey'::regnamespace, 'journey_internal'::regnamespace)
   AND p.proparallel <> 's'
 ORDER BY 1;

-- Every function of the extension lives in schema journey or, if users do
-- not call it, journey_internal.
SELECT count(*) AS objects_outside_schema
  FROM pg_depend d
  JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'journey')
   AND p.pronamespace NOT IN ('journey'::regnamespace, 'journey_internal'::regnamespace);

-- Every table a team writes to is dumped by pg_dump.
SELECT c.oid::regclass::text AS registry_table,
       c.oid = ANY (e.extconfig) AS dumped
  FROM pg_class c, pg_extension e
 WHERE e.extname = 'journey'
   AND c.relnamespace = 'journey'::regnamespace AND c.relkind = 'r'
 ORDER BY 1;

-- Objects of this session only, each breaking one of the rules checked
-- next, so that the checks show they can fail: each check must list its
-- witness and nothing of the extension.
CREATE FUNCTION pg_temp.witness_unpinned() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION pg_temp.witness_reserved("from" int, "to" int) RETURNS int
	LANGUAGE sql SET search_path = pg_catalog, pg_temp AS 'SELECT 1';
CREATE TEMP TABLE witness_public (x int);
GRANT SELECT ON witness_public TO PUBLIC;
CREATE TEMP VIEW witness_definer AS SELECT 1 AS x;
CREATE FUNCTION pg_temp.witness_trigger() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS 'BEGIN RETURN NULL; END';
CREATE TEMP VIEW witness_bi WITH (security_invoker = true) AS
SELECT ARRAY[1] AS an_array, '{}'::jsonb AS a_jsonb, '{}'::json AS a_json,
       (SELECT w FROM witness_public w) AS a_composite,
       interval '1 s' AS a_wait, interval '1 s' AS a_took, 1::float8 AS a_took_seconds,
       interval '1 s' AS a_span, 1::numeric AS a_span_seconds;
COMMENT ON COLUMN witness_bi.an_array IS 'commented, but an array';

-- Every function written in SQL or a procedural language pins search_path,
-- so that no object a caller's search_path puts first (an operator "=" of
-- its own, say) runs inside it.
SELECT CASE WHEN p.pronamespace = pg_my_temp_schema() THEN 'pg_temp.' || p.proname
            ELSE p.oid::regprocedure::text END AS function_without_search_path
  FROM pg_proc p
  JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace IN ('journey'::regnamespace, 'journey_internal'::regnamespace, pg_my_temp_schema())
   AND l.lanname NOT IN ('c', 'internal')
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c
                    WHERE c LIKE 'search_path=%')
 ORDER BY 1;

-- No parameter (nor output column) of any function or aggregate is named
-- with an SQL reserved word, so that named arguments need no quotes.
SELECT CASE WHEN p.pronamespace = pg_my_temp_schema() THEN 'pg_temp.' || p.proname
            ELSE p.oid::regprocedure::text END AS function,
       a.name AS reserved_parameter
  FROM pg_proc p
 CROSS JOIN LATERAL unnest(p.proargnames) AS a(name)
  JOIN pg_get_keywords() k ON k.word = a.name AND k.catcode = 'R'
 WHERE p.pronamespace IN ('journey'::regnamespace, 'journey_internal'::regnamespace, pg_my_temp_schema())
 ORDER BY 1, 2;

-- No table or sequence of the extension grants anything to PUBLIC: the
-- registry is written only by the roles a DBA grants.
SELECT c.relname AS granted_to_public, a.privilege_type
  FROM pg_class c
 CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
 WHERE c.relnamespace IN ('journey'::regnamespace, 'journey_internal'::regnamespace, pg_my_temp_schema())
   AND c.relkind IN ('r', 'S') AND a.grantee = 0
 ORDER BY 1, 2;

-- Every view reads with the privileges of the role that reads it
-- (security_invoker), so that it shows no registry row the role could not
-- read itself.
SELECT c.relname AS view_not_security_invoker
  FROM pg_class c
 WHERE c.relnamespace IN ('journey'::regnamespace, 'journey_internal'::regnamespace, pg_my_temp_schema())
   AND c.relkind = 'v'
   AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)
 ORDER BY 1;

-- Every function runs as the role that calls it: none is SECURITY DEFINER.
-- Expect no rows.
SELECT p.oid::regprocedure::text AS security_definer_function
  FROM pg_proc p
 WHERE p.pronamespace IN ('journey'::regnamespace, 'journey_internal'::regnamespace) AND p.prosecdef
 ORDER BY 1;

-- Views are for BI tools: every column of every view has a comment (the
-- witness views' columns are listed, but for the one commented) ...
SELECT CASE WHEN c.relnamespace = pg_my_temp_schema() THEN 'pg_temp.' || c.relname
            ELSE c.oid::regclass::text END AS view,
       a.attname AS column_without_comment
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace IN ('journey'::regnamespace, 'journey_internal'::regnamespace, pg_my_temp_schema())
   AND c.relkind = 'v'
   AND col_description(c.oid, a.attnum) IS NULL
 ORDER BY 1, a.attnum;
-- ... and plain types: no array, json, jsonb or composite column, and no
-- interval column without its float8 twin in seconds (named <column>_seconds).
-- Expected: the witness's columns but a_took and the twins (a_span's twin is
-- numeric, so a_span is listed).
SELECT CASE WHEN c.relnamespace = pg_my_temp_schema() THEN 'pg_temp.' || c.relname
            ELSE c.oid::regclass::text END AS view,
       a.attname AS column_not_for_bi, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
 WHERE c.relnamespace IN ('journey'::regnamespace, 'journey_internal'::regnamespace, pg_my_temp_schema())
   AND c.relkind = 'v'
   AND (t.typcategory = 'A' OR t.typtype = 'c' OR t.oid IN ('json'::regtype, 'jsonb'::regtype)
        OR (t.oid = 'interval'::regtype
            AND NOT EXISTS (SELECT 1 FROM pg_attribute s
                             WHERE s.attrelid = c.oid AND NOT s.attisdropped
                               AND s.attname = a.attname || '_seconds'
                               AND s.atttypid = 'float8'::regtype)))
 ORDER BY 1, a.attnum;

-- Support functions live in schema journey_internal, so that \df journey.*
-- lists what users call: no function left in schema journey is an
-- aggregate's transition, final, combine, serialize or deserialize function,
-- returns trigger, or is a helper whose comment starts with 'internal:'.
-- Expected: the witness alone.
SELECT CASE WHEN p.pronamespace = pg_my_temp_schema() THEN 'pg_temp.' || p.proname
            ELSE p.oid::regprocedure::text END AS support_function_outside_journey_internal,
       CASE WHEN p.prorettype = 'trigger'::regtype THEN 'trigger'
            WHEN obj_description(p.oid, 'pg_proc') LIKE 'internal:%' THEN 'internal helper'
            ELSE 'aggregate support' END AS kind
  FROM pg_proc p
 WHERE p.pronamespace IN ('journey'::regnamespace, pg_my_temp_schema())
   AND (p.prorettype = 'trigger'::regtype
        OR obj_description(p.oid, 'pg_proc') LIKE 'internal:%'
        OR EXISTS (SELECT 1 FROM pg_aggregate a
                    WHERE p.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
                                    a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn,
                                    a.aggmfinalfn)))
 ORDER BY 1;
