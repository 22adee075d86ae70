-- The extension installs into schema journey and is not relocatable.
CREATE EXTENSION journey;
SELECT extname, extversion, extrelocatable, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'journey';
LOAD 'journey';
SHOW journey.max_events_per_group;
-- the limit has documented bounds
SET journey.max_events_per_group = 0;
