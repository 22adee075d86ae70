-- Registry of event sources and their moments that matter.

CREATE TABLE @extschema@.source (
	name text PRIMARY KEY,
	relation regclass NOT NULL,
	customer_column name NOT NULL,
	time_column name NOT NULL,
	event_column name NOT NULL,
	channel_column name,
	value_column name,
	conversion_event text,
	moment_window interval NOT NULL DEFAULT '7 days',
	attribution_lookback interval NOT NULL DEFAULT '30 days'
);
COMMENT ON TABLE @extschema@.source IS
  'where a team''s events live: one row per event table (or view) and the columns to read';

CREATE TABLE @extschema@.moment (
	source text NOT NULL REFERENCES @extschema@.source (name)
		ON UPDATE CASCADE ON DELETE CASCADE,
	position int NOT NULL,
	name text NOT NULL,
	event_name text NOT NULL,
	PRIMARY KEY (source, position),
	UNIQUE (source, name)
);
COMMENT ON TABLE @extschema@.moment IS
  'the five to eight decision points of a source''s journey, in order';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.source', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.moment', '');
