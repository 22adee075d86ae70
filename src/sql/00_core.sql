/* journey: customer journey analytics */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION journey" to load this file. \quit

COMMENT ON SCHEMA @extschema@ IS
  'journey: paths, moments that matter, attribution and experiments over event tables';
