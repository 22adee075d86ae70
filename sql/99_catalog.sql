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
                         'sequence_count', 'retention');

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
 WHERE p.pronamespace = 'journey'::regnamespace
   AND p.proparallel <> 's'
 ORDER BY 1;

-- Every object of the extension lives in schema journey.
SELECT count(*) AS objects_outside_schema
  FROM pg_depend d
  JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'journey')
   AND p.pronamespace <> 'journey'::regnamespace;

-- Every table a team writes to is dumped by pg_dump (journey.source_turn is
-- written by the registry's triggers alone and holds nothing to keep).
SELECT c.oid::regclass::text AS registry_table,
       c.oid = ANY (e.extconfig) AS dumped
  FROM pg_class c, pg_extension e
 WHERE e.extname = 'journey'
   AND c.relnamespace = 'journey'::regnamespace AND c.relkind = 'r'
 ORDER BY 1;
