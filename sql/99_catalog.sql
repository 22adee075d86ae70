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

-- Every aggregate, with its state type.
SELECT p.oid::regprocedure::text AS aggregate, a.aggtranstype::regtype AS state
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
 WHERE p.pronamespace = 'journey'::regnamespace
 ORDER BY 1;

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

-- Every table a team writes to is dumped by pg_dump.
SELECT c.oid::regclass::text AS registry_table,
       c.oid = ANY (e.extconfig) AS dumped
  FROM pg_class c, pg_extension e
 WHERE e.extname = 'journey'
   AND c.relnamespace = 'journey'::regnamespace AND c.relkind = 'r'
 ORDER BY 1;
