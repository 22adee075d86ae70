-- Paths: path_agg, path_transform, paths_to_conversion, transitions,
-- session_number (src/paths.c, src/transform.c, src/session.c).

-- path_agg(label, ts): labels in time order, ties broken by label.
CREATE FUNCTION journey_internal.path_agg_sfunc(internal, text, timestamptz)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_path_agg_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.path_agg_final(internal)
RETURNS text[]
AS 'MODULE_PATHNAME', 'journey_path_agg_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.path_agg(label text, ts timestamptz) (
	SFUNC = journey_internal.path_agg_sfunc,
	STYPE = internal,
	SSPACE = 400,
	FINALFUNC = journey_internal.path_agg_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.path_agg(text, timestamptz) IS
  'labels in time order (ties broken by label); NULL label or ts skipped; NULL for no rows';

-- path_transform(path, VARIADIC steps): fractribution's path transforms.
CREATE FUNCTION @extschema@.path_transform(path text[], VARIADIC steps text[])
RETURNS text[]
AS 'MODULE_PATHNAME', 'journey_path_transform'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_transform(text[], text[]) IS
  'applies exposure, first, unique, frequency, trim_long_path(n), remove_if_not_all(x), remove_if_last_and_not_all(x) left to right';

-- paths_to_conversion: one path per conversion plus the trailing path.
CREATE TYPE @extschema@.conversion_path AS (
	path text[],
	touch_times timestamptz[],
	converted boolean,
	value float8,
	converted_at timestamptz
);
COMMENT ON TYPE @extschema@.conversion_path IS
  'one path of journey.paths_to_conversion: its touches, their times, and the conversion that closed it (if any)';

CREATE FUNCTION journey_internal.paths_to_conversion_sfunc(internal, text, timestamptz,
	boolean, float8, interval)
RETURNS internal
AS 'MODULE_PATHNAME', 'journey_paths_to_conversion_sfunc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION journey_internal.paths_to_conversion_final(internal)
RETURNS @extschema@.conversion_path[]
AS 'MODULE_PATHNAME', 'journey_paths_to_conversion_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.paths_to_conversion(label text, ts timestamptz,
	is_conversion boolean, value float8, lookback interval) (
	SFUNC = journey_internal.paths_to_conversion_sfunc,
	STYPE = internal,
	SSPACE = 400,
	FINALFUNC = journey_internal.paths_to_conversion_final,
	COMBINEFUNC = journey_internal.events_combine,
	SERIALFUNC = journey_internal.events_serialize,
	DESERIALFUNC = journey_internal.events_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paths_to_conversion(text, timestamptz, boolean, float8, interval) IS
  'splits one customer''s events into one path per conversion (within lookback) plus the trailing non-converting path';

-- transitions(path): adjacent pairs with (start) and (end), for Sankey charts.
CREATE FUNCTION @extschema@.transitions(path text[])
RETURNS TABLE (step int, from_label text, to_label text)
AS 'MODULE_PATHNAME', 'journey_transitions'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 6;
COMMENT ON FUNCTION @extschema@.transitions(text[]) IS
  'adjacent pairs of a path, from (start) to (end): the edges of a Sankey chart';

-- session_number(ts, gap): window function numbering sessions 1, 2, ...
CREATE FUNCTION @extschema@.session_number(ts timestamptz, gap interval)
RETURNS int
AS 'MODULE_PATHNAME', 'journey_session_number'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_number(timestamptz, interval) IS
  'window function: session 1, 2, ... where a gap strictly greater than gap starts a new session; use OVER (PARTITION BY customer ORDER BY ts)';
