-- The internal schema (src/sql/01_internal.sql): the support functions of
-- 0.1.0 (aggregates' transition, final, combine, serialize and deserialize
-- functions, trigger functions, internal checks and helpers) move to
-- journey_internal before any later piece replaces or calls them, so that
-- every piece names them there, as the install script does.  An aggregate
-- or trigger refers to its functions by identity and keeps working.

CREATE SCHEMA journey_internal;
COMMENT ON SCHEMA journey_internal IS
  'support functions of the journey extension (aggregates'' transition, final, combine, serialize and deserialize functions, trigger functions, internal checks and helpers): not called by users';

ALTER FUNCTION @extschema@.assignment_check() SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.attribution_combine(internal,internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.attribution_deserialize(bytea,internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.attribution_final(internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.attribution_paths_sfunc(internal,@extschema@.conversion_path[],text) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.attribution_serialize(internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.attribution_sfunc(internal,text[],double precision,double precision,double precision,text) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.channel_rule_check() SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.check_moment(text,text,text) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.check_source(text) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.check_statement(text) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.events_combine(internal,internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.events_deserialize(bytea,internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.events_serialize(internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.funnel_times_final(internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.funnel_times_sfunc(internal,timestamp with time zone,interval,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.funnel_times_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.funnel_times_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.funnel_times_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.funnel_times_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.funnel_times_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.funnel_times_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.funnel_times_sfunc(internal,timestamp with time zone,interval,boolean[]) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.hypothesis_check() SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.hypothesis_for_update(bigint) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.moment_check() SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.moment_check_source(text) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.path_agg_final(internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.path_agg_sfunc(internal,text,timestamp with time zone) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.paths_to_conversion_final(internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.paths_to_conversion_sfunc(internal,text,timestamp with time zone,boolean,double precision,interval) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.retention_combine(bigint,bigint) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.retention_final(bigint) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.retention_sfunc(bigint,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.retention_sfunc(bigint,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.retention_sfunc(bigint,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.retention_sfunc(bigint,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.retention_sfunc(bigint,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.retention_sfunc(bigint,boolean,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.retention_sfunc(bigint,boolean,boolean,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.retention_sfunc(bigint,boolean[]) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.review_cycle_check() SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.sequence_count_final(internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.sequence_match_final(internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.sequence_sfunc(internal,text,timestamp with time zone,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.sequence_sfunc(internal,text,timestamp with time zone,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.sequence_sfunc(internal,text,timestamp with time zone,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.sequence_sfunc(internal,text,timestamp with time zone,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.sequence_sfunc(internal,text,timestamp with time zone,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.sequence_sfunc(internal,text,timestamp with time zone,boolean,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.sequence_sfunc(internal,text,timestamp with time zone,boolean,boolean,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.sequence_sfunc(internal,text,timestamp with time zone,boolean[]) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.source_check() SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_final(internal) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,boolean[]) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,text,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,text,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,text,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,text,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,text,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,text,boolean,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,text,boolean,boolean,boolean,boolean,boolean,boolean,boolean,boolean) SET SCHEMA journey_internal;
ALTER FUNCTION @extschema@.window_funnel_sfunc(internal,timestamp with time zone,interval,text,boolean[]) SET SCHEMA journey_internal;

-- Roles that use the reports, views and registry functions need USAGE on
-- journey_internal as well as on journey (doc/security.md): say which.
DO $internal$
DECLARE
	roles text;
BEGIN
	SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END,
					  ', ' ORDER BY r.rolname NULLS FIRST)
	  INTO roles
	  FROM pg_catalog.pg_namespace n
	 CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) a
	  LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
	 WHERE n.nspname = '@extschema@' AND a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner;
	IF roles IS NOT NULL THEN
		RAISE WARNING 'journey 0.2.0 moved its support functions to schema journey_internal'
			USING DETAIL = format('Roles with USAGE on schema @extschema@: %s. The reports, views and registry functions they call need USAGE on journey_internal too.', roles),
				  HINT = format('GRANT USAGE ON SCHEMA journey_internal TO %s;', roles);
	END IF;
END
$internal$;
