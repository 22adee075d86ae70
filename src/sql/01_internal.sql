-- The internal schema: the functions that only the extension itself calls
-- (aggregates' transition, final, combine, serialize and deserialize
-- functions, trigger functions, internal checks and helpers) live in
-- journey_internal, so that schema journey holds what users call.  An
-- aggregate runs its support functions without looking them up by name, so
-- a role needs no grant on this schema to call an aggregate; the functions
-- and views that call internal helpers by name need USAGE on it
-- (doc/security.md).  sql/99_catalog.sql checks that no support function is
-- left in schema journey.

CREATE SCHEMA journey_internal;
COMMENT ON SCHEMA journey_internal IS
  'support functions of the journey extension (aggregates'' transition, final, combine, serialize and deserialize functions, trigger functions, internal checks and helpers): not called by users';
