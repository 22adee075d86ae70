/* journey: upgrade from 0.1.0 to 0.2.0 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION journey UPDATE TO '0.2.0'" to load this file. \quit

-- Each area adds its changes as a piece of its own in this folder (taken in
-- name order), matching what src/sql/ installs for 0.2.0:
-- test/suites/90_upgrade.sh checks that an upgraded 0.1.0 and a fresh 0.2.0
-- define the same objects.
